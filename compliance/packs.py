"""Rule packs: a folder with pack.yaml, params.yaml and rule files.

Loading is strict and positioned: YAML errors, schema errors and expression syntax errors
all become diagnostics with file, line and column. Expressions are parsed here (the parse
stage); names, types and units are checked later (lint.analyze).
"""
from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from . import encoding, schema_errors
from .diagnostics import Diagnostic, Localized, Location
from .oserrors import os_reason
from .dsl import ast
from .dsl.parse import ExprError, parse
from .dsl.units import Unit, parse_unit
from .readable import quote_reading
from .resources import rules_dir, schema_file
from .yamlsource import ExprSource, YamlError, YMap, expression_source, load, node_location

PACK_FILE, PARAMS_FILE = "pack.yaml", "params.yaml"
NOT_RULE_FILES = {PACK_FILE, PARAMS_FILE, "coverage.yaml"}


@dataclass(frozen=True)
class Expr:
    """An expression as written in a rule file, parsed, with the way back to file positions."""
    text: str
    node: ast.Node | None
    file: str
    source: ExprSource

    def location(self, span: ast.Span) -> Location:
        line, column = self.source.file_position(span.line, span.column)
        end_line, end_column = self.source.file_position(span.end_line, span.end_column)
        return Location(self.file, line, column, end_line, end_column)

    def text_of(self, node: ast.Node) -> str:
        lines = self.source.text.split("\n")
        s = node.span
        if s.line == s.end_line:
            return lines[s.line - 1][s.column - 1:s.end_column - 1]
        parts = [lines[s.line - 1][s.column - 1:]] + lines[s.line:s.end_line - 1] + [lines[s.end_line - 1][:s.end_column - 1]]
        return " ".join(p.strip() for p in parts)


@dataclass(frozen=True)
class Citation:
    document: str | None
    article: str | None
    item: str | None
    quote: str | None
    source_grade: str | None
    reading: str | None = None
    url: str | None = None
    quote_reading: str | None = None    # simplified / repaired text of the quote (compliance/readable.py)
    quote_reading_given: bool = False   # written in the rule file (a repair), not converted

    def as_dict(self) -> dict:
        out = {"document": self.document, "article": self.article, "item": self.item, "quote": self.quote,
               "quote_reading": self.quote_reading, "source_grade": self.source_grade}
        if self.reading:
            out["reading"] = self.reading
        if self.url:
            out["url"] = self.url
        return {k: v for k, v in out.items() if v is not None}


@dataclass(frozen=True)
class Rule:
    pack: str
    id: str
    title: str
    title_en: str | None
    severity: str
    applies_to: str
    levels: tuple[str, ...]
    when: Expr | None
    require: Expr | None
    attestation: bool
    citation: Citation | None
    message_zh: str | None
    message_en: str | None
    effective: datetime.date | None
    until: datetime.date | None
    deadline: datetime.date | None
    overrides: str | None
    aspect: str | None
    aspect_en: str | None
    location: Location
    properties: dict = field(default_factory=dict, hash=False, compare=False)
    spots: dict = field(default_factory=dict, hash=False, compare=False)  # key → Location of its value
    literal: str | None = None  # `literal: plan-year`: the numbers in when/require are plan years, not thresholds

    def spot(self, key: str) -> Location:
        return self.spots.get(key, self.location)

    @property
    def qualified_id(self) -> str:
        return f"{self.pack}/{self.id}"

    def in_force(self, as_of: datetime.date) -> bool:
        return (self.effective is None or self.effective <= as_of) and (self.until is None or as_of < self.until)


@dataclass(frozen=True)
class Derived:
    pack: str
    name: str
    title: str
    entity: str            # section | school | record
    unit: Unit | None
    unit_text: str | None
    aliases: tuple[str, ...]
    value: Expr
    location: Location
    name_location: Location | None = None


