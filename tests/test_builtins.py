"""The registry of built-in functions drives every backend: each entry is exercised on its
own by the tracing interpreter, the closures and the columnar backend, which must agree
finding by finding — and the columnar backend must handle it itself, not hand the rule to
the closures."""
from __future__ import annotations

import datetime

from hypothesis import given, settings, strategies as st

from compliance.dsl.builtins import BUILTINS
from compliance.run.batch import BatchBackend
from compliance.strategies import records

from compliance.run.closures import view_of

from test_differential import agree, rules_pack

# One rule per built-in: (applies_to, require, record level).
SAMPLES = {
    "sum": ("school_section", "sum(s.students for s in sections) >= 500"),
    "min": ("school_section", "min(s.students for s in sections) >= 100"),
    "max": ("school_section", "max(c for c in section.class_sizes) <= 45"),
    "mean": ("school_section", "mean(s.students for s in sections where s.teachers > 10) >= 300"),
    "count": ("jurisdiction", "count(s.type == \"primary\" for s in schools) >= 2"),
    "share": ("school_section", "share(s.students > 200 for s in sections) >= 50%"),
    "all": ("school", "all(a >= 60 ㎡ for a in school.music_rooms_m2)"),
    "any": ("school_section", "any(s.teachers > 100 for s in sections where s.students > 10)"),
    "weighted_cv": ("section_level", "weighted_cv(s.teachers, s.students for s in sections) <= 0.5"),
    "per_hundred": ("school_section", "per_hundred(section.teachers, section.students) >= 4.2"),
    "least": ("school_section", "least(section.students, section.teachers, section.classes) >= 30"),
    "greatest": ("school_section", "greatest(section.students, section.teachers) >= 300"),
    "abs": ("school_section", "abs(section.students - section.teachers) >= 100"),
    "ceil": ("school_section", "ceil(section.students / 7) >= 50"),
    "floor": ("school_section", "floor(section.students / 7) >= 50"),
    "len": ("school_section", "len(section.class_sizes) >= 3"),
    "year": ("jurisdiction", "year(as_of) >= 2020年"),
    "series": ("jurisdiction", "latest(series(facts.public_budget_education_expenditure_wan_yuan)) > 0 万元"),
    "county_series": ("jurisdiction", "non_decreasing(county_series(facts.public_budget_education_expenditure_wan_yuan))"),
    "non_decreasing": ("jurisdiction", "non_decreasing(series(facts.public_budget_education_expenditure_wan_yuan))"),
    "increasing": ("jurisdiction", "increasing(series(facts.public_budget_education_expenditure_wan_yuan))"),
    "latest": ("jurisdiction", "latest(series(facts.per_student_public_budget_education_expenditure_yuan)) >= 10000 元"),
    "previous": ("jurisdiction", "previous(series(facts.per_student_public_budget_education_expenditure_yuan)) >= 10000 元"),
    "split": ("school_section", "split(school.shared.equipment_value_wan_yuan, params.split_weights) / section.students >= 2000 元"),
    "at_least": ("school_section", "at_least(2, 85%, [section.teachers >= 10, section.classes >= 10, section.students >= 300])"),
    "known": ("school_section", "known(section.backbone_teachers)"),
    "attested": ("jurisdiction", "attested(\"G15\")"),
    "round_to": ("school_section", "round_to(section.students / 7, 10) >= 150"),
    "reported": ("section_level", "reported(\"r1_cv\") <= 0.5"),
    "printed_gap": ("section_level",
                    "printed_gap(weighted_cv(s.teachers, s.students for s in sections), \"r2_cv\") <= 0.005"),
    "printed_tolerance": ("section_level", "printed_tolerance(\"r3_mean\") >= 0.005"),
}


# Forms of a built-in beyond its sample: a series bounded by the day its duty starts.
VARIANTS = {
    "non_decreasing_since": ("jurisdiction", "non_decreasing(series(facts.public_budget_education_expenditure_wan_yuan, 2021-01-01))"),
    "increasing_since": ("jurisdiction", "increasing(series(facts.public_budget_education_expenditure_wan_yuan, 2023-07-01))"),
    "previous_since": ("jurisdiction", "previous(series(facts.per_student_public_budget_education_expenditure_yuan, 2022-01-01)) >= 10000 元"),
    "county_series_since": ("jurisdiction", "increasing(county_series(facts.per_student_public_budget_education_expenditure_yuan, 2021-01-01)) or non_decreasing(series(facts.per_student_public_budget_education_expenditure_yuan, 2021-01-01))"),
}


def test_every_builtin_has_a_sample():
    assert set(SAMPLES) == set(BUILTINS)


dates = st.dates(datetime.date(2016, 1, 1), datetime.date(2036, 12, 31))


# One pack with a rule per built-in, named after it (random/sum, random/min, ...): one drawn
# record tests every entry, and a disagreement or a fallback names the built-in.
PACK = tuple((name, applies_to, None, require) for name, (applies_to, require) in sorted({**SAMPLES, **VARIANTS}.items()))


def test_every_sample_rule_type_checks():
    analysis = rules_pack(PACK)
    assert not analysis.errors, [(d.code, d.args) for d in analysis.errors]
    assert [r.id for r in analysis.rules] == [name for name, *_ in PACK]


# ---- a series bounded by the day its duty starts -------------------------------------------

