"""Distance to compliance, checked on both sides: applying the suggested change makes the
rule pass, one unit less does not — for every kind of remedy, over generated records. And the
CV contributors agree with a direct computation."""
from __future__ import annotations

import copy
import datetime
import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from compliance.contributors import breakdown, cv_rows
from compliance.dsl.builtins import weighted_mean_and_cv
from compliance.engine import load_checker
from compliance.record import exact, get_at, set_at
from compliance.remedy import _places, even_classes, remedies
from national_fixtures import AS_OF, base_record, checker

ROOT = Path(__file__).resolve().parents[1]


# Analysed once per module, not once per example: a Checker is reused across records.
@pytest.fixture(scope="module")
def guigang():
    data = json.loads((ROOT / "examples" / "guigang-2021.json").read_text(encoding="utf-8"))
    return load_checker(["guigang"]), data


@pytest.fixture(scope="module")
def zhangye():
    data = json.loads((ROOT / "rules" / "local" / "zhangye" / "tests" / "record.json").read_text(encoding="utf-8"))
    return load_checker(["zhangye"]), data


def _finding(check, data, rule, school=None, section=None, as_of=AS_OF):
    found = [f for f in check.check(exact(copy.deepcopy(data)), as_of)
             if f.rule.endswith("/" + rule) and (school is None or f.subject.school == school)
             and (section is None or f.subject.section == section)]
    assert len(found) == 1, found
    return found[0]


def _both_sides(check, data, f, rule, as_of=AS_OF, unit_of=None):
    """Every suggested input change passes; one unit short of it fails."""
    analysis = check.analyses[0]
    found = remedies(analysis, f, exact(copy.deepcopy(data)), as_of)
    assert found, f"no remedy for {f.rule} {f.subject}"
    for r in found:
        if r.kind != "input":
            continue
        fixed = copy.deepcopy(data)
        set_at(fixed, r.pointer, r.target)
        after = _finding(check, fixed, rule, f.subject.school, f.subject.section, as_of)
        assert after.status == "pass", (r.text_zh, after.message())
        unit = unit_of(r) if unit_of else (1 if isinstance(r.target, int) else Fraction(1, 10 ** max(2, _places(r.target))))
        short = copy.deepcopy(data)
        set_at(short, r.pointer, r.target - unit if r.target > r.current else r.target + unit)
        assert _finding(check, short, rule, f.subject.school, f.subject.section, as_of).status == "fail", r.text_zh
    return found


@settings(max_examples=25)
@given(students=st.integers(100, 2500), per_hundred=st.integers(0, 41))
def test_whole_number_inputs_r1(students, per_hundred):
    """R1 (teachers per 100 students ≥ 4.2): more teachers, or fewer students."""
    data = base_record()
    sec = data["schools"][0]["sections"]["primary"]
    sec["students"] = students
    sec["teachers_above_required_degree"] = students * per_hundred // 1000   # below 4.2 per 100
    f = _finding(checker(), data, "R1", "A", "primary")
    if f.status != "fail":
        return
    found = _both_sides(checker(), data, f, "R1")
    kinds = {r.pointer.rsplit("/", 1)[1] for r in found}
    assert "teachers_above_required_degree" in kinds
    # fewer students helps only if there is some such teacher at all
    assert ("students" in kinds) == (sec["teachers_above_required_degree"] > 0)


@settings(max_examples=25)
@given(area=st.integers(1000, 9000), cents=st.integers(0, 99))
def test_decimal_inputs_r4(area, cents):
    """R4 (teaching area per student, a shared area split 1 : 1.1): area in hundredths of ㎡."""
    data = base_record()
    data["schools"][1]["shared"]["teaching_aux_area_m2"] = float(Fraction(area) + Fraction(cents, 100))
    f = _finding(checker(), data, "R4", "B", "junior")
    if f.status != "fail":
        return
    _both_sides(checker(), data, f, "R4")


