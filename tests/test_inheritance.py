"""Packs that extend the national pack: tightening, loosening, overriding, contradictions, deadlines."""
import datetime
import textwrap
from pathlib import Path

from compliance.engine import load_checker
from compliance.lint import lint_paths
from national_fixtures import base_record

PACK = """\
id: child
title: 测试方案
document: {title: 测试方案, number: 测〔2024〕1号}
version: "1"
extends: national
"""
CITE = "citation: {document: 测〔2024〕1号, article: 二、, quote: 测试原文}"


def make_pack(tmp_path: Path, params: str = "", rules: str = "") -> Path:
    d = tmp_path / "child"
    d.mkdir()
    (d / "pack.yaml").write_text(PACK, encoding="utf-8")
    if params:
        (d / "params.yaml").write_text(textwrap.dedent(params), encoding="utf-8")
    if rules:
        (d / "rules.yaml").write_text(textwrap.dedent(rules), encoding="utf-8")
    return d


def codes(pack_dir: Path) -> list[str]:
    analyses, _ = lint_paths([pack_dir])
    return [d.code for d in analyses[0].diagnostics if d.location.file and "child" in d.location.file]


R1_PARAM = """\
r1_teachers_above_degree_per_100:
  title: 每百名学生拥有高于规定学历教师数
  unit: 人/百生
  reference: 测〔2024〕1号 二、（小学{primary}人以上）
  primary: {{2020-01-01: {primary}}}
  junior: {{2020-01-01: 5.3}}
{extra}"""


# Thresholds are parameters with a reference stating them (a literal in `require` is E332).
LIMITS = {
    "c_upper": "c_upper: {title: 上限, unit: 人/百生, reference: 测〔2024〕1号 二、（不超过3人）, values: {2000-01-01: 3}}\n",
    "c_class_size": "c_class_size: {title: 班额上限, unit: 人, reference: 测〔2024〕1号 二、（不超过40人）, values: {2000-01-01: 40}}\n",
    "c_retention": "c_retention: {title: 巩固率, unit: '%', reference: 测〔2024〕1号 二、（达到99%）, values: {2000-01-01: 99}}\n",
}


def test_a_tightened_floor_is_fine_and_used_by_inherited_rules(tmp_path):
    d = make_pack(tmp_path, R1_PARAM.format(primary=4.5, extra=""))
    assert codes(d) == []
    data = base_record()
    data["schools"][0]["sections"]["primary"].update(students=1000, teachers_above_required_degree=44)
    f = next(f for f in load_checker([str(d)]).check(data) if f.rule == "national/R1" and f.subject.school == "A")
    assert f.status == "fail" and f.threshold == 4.5


def test_a_loosened_floor_is_an_error_unless_explained(tmp_path):
    d = make_pack(tmp_path, R1_PARAM.format(primary=4.0, extra=""))
    assert codes(d) == ["E270"]
    (d / "params.yaml").write_text(R1_PARAM.format(primary=4.0, extra="  loosens: {reason: 山区学校另行认定}\n"),
                                   encoding="utf-8")
    assert codes(d) == []


def test_contradictory_rules_in_force_together(tmp_path):
    d = make_pack(tmp_path, LIMITS["c_upper"], rules=f"""\
        rules:
          - id: C1
            title: 上限
            severity: must
            applies_to: school_section
            require: r1_value <= params.c_upper
            {CITE}
        """)
    assert codes(d) == ["E271"]


def test_a_contradictory_override_is_reported(tmp_path):
    # The override replaces national R2, but its bound contradicts national R1, still in force.
    d = make_pack(tmp_path, LIMITS["c_upper"], rules=f"""\
        rules:
          - id: C2
            title: 覆盖 R2 却与 R1 矛盾
            severity: must
            applies_to: school_section
            overrides: national/R2
            require: r1_value <= params.c_upper
            {CITE}
        """)
    assert codes(d) == ["E271"]


def test_rules_never_in_force_together_do_not_contradict(tmp_path):
    d = make_pack(tmp_path, LIMITS["c_upper"], rules=f"""\
        rules:
          - id: C1
            title: 上限
            severity: must
            applies_to: school_section
            require: r1_value <= params.c_upper
            until: 2017-01-01
            {CITE}
        """)
    assert codes(d) == []


def test_override_replaces_the_national_rule_and_keeps_both_citations(tmp_path):
    d = make_pack(tmp_path, LIMITS["c_class_size"], rules=f"""\
        rules:
          - id: C-G5
            title: 班额不超过40人
            severity: must
            applies_to: school_section
            overrides: national/G5
            require: max(c for c in section.class_sizes) <= params.c_class_size
            {CITE}
        """)
    assert codes(d) == []
    findings = load_checker([str(d)]).check(base_record())
    assert not [f for f in findings if f.rule == "national/G5"]
    f = next(f for f in findings if f.rule == "child/C-G5" and f.subject.school == "A")
    assert f.status == "pass" and f.overridden_citation["quote"].startswith("小学、初中所有班级")


def test_override_of_a_missing_rule_is_reported(tmp_path):
    d = make_pack(tmp_path, "", rules=f"""\
        rules:
          - id: C1
            title: t
            severity: must
            applies_to: jurisdiction
            overrides: national/G99
            require: facts.junior_retention_rate >= params.q1_junior_retention
            {CITE}
        """)
    assert codes(d) == ["E235"]


def test_a_deadline_ahead_makes_a_target(tmp_path):
    d = make_pack(tmp_path, LIMITS["c_retention"], rules=f"""\
        rules:
          - id: C1
            title: 到2020年巩固率达到99%
            severity: must
            applies_to: jurisdiction
            deadline: 2020-12-31
            require: facts.junior_retention_rate >= params.c_retention
            {CITE}
        """)
    checker = load_checker([str(d)])
    before = next(f for f in checker.check(base_record(), datetime.date(2020, 12, 30)) if f.rule == "child/C1")
    after = next(f for f in checker.check(base_record(), datetime.date(2020, 12, 31)) if f.rule == "child/C1")
    assert (before.status, before.severity) == ("pending", "target")   # 未到期: progress, not a failure
    assert before.progress is not None and before.value is not None and before.threshold is not None
    assert (after.status, after.severity) == ("fail", "must")
