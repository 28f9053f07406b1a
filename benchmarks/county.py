"""A deterministic synthetic county record for the benchmarks (no dependency on examples/).

`county_record(seed)` returns a plain JSON-like dict (decimals as floats, as `json.load`
would give) following the record format (README, compliance/schemas/record.schema.json):
82 schools — primary schools, teaching points (two under 50 students), junior schools,
nine-year schools (primary + junior), a twelve-year school and a complete middle school
(junior + high-school students), and a special-education school. Every school field is
present. Indicator values are drawn around the national thresholds so that passes,
failures and "near" (≥ 85 %) misses all occur.

`with_holes(record, seed)` returns a copy with fields removed and a zero-student section,
to check the hand-written baseline against the compiled rules on unknown / not-applicable
paths too.
"""
from __future__ import annotations

import copy
import random

from compliance.remedy import even_classes

# Thresholds only shape the synthetic data; the rules read theirs from rules/national/params.yaml.
_PER_100 = {  # teachers above degree, backbone, PE/art, multimedia classrooms
    "primary": (4.2, 1.0, 0.9, 2.3),
    "junior": (5.3, 1.0, 0.9, 2.4),
}
_PER_STUDENT = {  # teaching area ㎡, sports area ㎡, equipment 元
    "primary": (4.5, 7.5, 2000.0),
    "junior": (5.8, 10.2, 2500.0),
}
_WEIGHTS = {"primary": 1.0, "junior": 1.1, "high": 1.32}

# (type, count, sections, students range per section, high-school students range)
_MIX = [
    ("primary", 44, ("primary",), (80, 2600), None),
    ("teaching_point", 6, ("primary",), (20, 120), None),
    ("junior", 18, ("junior",), (300, 2200), None),
    ("nine_year", 10, ("primary", "junior"), (250, 1500), None),
    ("twelve_year", 1, ("primary", "junior"), (600, 1400), (700, 1200)),
    ("complete_middle", 2, ("junior",), (700, 1600), (900, 2000)),
    ("special", 1, ("primary",), (60, 150), None),
]


def _factor(rng: random.Random, below: float = 0.20) -> float:
    """How far an indicator sits from its threshold: mostly above, some near, a few far below.
    `below` is the share drawn under the threshold (about two thirds of it near, ≥ 85 %)."""
    r = rng.random()
    if r < 1.0 - below:
        return rng.uniform(1.0, 1.6)
    if r < 1.0 - below * 0.35:
        return rng.uniform(0.86, 1.0)
    return rng.uniform(0.55, 0.85)


def _section(rng: random.Random, level: str, students: int, below: float = 0.20) -> dict:
    deg, backbone, pe_art, mm = _PER_100[level]
    classes = max(1, round(students / rng.uniform(38, 48)))
    teachers = max(2, round(students / rng.uniform(12, 17)))

    def per_100(threshold):
        return max(0, round(threshold * _factor(rng, below) * students / 100 + 0.49))

    above, core, pe = per_100(deg), per_100(backbone), per_100(pe_art)
    # Teachers of a kind are among the section's teachers (plausibility W130): a section whose
    # drawn kinds outnumber its drawn teachers gets as many teachers as its largest kind.
    teachers = max(teachers, above, core, pe)
    return {
        "students": students, "classes": classes, "teachers": teachers,
        "teachers_above_required_degree": above,
        "backbone_teachers": core,
        "pe_art_teachers": pe,
        "multimedia_classrooms": per_100(mm),
        "computers": round(students * rng.uniform(0.08, 0.2)),
        "teacher_computers": teachers,
    }


def _class_sizes(rng: random.Random, students: int, classes: int) -> list[int]:
    """One size per class, each the even share give or take 3, adding up to the section's
    students (plausibility W132): the drawn differences are kept, and what they add up to
    is taken back one student at a time over the classes."""
    sizes = [size + rng.randint(-3, 3) for size in even_classes(students, classes)]
    smallest = 1 if students >= classes else 0
    sizes = [max(size, smallest) for size in sizes]
    excess = sum(sizes) - students
    i = 0
    while excess:
        step = 1 if excess > 0 else -1
        if sizes[i % classes] - step >= smallest:
            sizes[i % classes] -= step
            excess -= step
        i += 1
    return sizes


