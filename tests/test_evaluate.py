"""Compiled evaluation: exact boundaries, unknowns naming fields, undefined arithmetic,
aggregates, year series and the at-least-k-of-n rule."""
from fractions import Fraction

import pytest

from compliance.logic import Unknown
from helpers import errors, record, run, school


def section_record(**fields):
    return record(schools=[school(sections={"primary": fields})])


# -- exact boundaries ---------------------------------------------------------------------

@pytest.mark.parametrize("teachers,students,expected", [
    (9, 1000, True),      # 0.9 per hundred exactly: 以上 includes the number
    (8, 1000, False),
    (899, 100000, False),  # 0.899 < 0.9
    (900, 100000, True),
])
def test_per_hundred_boundary_is_exact(teachers, students, expected):
    data = section_record(students=students, pe_art_teachers=teachers)
    assert run("per_hundred(section.pe_art_teachers, section.students) >= 0.9", data, "school_section") is expected


def test_decimal_arithmetic_is_exact():
    assert run("0.1 + 0.2 == 0.3") is True
    assert run("4.2 * 3 == 12.6") is True
    assert run("1 / 3 * 3 == 1") is True


@pytest.mark.parametrize("value,op,expected", [
    (45, "<=", True), (46, "<=", False), (45, "<", False), (44, "<", True),
    (85, ">=", True), (84.99, ">=", False), (85, ">", False),
])
def test_inclusive_and_exclusive_comparisons(value, op, expected):
    limit = 45 if op in ("<=", "<") and value < 50 else 85
    assert run(f"{value} {op} {limit}") is expected


def test_yaml_and_json_decimals_meet_thresholds_exactly():
    data = record(facts={"junior_retention_rate": 0.95})
    assert run("facts.junior_retention_rate >= 95%", data) is True
    assert run("facts.junior_retention_rate > 95%", data) is False


# -- missing data and undefined arithmetic -------------------------------------------------

def test_missing_field_is_unknown_and_named():
    data = section_record(students=1000)
    got = run("per_hundred(section.pe_art_teachers, section.students) >= 0.9", data, "school_section")
    assert isinstance(got, Unknown)
    assert got.missing == {"/schools/0/sections/primary/pe_art_teachers"}


def test_missing_nested_group_names_the_full_pointer():
    data = record(schools=[school(sections={"primary": {"students": 10}})])
    got = run("school.shared.sports_ground_area_m2 > 0 ㎡", data, "school")
    assert got.missing == {"/schools/0/shared/sports_ground_area_m2"}


def test_division_by_zero_is_undefined_not_a_crash():
    data = section_record(students=0, pe_art_teachers=0)
    got = run("section.pe_art_teachers / section.students >= 0.009", data, "school_section")
    assert isinstance(got, Unknown) and not got.missing
    assert ("division_by_zero", "denominator") in got.undefined
    got = run("per_hundred(section.pe_art_teachers, section.students) >= 0.9", data, "school_section")
    assert isinstance(got, Unknown) and got.undefined


# -- collections ---------------------------------------------------------------------------

def county():
    return record(schools=[
        school(id="a", type="primary", location="urban", sections={"primary": {"students": 1200}},
               class_sizes={"primary": [44, 45, 46]}),
        school(id="b", type="junior", location="rural", sections={"junior": {"students": 800}}),
        school(id="c", type="nine_year", location="town",
               sections={"primary": {"students": 300}, "junior": {"students": 200}}),
        school(id="d", type="special", location="urban", sections={"primary": {"students": 60}}),
    ])


def test_sum_count_min_max_mean_share():
    data = county()
    assert run("sum(s.students for s in sections)", data) == 2560
    assert run('sum(s.students for s in sections where s.level == "primary")', data) == 1560
    assert run('count(s.type == "primary" for s in schools)', data) == 1
    assert run("min(s.students for s in sections)", data) == 60
    assert run("max(s.students for s in sections)", data) == 1200
    assert run("mean(s.students for s in sections)", data) == Fraction(2560, 5)
    assert run('share(s.location == "urban" for s in schools)', data) == Fraction(1, 2)


def test_all_any_over_a_list_of_numbers():
    data = county()
    assert run("all(c <= 46 for c in section.class_sizes)", data, "school_section") is True
    assert run("all(c <= 45 for c in section.class_sizes)", data, "school_section") is False
    assert run("any(c > 45 for c in section.class_sizes)", data, "school_section") is True
    assert run("count(c > 45 for c in section.class_sizes)", data, "school_section") == 1


def test_aggregates_over_missing_members_are_unknown_but_all_can_still_fail():
    data = record(schools=[school(id="a", sections={"primary": {"students": 10}}),
                           school(id="b", sections={"primary": {}}),
                           school(id="c", sections={"primary": {"students": 5000}})])
    got = run("sum(s.students for s in sections)", data)
    assert got.missing == {"/schools/1/sections/primary/students"}
    # one member definitely fails: the whole `all` is false whatever the missing one holds
    assert run("all(s.students <= 2000 for s in sections)", data) is False
    assert isinstance(run("all(s.students <= 9000 for s in sections)", data), Unknown)
    assert run("any(s.students > 2000 for s in sections)", data) is True


