"""复核: the county's own published figures (facts.reported) — rechecked against the schools'
data at their printed precision, or judged as reported when there is no school data."""
from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction

from compliance.dsl.builtins import printed_tolerance
from compliance.engine import load_checker

from test_cli import EXAMPLES, ROOT, cli, validate_report


def findings(report, rule):
    return [f for f in report["findings"] if f["rule"] == f"national/{rule}"]


def test_printed_tolerance_is_half_a_unit_of_the_last_printed_place():
    assert printed_tolerance("0.50") == Fraction(5, 1000)
    assert printed_tolerance("0.5") == Fraction(5, 100)
    assert printed_tolerance("0.501787") == Fraction(5, 10**7)
    assert printed_tolerance("12") == Fraction(1, 2)


def test_the_examples_are_current():
    result = subprocess.run([sys.executable, str(EXAMPLES / "reported_examples.py"), "--check"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_recheck_example_flags_exactly_the_two_misprints_with_both_numbers():
    result = cli("check", EXAMPLES / "reported-recheck.json", "--format", "json")
    report = json.loads(result.stdout)
    validate_report(report)
    rechecks = [f for f in report["findings"] if "-RECHECK-" in f["rule"]]
    assert len(rechecks) == 28                       # 7 indicators × (mean, CV) × 2 levels
    failed = sorted((f["rule"], f["subject"]["section"]) for f in rechecks if f["status"] == "fail")
    assert failed == [("national/R2-RECHECK-MEAN", "junior"), ("national/R6-RECHECK-CV", "primary")]
    (cv,) = [f for f in findings(report, "R6-RECHECK-CV") if f["subject"]["section"] == "primary"]
    assert "0.11" in cv["message"] and "/facts/reported/primary/r6_cv" in cv["message"]
    assert "按学校数据计算为 0.16" in cv["message"]
    assert cv["threshold"] == 0.005
    # Advisory: the verdict is the schools' own (county-pass), and the CVs are judged on school data.
    assert report["verdict"] == "pass" and result.returncode == 0
    assert all(f["status"] == "not_applicable" for f in report["findings"] if f["rule"].endswith("-CV-REPORTED"))


def test_recheck_text_report_names_both_numbers():
    text = cli("check", EXAMPLES / "reported-recheck.json").stdout
    assert "初中县公布值 2.01（/facts/reported/junior/r2_mean），按学校数据计算为 1.8145" in text


def test_reported_only_example_is_judged_as_reported():
    result = cli("check", EXAMPLES / "reported-only.json", "--format", "json")
    report = json.loads(result.stdout)
    validate_report(report)
    assert result.returncode == 1 and report["verdict"] == "fail"
    judged = findings(report, "R2-CV-REPORTED")
    (primary,) = [f for f in judged if f["subject"]["section"] == "primary"]
    assert primary["status"] == "fail" and Fraction(str(primary["value"])) == Fraction("0.501787")
    assert "按县公布值" in primary["message"] and "/facts/reported/primary/r2_cv" in primary["message"]
    assert all(f["status"] == "not_applicable" for f in findings(report, "R2-CV"))
    # Every other published CV is within its limit.
    others = [f for f in report["findings"] if f["rule"].endswith("-CV-REPORTED") and f is not primary]
    assert len(others) == 13 and all(f["status"] == "pass" for f in others)
    text = cli("check", EXAMPLES / "reported-only.json").stdout
    assert "（按县公布值）" in text and "0.501787" in text


def test_english_messages_say_as_reported():
    text = cli("check", EXAMPLES / "reported-only.json", "--lang", "en").stdout
    assert "as reported" in text


def test_a_figure_not_written_as_printed_is_rejected_with_its_pointer():
    data = json.loads((EXAMPLES / "reported-only.json").read_text(encoding="utf-8"))
    data["facts"]["reported"]["primary"]["r1_cv"] = 0.5          # a number loses its printed zeros
    path = ROOT / "tests" / "_tmp_reported_bad.json"
    try:
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        result = cli("check", path)
    finally:
        path.unlink()
    assert result.returncode == 2
    out = result.stdout + result.stderr
    assert "/facts/reported/primary/r1_cv" in out and "公布值应按公布的写法写成带引号的小数" in out and "0.5" in out


def test_engine_uses_the_level_of_the_subject():
    data = json.loads((EXAMPLES / "reported-only.json").read_text(encoding="utf-8"))
    data["facts"]["reported"]["junior"]["r2_cv"] = "0.46"       # junior limit 0.45
    data["facts"]["reported"]["primary"]["r2_cv"] = "0.46"      # primary limit 0.50
    got = {f.subject.section: f.status for f in load_checker(["national"]).check(data)
           if f.rule == "national/R2-CV-REPORTED"}
    assert got == {"primary": "pass", "junior": "fail"}
