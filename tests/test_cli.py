"""The command line as a user meets it: exit codes, messages with positions, reports."""
import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
REPORT_SCHEMA = json.loads((ROOT / "compliance" / "schemas" / "report.schema.json").read_text(encoding="utf-8"))


def cli(*args, cwd=ROOT):
    result = subprocess.run([sys.executable, "-m", "compliance", *map(str, args)], cwd=cwd,
                            capture_output=True, text=True, encoding="utf-8")
    assert "Traceback" not in result.stderr + result.stdout
    return result


def validate_report(report: dict) -> None:
    validator = Draft202012Validator(REPORT_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(report)]
    assert errors == []


def test_lint_shipped_rules_is_clean():
    result = cli("lint", "rules")
    assert result.returncode == 0, result.stderr
    assert "0 个错误" in result.stdout


def test_worked_cv_example_fails_r6_cv_for_primary():
    result = cli("check", EXAMPLES / "worked-example-cv.json", "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    validate_report(report)
    cv = next(f for f in report["findings"] if f["rule"] == "national/R6-CV")
    assert cv["status"] == "fail" and cv["subject"] == {"kind": "section_level", "section": "primary"}
    assert round(cv["value"], 4) == 0.5153 and cv["threshold"] == 0.5 and cv["op"] == "<="
    assert cv["citation"]["quote"].startswith("所有指标校际差异系数")


def test_worked_split_example():
    report = json.loads(cli("check", EXAMPLES / "worked-example-split.json", "--format", "json").stdout)
    validate_report(report)
    values = {f["subject"]["section"]: Fraction(f["value_exact"]) for f in report["findings"] if f["rule"] == "national/R6"}
    primary = values["primary"] * 166 / 10000   # back to the shared total's unit (万元)
    junior = values["junior"] * 210 / 10000
    assert primary + junior == 23226
    assert int(primary) == 9711 and 23226 - int(primary) == 13515


def test_json_report_is_deterministic_and_written_whole(tmp_path):
    out1, out2 = tmp_path / "a.json", tmp_path / "b.json"
    for out in (out1, out2):
        cli("check", EXAMPLES / "worked-example-cv.json", "--format", "json", "--output", out)
    assert out1.read_bytes() == out2.read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_text_report_opens_with_the_verdict():
    result = cli("check", EXAMPLES / "worked-example-cv.json")
    lines = result.stdout.splitlines()
    assert "结论：未通过" in "\n".join(lines[:4])
    assert "资源配置" in result.stdout and "national/R6-CV" in result.stdout
    assert "出处" in result.stdout and "所有指标校际差异系数" in result.stdout
    en = cli("check", EXAMPLES / "worked-example-cv.json", "--lang", "en")
    assert "Verdict: FAIL" in en.stdout


def test_bad_json_is_located(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format_version": "1",\n  "year": 2024\n  "schools": []}', encoding="utf-8")
    result = cli("check", bad)
    assert result.returncode == 2
    assert "bad.json:3:3" in result.stderr and "JSON 语法错误" in result.stderr


def test_schema_errors_are_all_reported_with_pointers(tmp_path, ):
    bad = tmp_path / "r.json"
    bad.write_text(json.dumps({"format_version": "1", "jurisdiction": {"code": "1", "name": "x", "level": "county"},
                               "year": 2024, "facts": {"junior_retention_rate": 95},
                               "schools": [{"id": "a", "name": "x", "type": "primery"}]}), encoding="utf-8")
    out = tmp_path / "report.json"
    result = cli("check", bad, "--output", out)
    assert result.returncode == 2
    assert "#/facts/junior_retention_rate" in result.stderr
    assert "#/schools/0/type" in result.stderr and "primery" in result.stderr
    assert not out.exists()  # no half-written report
    en = cli("check", bad, "--lang", "en")
    assert "is above the maximum" in en.stderr


def test_unknown_fields_are_errors_unless_allowed(tmp_path):
    data = json.loads((EXAMPLES / "worked-example-cv.json").read_text(encoding="utf-8"))
    data["schools"][0]["sections"]["primary"]["studnts"] = 3
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = cli("check", path)
    assert result.returncode == 2 and result.stdout == ""
    assert "错误 E120" in result.stderr and "是否指 'students'" in result.stderr
    assert "#/schools/0/sections/primary/studnts" in result.stderr
    result = cli("check", path, "--lang", "en")
    assert "error E120: unknown field 'studnts' (did you mean 'students'?)" in result.stderr
    result = cli("check", path, "--allow-unknown-fields")
    assert result.returncode == 1
    assert "警告 W116" in result.stderr and "是否指 'students'" in result.stderr


@pytest.mark.parametrize("args,text", [
    (["--as-of", "2024-13-40"], "日期无效"),
    (["--pack", "nowhere"], "未知规则包 'nowhere'"),
])
def test_usage_errors_exit_2(args, text):
    result = cli("check", EXAMPLES / "worked-example-cv.json", *args)
    assert result.returncode == 2 and text in result.stderr


def test_missing_record_file():
    result = cli("check", "does-not-exist.json")
    assert result.returncode == 2 and "does-not-exist.json" in result.stderr


def test_lint_reports_positions_with_caret(tmp_path):
    rule = tmp_path / "r.yaml"
    rule.write_text("rules:\n  - id: X\n    title: t\n    severity: must\n    applies_to: school_section\n"
                    "    require: section.studens >= 1\n    citation: {document: d, article: a, quote: q}\n",
                    encoding="utf-8")
    result = cli("lint", rule)
    assert result.returncode == 2
    assert "r.yaml:6:14: 错误 E210: 未知字段 'section.studens'，是否指 'section.students'？" in result.stderr
    assert "^^^^^^^^^^^^^^^" in result.stderr


def test_a_record_that_cannot_be_judged_is_not_success():
    """Data contract §4: 无法判定 (missing data) exits 1, as 未通过 does; 0 only for 通过."""
    result = cli("check", EXAMPLES / "county-missing.json")
    assert "结论：无法判定" in result.stdout and result.returncode == 1
    assert cli("check", EXAMPLES / "county-missing.json", "--strict").returncode == 1
    assert cli("check", EXAMPLES / "county-pass.json").returncode == 0
