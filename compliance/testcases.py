"""Rule authors' test cases: YAML files beside a pack's rules (PACK/tests/*.yaml).

A case is a record (a JSON file, an inline mapping, or a patch over the file's base record),
a date, and the statuses some rules must give. Running a case checks the record with the
pack exactly as `compliance check` would and compares. Problems with the test files
themselves are diagnostics with positions; a case whose expectation does not hold is a
`CaseFailure`, not an error.

Coverage counts, per rule of the pack, which outcomes (pass, fail, unknown) some passing
expectation asserted — a finding that merely happened to pass is not evidence.
"""
from __future__ import annotations

import copy
import dataclasses
import datetime
import json
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from . import encoding, schema_errors
from .diagnostics import Diagnostic, Localized, Location
from .oserrors import os_reason
from .engine import Checker
from .findings import Finding
from .lint import Analysis
from .paramreaders import own_params, reading_rules
from .record import loads
from .resources import schema_file
from .validate import validate_record
from .yamlsource import YamlError, YList, YMap, load, node_location

TESTS_DIR = "tests"
SECTIONS = {"小学": "primary", "初中": "junior", "primary": "primary", "junior": "junior"}
OUTCOMES = ("pass", "fail", "unknown")


@dataclass(frozen=True)
class Expectation:
    rule: str                      # qualified id
    status: str                    # pass | fail | target | pending | unknown | not_applicable
    subject: str | None = None
    section: str | None = None
    value: object = None
    missing: tuple[str, ...] = ()
    location: Location = Location()


@dataclass(frozen=True)
class Case:
    name: str
    file: str
    location: Location
    record: dict                   # already patched, exact numbers
    as_of: datetime.date | None
    expectations: tuple[Expectation, ...]


@dataclass(frozen=True)
class CaseFailure:
    case: Case
    expectation: Expectation
    actual: tuple[Finding, ...]    # the findings the expectation selected (may be empty)
    reason: str                    # status | value | missing | none


@dataclass
class PackResult:
    analysis: Analysis
    cases: int = 0
    expectations: int = 0
    failures: list[CaseFailure] = field(default_factory=list)
    covered: dict[str, set[str]] = field(default_factory=dict)   # qualified rule id → outcomes asserted
    asserted: dict[str, set[str]] = field(default_factory=dict)  # … → statuses asserted, "target" kept apart

    @property
    def own_rules(self) -> list[str]:
        """The rules this pack answers for: its own, and every inherited rule that reads a
        parameter the pack redefines — a tightened threshold is tested against its effective
        value in the pack that set it, not only by the ancestor's cases against the old one."""
        pack = self.analysis.pack.id
        redefined = set()
        for name in own_params(self.analysis):
            redefined |= reading_rules(self.analysis, name)
        return [r.qualified_id for r in self.analysis.rules if r.pack == pack or r.qualified_id in redefined]

    def percent(self, outcomes: tuple[str, ...] = ("pass", "fail")) -> float:
        rules = self.own_rules
        if not rules:
            return 100.0
        done = sum(1 for r in rules if all(o in self.covered.get(r, ()) for o in outcomes))
        return 100.0 * done / len(rules)


def actual_status(f: Finding) -> str:
    """What a test sees: a failure before its deadline is `pending` (progress towards a
    target); a missed target rule (no deadline, or past it) is `target`, as written in tests."""
    return "target" if f.status == "fail" and f.severity == "target" else f.status


def matches(expected: str, f: Finding) -> bool:
    """`target` is what it always meant: a miss that does not decide the verdict, whether
    the rule is not yet due (`pending`) or a target rule; `pending` asks for the former only."""
    actual = actual_status(f)
    return actual == expected or (expected == "target" and actual == "pending")


# ---- loading ---------------------------------------------------------------------------

def test_files(pack_directory: Path) -> list[Path]:
    return sorted((Path(pack_directory) / TESTS_DIR).glob("*.yaml"))


