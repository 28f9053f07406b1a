"""Threshold mutation: change one numeric parameter of a pack by one step and see whether
the pack's own test cases notice.

A step is one unit of the last decimal place of the value as a decimal (91 → 1, 95.5 → 0.1,
0.45 → 0.01), or of the numerator of a ratio written p/q (2/3 → 1/3 and 3/3). Each value of a per-level or dated parameter is mutated on its own. The mutant
is a copy of the pack's analysis with that one parameter replaced; nothing on disk changes.
Only the rules that read the parameter are run, over the cases that expect something of
them: a rule that does not mention it gives the same findings as in the unchanged pack
(rules are evaluated independently, see Checker.for_rule), whose cases test_cases_pass
checks. A rule that reads a derived field that mentions the parameter reads it too.

    python tests/mutation.py rules/local/guigang      # lists the mutants no case kills
"""
from __future__ import annotations

import dataclasses
import re
import sys
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from compliance.engine import Checker  # noqa: E402
from compliance.findings import format_number  # noqa: E402
from compliance.record import decimal_places  # noqa: E402
from compliance.lint import Analysis, analyze  # noqa: E402
from compliance.packs import Param, Repository  # noqa: E402
from compliance.testcases import Case, PackResult, load_cases, run_cases, test_files  # noqa: E402


def step(value) -> Fraction:
    """One unit of the last decimal place; for a ratio written p/q (2/3), one unit of p."""
    places = decimal_places(value)
    return Fraction(1, 10 ** places) if places is not None else Fraction(1, Fraction(value).denominator)


def _numeric(v) -> bool:
    return isinstance(v, (int, Fraction)) and not isinstance(v, bool)


def mutants(param: Param):
    """(label, mutated Param) for each numeric value, one step up and one step down."""
    if param.by_level is not None:
        for level, series in param.by_level.items():
            for i, (start, v) in enumerate(series):
                if not _numeric(v):
                    continue
                for sign in (1, -1):
                    new = v + sign * step(v)
                    changed = series[:i] + ((start, new),) + series[i + 1:]
                    yield (f"{param.name}.{level}@{start} {format_number(v)} → {format_number(new)}",
                           dataclasses.replace(param, by_level={**param.by_level, level: changed}))
    else:
        series = param.values or ()
        for i, (start, v) in enumerate(series):
            if not _numeric(v):
                continue
            for sign in (1, -1):
                new = v + sign * step(v)
                changed = series[:i] + ((start, new),) + series[i + 1:]
                yield f"{param.name}@{start} {format_number(v)} → {format_number(new)}", dataclasses.replace(param, values=changed)


def _mentions(text: str | None, name: str) -> bool:
    return bool(text) and re.search(rf"\bparams\.{re.escape(name)}\b", text) is not None


def _names(text: str | None, names: set[str]) -> bool:
    # A plain substring: reading a rule as dependent when it is not only costs time.
    return bool(text) and any(n in text for n in names)


def reading_rules(analysis: Analysis, name: str) -> set[str]:
    """Qualified ids of the rules that read params.NAME, directly or through derived fields
    (by name or alias, so `s.in_resource_scope` and a bare `in_resource_scope` both count).
    A rule missed here can only make a mutant survive (the test then fails), never hide one."""
    reading: set[str] = set()        # names and aliases of derived fields that read it
    while True:
        more = {n for d in analysis.derived.values() if d.name not in reading
                and (_mentions(d.value.text, name) or _names(d.value.text, reading))
                for n in (d.name, *d.aliases)}
        if not more:
            break
        reading |= more
    return {r.qualified_id for r in analysis.rules
            if any(_mentions(e.text if e else None, name) or _names(e.text if e else None, reading)
                   for e in (r.when, r.require))}


def relevant_cases(analysis: Analysis, name: str, cases: list[Case]) -> list[Case]:
    rules = reading_rules(analysis, name)
    return [c for c in cases if any(e.rule in rules for e in c.expectations)]


def _restricted(analysis: Analysis, name: str, cases: list[Case]) -> tuple[Analysis, list[Case]]:
    """The pack cut down to the rules that read the parameter, and the cases' expectations
    of those rules."""
    rules = reading_rules(analysis, name)
    kept = [dataclasses.replace(c, expectations=tuple(e for e in c.expectations if e.rule in rules))
            for c in relevant_cases(analysis, name, cases)]
    return dataclasses.replace(analysis, rules=[r for r in analysis.rules if r.qualified_id in rules]), kept


def load(pack_dir: Path) -> tuple[Analysis, list[Case]]:
    repository = Repository([pack_dir.parent])
    analysis = analyze(repository.load(pack_dir), repository)
    assert not analysis.errors, [str(d) for d in analysis.diagnostics if d.is_error]
    cases = []
    for file in test_files(pack_dir):
        loaded, problems = load_cases(file, analysis)
        assert not [d for d in problems if d.is_error], problems
        cases.extend(loaded)
    return analysis, cases


def survivors(pack_dir: Path, loaded: tuple[Analysis, list[Case]] | None = None) -> tuple[int, list[str]]:
    """How many mutants were made, and the labels of those no case killed. `loaded` is
    load(pack_dir) when the caller has it already."""
    analysis, cases = loaded or load(Path(pack_dir))
    made, alive = 0, []
    for name, param in analysis.params.items():
        if param.pack != analysis.pack.id:
            continue
        reading, chosen = _restricted(analysis, name, cases)
        for label, mutated in mutants(param):
            made += 1
            copy = dataclasses.replace(reading, params={**reading.params, name: mutated})
            result = PackResult(copy)
            run_cases(Checker([copy]), chosen, result)
            if not result.failures:
                alive.append(label)
    return made, alive


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        made, alive = survivors(Path(arg))
        print(f"{arg}: {made} mutants, {len(alive)} survive")
        for label in alive:
            print("  survives:", label)