@dataclass(frozen=True)
class Param:
    pack: str
    name: str
    title: str
    unit: Unit | None
    unit_text: str | None
    reference: str | None
    values: tuple[tuple[datetime.date, object], ...] | None           # one value over time
    by_level: dict[str, tuple[tuple[datetime.date, object], ...]] | None  # or one per level
    location: Location
    loosens: str | None = None
    # (level or None, start date) → where that dated value is written, for lint to point at
    value_locations: dict = field(default_factory=dict, hash=False, compare=False)

    def value_at(self, as_of: datetime.date):
        """The value in force on `as_of` in base units, {level: value}, or None before the first date."""
        if self.by_level is not None:
            return {level: self._scaled(_dated(series, as_of)) for level, series in self.by_level.items()
                    if _dated(series, as_of) is not None}
        return self._scaled(_dated(self.values or (), as_of))

    def _scaled(self, value):
        if isinstance(value, (int, Fraction)) and not isinstance(value, bool) and self.unit is not None:
            scaled = value * self.unit.scale
            return int(scaled) if isinstance(scaled, Fraction) and scaled.denominator == 1 else scaled
        if isinstance(value, dict):
            return {k: (Fraction(v) if isinstance(v, int) else v) for k, v in value.items()}
        return value

    def all_values(self):
        if self.by_level is not None:
            return [v for series in self.by_level.values() for _, v in series]
        return [v for _, v in self.values or ()]


def _dated(series, as_of):
    current = None
    for start, value in series:
        if start <= as_of:
            current = value
    return current


@dataclass
class Pack:
    id: str
    title: str
    document: dict
    version: str
    extends: str | None
    directory: Path
    params: dict[str, Param] = field(default_factory=dict)
    derived: list[Derived] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    location: Location | None = None
    aspects: tuple[str, ...] = ()

    @property
    def document_label(self) -> str:
        return self.document.get("number") or self.document.get("title") or self.id


_SCHEMAS: dict[str, dict] = {}


def _schema(name: str) -> dict:
    if name not in _SCHEMAS:
        _SCHEMAS[name] = json.loads(schema_file(name).read_text(encoding="utf-8"))
    return _SCHEMAS[name]


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read_yaml(path: Path, pack: Pack):
    file = _display(path)
    try:
        decoded = encoding.read_text(path)
    except OSError as exc:
        pack.diagnostics.append(Diagnostic("E100", Location(file), {"reason": os_reason(exc)}))
        return file, None
    except encoding.NotText as exc:
        pack.diagnostics.append(encoding.problem(exc, file))
        return file, None
    pack.diagnostics.extend(encoding.notice(decoded, file))
    text = decoded.text
    pack.sources[file] = text
    try:
        return file, load(text, file)
    except YamlError as exc:
        pack.diagnostics.append(exc.diagnostic)
        return file, None


def load_pack(directory: Path) -> Pack:
    """Load one pack folder. Problems are collected in `pack.diagnostics`, never raised."""
    directory = Path(directory)
    pack = Pack(directory.name, directory.name, {}, "", None, directory)
    file, meta = _read_yaml(directory / PACK_FILE, pack)
    if meta is not None:
        errors = schema_errors.validate_yaml(meta, _schema("pack.schema.json"), file, Localized("pack.yaml", "pack.yaml"))
        pack.diagnostics.extend(d for _, d in errors)
        if isinstance(meta, dict):
            pack.id = str(meta.get("id", pack.id))
            pack.title = str(meta.get("title", pack.id))
            pack.document = dict(meta.get("document") or {}) if isinstance(meta.get("document"), dict) else {}
            pack.version = str(meta.get("version", ""))
            pack.extends = meta.get("extends")
            pack.aspects = tuple(meta.get("aspects") or ())
            pack.location = node_location(file, meta.node)
    params_path = directory / PARAMS_FILE
    if params_path.exists():
        _load_params(params_path, pack)
    for path in sorted(directory.glob("*.yaml")):
        if path.name not in NOT_RULE_FILES:
            load_rule_file(path, pack)
    return pack


def _load_params(path: Path, pack: Pack) -> None:
    file, data = _read_yaml(path, pack)
    if data is None:
        return
    errors = schema_errors.validate_yaml(data, _schema("params.schema.json"), file, Localized("参数", "parameter"))
    pack.diagnostics.extend(d for _, d in errors)
    if not isinstance(data, dict):
        return
    broken = {path[0] for path, _ in errors if path}
    if any(not path for path, _ in errors):
        return
    for name, spec in data.items():
        if str(name) in broken or not isinstance(spec, dict):
            continue
        loc = node_location(file, data.key_nodes[name])
        unit = None
        if "unit" in spec:
            unit = parse_unit(str(spec["unit"]))
            if unit is None:
                node = spec.value_nodes["unit"]
                pack.diagnostics.append(Diagnostic("E222", node_location(file, node), {
                    "unit": spec["unit"], "hint": Localized("", "")}))
        by_level = None
        values = None
        if "values" in spec:
            values = _series(spec["values"])
        levels = {level: _series(spec[level]) for level in ("primary", "junior") if level in spec}
        if levels:
            by_level = levels
        param = Param(pack.id, str(name), str(spec["title"]), unit, spec.get("unit"), spec.get("reference"),
                      values, by_level, loc, (spec.get("loosens") or {}).get("reason"),
                      _value_locations(file, spec))
        for value in param.all_values():
            if not isinstance(value, (int, Fraction, bool, str, list, dict)) or \
                    (isinstance(value, dict) and not all(isinstance(v, (int, Fraction)) for v in value.values())):
                pack.diagnostics.append(Diagnostic("E253", loc, {"name": name, "value": value}))
        pack.params[str(name)] = param


