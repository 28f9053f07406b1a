"""Static analysis of a rule pack, before any data: the pack with its ancestors is merged,
every expression is checked for names, types and units, and pack-level mistakes are found
(duplicate ids, missing citations, unused parameters, bad dates, unknown placeholders).
"""
from __future__ import annotations

import datetime
import re
import string
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from .diagnostics import Diagnostic, Localized, Location, sort_key
from .dsl import ast
from .dsl import types as T
from .dsl.builtins import BUILTINS
from .dsl.check import Checked, DerivedSpec, Environment, ParamSpec, check, check_derived
from .dsl.names import Catalog, default_catalog
from .lint_quote import check_literals, check_params, check_quoted
from .packs import Derived, Pack, Param, Repository, Rule
from .readable import damaged

# Placeholders every message template may use; functions add a few through notes.
PLACEHOLDERS = {"school", "school_id", "section", "level", "subject", "value", "threshold", "op", "title",
                "fell_in", "fell_from", "fell_to", "fell_where", "met", "near", "far", "split_share",
                "missing"} | {note for fn in BUILTINS.values() for note in fn.notes}
ENTITY_OF_SUBJECT = {"school_section": "section", "school": "school", "jurisdiction": "record",
                     "section_level": "record"}


@dataclass
class Analysis:
    pack: Pack
    chain: list[Pack]
    env: Environment
    rules: list[Rule]
    params: dict[str, Param]
    derived: dict[tuple[str, str], Derived]
    checked: dict[tuple[str, str], Checked] = field(default_factory=dict)  # (qualified rule id, when|require)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    overridden: dict[str, Rule] = field(default_factory=dict)  # rule id → the ancestor's rule it replaced
    _texts: dict | None = field(default=None, repr=False, compare=False)  # id(node) → source text, built once

    @property
    def sources(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for p in self.chain:
            out.update(p.sources)
        return out

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    def text_of(self, node: ast.Node) -> str:
        """A sub-expression as written in its rule or derived field ("" if not found)."""
        if self._texts is None:
            exprs = [e for r in self.rules for e in (r.when, r.require) if e] + [d.value for d in self.derived.values()]
            self._texts = {id(n): e.text_of(n) for e in exprs if e.node is not None for n in ast.walk(e.node)}
        return self._texts.get(id(node), "")

    def __getstate__(self) -> dict:
        # `_texts` is keyed by id(node), meaningless in another process: rebuilt on demand.
        return {**self.__dict__, "_texts": None}


def param_spec(param: Param) -> ParamSpec:
    values = param.all_values()
    if values and all(isinstance(v, dict) for v in values):
        t: T.Type = T.WeightsT()
    elif values and all(isinstance(v, bool) for v in values):
        t = T.BOOL
    elif values and all(isinstance(v, (int, Fraction)) and not isinstance(v, bool) for v in values):
        t = T.NumberT(param.unit.dim, param.unit) if param.unit else T.NUMBER
    elif values and all(isinstance(v, list) for v in values):
        t = T.ListT(T.STRING if all(isinstance(x, str) for v in values for x in v) else T.NUMBER)
    elif values and all(isinstance(v, str) for v in values):
        t = T.STRING
    else:
        t = T.ANY
    return ParamSpec(param.name, t, tuple(param.by_level) if param.by_level else None)


def analyze(pack: Pack, repository: Repository, catalog: Catalog | None = None) -> Analysis:
    chain, problems = repository.chain(pack)
    diagnostics = [d for p in chain for d in p.diagnostics] + problems
    params: dict[str, Param] = {}
    derived: dict[tuple[str, str], Derived] = {}
    rules: dict[str, Rule] = {}
    overridden: dict[str, Rule] = {}
    for p in chain:
        params.update(p.params)
        for d in p.derived:
            key = (d.entity, d.name)
            if key in derived and derived[key].pack == p.id:
                diagnostics.append(Diagnostic("E231", d.name_location or d.location,
                                              {"name": d.name, "first": _at(derived[key].location)}))
            derived[key] = d
        seen_here: dict[str, Rule] = {}
        for r in p.rules:
            if r.id in seen_here:
                diagnostics.append(Diagnostic("E230", r.spot("id"), {"id": r.id, "first": _at(seen_here[r.id].location)}))
                continue
            seen_here[r.id] = r
            if r.id in rules:
                overridden[r.id] = rules[r.id]
            if r.overrides:
                # `overrides: national/G5` replaces an ancestor's rule under another id
                target = r.overrides.split("/")[-1]
                if target in rules and rules[target].pack != p.id:
                    overridden[r.id] = rules.pop(target)
                else:
                    diagnostics.append(Diagnostic("E235", r.spot("overrides"), {"id": r.id, "target": r.overrides}))
            rules[r.id] = r
    env = Environment(catalog or default_catalog(),
                      params={name: param_spec(p) for name, p in params.items()},
                      derived={})
    for (entity, name), d in derived.items():
        if d.value.node is not None:
            env.derived.setdefault(entity, {})[name] = DerivedSpec(name, entity, d.value.node, d.unit, d.aliases)
    aspects = [a for p in reversed(chain) for a in p.aspects]
    order = {a: i for i, a in reversed(list(enumerate(aspects)))}
    ordered = sorted(rules.values(), key=lambda r: order.get(r.aspect or "", len(order)))
    analysis = Analysis(pack, chain, env, ordered, params, derived, diagnostics=diagnostics,
                        overridden=overridden)
    for (entity, name), d in derived.items():
        if d.value.node is None:
            continue
        result = check_derived(env, entity, name)
        analysis.diagnostics.extend(_located(d.value, result))
    for rule in analysis.rules:
        _check_rule(analysis, rule)
    _check_pack(analysis)
    # A derived field that does not parse is not defined: rules naming it would each add an
    # "unknown field" that only follows from the first error.
    broken = {d.name for d in derived.values() if d.value.node is None}
    analysis.diagnostics = sorted({d for d in analysis.diagnostics
                                   if not (d.code == "E210" and str(d.args.get("name", "")).split(".")[-1] in broken)},
                                  key=sort_key)
    return analysis


def _located(expr, checked: Checked) -> list[Diagnostic]:
    return [Diagnostic(e.code, expr.location(e.span), e.args) for e in checked.errors]


def _at(location: Location) -> str:
    return f"{location.file}:{location.line}"


def _check_rule(analysis: Analysis, rule: Rule) -> None:
    out = analysis.diagnostics
    broken = set()
    for part in ("when", "require"):
        expr = getattr(rule, part)
        if expr is None or expr.node is None:
            continue
        result = check(analysis.env, expr.node, rule.applies_to)
        out.extend(_located(expr, result))
        if result.errors:
            broken.add(part)
        if not isinstance(result.type, (T.BoolT, T.AnyT)):
            out.append(Diagnostic("E223", expr.location(expr.node.span), {"found": result.type.describe()}))
        analysis.checked[(rule.qualified_id, part)] = result
        for node in ast.walk(expr.node):
            if isinstance(node, ast.Call) and node.name in ("series", "county_series") and len(node.args) == 1:
                out.append(Diagnostic("W320", expr.location(node.span), {"id": rule.id}, "warning"))
    out.extend(check_literals(rule, broken))
    if rule.citation is None:
        out.append(Diagnostic("E240", rule.location, {"id": rule.id}))
    else:
        for name, label in (("quote", Localized("原文（quote）", "a quote")),
                            ("article", Localized("条款（article）", "an article")),
                            ("document", Localized("文件（document）", "a document"))):
            if not getattr(rule.citation, name):
                out.append(Diagnostic("E241", rule.spot("citation"), {"id": rule.id, "field": label}))
        # A damaged copy stays verbatim, but a reader needs the repaired text beside it.
        if rule.citation.quote and damaged(rule.citation.quote) and not rule.citation.quote_reading_given:
            out.append(Diagnostic("W310", rule.spot("citation"), {"id": rule.id}, "warning"))
        _check_aims(analysis, rule)
    if rule.effective and rule.until and rule.until <= rule.effective:
        out.append(Diagnostic("E251", rule.spot("until"), {"id": rule.id, "until": rule.until, "effective": rule.effective}))
    for lang, template in (("zh", rule.message_zh), ("en", rule.message_en)):
        names = _placeholders(template)
        if names is None:
            out.append(Diagnostic("E255", rule.spot(f"message.{lang}"), {"template": template}))
            continue
        for name in names:
            if name not in PLACEHOLDERS:
                out.append(Diagnostic("E254", rule.spots.get(f"placeholder.{name}", rule.spot(f"message.{lang}")),
                                      {"name": name, "available": sorted(PLACEHOLDERS)}))


# 确保/必须/不得 bind; these words only aim. Traditional forms too: some seed copies are traditional.
AIM_WORDS = {"力争": ("力争", "力爭"), "鼓励": ("鼓励", "鼓勵"), "逐步": ("逐步",), "推动": ("推动", "推動"),
             "支持": ("支持",), "积极": ("积极", "積極")}


def aim_words(quote: str) -> list[str]:
    """The aspirational words (simplified form) a quote carries, in order of first appearance."""
    found = sorted((quote.find(form), word) for word, forms in AIM_WORDS.items() for form in forms if form in quote)
    return list(dict.fromkeys(word for _, word in found))


def _check_aims(analysis: Analysis, rule: Rule) -> None:
    """A binding rule whose quote also aims (推动, 鼓励…) makes the aim binding, unless the reading says why
    the whole binds; a reading that does not name the word does not count (it may be about encoding damage)."""
    if rule.severity not in ("must", "veto") or not rule.citation.quote:
        return
    reading = rule.citation.reading or ""
    for word in aim_words(rule.citation.quote):
        if not any(form in reading for form in AIM_WORDS[word]):
            analysis.diagnostics.append(Diagnostic("W311", rule.spots.get("citation.quote", rule.spot("citation")),
                                                   {"id": rule.id, "severity": rule.severity, "word": word}, "warning"))


def _placeholders(template: str | None) -> list[str] | None:
    """The {names} a message template uses; None when its braces do not pair up."""
    if not template:
        return []
    try:
        return [field_name for _, field_name, _, _ in string.Formatter().parse(template) if field_name]
    except ValueError:
        return None


def _bound(expr_node, analysis: Analysis):
    """A top-level `left OP threshold` with a constant threshold: (left shape, op, threshold node)."""
    if not isinstance(expr_node, ast.Compare) or expr_node.op not in (">=", ">", "<=", "<"):
        return None
    if _is_constant(expr_node.right, analysis):
        return _shape(expr_node.left), expr_node.op, expr_node.right
    if _is_constant(expr_node.left, analysis):
        flipped = {">=": "<=", ">": "<", "<=": ">=", "<": ">"}[expr_node.op]
        return _shape(expr_node.right), flipped, expr_node.left
    return None


def _is_constant(node, analysis: Analysis) -> bool:
    return isinstance(node, ast.Number) or (isinstance(node, ast.Path) and node.parts[0] == "params"
                                             and node.parts[1] in analysis.params)


def _shape(node):
    """The tree without positions, to recognise the same quantity written twice."""
    if isinstance(node, ast.Path):
        return ("path", node.parts)
    if isinstance(node, ast.Number):
        return ("number", node.value, node.unit)
    fields = [getattr(node, f) for f in node.__dataclass_fields__ if f != "span"]
    return (type(node).__name__,) + tuple(_shape(f) if isinstance(f, ast.Node) else
                                          tuple(_shape(x) for x in f) if isinstance(f, tuple) else f for f in fields)


def _constant_values(node, analysis: Analysis, on) -> dict:
    """{level or None: value in base units} of a constant threshold on a date."""
    from .dsl.units import UNITS
    if isinstance(node, ast.Number):
        return {None: node.value * (UNITS[node.unit].scale if node.unit in UNITS else 1)}
    param = analysis.params[node.parts[1]]
    value = param.value_at(on)
    if isinstance(value, dict):
        if len(node.parts) == 3:
            return {None: value.get(node.parts[2])}
        return dict(value)
    return {None: value}


def _check_conflicts(analysis: Analysis) -> None:
    """Two rules in force together that bound the same quantity from both sides with no room between."""
    bounds = []
    for rule in analysis.rules:
        if rule.require is not None and rule.require.node is not None:
            b = _bound(rule.require.node, analysis)
            if b is not None:
                bounds.append((rule, *b))
    for i, (r1, shape1, op1, t1) in enumerate(bounds):
        for r2, shape2, op2, t2 in bounds[i + 1:]:
            if shape1 != shape2 or r1.applies_to != r2.applies_to or (op1[0] == op2[0]):
                continue
            start = max(d for d in (r1.effective, r2.effective, _EPOCH) if d is not None)
            ends = [d for d in (r1.until, r2.until) if d is not None]
            if ends and min(ends) <= start:
                continue  # never in force together
            lower, upper = ((r1, op1, t1), (r2, op2, t2)) if op1[0] == ">" else ((r2, op2, t2), (r1, op1, t1))
            end = min(ends) if ends else None
            for on in _change_dates(analysis, (t1, t2), start, end):
                if _contradicts(analysis, lower, upper, on, r1, r2):
                    break


def _change_dates(analysis: Analysis, thresholds, start, end):
    """The dates in [start, end) on which a threshold may take a new value."""
    dates = {start}
    for t in thresholds:
        if isinstance(t, ast.Path):
            param = analysis.params[t.parts[1]]
            dates.update(d for d, _ in param.values or ())
            dates.update(d for series in (param.by_level or {}).values() for d, _ in series)
    return sorted(d for d in dates if d >= start and (end is None or d < end))


def _contradicts(analysis: Analysis, lower, upper, on, r1, r2) -> bool:
    lows, highs = _constant_values(lower[2], analysis, on), _constant_values(upper[2], analysis, on)
    for level in sorted(set(lows) | set(highs), key=str):
        lo = lows.get(level, lows.get(None))
        hi = highs.get(level, highs.get(None))
        if lo is None or hi is None or isinstance(lo, (dict, list)) or isinstance(hi, (dict, list)):
            continue
        strict = lower[1] == ">" or upper[1] == "<"
        if lo > hi or (lo == hi and strict):
            analysis.diagnostics.append(Diagnostic("E271", r2.spot("require"), {
                "id": r2.qualified_id, "other": r1.qualified_id, "low": _show(lo), "high": _show(hi)}))
            return True
    return False


def _check_loosened(analysis: Analysis) -> None:
    """A pack's parameter that lowers an ancestor's floor (or raises its ceiling) needs a reason."""
    own = analysis.pack
    directions: dict[str, set[str]] = {}
    for rule in analysis.rules:
        if rule.require is not None and rule.require.node is not None:
            b = _bound(rule.require.node, analysis)
            if b is not None and isinstance(b[2], ast.Path):
                directions.setdefault(b[2].parts[1], set()).add("floor" if b[1][0] == ">" else "ceiling")
    for name, param in own.params.items():
        parent = next((p.params[name] for p in reversed(analysis.chain[:-1]) if name in p.params), None)
        if parent is None or param.loosens or name not in directions:
            continue
        on = max([d for d, _ in (param.values or ())] + [d for s in (param.by_level or {}).values() for d, _ in s]
                 + [_EPOCH])
        mine, theirs = param.value_at(on), parent.value_at(on)
        pairs = [(mine.get(k), theirs.get(k)) for k in theirs] if isinstance(theirs, dict) and isinstance(mine, dict) \
            else [(mine, theirs)]
        for new, old in pairs:
            if not isinstance(new, (int, Fraction)) or not isinstance(old, (int, Fraction)):
                continue
            if ("floor" in directions[name] and new < old) or ("ceiling" in directions[name] and new > old):
                analysis.diagnostics.append(Diagnostic("E270", param.location, {
                    "name": name, "parent": parent.pack, "old": _show(old), "new": _show(new)}))
                break


def _show(value) -> str:
    from .findings import format_number
    return format_number(value)


_EPOCH = datetime.date(1900, 1, 1)


def _check_pack(analysis: Analysis) -> None:
    _check_loosened(analysis)
    _check_conflicts(analysis)
    analysis.diagnostics.extend(check_params(analysis) + check_quoted(analysis))
    own = analysis.pack
    # What an expression that does not parse names is not "unused": its error is the one to fix.
    unparsed = " ".join(e.text for r in analysis.rules for e in (r.when, r.require) if e is not None and e.node is None) \
        + " " + " ".join(d.value.text for d in analysis.derived.values() if d.value.node is None)
    for name, param in own.params.items():
        if name not in analysis.env.used_params and f"params.{name}" not in unparsed:
            analysis.diagnostics.append(Diagnostic("W300", param.location, {"name": name}, "warning"))
    for d in own.derived:
        if d.value.node is None or re.search(rf"(?<!\w){re.escape(d.name)}(?!\w)", unparsed):
            continue
        if (d.entity, d.name) not in analysis.env.used_derived:
            analysis.diagnostics.append(Diagnostic("W301", d.location, {"name": d.name}, "warning"))


def lint_paths(paths: list[Path], repository: Repository | None = None) -> tuple[list[Analysis], list[Diagnostic]]:
    """Lint every pack found under `paths`. A loose rule file is linted as part of a pack
    that extends the national pack."""
    from .packs import Pack as PackType, find_pack_dirs, load_rule_file, PACK_FILE
    # A path that does not exist is reported below (E100); its parent (perhaps /) is not searched for packs.
    repository = repository or Repository([p if p.is_dir() else p.parent for p in paths if p.exists()])
    analyses, loose = [], []
    for path in paths:
        if not path.exists():
            loose.append(Diagnostic("E100", Location(str(path)), {"reason": Localized("文件或目录不存在", "no such file or directory")}))
            continue
        if path.is_file():
            enclosing = next((d for d in [path.parent, *path.parent.parents] if (d / PACK_FILE).exists()), None)
            if enclosing is not None:
                analyses.append(analyze(repository.load(enclosing), repository))
                continue
            pack = PackType("file", path.stem, {"number": path.stem}, "", "national", path.parent)
            load_rule_file(path, pack)
            analyses.append(analyze(pack, repository))
            continue
        dirs = find_pack_dirs([path])
        if not dirs:
            loose.append(Diagnostic("E106", Location(str(path)), {"path": str(path)}))
        for d in dirs:
            analyses.append(analyze(repository.load(d), repository))
    return analyses, loose