def _school(rng: random.Random, index: int, kind: str, levels, students_range, high_range,
            below: float = 0.20) -> dict:
    sections = {level: _section(rng, level, rng.randint(*students_range), below) for level in levels}
    high = rng.randint(*high_range) if high_range else 0
    # Whole-school quantities: what each section needs at a random distance from the
    # threshold, weighted like the split (so the split gives roughly the drawn ratio).
    weighted = {lv: _WEIGHTS[lv] * s["students"] for lv, s in sections.items()}
    total_w = sum(weighted.values()) + _WEIGHTS["high"] * high
    teaching = sports = equipment = 0.0
    for level, s in sections.items():
        area, sport, equip = _PER_STUDENT[level]
        scale = total_w / weighted[level] * s["students"] / len(sections)
        teaching += area * _factor(rng, below) * scale
        sports += sport * _factor(rng, below) * scale
        equipment += equip * _factor(rng, below) * scale
    indoor = round(rng.uniform(0.0, 0.08) * teaching, 1) if kind != "teaching_point" else 0.0
    school = {
        "id": f"3507020{index:04d}",
        "name": f"合成县第{index}学校",
        "type": kind,
        "location": rng.choice(("urban", "town", "rural")),
        "boarding": rng.random() < 0.3,
        "ownership": "public" if rng.random() < 0.95 else "private",
        "built_year": rng.randint(1950, 2020),
        "sections": sections,
        "shared": {
            "teaching_aux_area_m2": round(teaching + indoor, 1),
            "indoor_sports_area_m2": indoor,
            "sports_ground_area_m2": round(max(sports - indoor, 0.0), 1),
            "equipment_value_wan_yuan": round(equipment / 10000, 2),
        },
        "high_school_students": high,
        "high_school_classes": round(high / 50) if high else 0,
        "class_sizes": {lv: _class_sizes(rng, s["students"], s["classes"]) for lv, s in sections.items()},
        "music_rooms_m2": [round(rng.uniform(70, 110), 1) for _ in range(rng.randint(1, 3))],
        "art_rooms_m2": [round(rng.uniform(70, 110), 1) for _ in range(rng.randint(1, 2))],
        "public_budget_yuan": round(sum(s["students"] for s in sections.values()) * rng.uniform(700, 1200), 2),
        "teacher_training_budget_yuan": round(rng.uniform(20000, 300000), 2),
    }
    return school


def county_facts(rng: random.Random, students: int, teachers: int) -> dict:
    """Every county figure of the record schema, with plausible values, and no veto."""
    rate = lambda lo=0.85, hi=1.0: round(rng.uniform(lo, hi), 4)  # noqa: E731
    return {
        "basic_balance_certified_year": 2018,
        "students_total": students, "teachers_total": teachers,
        "public_funding_benchmark_primary_yuan": 650.0, "public_funding_benchmark_junior_yuan": 850.0,
        "small_schools": 6, "small_schools_funded_as_100": 6,
        "special_ed_per_student_funding_yuan": 6500.0,
        "teacher_avg_salary_yuan": 98500.0, "civil_servant_avg_salary_yuan": 96200.0,
        "performance_pay_approved_wan_yuan": 8450.5, "performance_pay_required_wan_yuan": 8450.5,
        "training_360h_completion_rate": rate(0.9),
        "staff_quota_total": teachers + 120, "staff_quota_allocated": teachers + 120,
        "posts_total": teachers + 100, "posts_allocated": teachers + 100,
        "rotation_eligible_teachers": 820, "rotated_teachers": 140, "rotated_backbone_teachers": 30,
        "certified_teacher_rate": rate(0.95), "nearby_enrollment_rate_primary": rate(0.95),
        "nearby_enrollment_rate_junior": rate(0.95), "quality_high_school_quota_share": rate(0.5, 0.6),
        "migrant_children_public_rate": rate(0.85), "junior_retention_rate": rate(0.95),
        "disabled_enrollment_rate": rate(0.9), "quality_monitoring_min_level": 2,
        "quality_monitoring_school_difference_rate": rate(0.05, 0.15), "social_recognition_rate": rate(0.85),
        "education_expenditure_wan_yuan": 152300.5, "public_budget_education_expenditure_wan_yuan": 141200.0,
        "per_student_expenditure_yuan": 14210.0, "compulsory_retention_rate": rate(0.95),
        "preschool_gross_enrollment_rate": rate(0.9), "inclusive_kindergarten_coverage_rate": rate(0.85),
        "public_kindergarten_enrollment_share": rate(0.5, 0.7), "high_school_gross_enrollment_rate": rate(0.9),
        "higher_education_gross_enrollment_rate": rate(0.5, 0.6), "quality_balanced_county_share": rate(0.3, 0.6),
        "boarding_bed_compliance_rate": rate(0.9), "student_physical_health_pass_rate": rate(0.9),
        "curriculum_offering_rate": rate(0.95), "campus_football_schools": 9, "resource_classrooms": 5,
        "interactive_teaching_classes": 40, "schools_with_labor_practice_base": 30,
        "veto": {"exam_admission": False, "illegal_school_choice": False, "key_schools_or_classes": False,
                 "unfilled_posts_or_long_term_contract_teachers": False, "major_safety_incident": False,
                 "fraud": False},
    }