@settings(max_examples=20)
@given(rate=st.integers(0, 899))
def test_rates_guigang(guigang, rate):
    """A city rate (毛入园率 ≥ 91 %): in thousandths, as the record writes it."""
    check, data = guigang[0], copy.deepcopy(guigang[1])
    data["facts"]["preschool_gross_enrollment_rate"] = rate / 1000
    as_of = datetime.date(2023, 1, 1)
    f = _finding(check, data, "GG-Z1", as_of=as_of)
    [r] = _both_sides(check, data, f, "GG-Z1", as_of, unit_of=lambda r: Fraction(1, 1000))
    assert r.target == Fraction(91, 100)


@settings(max_examples=20)
@given(sizes=st.lists(st.integers(20, 70), min_size=3, max_size=30))
def test_class_sizes(sizes):
    """G5 (classes at most 45 / 50): the extra classes needed; spread evenly over that many
    classes the school passes, over one class fewer it does not."""
    data = base_record()
    school = data["schools"][0]
    school["class_sizes"]["primary"] = sizes
    school["sections"]["primary"]["classes"] = len(sizes)
    f = _finding(checker(), data, "G5", "A", "primary")
    if f.status != "fail":
        assert max(sizes) <= 45
        return
    [r] = [r for r in remedies(checker().analyses[0], f, exact(copy.deepcopy(data)), AS_OF) if r.kind == "classes"]
    assert r.target - r.current == max(0, -(-sum(sizes) // 45) - len(sizes))
    fixed = copy.deepcopy(data)
    fixed["schools"][0]["class_sizes"]["primary"] = even_classes(sum(sizes), r.target)
    assert _finding(checker(), fixed, "G5", "A", "primary").status == "pass"
    if r.target > 1:
        short = copy.deepcopy(data)
        short["schools"][0]["class_sizes"]["primary"] = even_classes(sum(sizes), r.target - 1)
        assert _finding(checker(), short, "G5", "A", "primary").status == "fail" or r.target == len(sizes)


@settings(max_examples=20)
@given(values=st.lists(st.integers(1000, 2000), min_size=3, max_size=6))
def test_year_on_year(zhangye, values):
    """ZY-18-BUDGET (逐年只增不减): each year that fell is raised to the highest before it; after
    that the rule passes, and one unit less in the first such year it does not. The measures
    bind from 2024-01-05, so the record is moved to 2027: 2023 is the base, earlier years drop out."""
    check, data = zhangye[0], copy.deepcopy(zhangye[1])
    year = data["year"] = 2027
    data["as_of"] = "2027-09-01"
    key = "public_budget_education_expenditure_wan_yuan"
    history = [{"year": year - len(values) + 1 + i, key: v} for i, v in enumerate(values[:-1])]
    for h, old in zip(history, data.get("history", []) + [{}] * len(history)):
        h.update({k: v for k, v in old.items() if k not in ("year", key)})
    data["history"] = history
    data["facts"][key] = values[-1]
    as_of = datetime.date.fromisoformat(data["as_of"])
    f = _finding(check, data, "ZY-18-BUDGET", as_of=as_of)
    judged = values[max(0, len(values) - (year - 2023 + 1)):]   # the base year 2023 and later
    falls = any(b < max(judged[:i + 1]) for i, b in enumerate(judged[1:]))
    assert (f.status == "fail") == falls
    if not falls:
        return
    found = remedies(check.analyses[0], f, exact(copy.deepcopy(data)), as_of)
    assert found and all(r.kind == "series" for r in found)
    fixed = copy.deepcopy(data)
    for r in found:
        set_at(fixed, r.pointer, r.target)
    assert _finding(check, fixed, "ZY-18-BUDGET", as_of=as_of).status == "pass"
    short = copy.deepcopy(fixed)
    set_at(short, found[0].pointer, found[0].target - 1)
    assert _finding(check, short, "ZY-18-BUDGET", as_of=as_of).status == "fail"


# ---- CV contributors ---------------------------------------------------------------------

def _cv_example():
    data = json.loads((ROOT / "examples" / "worked-example-cv.json").read_text(encoding="utf-8"), parse_float=Fraction)
    check = checker()   # analysed once (national_fixtures)
    analysis = check.analyses[0]
    as_of = datetime.date.fromisoformat(data.get("as_of") or f"{data['year']}-12-31")
    return data, analysis, as_of


def test_contributors_match_a_direct_computation():
    data, analysis, as_of = _cv_example()
    rule = next(r for r in analysis.rules if r.id == "R6-CV")
    rows = cv_rows(analysis, rule, data, as_of, "primary")
    b = breakdown(rows, Fraction(1, 2))
    # direct: X_i = equipment (万元 → 元) / students; P_i = students
    direct = []
    for s in data["schools"]:
        p = Fraction(s["sections"]["primary"]["students"])
        x = Fraction(s["shared"]["equipment_value_wan_yuan"]) * 10000 / p
        direct.append((s["id"], x, p))
    total = sum(p for _, _, p in direct)
    mean = sum(p * x for _, x, p in direct) / total
    contributions = {i: p * (x - mean) ** 2 / total for i, x, p in direct}
    assert b.mean == mean
    assert [c.school for c in b.ranked] == sorted(contributions, key=lambda i: -contributions[i])
    assert all(c.contribution == contributions[c.school] for c in b.ranked)
    assert sum(c.share for c in b.ranked) == 1
    assert round(float(b.cv), 4) == 0.5153


def test_bringing_the_top_contributor_to_the_mean_gives_the_reported_cv():
    data, analysis, as_of = _cv_example()
    rule = next(r for r in analysis.rules if r.id == "R6-CV")
    b = breakdown(cv_rows(analysis, rule, data, as_of, "primary"), Fraction(1, 2))
    top = b.ranked[0]
    moved = copy.deepcopy(data)
    school = next(s for s in moved["schools"] if s["id"] == top.school)
    school["shared"]["equipment_value_wan_yuan"] = b.mean * top.weight / 10000    # X = X̄ for this school
    check = checker()
    [f] = [f for f in check.check(exact(moved), as_of) if f.rule == "national/R6-CV" and f.subject.section == "primary"]
    assert f.value == top.cv_at_mean < b.cv


def test_the_smallest_single_school_fix_brings_the_cv_within_the_limit():
    data, analysis, as_of = _cv_example()
    rule = next(r for r in analysis.rules if r.id == "R6-CV")
    rows = cv_rows(analysis, rule, data, as_of, "primary")
    b = breakdown(rows, Fraction(1, 2))
    school, old, new = b.fix
    trial = [(new if r[2].school.data["id"] == school else r[0], r[1]) for r in rows]
    assert weighted_mean_and_cv(trial)[1] <= Fraction(1, 2)
    # every other single-school change at least as large in size does no better than needed:
    # moving the same school by a tenth less of the change fails
    back = old + (new - old) * Fraction(9, 10)
    trial = [(back if r[2].school.data["id"] == school else r[0], r[1]) for r in rows]
    assert weighted_mean_and_cv(trial)[1] > Fraction(1, 2)


@settings(max_examples=6)
@given(veto=st.sampled_from(["exam_admission", "illegal_school_choice", "key_schools_or_classes",
                             "unfilled_posts_or_long_term_contract_teachers", "major_safety_incident", "fraud"]))
def test_a_veto_names_the_fact_to_clear(veto):
    data = base_record()
    data["facts"]["veto"][veto] = True
    [f] = [f for f in checker().check(exact(copy.deepcopy(data)), AS_OF)
           if f.severity == "veto" and f.status == "fail"]
    [r] = remedies(checker().analyses[0], f, exact(copy.deepcopy(data)), AS_OF)
    assert r.pointer == f"/facts/veto/{veto}" and r.target is False
    fixed = copy.deepcopy(data)
    set_at(fixed, r.pointer, r.target)
    assert all(g.status == "pass" for g in checker().check(exact(fixed), AS_OF) if g.rule == f.rule)


# ---- closed form, probes, indicators, series ---------------------------------------------

from compliance.remedy import Advisor, _closed_form, _Target  # noqa: E402


def _advisor_target(check, data, f, as_of=AS_OF):
    advisor = Advisor(check, exact(copy.deepcopy(data)), as_of)
    analysis, compiled, _ = advisor._rule(f.rule)
    return advisor, _Target(advisor, analysis, compiled, advisor._subject(compiled, f.subject), f)


def _r1_failing(teachers=30, students=1000):
    data = base_record()
    sec = data["schools"][0]["sections"]["primary"]
    sec["students"], sec["teachers_above_required_degree"] = students, teachers
    return data, _finding(checker(), data, "R1", "A", "primary")


def test_a_denominator_is_solved_in_closed_form():
    """R1 = 100·teachers / students ≥ 4.2: students enter as a denominator (1/value affine);
    the crossing is exact — 100·30/4.2 = 714.28… — and the remedy is its floor."""
    data, f = _r1_failing()
    advisor, target = _advisor_target(checker(), data, f)
    pointer = "/schools/0/sections/primary/students"
    n, direction = _closed_form(target.lever(pointer, 1000, True))
    assert n == Fraction(3000, 1) / Fraction(42, 10) - 1000 and direction == -1
    [r] = [r for r in advisor.remedies(f) if r.pointer == pointer]
    assert r.target == 714


def test_r1_probes_stay_few():
    """One failing R1 finding: two inputs, each solved with two points and verified with two
    probes — the closed form cannot silently fall back to a search."""
    data, f = _r1_failing()
    advisor, _ = _advisor_target(checker(), data, f)
    found = advisor.remedies(f)
    assert {r.pointer.rsplit("/", 1)[1] for r in found} == {"teachers_above_required_degree", "students"}
    assert advisor.probes <= 8 * len(found)


def test_a_split_share_is_solved_in_closed_form():
    """R4 of a nine-year school's junior section: the shared area is split by weighted students
    (affine in the area) and the junior students sit in both the share and the denominator
    (1/value affine). Both solved exactly, both verified on both sides."""
    data = base_record()
    data["schools"][1]["shared"]["teaching_aux_area_m2"] = 3000.5
    f = _finding(checker(), data, "R4", "B", "junior")
    assert f.status == "fail"
    advisor, target = _advisor_target(checker(), data, f)
    for pointer, whole in (("/schools/1/shared/teaching_aux_area_m2", False),
                           ("/schools/1/sections/junior/students", True)):
        value = get_at(exact(copy.deepcopy(data)), pointer)
        assert _closed_form(target.lever(pointer, value, whole)) is not None, pointer
    found = _both_sides(checker(), data, f, "R4")
    assert {r.pointer for r in found} >= {"/schools/1/shared/teaching_aux_area_m2",
                                          "/schools/1/sections/junior/students"}


from test_inheritance import CITE, PACK as STRICT_PACK  # noqa: E402  (the same child pack of national)


def test_strict_and_inclusive_at_an_exact_threshold(tmp_path):
    """At 1000 students, 4 per hundred is exactly 40 teachers: 以上 (≥) needs 40, 超过 (>) 41;
    and 不超过 900 students (≤) allows 900, 低于 900 (<) 899."""
    import textwrap
    d = tmp_path / "child"
    d.mkdir()
    (d / "pack.yaml").write_text(STRICT_PACK, encoding="utf-8")
    # thresholds are parameters (a literal in `require` is E332)
    (d / "params.yaml").write_text(textwrap.dedent("""\
        c_per_100: {title: 每百名, unit: 人/百生, reference: 测〔2024〕1号 二、（4人）, values: {2000-01-01: 4}}
        c_students: {title: 学生数, unit: 人, reference: 测〔2024〕1号 二、（900人）, values: {2000-01-01: 900}}
        """), encoding="utf-8")
    (d / "rules.yaml").write_text(textwrap.dedent(f"""\
        rules:
          - {{id: C-GE, title: 不低于, severity: must, applies_to: school_section, require: r1_value >= params.c_per_100, {CITE}}}
          - {{id: C-GT, title: 超过, severity: must, applies_to: school_section, require: r1_value > params.c_per_100, {CITE}}}
          - {{id: C-LE, title: 不超过, severity: must, applies_to: school_section, require: section.students <= params.c_students, {CITE}}}
          - {{id: C-LT, title: 低于, severity: must, applies_to: school_section, require: section.students < params.c_students, {CITE}}}
        """), encoding="utf-8")
    check = load_checker([str(d)])
    data = base_record()
    data["schools"][0]["sections"]["primary"]["teachers_above_required_degree"] = 30
    teachers, students = "/schools/0/sections/primary/teachers_above_required_degree", "/schools/0/sections/primary/students"
    expected = {"C-GE": {teachers: 40, students: 750}, "C-GT": {teachers: 41, students: 749},
                "C-LE": {students: 900}, "C-LT": {students: 899}}
    for rule, targets in expected.items():
        f = _finding(check, data, rule, "A", "primary")
        assert f.status == "fail"
        found = {r.pointer: r.target for r in _both_sides(check, data, f, rule)}
        assert found == targets, rule


def _two_short_indicators():
    """School A (primary, 1000 students): indicator 3 at 0.8 per hundred (89 % of 0.9: within
    85 %) and indicator 7 at 1.5 (65 % of 2.3: below 85 %) — 5 of 7 met."""
    data = base_record()
    sec = data["schools"][0]["sections"]["primary"]
    sec["pe_art_teachers"], sec["multimedia_classrooms"] = 8, 15
    f = _finding(checker(), data, "R-SCHOOL", "A", "primary")
    assert f.status == "fail"
    return data, f


def test_r_school_names_the_indicator():
    data, f = _two_short_indicators()
    found = remedies(checker().analyses[0], f, exact(copy.deepcopy(data)), AS_OF)
    alone = [r for r in found if r.kind == "indicator"]
    assert alone and alone[0].indicator == (7, "每百名学生拥有网络多媒体教室数", 1)
    assert alone[0].text_zh.startswith("第7项 每百名学生拥有网络多媒体教室数")
    assert (alone[0].current, alone[0].target) == (15, 23)   # 2.3 per hundred of 1000


def test_r_school_joint_remedy_passes_together_and_not_one_unit_short():
    data, f = _two_short_indicators()
    found = remedies(checker().analyses[0], f, exact(copy.deepcopy(data)), AS_OF)
    [joint] = [r for r in found if r.kind == "joint"]
    assert [(p.indicator[0], p.indicator[2]) for p in joint.parts] == [(3, 1), (7, Fraction(85, 100))]
    assert [p.target for p in joint.parts] == [9, 20]      # 0.9 per hundred; 85 % of 2.3 = 1.955
    fixed = copy.deepcopy(data)
    for p in joint.parts:
        set_at(fixed, p.pointer, p.target)
    assert _finding(checker(), fixed, "R-SCHOOL", "A", "primary").status == "pass"
    for p in joint.parts:
        short = copy.deepcopy(fixed)
        set_at(short, p.pointer, p.target - 1)
        assert _finding(checker(), short, "R-SCHOOL", "A", "primary").status == "fail", p.text_zh


def test_series_inputs_are_json_pointers():
    """A year-on-year series reads /history/<i>/<key> and /facts/<key> from the base year (the
    year before the measures, 2023) on; its remedies name the year of the entry they change."""
    check = load_checker(["zhangye"])
    data = json.loads((ROOT / "rules" / "local" / "zhangye" / "tests" / "record.json").read_text(encoding="utf-8"))
    key = "public_budget_education_expenditure_wan_yuan"
    assert [h["year"] for h in data["history"]] == [2021, 2022, 2023]    # the indices below
    data["year"], data["as_of"] = 2025, "2025-09-01"
    data["history"].append({"year": 2024, key: 5})
    data["history"][0][key] = 10 ** 7            # 2021, before the base: not read, not judged
    data["history"][2][key] = 10 ** 6            # the base year 2023 highest: 2024 and 2025 fell
    as_of = datetime.date.fromisoformat(data["as_of"])
    f = _finding(check, data, "ZY-18-BUDGET", as_of=as_of)
    assert f.status == "fail"
    pointers = [p for p, _ in f.inputs if p.endswith("/" + key)]
    assert pointers == [f"/history/2/{key}", f"/history/3/{key}", f"/facts/{key}"]
    assert not [p for p, _ in f.inputs if not p.startswith("/")]
    found = remedies(check.analyses[0], f, exact(copy.deepcopy(data)), as_of)
    assert [r.pointer for r in found] == pointers[1:]
    for r, year in zip(found, [2024, 2025]):
        assert r.text_zh.startswith(f"{year} 年") and r.target == 10 ** 6


def test_every_contributor_at_the_mean_matches_a_direct_computation():
    """The O(1) moved-member figures equal weighted_mean_and_cv over the changed rows."""
    data, analysis, as_of = _cv_example()
    rule = next(r for r in analysis.rules if r.id == "R6-CV")
    rows = cv_rows(analysis, rule, data, as_of, "primary")
    b = breakdown(rows, Fraction(1, 2))
    by_pointer = {c.pointer: c for c in b.ranked}
    for i, (x, p, entity) in enumerate(rows):
        trial = [(b.mean if j == i else xx, pp) for j, (xx, pp, _) in enumerate(rows)]
        assert by_pointer[entity.pointer].cv_at_mean == weighted_mean_and_cv(trial)[1]


def test_no_joint_remedy_carries_a_part_it_does_not_need():
    """171 students: one more multimedia classroom takes indicator 7 from 76 % past 100 %
    (3 → 4 rooms), so a joint remedy pairing it with indicator 4 (98.6 %) would carry a part
    it does not need. Every joint shown fails one unit short of each part; none repeats."""
    data = base_record()
    school = data["schools"][0]
    school["sections"]["primary"]["students"] = 171
    school["class_sizes"]["primary"] = [43, 43, 43, 42]
    school["sections"]["primary"]["classes"] = 4
    school["sections"]["primary"]["multimedia_classrooms"] = 3
    school["shared"]["teaching_aux_area_m2"] = 1058.7
    f = _finding(checker(), data, "R-SCHOOL", "A", "primary")
    assert f.status == "fail" and dict(f.notes)["near"] == [4]
    found = remedies(checker().analyses[0], f, exact(copy.deepcopy(data)), AS_OF)
    assert found[0].indicator[0] == 7 and found[0].target == 4
    changes = [tuple((p.pointer, p.target) for p in (r.parts or (r,))) for r in found]
    assert len(changes) == len(set(changes))
    for r in found:
        fixed = copy.deepcopy(data)
        for p in r.parts or (r,):
            set_at(fixed, p.pointer, p.target)
        assert _finding(checker(), fixed, "R-SCHOOL", "A", "primary").status == "pass", r.text_zh
        for p in r.parts:
            short = copy.deepcopy(fixed)
            set_at(short, p.pointer, p.target - (1 if isinstance(p.target, int) else Fraction(1, 100)))
            assert _finding(checker(), short, "R-SCHOOL", "A", "primary").status == "fail", p.text_zh


def test_a_comparison_two_rules_make_is_probed_once():
    """R7 and R-SCHOOL's seventh indicator compare the same expression for the same school
    section: an advisor that has solved R7 does not probe those points again for R-SCHOOL,
    and gives R-SCHOOL the same remedies as an advisor that never saw R7."""
    data, school_f = _two_short_indicators()
    r7 = _finding(checker(), data, "R7", "A", "primary")
    assert r7.status == "fail"
    alone = Advisor(checker(), exact(copy.deepcopy(data)), AS_OF)
    expected = alone.remedies(school_f)
    shared = Advisor(checker(), exact(copy.deepcopy(data)), AS_OF)
    shared.remedies(r7)
    before = shared.probes
    assert shared.remedies(school_f) == expected
    assert shared.probes - before < alone.probes


def test_a_lever_is_searched_only_the_way_its_comparison_improves():
    """A teaching point of 60 students, one teacher above the required degree short of R1:
    fewer students would pass the comparison but take the school out of the resource
    indicators (teaching points under 50), so the student count has no remedy — found with a
    few probes, not by doubling the students up to a billion the other way."""
    data = base_record()
    sec = data["schools"][4]["sections"]["primary"]
    sec["students"], sec["teachers_above_required_degree"] = 60, 2       # 3.33 per hundred < 4.2
    f = _finding(checker(), data, "R1", "E", "primary")
    assert f.status == "fail"
    advisor, _ = _advisor_target(checker(), data, f)
    found = advisor.remedies(f)
    assert [r.pointer for r in found] == ["/schools/4/sections/primary/teachers_above_required_degree"]
    assert advisor.probes <= 20


def _two_schools_short_of_r1():
    """Schools A (1000 primary students) and B (400) each 10 teachers above the required
    degree short of R1: the same comparison, the same inputs relative to each section."""
    data = base_record()
    for i, students in ((0, 1000), (1, 400)):
        sec = data["schools"][i]["sections"]["primary"]
        sec["teachers_above_required_degree"] = students * 42 // 1000 - 10
    check = checker()
    return data, _finding(check, data, "R1", "A", "primary"), _finding(check, data, "R1", "B", "primary")


def test_a_lever_of_a_shape_solved_before_is_fitted_on_two_points():
    """The model that fitted A's levers (teachers: affine; students: a denominator) is tried
    first for B's, from two points: B costs fewer probes than for an advisor that never saw A,
    and gets the same remedies."""
    data, a, b = _two_schools_short_of_r1()
    alone = Advisor(checker(), exact(copy.deepcopy(data)), AS_OF)
    expected = alone.remedies(b)
    assert {r.pointer.rsplit("/", 1)[1] for r in expected} == {"teachers_above_required_degree", "students"}
    learned = Advisor(checker(), exact(copy.deepcopy(data)), AS_OF)
    learned.remedies(a)
    assert sorted(learned.models.values()) == ["affine", "reciprocal"]
    before = learned.probes
    assert learned.remedies(b) == expected
    assert learned.probes - before < alone.probes


def test_a_wrong_model_remembered_falls_back_to_the_full_closed_form():
    """Each lever's shape remembered with the other model: the two-point guess does not settle,
    and the three-point closed form gives the same remedies as with nothing remembered."""
    data, _, b = _two_schools_short_of_r1()
    expected = Advisor(checker(), exact(copy.deepcopy(data)), AS_OF).remedies(b)
    primed = Advisor(checker(), exact(copy.deepcopy(data)), AS_OF)
    primed.remedies(b)
    wrong = {shape: "affine" if model == "reciprocal" else "reciprocal" for shape, model in primed.models.items()}
    misled = Advisor(checker(), exact(copy.deepcopy(data)), AS_OF)
    misled.models.update(wrong)
    assert misled.remedies(b) == expected
    assert misled.models == primed.models      # corrected by what fitted


@settings(max_examples=20)
@given(area_a=st.integers(500, 6000), area_b=st.integers(500, 4500), cents=st.integers(0, 99),
       students_b=st.integers(100, 900))
def test_remembered_models_give_what_a_fresh_advisor_gives(area_a, area_b, cents, students_b):
    """R4 short in schools A (primary) and B (nine-year, its area split 1 : 1.1): an advisor that
    solved A's finding first (and so fits B's inputs on two points) gives B's findings the same
    remedies as one that never saw A, and those pass and fail one unit short."""
    data = base_record()
    data["schools"][0]["shared"]["teaching_aux_area_m2"] = area_a
    data["schools"][1]["shared"]["teaching_aux_area_m2"] = float(Fraction(area_b) + Fraction(cents, 100))
    data["schools"][1]["sections"]["junior"]["students"] = students_b
    found = {f.subject.school + f.subject.section: f for f in checker().check(exact(copy.deepcopy(data)), AS_OF)
             if f.rule == "national/R4" and f.status == "fail"}
    if "Aprimary" not in found:
        return
    learned = Advisor(checker(), exact(copy.deepcopy(data)), AS_OF)
    learned.remedies(found["Aprimary"])
    for key in ("Bprimary", "Bjunior"):
        if key in found:
            f = found[key]
            assert learned.remedies(f) == Advisor(checker(), exact(copy.deepcopy(data)), AS_OF).remedies(f)
            _both_sides(checker(), data, f, "R4")