def load_cases(path: Path, analysis: Analysis) -> tuple[list[Case], list[Diagnostic]]:
    """The cases of one test file; problems as diagnostics (a broken case is left out)."""
    file = str(path)
    try:
        data = load(encoding.read_text(Path(path)).text, file)
    except YamlError as exc:
        return [], [exc.diagnostic]
    except encoding.NotText as exc:
        return [], [encoding.problem(exc, file)]
    except OSError as exc:
        return [], [Diagnostic("E100", Location(file), {"reason": os_reason(exc)})]
    schema = json.loads(schema_file("tests.schema.json").read_text(encoding="utf-8"))
    errors = schema_errors.validate_yaml(data, schema, file, Localized("测试用例文件", "test file"))
    if errors:
        return [], [d for _, d in errors]
    diagnostics: list[Diagnostic] = []
    base = _record(data, "record", path, diagnostics) if "record" in data else None
    default_as_of = data.get("as_of")
    cases = []
    for item, node in zip(data["cases"], data["cases"].item_nodes):
        where = node_location(file, node)
        problems: list[Diagnostic] = []
        record = _record(item, "record", path, problems) if "record" in item else copy.deepcopy(base)
        if record is None and not problems:
            problems.append(Diagnostic("E281", where, {"case": item["name"]}))
        if record is not None:
            _patch(record, item, file, problems)
        expectations = _expectations(item, analysis, file, problems)
        if record is not None and not problems:
            # In a test, an unknown field is a typo that would make the case test nothing: an error.
            for d in validate_record(_jsonable(record), file):
                if d.is_error or d.location.pointer:
                    problems.append(Diagnostic("E284", where, {"case": item["name"], "pointer": d.location.pointer,
                                                                "reason": Localized(d.message("zh"), d.message("en"))}))
        diagnostics.extend(problems)
        if problems:
            continue
        as_of = item.get("as_of", default_as_of)
        expectations = [dataclasses.replace(e, missing=tuple(positional(record, m) for m in e.missing))
                        for e in expectations]
        cases.append(Case(str(item["name"]), file, where, record,
                          datetime.date.fromisoformat(str(as_of)) if as_of else None, tuple(expectations)))
    return cases, diagnostics


def _record(holder: YMap, key: str, path: Path, problems: list[Diagnostic]) -> dict | None:
    value = holder[key]
    where = node_location(str(path), holder.value_nodes[key])
    if isinstance(value, dict):
        return _exact_plain(value)
    target = (Path(path).parent / str(value))
    try:
        return loads(encoding.read_text(target).text)
    except OSError as exc:
        problems.append(Diagnostic("E282", where, {"path": str(value), "reason": os_reason(exc)}))
    except encoding.NotText as exc:
        problems.append(Diagnostic("E282", where, {"path": str(value), "reason": f"byte {exc.offset} ({exc.line}:{exc.column})"}))
    except json.JSONDecodeError as exc:
        problems.append(Diagnostic("E282", where, {"path": str(value), "reason": f"{exc.msg} ({exc.lineno}:{exc.colno})"}))
    return None