def _value_locations(file: str, spec: YMap) -> dict:
    out = {}
    for level in ("values", "primary", "junior"):
        dated = spec.get(level)
        if not isinstance(dated, YMap):
            continue
        for key, node in dated.value_nodes.items():
            try:
                start = key if isinstance(key, datetime.date) else datetime.date.fromisoformat(str(key))
            except ValueError:
                continue
            out[(None if level == "values" else level, start)] = node_location(file, node)
    return out


_RATIO = re.compile(r"\s*(\d+)\s*/\s*([1-9]\d*)\s*")


def _series(dated: dict) -> tuple:
    out = []
    for key, value in dated.items():
        start = key if isinstance(key, datetime.date) else datetime.date.fromisoformat(str(key))
        # "2/3" is an exact ratio: thresholds like “2/3以上” have no exact decimal form.
        m = _RATIO.fullmatch(value) if isinstance(value, str) else None
        out.append((start, Fraction(int(m[1]), int(m[2])) if m else value))
    return tuple(sorted(out, key=lambda p: p[0]))


def _expr(data: YMap, key: str, file: str, pack: Pack) -> Expr | None:
    if key not in data or not isinstance(data[key], str):
        return None
    node = data.value_nodes[key]
    source = expression_source(node, pack.sources[file])
    result = parse(source.text)
    expr = Expr(data[key], None if isinstance(result, ExprError) else result, file, source)
    if isinstance(result, ExprError):
        # An empty expression has no token to point at: point at the value itself.
        where = node_location(file, node) if result.code == "E205" else expr.location(result.span)
        pack.diagnostics.append(Diagnostic(result.code, where, result.args))
    return expr


def _date(value):
    if value is None or isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


def load_rule_file(path: Path, pack: Pack) -> None:
    file, data = _read_yaml(path, pack)
    if data is None:
        # read without error, and nothing in it: a file of rules that has none
        if file in pack.sources and not any(d.location.file == file for d in pack.diagnostics):
            pack.diagnostics.append(Diagnostic("E236", Location(file, 1, 1), {}))
        return
    errors = schema_errors.validate_yaml(data, _schema("rules.schema.json"), file, Localized("规则文件", "rule file"))
    pack.diagnostics.extend(d for _, d in errors)
    if not isinstance(data, YMap):
        return
    bad_paths = {path for path, _ in errors}
    defaults = data.get("citation") if isinstance(data.get("citation"), dict) else {}
    aspect, aspect_en = data.get("aspect"), data.get("aspect_en")
    for i, item in enumerate(data.get("derived") or []):
        if not isinstance(item, YMap) or _has_errors_under(bad_paths, ("derived", i)):
            continue
        value = _expr(item, "value", file, pack)
        unit = parse_unit(str(item["unit"])) if "unit" in item else None
        if "unit" in item and unit is None:
            pack.diagnostics.append(Diagnostic("E222", node_location(file, item.value_nodes["unit"]),
                                               {"unit": item["unit"], "hint": Localized("", "")}))
        entity = {"jurisdiction": "record"}.get(item["of"], item["of"])
        pack.derived.append(Derived(pack.id, item["name"], item["title"], entity, unit, item.get("unit"),
                                    tuple(item.get("aliases") or ()), value, node_location(file, item.node),
                                    node_location(file, item.value_nodes["name"])))
    for i, item in enumerate(data.get("rules") or []):
        if not isinstance(item, YMap) or _has_errors_under(bad_paths, ("rules", i)):
            continue
        citation = None
        if isinstance(item.get("citation"), dict) or defaults:
            c = {**{"document": pack.document_label}, **defaults, **(item.get("citation") or {})}
            if isinstance(item.get("citation"), dict):
                given = c.get("quote_reading")
                citation = Citation(c.get("document"), c.get("article"), c.get("item"), c.get("quote"),
                                    c.get("source_grade"), c.get("reading"), c.get("url"),
                                    quote_reading(c.get("quote"), given), bool(given))
        message = item.get("message") or {}
        pack.rules.append(Rule(
            pack=pack.id, id=str(item["id"]), title=item["title"], title_en=item.get("title_en"),
            severity=item["severity"], applies_to=item["applies_to"], levels=tuple(item.get("levels") or ()),
            when=_expr(item, "when", file, pack), require=_expr(item, "require", file, pack),
            attestation=bool(item.get("attestation", False)), citation=citation,
            message_zh=message.get("zh"), message_en=message.get("en"),
            effective=_date(item.get("effective")), until=_date(item.get("until")),
            deadline=_date(item.get("deadline")), overrides=item.get("overrides"),
            aspect=aspect, aspect_en=aspect_en, location=node_location(file, item.node),
            properties=dict(item.get("properties") or {}), spots=_spots(item, file, pack.sources[file]),
            literal=item.get("literal")))


