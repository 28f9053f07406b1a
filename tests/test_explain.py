"""`compliance explain` output for the four kinds of finding an officer asks about, pinned by
golden files (tests/golden/). After an intended change, regenerate them with
UPDATE_GOLDEN=1 python -m pytest tests/test_explain.py and review the diff."""
from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest

from compliance.cli import main

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"

CASES = {
    "explain-r-school-fail": (["examples/county-fail.json", "R-SCHOOL", "--subject", "3599020004"], 1),
    "explain-cv-fail": (["examples/worked-example-cv.json", "R6-CV", "--section", "primary"], 1),
    "explain-veto": (["examples/county-fail.json", "V3"], 1),
    "explain-unknown": (["examples/county-missing.json", "R6", "--subject", "3599030019"], 0),
    "explain-cv-fail-en": (["examples/worked-example-cv.json", "R6-CV", "--section", "primary", "--lang", "en"], 1),
}


def run(args) -> tuple[int, str]:
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(out):
            code = main(["explain", *args])
    finally:
        os.chdir(cwd)
    return code, out.getvalue()


@pytest.mark.parametrize("name", CASES)
def test_explain_matches_golden(name):
    args, expected_code = CASES[name]
    code, text = run(args)
    assert code == expected_code
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_explain_names_what_is_missing_and_what_to_change():
    _, unknown = run(CASES["explain-unknown"][0])
    assert "缺少的数据：教学仪器设备资产值（万元）（/schools/18/shared/equipment_value_wan_yuan）" in unknown
    _, cv = run(CASES["explain-cv-fail"][0])
    assert "只调一所学校的最小改动" in cv and "占加权方差" in cv
    _, school = run(CASES["explain-r-school-fail"][0])
    assert "【未达到，且低于要求的比例】" in school and "距离达标" in school


def test_explain_unknown_rule_is_a_clear_error(capsys):
    assert main(["explain", str(ROOT / "examples/county-fail.json"), "R99"]) == 2
    assert "没有规则 R99" in capsys.readouterr().err
