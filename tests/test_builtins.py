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


def test_every_builtin_has_a_sample():
    assert set(SAMPLES) == set(BUILTINS)


dates = st.dates(datetime.date(2016, 1, 1), datetime.date(2036, 12, 31))


# One pack with a rule per built-in, named after it (random/sum, random/min, ...): one drawn
# record tests every entry, and a disagreement or a fallback names the built-in.
PACK = tuple((name, applies_to, None, require) for name, (applies_to, require) in sorted(SAMPLES.items()))


def test_every_sample_rule_type_checks():
    analysis = rules_pack(PACK)
    assert not analysis.errors, [(d.code, d.args) for d in analysis.errors]
    assert [r.id for r in analysis.rules] == [name for name, *_ in PACK]


@settings(max_examples=60)
@given(record=st.one_of(records(level="county"), records(level="county", keep=None)), as_of=dates)
def test_every_backend_handles_every_builtin(record, as_of):
    record["as_of"] = as_of.isoformat()
    analysis = rules_pack(PACK)
    agree(analysis, record, as_of)
    program = BatchBackend().prepare(analysis, as_of)
    program.run([view_of(record)])
    assert not program.fallbacks, program.fallbacks
