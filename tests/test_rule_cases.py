"""Every shipped pack's own test cases (rules/**/tests/*.yaml): they pass, they cover every
rule of the pack on both sides (pass and fail), every rule with a deadline before it
(target) and after it (fail), and no single-step change of a threshold parameter goes
unnoticed."""
from __future__ import annotations

from pathlib import Path

import pytest

from compliance.engine import Checker
from compliance.lint import analyze
from compliance.mutants import run_gate
from compliance.packs import Repository, find_pack_dirs
from compliance.report.test_report import render_failure
from compliance.testcases import PackResult, load_cases, run_cases
from compliance.testcases import test_files as case_files   # not test_*: pytest would collect it

ROOT = Path(__file__).resolve().parents[1]
PACKS = find_pack_dirs([ROOT / "rules"])
IDS = [p.name for p in PACKS]


# A pack's tests run on one xdist worker (tests/conftest.py), so its cases are loaded once.
@pytest.fixture(scope="session", params=PACKS, ids=IDS)
def pack_dir(request) -> Path:
    return request.param


@pytest.fixture(scope="session")
def loaded(pack_dir):
    repository = Repository([pack_dir.parent])
    analysis = analyze(repository.load(pack_dir), repository)
    assert not analysis.errors, [str(d) for d in analysis.diagnostics if d.is_error]
    cases = []
    for file in case_files(pack_dir):
        found, problems = load_cases(file, analysis)
        assert not [d for d in problems if d.is_error], problems
        cases.extend(found)
    return analysis, cases


@pytest.fixture(scope="session")
def pack_result(loaded) -> PackResult:
    analysis, cases = loaded
    result = PackResult(analysis)
    run_cases(Checker([analysis]), cases, result)
    return result


def test_cases_pass(pack_result):
    assert pack_result.cases > 0, "the pack has no test cases"
    assert not pack_result.failures, "\n" + "".join(render_failure(f) for f in pack_result.failures)


def test_every_rule_is_tested_on_both_sides(pack_result):
    rules = pack_result.own_rules
    gaps = {r: sorted({"pass", "fail"} - pack_result.covered.get(r, set())) for r in rules}
    gaps = {r: g for r, g in gaps.items() if g}
    assert not gaps, gaps
    assert pack_result.percent() == 100.0


def test_every_deadline_is_tested_before_and_after(pack_result):
    dated = [r.qualified_id for r in pack_result.analysis.rules
             if r.pack == pack_result.analysis.pack.id and r.deadline is not None]
    gaps = {r: sorted({"target", "fail"} - pack_result.asserted.get(r, set())) for r in dated}
    gaps = {r: g for r, g in gaps.items() if g}
    assert not gaps, gaps


def test_every_threshold_mutant_is_killed(loaded):
    gate = run_gate(*loaded)
    assert gate.made > 0
    assert not gate.survivors, (f"{len(gate.survivors)} of {gate.made} one-step threshold changes go unnoticed:\n"
                                + "\n".join(m.describe("en") for m in gate.survivors))