def _exact_plain(value):
    """YAML data as record data: plain dicts and lists, dates as ISO text, decimals kept exact."""
    if isinstance(value, dict):
        return {str(k): _exact_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_exact_plain(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _jsonable(value):
    """A copy the JSON Schema validator accepts (it does not know Fraction)."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    return value


def _patch(record: dict, item: YMap, file: str, problems: list[Diagnostic]) -> None:
    for pointer, value in (item.get("set") or {}).items():
        where = node_location(file, item["set"].key_nodes[pointer])
        if not _apply(record, str(pointer), _exact_plain(value), remove=False):
            problems.append(Diagnostic("E283", where, {"pointer": pointer}))
    removals = item.get("remove") or []
    for pointer, node in zip(removals, getattr(removals, "item_nodes", [])):
        if not _apply(record, str(pointer), None, remove=True):
            problems.append(Diagnostic("E283", node_location(file, node), {"pointer": pointer}))


def _apply(record: dict, pointer: str, value, remove: bool) -> bool:
    """Set or remove the value at a JSON pointer. A list of objects may be indexed by an
    item's id (/schools/S01/students); missing objects on the way are created when setting."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    current = record
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(current, list):
            index = _list_index(current, part)
            if index is None:
                return False
            if last:
                if remove:
                    del current[index]
                else:
                    current[index] = value
                return True
            current = current[index]
        elif isinstance(current, dict):
            if last:
                if remove:
                    return current.pop(part, _ABSENT) is not _ABSENT
                current[part] = value
                return True
            if part not in current:
                if remove:
                    return False
                current[part] = {}
            current = current[part]
        else:
            return False
    return False


_ABSENT = object()


def _list_index(items: list, part: str) -> int | None:
    """An item's id (schools) or year (history) first — ids and years may be all digits —
    then a position."""
    if part == "-":
        items.append({})
        return len(items) - 1
    for i, item in enumerate(items):
        if isinstance(item, dict) and str(item.get("id", item.get("year", ""))) == part:
            return i
    if part.isdigit():
        return int(part) if int(part) < len(items) else None
    return None


def positional(record: dict, pointer: str) -> str:
    """The pointer the engine reports for `pointer`: ids and years replaced by positions."""
    parts = pointer.split("/")[1:]
    current, out = record, []
    for part in parts:
        if isinstance(current, list):
            index = _list_index(current, part) if part != "-" else None
            if index is None:
                return pointer
            out.append(str(index))
            current = current[index]
        else:
            out.append(part)
            current = current.get(part) if isinstance(current, dict) else None
    return "/" + "/".join(out)


def _expectations(item: YMap, analysis: Analysis, file: str, problems: list[Diagnostic]) -> list[Expectation]:
    raw = item["expect"]
    entries = []
    if isinstance(raw, dict):
        for rule, status in raw.items():
            entries.append(({"rule": rule, "status": status}, raw.key_nodes[rule]))
    else:
        entries = list(zip(raw, raw.item_nodes))
    out = []
    for entry, node in entries:
        where = node_location(file, node)
        rule = _qualify(str(entry["rule"]), analysis)
        if rule is None:
            known = [r.id for r in analysis.rules]
            problems.append(Diagnostic("E285", where, {"rule": entry["rule"], "available": _close(str(entry["rule"]), known)}))
            continue
        value = entry.get("value")
        out.append(Expectation(rule, str(entry["status"]), _opt(entry.get("subject")),
                               SECTIONS.get(str(entry.get("section"))) if entry.get("section") else None,
                               value, tuple(str(m) for m in entry.get("missing") or ()), where))
    return out


def _opt(value) -> str | None:
    return None if value is None else str(value)


def _qualify(rule: str, analysis: Analysis) -> str | None:
    ids = {r.qualified_id for r in analysis.rules}
    if rule in ids:
        return rule
    own = f"{analysis.pack.id}/{rule}"
    if own in ids:
        return own
    matches = [q for q in ids if q.split("/", 1)[1] == rule]
    return matches[0] if len(matches) == 1 else None


def _close(name: str, known: list[str]) -> str:
    import difflib
    return "、".join(difflib.get_close_matches(name, known, n=3)) or "—"


# ---- running ---------------------------------------------------------------------------

def run_cases(checker: Checker, cases: list[Case], result: PackResult) -> None:
    for case in cases:
        findings = checker.check(case.record, case.as_of)
        result.cases += 1
        for e in case.expectations:
            result.expectations += 1
            selected = tuple(f for f in findings if f.rule == e.rule
                             and (e.subject is None or f.subject.school == e.subject
                                  or (e.subject == "jurisdiction" and f.subject.kind in ("jurisdiction", "section_level")))
                             and (e.section is None or f.subject.section == e.section))
            reason = _mismatch(e, selected)
            if reason:
                result.failures.append(CaseFailure(case, e, selected, reason))
            else:
                # A deadline is tested before (target/pending) and after (fail) it.
                result.asserted.setdefault(e.rule, set()).add("target" if e.status == "pending" else e.status)
                outcome = "fail" if e.status in ("target", "pending") else e.status
                if outcome in OUTCOMES:
                    result.covered.setdefault(e.rule, set()).add(outcome)


def _mismatch(e: Expectation, selected: tuple[Finding, ...]) -> str | None:
    if not selected:
        return "none"
    if not all(matches(e.status, f) for f in selected):
        return "status"
    if e.value is not None and any(not _same_value(f.value, e.value) for f in selected):
        return "value"
    if e.missing and any(not set(e.missing) <= set(f.missing) for f in selected):
        return "missing"
    return None


def _same_value(actual, expected) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return actual is expected
    if isinstance(expected, (int, Fraction)) and isinstance(actual, (int, Fraction)):
        return Fraction(actual) == Fraction(expected)
    return str(actual) == str(expected)