def _city(values: dict[int, int | None], year: int = 2024) -> dict:
    """A city record whose per-student spending is `values` by year (the last is `year`)."""
    key = "per_student_public_budget_education_expenditure_yuan"
    history = [{"year": y, **({} if v is None else {key: v})} for y, v in sorted(values.items()) if y != year]
    return {"format_version": "1", "jurisdiction": {"code": "620700", "name": "张掖市", "level": "city"},
            "year": year, "as_of": f"{year}-09-01", "facts": {key: values[year]}, "history": history}


def _judge(require: str, record: dict):
    from test_differential import BACKENDS
    analysis = rules_pack((("S", "jurisdiction", None, require),))
    assert not analysis.errors, [(d.code, d.args) for d in analysis.errors]
    agree(analysis, record, datetime.date(2024, 9, 1))
    (result,) = BACKENDS[0].prepare(analysis, datetime.date(2024, 9, 1)).run([view_of(record)])
    (finding,) = result.findings
    return finding


FALL_IN_2023 = {2021: 16850, 2022: 17420, 2023: 17390, 2024: 17500}


def test_a_fall_before_the_start_is_not_judged():
    """逐年只增不减 from 2024-01-05: 2023 is the base, the 2022→2023 fall is before the duty."""
    since = _judge("non_decreasing(series(facts.per_student_public_budget_education_expenditure_yuan, 2024-01-05))",
                   _city(FALL_IN_2023))
    assert since.status == "pass"
    unbounded = _judge("non_decreasing(series(facts.per_student_public_budget_education_expenditure_yuan))",
                       _city(FALL_IN_2023))
    assert unbounded.status == "fail"


def test_a_fall_from_the_base_year_is_judged():
    since = _judge("non_decreasing(series(facts.per_student_public_budget_education_expenditure_yuan, 2024-01-05))",
                   _city({**FALL_IN_2023, 2024: 17389}))
    assert since.status == "fail"
    earlier = _judge("non_decreasing(series(facts.per_student_public_budget_education_expenditure_yuan, 2023-01-01))",
                     _city(FALL_IN_2023))
    assert earlier.status == "fail"   # 2023 is now judged against its base 2022


def test_a_missing_base_year_is_unknown_and_an_earlier_gap_does_not_matter():
    gap_before = _judge("non_decreasing(series(facts.per_student_public_budget_education_expenditure_yuan, 2024-01-05))",
                        _city({2021: 16850, 2022: None, 2023: 17390, 2024: 17500}))
    assert gap_before.status == "pass"
    no_base = _judge("non_decreasing(series(facts.per_student_public_budget_education_expenditure_yuan, 2024-01-05))",
                     _city({2021: 16850, 2022: 17420, 2023: None, 2024: 17500}))
    assert no_base.status == "unknown"
    assert no_base.missing == ("/history/2/per_student_public_budget_education_expenditure_yuan",)


def test_the_start_of_a_series_must_be_a_date_literal():
    analysis = rules_pack((("S", "jurisdiction", None,
                            "non_decreasing(series(facts.per_student_public_budget_education_expenditure_yuan, 2024))"),))
    assert [d.code for d in analysis.errors] == ["E220"]


@settings(max_examples=30)
@given(record=st.one_of(records(level="county"), records(level="county", keep=None),
                        records(level="city", keep=None, counties=True)), as_of=dates)
def test_every_backend_handles_every_builtin(record, as_of):
    record["as_of"] = as_of.isoformat()
    analysis = rules_pack(PACK)
    agree(analysis, record, as_of)
    program = BatchBackend().prepare(analysis, as_of)
    program.run([view_of(record)])
    assert not program.fallbacks, program.fallbacks


# ---- every county of a city record ---------------------------------------------------------

RISING = "non_decreasing(county_series(facts.per_student_public_budget_education_expenditure_yuan, 2024-01-05))"


def _with_counties(*counties: dict) -> dict:
    record = _city(FALL_IN_2023)
    record["counties"] = [{"code": f"62070{i + 2}", "name": f"县{i + 1}", **c} for i, c in enumerate(counties)]
    return record


def _county(values: dict[int, int | None]) -> dict:
    city = _city(values)
    return {"facts": city["facts"], "history": city["history"]}


def test_every_county_is_judged_from_the_start():
    key = "per_student_public_budget_education_expenditure_yuan"
    good, fell_before = _county({2023: 9000, 2024: 9100}), _county({2022: 9500, 2023: 9000, 2024: 9000})
    assert _judge(RISING, _with_counties(good, fell_before)).status == "pass"
    fell = _judge(RISING, _with_counties(good, _county({2023: 9000, 2024: 8999})))
    assert fell.status == "fail"
    gap = _judge(RISING, _with_counties(good, _county({2023: None, 2024: 9100}), _county({2023: 9000, 2024: 8000})))
    assert gap.status == "fail"          # a county that fell decides, whatever another lacks
    unknown = _judge(RISING, _with_counties(good, _county({2023: None, 2024: 9100})))
    assert unknown.status == "unknown" and unknown.missing == (f"/counties/1/history/0/{key}",)
    no_year = _judge(RISING, _with_counties(good, {"facts": {key: 9100}}))
    assert no_year.status == "unknown" and no_year.missing == ("/counties/1/history",)


def test_a_city_without_its_counties_is_unknown():
    record = _city(FALL_IN_2023)
    assert _judge(RISING, record).missing == ("/counties",)
    record["counties"] = []
    assert _judge(RISING, record).missing == ("/counties",)


def test_a_county_series_is_not_one_value():
    analysis = rules_pack((("S", "jurisdiction", None,
                            "latest(county_series(facts.per_student_public_budget_education_expenditure_yuan)) > 0 元"),))
    assert [d.code for d in analysis.errors] == ["E220"]
