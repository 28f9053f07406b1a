"""Document coverage: every numbered paragraph of a pack's document mapped to the rules that
encode it, or marked not checkable with a reason.

A pack keeps the map in `coverage.yaml`. If the pack also ships its document as
`document.txt`, the numbered paragraphs (一、 （一） 1.) are read from the text, so a paragraph
the map forgot is reported instead of silently missing.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import schema_errors
from .diagnostics import Diagnostic, Localized, Location
from .packs import Pack
from .resources import schema_file
from .yamlsource import YamlError, YMap, load, node_location

COVERAGE_FILE, DOCUMENT_FILE = "coverage.yaml", "document.txt"


@dataclass(frozen=True)
class Paragraph:
    id: str
    heading: str
    rules: tuple[str, ...] = ()
    not_checkable: str | None = None
    location: Location | None = None
    todo: str | None = None              # listed but not yet encoded: never counted as accounted for

    @property
    def accounted(self) -> bool:
        return bool(self.rules) or bool(self.not_checkable)


@dataclass
class Coverage:
    pack: Pack
    paragraphs: list[Paragraph] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)   # (id, heading) in the document, not in the map
    unmapped_rules: list[str] = field(default_factory=list)        # rules of the pack no paragraph names
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.paragraphs) + len(self.missing)

    @property
    def accounted(self) -> int:
        return sum(1 for p in self.paragraphs if p.accounted and not p_bad(self, p))

    @property
    def percent(self) -> float:
        return 100.0 * self.accounted / self.total if self.total else 0.0


def p_bad(cov: Coverage, p: Paragraph) -> bool:
    return any(d.args.get("paragraph") == p.id for d in cov.diagnostics)


_CN = "一二三四五六七八九十"
# An annex ("附件" alone on its line) is a top-level part; its "备注:" notes are numbered like items.
_LEVELS = [
    (re.compile(rf"^\s*(?:([{_CN}]+)、|(附件)\s*\d*\s*$)"), lambda m: f"{m.group(1)}、" if m.group(1) else "附件"),
    (re.compile(rf"^\s*(?:[（(]([{_CN}]+)[）)]|(备注)[:：])"), lambda m: f"（{m.group(1)}）" if m.group(1) else " 备注"),
    (re.compile(r"^\s*(\d{1,2})[.．、](?!\d)"), lambda m: f"{m.group(1)}."),
]


def numbered_paragraphs(text: str) -> list[tuple[str, str]]:
    """(full id such as 三、（二）1., first words) of every numbered paragraph, in order."""
    path: list[str | None] = [None, None, None]
    out = []
    for line in text.splitlines():
        for depth, (pattern, label) in enumerate(_LEVELS):
            m = pattern.match(line)
            if m:
                path[depth] = label(m)
                for deeper in range(depth + 1, len(path)):
                    path[deeper] = None
                full = "".join(p for p in path[: depth + 1] if p)
                heading = line[m.end():].strip()[:20]
                out.append((full, heading))
                break
    return out


def load_coverage(pack: Pack) -> Coverage:
    cov = Coverage(pack)
    path = pack.directory / COVERAGE_FILE
    file = str(path)
    if not path.exists():
        cov.diagnostics.append(Diagnostic("E260", Location(file), {"pack": pack.id}))
        return cov
    text = path.read_text(encoding="utf-8")
    try:
        data = load(text, file)
    except YamlError as exc:
        cov.diagnostics.append(exc.diagnostic)
        return cov
    schema = json.loads(schema_file("coverage.schema.json").read_text(encoding="utf-8"))
    errors = schema_errors.validate_yaml(data, schema, file, Localized("覆盖对照表", "coverage map"))
    cov.diagnostics.extend(d for _, d in errors)
    if errors or not isinstance(data, YMap):
        return cov
    rule_ids = {r.id for r in pack.rules}
    mapped: set[str] = set()
    for item, node in zip(data["paragraphs"], data["paragraphs"].item_nodes):
        p = Paragraph(str(item["id"]), str(item["heading"]), tuple(str(r) for r in item.get("rules") or ()),
                      item.get("not_checkable"), node_location(file, node), item.get("todo"))
        for rule in p.rules:
            if rule not in rule_ids:
                cov.diagnostics.append(Diagnostic("E261", p.location, {"paragraph": p.id, "rule": rule}))
        mapped.update(p.rules)
        cov.paragraphs.append(p)
    document = pack.directory / DOCUMENT_FILE
    if document.exists():
        listed = {p.id for p in cov.paragraphs}
        cov.missing = [(pid, heading) for pid, heading in numbered_paragraphs(document.read_text(encoding="utf-8"))
                       if pid not in listed]
    cov.unmapped_rules = sorted(rule_ids - mapped)
    return cov
