"""Statuses and what reports count (data contract §3): `pending` for rules not yet due,
`fail` for must/veto failures only, target and advisory misses counted apart."""
import datetime
import json
from fractions import Fraction
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import compliance
from compliance.findings import DECISIVE, SUMMARY_KEYS, summary, verdict
from compliance.report.json_report import build_report, render_json
from compliance.report.text import render_text
from compliance.run.judge import D_AHEAD, D_DUE, STATUS, STATUS_CODES, STATUS_TABLE
from compliance.testcases import matches

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
REPORT_SCHEMA = json.loads((ROOT / "compliance" / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
COUNTED = [k for k in SUMMARY_KEYS if k != "veto"]      # every finding in exactly one of these


def load_example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def zhangye():
    data = load_example("zhangye-2024.json")
    checker = compliance.load(data["packs"])
    return data, checker


def test_the_table_differs_only_where_a_rule_not_yet_due_would_fail():
    due, ahead = STATUS[D_DUE], STATUS[D_AHEAD]
    changed = [(w, r) for w in range(3) for r in range(4) if due[w][r] != ahead[w][r]]
    assert changed == [(0, 1)]                       # when holds, require false
    assert due[0][1] == "fail" and ahead[0][1] == "pending"
    # The integer table the columnar backend indexes is the same table.
    assert all(STATUS_CODES[STATUS_TABLE[d][w][r]] == STATUS[d][w][r]
               for d in range(2) for w in range(3) for r in range(4))


def test_zhangye_counts_only_decisive_failures_as_fail(zhangye):
    data, checker = zhangye
    findings = checker.check(data)
    counts = summary(findings)
    assert sum(counts[k] for k in COUNTED) == len(findings)
    assert counts["fail"] == sum(1 for f in findings if f.status == "fail" and f.severity in DECISIVE)
    assert counts["pending"] == sum(1 for f in findings if f.status == "pending") > 0
    assert counts["target_missed"] == sum(1 for f in findings if f.status == "fail" and f.severity == "target") > 0
    # No decisive failure: the 2023 fall in per-student spending predates the measures
    # (2024-01-05), so 2023 is only the base of ZY-18-PER-STUDENT.
    assert counts["fail"] == 0 and verdict(findings) == "pass"
    as_of = datetime.date.fromisoformat(data["as_of"])
    for f in findings:
        if f.status == "pending":
            assert f.deadline and datetime.date.fromisoformat(f.deadline) > as_of


def test_pending_carries_value_threshold_and_progress(zhangye):
    data, checker = zhangye
    findings = checker.check(data)
    size = [f for f in findings if f.rule == "zhangye/ZY-1-2027"]
    (f,) = size
    assert f.status == "pending" and f.value == 2 and f.threshold == 4
    assert f.progress == Fraction(1, 2)                 # 2 of 4 counties: more is better
    at_most = [f for f in findings if f.status == "pending" and f.op == "<="]
    assert at_most
    for f in at_most:                                   # less is better: threshold ÷ value
        assert f.progress == Fraction(f.threshold) / Fraction(f.value) < 1


def test_after_the_deadline_the_same_miss_fails(zhangye):
    data, checker = zhangye
    before = {(f.rule, f.subject): f for f in checker.check(data)}
    after = {(f.rule, f.subject): f for f in checker.check(data, datetime.date(2036, 1, 1))}
    pending = [k for k, f in before.items() if f.status == "pending"]
    assert pending
    for key in pending:
        rule = next(r for a in checker.analyses for r in a.rules if r.qualified_id == key[0])
        assert after[key].status == "fail" and after[key].progress is None
        assert after[key].severity == rule.severity     # its own severity once due


def test_the_json_report_validates_and_counts_apart(zhangye):
    data, checker = zhangye
    findings = checker.check(data)
    report = json.loads(render_json(build_report(findings, checker.packs, datetime.date(2024, 9, 1), None, None)))
    validator = Draft202012Validator(REPORT_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert [e.message for e in validator.iter_errors(report)] == []
    assert report["summary"]["pending"] == sum(1 for f in report["findings"] if f["status"] == "pending")
    progress = [f for f in report["findings"] if "progress" in f]
    assert progress and all(f["status"] == "pending" for f in progress)
    assert next(f for f in progress if f["rule"] == "zhangye/ZY-1-2027")["progress"] == 0.5


def test_the_schema_rejects_a_summary_without_the_new_counts(zhangye):
    data, checker = zhangye
    report = build_report(checker.check(data), checker.packs, datetime.date(2024, 9, 1), None, None)
    report = json.loads(render_json(report))
    del report["summary"]["pending"]
    validator = Draft202012Validator(REPORT_SCHEMA)
    assert any("pending" in e.message for e in validator.iter_errors(report))


def test_text_report_names_each_count(zhangye):
    data, checker = zhangye
    findings = checker.check(data)
    counts = summary(findings)
    text = render_text(findings, "张掖", "2024-09-01", color=False, width=200)
    assert f"未达标 {counts['fail']} ·" in text
    assert f"未到期 {counts['pending']}" in text and f"目标未达成 {counts['target_missed']}" in text
    assert "未到期（目标进度，不计入结论）" in text and "进度 50%" in text
    english = render_text(findings, "Zhangye", "2024-09-01", lang="en", color=False, width=200)
    assert f"pending {counts['pending']}" in english and f"target missed {counts['target_missed']}" in english


def test_advisory_misses_are_counted_apart():
    data = load_example("guigang-2021.json")
    checker = compliance.load(data["packs"])
    findings = checker.check(data)
    counts = summary(findings)
    advisory = [f for f in findings if f.status == "fail" and f.severity == "advisory"]
    assert advisory and counts["advisory_missed"] == len(advisory)
    assert counts["fail"] == sum(1 for f in findings if f.status == "fail" and f.severity in DECISIVE)
    text = render_text(findings, "贵港", "2021-12-31", color=False, width=200)
    assert f"倡导未落实 {len(advisory)}" in text and "倡导未落实（倡导性条款，不计入结论）" in text


def test_columnar_backend_counts_pending_like_the_closures(zhangye):
    data, checker = zhangye
    (run,) = checker.run_many([data])
    assert summary(checker.check(data)) == _summary_of(run.counts)


def _summary_of(counts):
    from compliance.findings import summary_of_counts
    return summary_of_counts(counts)


def test_rule_test_expectations(zhangye):
    data, checker = zhangye
    findings = checker.check(data)
    pending = next(f for f in findings if f.status == "pending")
    missed = next(f for f in findings if f.status == "fail" and f.severity == "target")
    guigang = load_example("guigang-2021.json")
    failed = next(f for f in compliance.load(guigang["packs"]).check(guigang)
                  if f.status == "fail" and f.severity == "must")
    # `target` keeps meaning any miss that does not decide the verdict; `pending` is only the former.
    assert matches("target", pending) and matches("pending", pending) and not matches("fail", pending)
    assert matches("target", missed) and not matches("pending", missed) and not matches("fail", missed)
    assert matches("fail", failed) and not matches("target", failed) and not matches("pending", failed)


def test_batch_rows_totals_and_json_count_apart(tmp_path):
    import shutil
    import subprocess
    import sys
    for name in ("zhangye-2024.json", "guigang-2021.json"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    run = lambda *a: subprocess.run([sys.executable, "-m", "compliance", "check", str(tmp_path), "--jobs", "1", *a],
                                    capture_output=True, text=True, encoding="utf-8")
    text = run().stdout
    header = next(line for line in text.splitlines() if line.startswith("数据"))
    assert header.split()[3:11] == ["达标", "未达标", "待补数据", "不适用", "否决", "未到期", "目标未达成", "倡导未落实"]
    expected = {}
    for name in ("guigang-2021.json", "zhangye-2024.json"):
        data = load_example(name)
        expected[name] = summary(compliance.load(data["packs"]).check(data))
    for name, counts in expected.items():
        row = next(line for line in text.splitlines() if line.startswith(str(tmp_path / name)))
        numbers = [c for c in row.split() if c.isdigit()]
        assert numbers[:8] == [str(counts[k]) for k in SUMMARY_KEYS]
    total = {k: sum(c[k] for c in expected.values()) for k in SUMMARY_KEYS}
    assert (f"结果合计：达标 {total['pass']} · 未达标 {total['fail']} · 待补数据 {total['unknown']} · "
            f"不适用 {total['not_applicable']} · 否决 {total['veto']} · 未到期 {total['pending']} · "
            f"目标未达成 {total['target_missed']} · 倡导未落实 {total['advisory_missed']}") in text
    document = json.loads(run("--format", "json").stdout)
    assert document["summary"]["findings"] == total
    for report in document["records"]:
        assert set(report["summary"]) == set(SUMMARY_KEYS)