def _spots(item: YMap, file: str, source: str) -> dict:
    """Where the values a pack-level check may blame are, including each message placeholder."""
    spots = {key: node_location(file, node) for key, node in item.value_nodes.items()}
    citation = item.get("citation")
    if isinstance(citation, YMap):
        spots.update({f"citation.{key}": node_location(file, node) for key, node in citation.value_nodes.items()})
    message = item.get("message")
    if isinstance(message, YMap):
        for lang, node in message.value_nodes.items():
            spots[f"message.{lang}"] = node_location(file, node)
            if node.start_mark.line == node.end_mark.line and isinstance(message[lang], str):
                raw = source[node.start_mark.index:node.end_mark.index]
                for name in re.findall(r"\{([^{}]*)\}", message[lang]):
                    offset = raw.find("{" + name + "}")
                    if offset >= 0:
                        col = node.start_mark.column + offset + 1
                        spots.setdefault(f"placeholder.{name}", Location(file, node.start_mark.line + 1, col,
                                                                         node.start_mark.line + 1, col + len(name) + 2))
    return spots


def _has_errors_under(bad_paths, prefix) -> bool:
    return any(tuple(p[: len(prefix)]) == prefix for p in bad_paths)


# ---- finding packs ----------------------------------------------------------------------

def find_pack_dirs(paths: list[Path]) -> list[Path]:
    """Every folder holding a pack.yaml at or below the given paths."""
    found: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_file():
            continue
        if (p / PACK_FILE).exists():
            found.append(p)
        found.extend(sorted(d.parent for d in p.rglob(PACK_FILE) if d.parent != p and "tests" not in d.parts[len(p.parts):]))
    seen, out = set(), []
    for d in found:
        r = d.resolve()
        if r not in seen:
            seen.add(r)
            out.append(d)
    return out


class Repository:
    """Packs by id, found under the shipped rules folder and any extra folders."""

    def __init__(self, extra: list[Path] = ()):
        self._dirs: dict[str, Path] = {}
        self._loaded: dict[Path, Pack] = {}
        for root in [*extra, rules_dir()]:
            for d in find_pack_dirs([Path(root)]):
                pid = _peek_id(d)
                self._dirs.setdefault(pid, d)

    def ids(self) -> list[str]:
        return sorted(self._dirs)

    def directory(self, pack_id: str) -> Path | None:
        return self._dirs.get(pack_id)

    def load(self, directory: Path) -> Pack:
        key = Path(directory).resolve()
        if key not in self._loaded:
            self._loaded[key] = load_pack(Path(directory))
        return self._loaded[key]

    def chain(self, pack: Pack) -> tuple[list[Pack], list[Diagnostic]]:
        """The pack and its ancestors, base first."""
        chain, problems = [pack], []
        current = pack
        while current.extends:
            parent_dir = self._dirs.get(current.extends)
            if parent_dir is None:
                problems.append(Diagnostic("E104", current.location or Location(str(current.directory)),
                                           {"path": current.extends}))
                break
            parent = self.load(parent_dir)
            if any(p.id == parent.id for p in chain):
                problems.append(Diagnostic("E105", current.location or Location(str(current.directory)),
                                           {"pack": pack.id, "chain": " → ".join([p.id for p in chain] + [parent.id])}))
                break
            chain.append(parent)
            current = parent
        return list(reversed(chain)), problems


def _peek_id(directory: Path) -> str:
    try:
        import yaml
        # libyaml when present: this runs for every pack on every start, the pure-Python loader is ~10× slower
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load((directory / PACK_FILE).read_text(encoding="utf-8"), Loader=loader)
        return str(data.get("id")) if isinstance(data, dict) and data.get("id") else directory.name
    except Exception:  # a broken pack.yaml is reported when the pack is loaded
        return directory.name
