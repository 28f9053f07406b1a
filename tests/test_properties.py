"""Properties declared in rule files hold for every shipped pack, and each kind of property
really catches the mistake it is for (a rule written wrongly on purpose fails it)."""
from __future__ import annotations

from pathlib import Path

import pytest

from compliance.lint import analyze
from compliance.packs import Pack, Repository, find_pack_dirs, load_rule_file
from compliance.properties import check_properties, reading_of

ROOT = Path(__file__).resolve().parents[1]
REPOSITORY = Repository()
WITH_PROPERTIES = [d for d in find_pack_dirs([ROOT / "rules"])
                   if any(r.properties for r in REPOSITORY.load(d).rules)]


@pytest.mark.parametrize("pack_dir", WITH_PROPERTIES, ids=[d.name for d in WITH_PROPERTIES])
def test_declared_properties_hold(pack_dir):
    # 30 drawn records per pack (complete records are large: ~0.15 s each to draw); the
    # property runs of benchmarks/ and `compliance test --properties` go further.
    results = check_properties(analyze(REPOSITORY.load(pack_dir), REPOSITORY), max_examples=15)
    assert results
    assert all(r.ok for r in results), [r for r in results if not r.ok]


@pytest.mark.parametrize("quote,reading", [
    ("小学、初中分别达到4.2人以上", "inclusive"),
    ("班额不超过45人", "inclusive"),
    ("學校規模控制在2000人以內", "inclusive"),
    ("差异系数小学均小于或等于0.50", "inclusive"),
    ("校际差异率低于0.15", "exclusive"),
    ("班额超过56人的为大班额", "exclusive"),
    ("每百名学生拥有高于规定学历教师数达到4.2人以上", None),   # ambiguous: the author must say
    ("推进教育现代化", None),
])
def test_reading_of_the_wording(quote, reading):
    assert reading_of(quote) == reading


def _pack(tmp_path, rule_yaml: str):
    path = tmp_path / "wrong.yaml"
    path.write_text("citation: {document: 测试, article: 第一条}\nrules:\n" + rule_yaml, encoding="utf-8")
    pack = Pack("wrong", "wrong", {"number": "wrong"}, "", "national", tmp_path)
    load_rule_file(path, pack)
    analysis = analyze(pack, REPOSITORY)
    assert not analysis.errors, analysis.diagnostics
    return analysis


def test_boundary_catches_an_exclusive_operator_for_inclusive_wording(tmp_path):
    analysis = _pack(tmp_path, """\
  - id: W1
    title: 巩固率达到95%以上（错写成大于）
    severity: must
    applies_to: jurisdiction
    require: facts.compulsory_retention_rate > params.q1_junior_retention  # 95%
    citation: {quote: 九年义务教育巩固率达到95%以上}
    properties: {boundary: true}
""")
    [result] = check_properties(analysis, max_examples=10)
    assert not result.ok and "含本数" in result.detail


def test_monotone_catches_a_rule_that_punishes_more(tmp_path):
    analysis = _pack(tmp_path, """\
  - id: W3
    title: 毛入园率（错写成越高越差）
    severity: must
    applies_to: jurisdiction
    require: facts.preschool_gross_enrollment_rate <= params.s1_min_recognition  # 85%, a national parameter
    citation: {quote: 学前教育毛入园率达到85%}
    properties: {monotone: {increasing: facts.preschool_gross_enrollment_rate}}
""")
    [result] = check_properties(analysis, max_examples=30)
    assert not result.ok and "由达标变为未达标" in result.detail


def test_permutation_and_scaling_catch_an_order_or_scale_dependent_rule(tmp_path):
    analysis = _pack(tmp_path, """\
  - id: W4
    title: 第一所学校的学生数决定一切（错）
    severity: must
    applies_to: section_level
    require: max(s.students for s in sections) - min(s.students for s in sections) <= params.g6_min_funded_students  # 100
    citation: {quote: 差异系数小于或等于0.50}
    properties: {permutation: true, scale_invariant: section.students}
""")
    results = {r.name: r for r in check_properties(analysis, max_examples=30)}
    assert results["permutation"].ok             # max − min does not depend on order…
    assert not results["scale_invariant"].ok     # …but it does depend on scale


def test_a_propertys_draws_do_not_depend_on_the_others(tmp_path, monkeypatch):
    """Each declared property makes its own choices for a drawn record: the same whichever
    other properties are declared, in whatever order, and whether they failed. (They once
    shared one stream of draws, so adding or fixing one rule changed another's test.)"""
    import compliance.properties as properties
    seen: dict[str, list[int]] = {}

    def recording(analysis, checker, rule, spec, record, as_of, choices):
        seen.setdefault(rule.id, []).append(choices.integers(0, 10 ** 9))
        return True

    monkeypatch.setitem(properties._TESTS, "monotone", recording)
    rule = """\
  - id: {id}
    title: 巩固率
    severity: must
    applies_to: jurisdiction
    require: facts.compulsory_retention_rate >= params.q1_junior_retention  # 95%
    citation: {{quote: 九年义务教育巩固率达到95%以上}}
    properties: {{monotone: {{increasing: facts.compulsory_retention_rate}}}}
"""
    orders = {}
    for name, ids in (("alone", ["B"]), ("after", ["A", "B"]), ("before", ["B", "A"])):
        seen.clear()
        folder = tmp_path / name
        folder.mkdir()
        check_properties(_pack(folder, "".join(rule.format(id=i) for i in ids)), max_examples=5)
        orders[name] = list(seen["B"])
    assert len(orders["alone"]) == 5 and orders["alone"] == orders["after"] == orders["before"]
