"""What a policy officer typing Chinese meets: full-width operators, `=>`, an unknown pack, an
unknown school or a lower-case rule code in `explain` (issue 15 item 5, in part)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from compliance.cli import main
from compliance.diagnostics import Diagnostic, Location
from compliance.dsl import ast
from compliance.dsl.parse import parse
from compliance.lint import lint_paths

ROOT = Path(__file__).resolve().parents[1]


def test_full_width_operators_read_as_ascii_with_columns_kept():
    typed, ascii_ = parse("f（a，b） ＞＝ 3"), parse("f(a,b) >= 3")
    assert isinstance(typed, ast.Compare) and typed.op == ">=" and typed == ascii_
    assert parse("a ＜ 3").op == "<" and parse("a ＝ 3").op == "==" and parse("a ！＝ 3").op == "!="


def test_full_width_inside_a_string_stays_as_written():
    node = parse('school.name == "第一（中心）小学"')
    assert node.right.value == "第一（中心）小学"


def test_a_rule_typed_with_an_ime_lints_clean(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("""rules:
  - id: T1
    title: 测试规则
    severity: must
    applies_to: jurisdiction
    require: （facts.social_recognition_rate ＞＝ params.s1_min_recognition）
    citation:
      article: 第一条
      quote: 社会认可度达到85%以上
""", encoding="utf-8")
    analyses, loose = lint_paths([path])
    assert [d.code for a in analyses for d in a.errors] + [d.code for d in loose] == []


@pytest.mark.parametrize("written, meant", [("=>", ">="), ("=<", "<=")])
def test_an_operator_the_wrong_way_round_names_the_right_one(written, meant):
    err = parse(f"a {written} 3")
    assert err.code == "E208" and (err.span.column, err.span.end_column) == (3, 5)
    d = Diagnostic(err.code, Location("t.yaml", 1, 3), err.args)
    assert d.message("zh") == f"运算符 '{written}' 写反了：请改为 '{meant}'"
    assert d.message("en") == f"operator '{written}' is the wrong way round: write '{meant}'"


def test_an_unknown_pack_points_at_rules_dir(tmp_path, capsys):
    record = json.loads((ROOT / "examples" / "worked-example-cv.json").read_text(encoding="utf-8"))
    record["packs"] = ["mycounty"]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    assert main(["check", str(path)]) == 2
    assert "未知规则包 'mycounty'" in capsys.readouterr().err
    assert main(["check", str(path), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "unknown rule pack 'mycounty'" in err and "--rules DIR" in err


def test_explain_lists_the_schools_when_the_school_is_unknown(capsys):
    record = str(ROOT / "examples" / "worked-example-cv.json")
    assert main(["explain", record, "R1", "--subject", "不存在学校"]) == 2
    err = capsys.readouterr().err
    assert "数据中没有学校 '不存在学校'" in err and "可选的学校：" in err and "R1-CV" not in err
    assert main(["explain", record, "R1", "--subject", "不存在学校", "--lang", "en"]) == 2
    assert "no school '不存在学校'" in capsys.readouterr().err


def test_explain_takes_rule_codes_in_either_case(capsys):
    record = str(ROOT / "examples" / "worked-example-cv.json")
    main(["explain", record, "r6-cv", "--section", "primary"])
    lower = capsys.readouterr().out
    main(["explain", record, "R6-CV", "--section", "primary"])
    assert lower.startswith("national/R6-CV") and lower == capsys.readouterr().out


@pytest.mark.parametrize("expect, line, column, wrong, meant", [
    ("\n      - {rule: R1, status: passs}", 6, 28, "passs", "pass"),
    (" {R1: fial}", 5, 18, "fial", "fail"),
])
def test_a_typo_in_a_test_file_is_named_in_chinese_with_did_you_mean(tmp_path, expect, line, column, wrong, meant):
    from compliance.testcases import load_cases
    path = tmp_path / "t.yaml"
    path.write_text(f"record: r.json\ncases:\n  - name: 一例\n    set: {{/year: 2024}}\n    expect:{expect}\n",
                    encoding="utf-8")
    _, [d] = load_cases(path, None)
    assert (d.code, d.location.line, d.location.column) == ("E103", line, column)
    assert f"取值 '{wrong}' 无效" in d.message("zh") and f"是否指 '{meant}'？" in d.message("zh")
    assert f"did you mean '{meant}'?" in d.message("en") and "is not valid under" not in d.message("en")


DERIVED_BROKEN = """derived:
  - name: my_ratio
    title: 比例
    of: section
    value: per_hundred(section.backbone_teachers, section.students
rules:
  - id: T1
    title: 测试规则
    severity: must
    applies_to: school_section
    require: my_ratio >= params.r2_backbone_teachers_per_100
    citation:
      article: 第一条
      quote: 测试原文
"""


def test_a_missing_bracket_is_the_only_error_not_the_unknown_field_it_causes(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(DERIVED_BROKEN, encoding="utf-8")
    analyses, _ = lint_paths([path])
    assert [(d.code, d.location.line) for d in analyses[0].diagnostics] == [("E204", 5)]


def test_a_parameter_named_only_in_a_broken_expression_is_not_also_unused(tmp_path):
    pack = tmp_path / "child"
    pack.mkdir()
    (pack / "pack.yaml").write_text('id: child\ntitle: 测试\ndocument: {title: 测试, number: 测〔2024〕1号}\n'
                                    'version: "1"\nextends: national\n', encoding="utf-8")
    (pack / "params.yaml").write_text("c_x: {title: 甲, unit: 人, reference: 测〔2024〕1号（3人）, values: {2000-01-01: 3}}\n",
                                      encoding="utf-8")
    (pack / "r.yaml").write_text("rules:\n  - id: T1\n    title: 测试规则\n    severity: must\n    applies_to: jurisdiction\n"
                                 "    require: (facts.rotated_teachers >= params.c_x\n"
                                 "    citation: {article: 第一条, quote: 测试原文}\n", encoding="utf-8")
    analyses, _ = lint_paths([pack])
    assert [d.code for d in analyses[0].diagnostics] == ["E204"]