def test_empty_aggregates():
    data = record(schools=[])
    assert run("sum(s.students for s in sections)", data) == 0
    assert run("all(s.students > 0 for s in sections)", data) is True
    assert isinstance(run("min(s.students for s in sections)", data), Unknown)
    assert isinstance(run("weighted_cv(s.students, s.students for s in sections)", data), Unknown)


def test_sections_mean_the_subjects_own_sections():
    data = county()
    assert run("sum(s.students for s in sections)", data, "school", school_index=2) == 500
    assert run("sum(s.students for s in sections)", data, "section_level", level="junior") == 1000


def test_membership_conditional_known():
    data = county()
    assert run('school.type in ["nine_year", "twelve_year"]', data, "school", school_index=2) is True
    assert run('school.type not in ["special"]', data, "school", school_index=3) is False
    limit = 'if school.type in ["nine_year", "twelve_year"] then 2500 else 2000'
    assert run(f"sum(s.students for s in sections) <= ({limit})", data, "school", school_index=2) is True
    assert run("known(school.shared.sports_ground_area_m2)", data, "school") is False
    assert run("known(section.students)", data, "school_section") is True


def test_chinese_aliases_resolve_to_schema_fields():
    data = section_record(students=1000, pe_art_teachers=9)
    assert run("section.学生数 == 1000", data, "school_section") is True
    assert run("学生数 == section.students", data, "school_section") is True


# -- year series -------------------------------------------------------------------------

def test_non_decreasing_series_names_the_year_it_fell():
    data = record(year=2024, facts={"education_expenditure_wan_yuan": 1500},
                  history=[{"year": 2021, "education_expenditure_wan_yuan": 1200},
                           {"year": 2022, "education_expenditure_wan_yuan": 1300},
                           {"year": 2023, "education_expenditure_wan_yuan": 1250}])
    got, env = run("non_decreasing(series(facts.education_expenditure_wan_yuan))", data, trace=True)
    assert got is False
    assert env.notes["fell_in"] == 2023
    assert run("latest(series(facts.education_expenditure_wan_yuan)) == 1500 万元", data) is True
    assert run("previous(series(facts.education_expenditure_wan_yuan)) == 1250 万元", data) is True


def test_series_with_a_gap_or_a_missing_value_is_unknown():
    data = record(year=2024, facts={"education_expenditure_wan_yuan": 1500},
                  history=[{"year": 2022, "education_expenditure_wan_yuan": 1300}])
    got = run("non_decreasing(series(facts.education_expenditure_wan_yuan))", data)
    assert isinstance(got, Unknown) and ("missing_year", "2023") in got.undefined
    data = record(year=2024, facts={}, history=[{"year": 2023, "education_expenditure_wan_yuan": 1300}])
    got = run("increasing(series(facts.education_expenditure_wan_yuan))", data)
    assert got.missing == {"/facts/education_expenditure_wan_yuan"}


def test_series_rising_every_year_passes():
    data = record(year=2024, facts={"education_expenditure_wan_yuan": 1500},
                  history=[{"year": 2023, "education_expenditure_wan_yuan": 1500},
                           {"year": 2022, "education_expenditure_wan_yuan": 1400}])
    assert run("non_decreasing(series(facts.education_expenditure_wan_yuan))", data) is True
    assert run("increasing(series(facts.education_expenditure_wan_yuan))", data) is False


# -- at least k of n -----------------------------------------------------------------------

def at_least(**facts):
    names = {"a": "teacher_avg_salary_yuan", "b": "civil_servant_avg_salary_yuan",
             "c": "special_ed_per_student_funding_yuan"}
    data = record(facts={names[k]: v for k, v in facts.items()})
    conditions = ", ".join(f"facts.{names[k]} >= 10 元" for k in "abc")
    return run(f"at_least(2, 85%, [{conditions}])", data)


@pytest.mark.parametrize("facts,expected", [
    ({"a": 10, "b": 10, "c": 10}, True),
    ({"a": 10, "b": 10, "c": 8.5}, True),     # the rest at exactly 85 %
    ({"a": 10, "b": 10, "c": 8.49}, False),   # the rest under 85 %
    ({"a": 10, "b": 9, "c": 9}, False),       # only one met
    ({"a": 10, "b": 10}, "unknown"),          # c unknown: could pass or fail
    ({"a": 10, "b": 8}, False),               # b is under 85 %: fails whatever c is
    ({"a": 10}, "unknown"),
    ({"a": 1}, False),
])
def test_at_least_k_of_n_with_the_rest_near(facts, expected):
    got = at_least(**facts)
    if expected == "unknown":
        assert isinstance(got, Unknown)
    else:
        assert got is expected


def test_at_least_requires_threshold_comparisons():
    assert errors("at_least(1, 85%, [facts.junior_retention_rate <= 1])")[0].code == "E225"


# -- derived fields ------------------------------------------------------------------------

def test_derived_fields_are_computed_once_per_entity_and_usable_in_aggregates():
    data = county()
    derived = {("section", "size_ok"): "section.students <= 1000"}
    assert run("count(s.size_ok for s in sections)", data, derived=derived) == 4
    assert run("size_ok", data, "school_section", derived=derived) is False


def test_derived_cycle_is_reported():
    derived = {("section", "a"): "section.b + 1", ("section", "b"): "section.a + 1"}
    codes = [e.code for e in errors("section.a > 0", "school_section", derived=derived)]
    assert "E232" in codes
