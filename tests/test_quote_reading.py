"""Quotes a reader can read (issue 12, item 11): the verbatim quote stays; a traditional or
damaged one also comes as `quote_reading`; the rule's `reading` is shown."""
import datetime
import json
import textwrap
from pathlib import Path

from jsonschema import Draft202012Validator

import compliance
from compliance.engine import load_checker
from compliance.explain import explain, render_explanation
from compliance.lint import lint_paths
from compliance.readable import damaged, quote_reading, simplified
from compliance.report.json_report import build_report, render_json
from compliance.report.text import render_text
from national_fixtures import base_record

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
REPORT_SCHEMA = json.loads((ROOT / "compliance" / "schemas" / "report.schema.json").read_text(encoding="utf-8"))


def test_conversion_is_opencc_and_leaves_simplified_text_alone():
    assert simplified("確保按在校學生人數平均的一般公共預算教育支出逐年只增不減") == \
        "确保按在校学生人数平均的一般公共预算教育支出逐年只增不减"
    assert quote_reading("每百名学生拥有高于规定学历教师数") is None
    assert quote_reading("逐年只增不減") == "逐年只增不减"
    assert quote_reading("規??刂圃?000人", "规模控制在2000人") == "规模控制在2000人"   # a repair wins
    assert damaged("規??刂圃?000") and not damaged("是否？") and not damaged("规模控制在2000人")


def test_every_shipped_simplified_quote_reads_as_it_is():
    """Conversion leaves simplified quotes alone; only a repair the rule file gives (延平's
    composite CV, whose copy lost its decimal points) adds a reading."""
    for pack in ("national", "yanping", "xx-county", "guigang"):
        for a in compliance.load([pack]).analyses:
            for r in a.rules:
                assert r.citation.quote_reading is None or r.citation.quote_reading_given, (
                    r.qualified_id, r.citation.quote_reading)


def zhangye():
    data = json.loads((EXAMPLES / "zhangye-2024.json").read_text(encoding="utf-8"))
    checker = compliance.load(data["packs"])
    return data, checker, checker.check(data)


def test_a_traditional_quote_is_kept_and_read_in_simplified():
    data, checker, findings = zhangye()
    f = next(f for f in findings if f.rule == "zhangye/ZY-18-PER-STUDENT")
    assert f.citation["quote"] == "確保按在校學生人數平均的一般公共預算教育支出逐年只增不減"
    assert f.citation["quote_reading"] == "确保按在校学生人数平均的一般公共预算教育支出逐年只增不减"
    report = json.loads(render_json(build_report(findings, checker.packs, datetime.date(2024, 9, 1), None, None)))
    validator = Draft202012Validator(REPORT_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert [e.message for e in validator.iter_errors(report)] == []
    shown = next(x for x in report["findings"] if x["rule"] == "zhangye/ZY-18-PER-STUDENT")
    assert shown["citation"]["quote_reading"] == f.citation["quote_reading"]
    # ZY-18-PER-STUDENT passes (the 2023 fall predates the measures): shown with --verbose
    text = render_text(findings, "张掖", "2024-09-01", color=False, width=300, verbose=True)
    assert "原文今读：“确保按在校学生人数平均的一般公共预算教育支出逐年只增不减”" in text
    english = render_text(findings, "Zhangye", "2024-09-01", lang="en", color=False, width=300, verbose=True)
    assert "quote reads: “确保按在校学生人数平均" in english


def test_the_reading_note_is_shown_in_text_and_explain():
    data = json.loads((EXAMPLES / "guigang-2021.json").read_text(encoding="utf-8"))
    checker = compliance.load(data["packs"])
    findings = checker.check(data)
    noted = [f for f in findings if f.citation.get("reading") and f.status not in ("pass", "not_applicable")]
    assert noted
    text = render_text(findings, "贵港", "2021-12-31", color=False, width=400)
    for f in noted:
        assert f"解读：{f.citation['reading']}" in text
    f = noted[0]
    explained = render_explanation(explain(checker.analysis_of(f), f, data, datetime.date(2021, 12, 31)))
    assert f"解读：{f.citation['reading']}" in explained


PACK = """\
id: child
title: 测试方案
document: {title: 测试方案, number: 测〔2024〕1号}
version: "1"
extends: national
"""


def pack_with(tmp_path: Path, citation: str) -> Path:
    d = tmp_path / "child"
    d.mkdir()
    (d / "pack.yaml").write_text(PACK, encoding="utf-8")
    (d / "rules.yaml").write_text(textwrap.dedent(f"""\
        rules:
          - id: C1
            title: 巩固率达到95%
            severity: must
            applies_to: jurisdiction
            require: facts.junior_retention_rate >= params.q1_junior_retention
            citation: {citation}
        """), encoding="utf-8")
    return d


def test_a_damaged_quote_without_a_repair_is_a_warning(tmp_path):
    d = pack_with(tmp_path, "{document: 测〔2024〕1号, article: 二、, quote: 鞏固率達??%以上}")
    analyses, _ = lint_paths([d])
    assert [x.code for x in analyses[0].diagnostics if x.location.file and "child" in x.location.file] == ["W310"]
    finding = next(f for f in load_checker([str(d)]).check(base_record()) if f.rule == "child/C1")
    assert finding.citation["quote"] == "鞏固率達??%以上"
    assert finding.citation["quote_reading"] == "巩固率达??%以上"   # converted, damage still visible


def test_a_repair_in_the_rule_file_is_carried_and_silences_the_warning(tmp_path):
    d = pack_with(tmp_path, "{document: 测〔2024〕1号, article: 二、, quote: 鞏固率達??%以上, "
                            "quote_reading: 巩固率达95%以上, reading: 受损的两位数字按第三条的95%补出}")
    analyses, _ = lint_paths([d])
    assert [x.code for x in analyses[0].diagnostics if x.location.file and "child" in x.location.file] == []
    finding = next(f for f in load_checker([str(d)]).check(base_record()) if f.rule == "child/C1")
    assert finding.citation["quote"] == "鞏固率達??%以上"
    assert finding.citation["quote_reading"] == "巩固率达95%以上"