def scaled_mix(schools: int) -> list[tuple[str, int]]:
    """(type, count) of `_MIX` scaled to about `schools` schools, every type kept."""
    total = sum(m[1] for m in _MIX)
    return [(m[0], max(1, round(m[1] * schools / total))) for m in _MIX]


def county_record(seed: int = 20240901, attestations=(), schools: int | None = None,
                  below: float = 0.20) -> dict:
    """The benchmark county; `attestations`: rule ids to attest as met (qualitative clauses).
    `schools` scales the school mix (default: 82 schools); `below` is the share of indicator
    values drawn under their threshold (default 0.20)."""
    rng = random.Random(seed)
    counts = dict(scaled_mix(schools)) if schools else {m[0]: m[1] for m in _MIX}
    schools = []
    index = 1
    for kind, _, levels, students_range, high_range in _MIX:
        for n in range(counts[kind]):
            if kind == "teaching_point" and n < 2:
                rng_range = (20, 45)          # two teaching points under 50 students: out of scope
            else:
                rng_range = students_range
            schools.append(_school(rng, index, kind, levels, rng_range, high_range, below))
            index += 1
    rng.shuffle(schools)
    students = sum(s["students"] for school in schools for s in school["sections"].values())
    teachers = sum(s["teachers"] for school in schools for s in school["sections"].values())
    facts = county_facts(rng, students, teachers)
    facts["attestations"] = {rule: {"status": "met", "evidence": "合成数据", "by": "benchmark",
                                    "date": "2024-08-30"} for rule in attestations}
    history = []
    for year, factor in ((2022, 0.93), (2023, 0.97)):
        history.append({"year": year, "students_total": students - (2024 - year) * 300,
                        "education_expenditure_wan_yuan": round(152300.5 * factor, 1),
                        "public_budget_education_expenditure_wan_yuan": round(141200.0 * factor, 1),
                        "per_student_expenditure_yuan": round(14210.0 * factor, 1)})
    return {
        "format_version": "1",
        "jurisdiction": {"code": "350799", "name": "合成县", "level": "county",
                         "parent": {"code": "350700", "name": "合成市"}},
        "year": 2024,
        "as_of": "2024-09-01",
        "packs": ["national"],
        "facts": facts,
        "schools": schools,
        "history": history,
    }


def with_holes(record: dict, seed: int = 7) -> dict:
    """A copy with fields missing here and there and one section with 0 students."""
    rng = random.Random(seed)
    out = copy.deepcopy(record)
    section_keys = ("students", "teachers_above_required_degree", "backbone_teachers", "pe_art_teachers",
                    "multimedia_classrooms")
    shared_keys = ("teaching_aux_area_m2", "indoor_sports_area_m2", "sports_ground_area_m2",
                   "equipment_value_wan_yuan")
    for i, school in enumerate(out["schools"]):
        r = rng.random()
        if r < 0.10:
            level = rng.choice(list(school["sections"]))
            del school["sections"][level][rng.choice(section_keys)]
        elif r < 0.18:
            del school["shared"][rng.choice(shared_keys)]
        elif r < 0.22:
            del school["high_school_students"]
        elif r < 0.25:
            school.pop("shared")
    # Division by zero: a section with no students (rules not applicable, or unknown elsewhere).
    zero = next(s for s in out["schools"] if s.get("type") == "primary" and "students" in s["sections"]["primary"])
    zero["sections"]["primary"]["students"] = 0
    # Out of scope only with a known student count: a teaching point with the count missing.
    tp = next(s for s in out["schools"] if s.get("type") == "teaching_point")
    tp["sections"]["primary"].pop("students", None)
    # A complete middle school without its high-school count: the split is unknown.
    cm = next((s for s in out["schools"] if s.get("type") == "complete_middle"), None)
    if cm is not None:
        cm.pop("high_school_students", None)
    return out
