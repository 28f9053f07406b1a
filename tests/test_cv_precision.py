"""差异系数 comparison precision (params.cv_precision): exact by default, as the standard reads;
a pack that compares at two decimals sets 0.01, and the report shows both values."""
from __future__ import annotations

import json
from fractions import Fraction

import pytest

from compliance.dsl.builtins import round_half_up
from compliance.engine import load_checker
from national_fixtures import base_record
from test_cli import EXAMPLES, cli, validate_report
from test_inheritance import make_pack

TWO_DECIMALS = """\
cv_precision:
  title: 差异系数比较时精确到
  reference: 测〔2024〕1号 二、
  values: {2017-05-12: 0.01}
"""


@pytest.mark.parametrize("x, unit, expected", [
    ("0.501787", "0.01", "0.50"), ("0.505", "0.01", "0.51"), ("0.50499", "0.01", "0.50"),
    ("0.515", "0.01", "0.52"), ("-0.505", "0.01", "-0.51"), ("7.5", "5", "10"), ("7", "5", "5"), ("0.4449", "0.001", "0.445")])
def test_round_half_up(x, unit, expected):
    assert round_half_up(Fraction(x), Fraction(unit)) == Fraction(expected)


def cv_finding(findings, rule, section="primary"):
    (f,) = [f for f in findings if f.rule == f"national/{rule}" and f.subject.section == section]
    return f


def test_the_published_0_501787_fails_exactly_and_passes_at_two_decimals(tmp_path):
    data = json.loads((EXAMPLES / "reported-only.json").read_text(encoding="utf-8"))
    exact = cv_finding(load_checker(["national"]).check(data), "R2-CV-REPORTED")
    assert exact.status == "fail" and exact.value == Fraction("0.501787")
    assert "exact" not in dict(exact.notes)           # nothing was rounded
    pack = make_pack(tmp_path, TWO_DECIMALS)
    rounded = cv_finding(load_checker([str(pack)]).check(data), "R2-CV-REPORTED")
    assert rounded.status == "pass" and rounded.value == Fraction(1, 2)
    assert dict(rounded.notes)["exact"] == Fraction("0.501787") and dict(rounded.notes)["precision"] == Fraction(1, 100)


def test_the_text_report_shows_the_exact_and_the_rounded_value(tmp_path):
    pack = make_pack(tmp_path, TWO_DECIMALS)
    text = cli("check", EXAMPLES / "reported-only.json", "--pack", pack).stdout
    assert "按规则包的比较精度舍入后达标、按精确值未达标" in text
    assert "精确值 0.501787，精确到 0.01 后为 0.5，以此比较" in text
    report = json.loads(cli("check", EXAMPLES / "reported-only.json", "--pack", pack, "--format", "json").stdout)
    validate_report(report)
    (f,) = [f for f in report["findings"] if f["rule"] == "national/R2-CV-REPORTED" and f["subject"]["section"] == "primary"]
    assert f["status"] == "pass" and f["value"] == 0.5 and "exact = 0.501787" in f["trace"]
    exact = cli("check", EXAMPLES / "reported-only.json").stdout
    assert "实际值 0.5018，要求 <= 0.5" in exact and "舍入后达标" not in exact


def test_school_data_cv_of_0_504_fails_exactly_and_passes_rounded(tmp_path):
    data = base_record()
    # Two primary sections of 10000 students, 7.52 and 2.48 per hundred: CV = 5.04 / 10 = 0.504.
    a, b = (s["sections"]["primary"] for s in data["schools"] if s["id"] in ("A", "B"))
    a.update(students=10000, teachers_above_required_degree=752)
    b.update(students=10000, teachers_above_required_degree=248)
    exact = cv_finding(load_checker(["national"]).check(data), "R1-CV")
    assert exact.status == "fail" and exact.value == Fraction("0.504")
    rounded = cv_finding(load_checker([str(make_pack(tmp_path, TWO_DECIMALS))]).check(data), "R1-CV")
    assert rounded.status == "pass" and rounded.value == Fraction("0.50")
    assert dict(rounded.notes)["exact"] == Fraction("0.504")


def test_rounding_never_turns_a_real_excess_into_a_pass(tmp_path):
    """0.505 rounds to 0.51 at two decimals: still over 0.50."""
    data = json.loads((EXAMPLES / "reported-only.json").read_text(encoding="utf-8"))
    data["facts"]["reported"]["primary"]["r2_cv"] = "0.505"
    f = cv_finding(load_checker([str(make_pack(tmp_path, TWO_DECIMALS))]).check(data), "R2-CV-REPORTED")
    assert f.status == "fail" and f.value == Fraction("0.51")


def test_a_negative_precision_is_not_applied():
    from compliance.dsl.builtins import BUILTINS
    from compliance.logic import Unknown
    assert isinstance(BUILTINS["round_to"].scalar(None, Fraction(1, 2), Fraction(-1)), Unknown)
