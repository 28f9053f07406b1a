"""A small county that passes every national rule, and helpers to patch it.

Values are chosen so each indicator passes with a margin; tests move one quantity to its
threshold, just under and just over, and check the one finding that quantity decides.
"""
from __future__ import annotations

import copy
import datetime
import math
from fractions import Fraction

from compliance.engine import load_checker
from compliance.record import exact

AS_OF = datetime.date(2024, 9, 1)
ATTESTED = ["G1", "G2", "G15", "Q3", "Q5", "Q6", "Q7", "Q8", "P1"]
# per level: (R1, R2, R3, R7) per hundred with a margin
MARGINS = {"primary": (5, 1.2, 1.1, 2.6), "junior": (6, 1.2, 1.1, 2.7)}


def class_sizes(students: int, classes: int) -> list[int]:
    return [students // classes + (1 if i < students % classes else 0) for i in range(classes)]


def section(level: str, students: int, classes: int | None = None) -> dict:
    r1, r2, r3, r7 = MARGINS[level]
    classes = classes or math.ceil(students / 40)
    return {"students": students, "classes": classes, "teachers": math.ceil(students * 8 / 100),
            "teachers_above_required_degree": math.ceil(students * r1 / 100),
            "backbone_teachers": math.ceil(students * r2 / 100), "pe_art_teachers": math.ceil(students * r3 / 100),
            "multimedia_classrooms": math.ceil(students * r7 / 100), "computers": math.ceil(students / 8)}


def school(id: str, type: str, levels: dict[str, int], location: str = "urban", high: int = 0) -> dict:
    sections = {level: section(level, n) for level, n in levels.items()}
    weighted = sum(n * {"primary": 1, "junior": 1.1}[lv] for lv, n in levels.items()) + 1.32 * high
    classes = sum(s["classes"] for s in sections.values())
    rooms = max(1, math.ceil(classes / 12))
    budget = 3000 * sum(levels.values()) + 50000
    data = {
        "id": id, "name": f"{id}学校", "type": type, "location": location, "boarding": False, "ownership": "public",
        "sections": sections,
        # generous per weighted student: 7 ㎡ teaching, 12 ㎡ sports, 3200 元 equipment
        "shared": {"teaching_aux_area_m2": round(weighted * 7 + 300), "indoor_sports_area_m2": 300,
                   "sports_ground_area_m2": round(weighted * 12), "equipment_value_wan_yuan": round(weighted * 0.32, 2)},
        "class_sizes": {lv: class_sizes(s["students"], s["classes"]) for lv, s in sections.items()},
        "music_rooms_m2": [100] * rooms, "art_rooms_m2": [95] * rooms,
        "public_budget_yuan": budget, "teacher_training_budget_yuan": budget * 6 // 100,
    }
    if high:
        data["high_school_students"] = high
        data["class_sizes"]["high"] = class_sizes(high, math.ceil(high / 45))
    return data


def base_record() -> dict:
    schools = [
        school("A", "primary", {"primary": 1000}),
        school("B", "nine_year", {"primary": 400, "junior": 300}, "town"),
        school("C", "junior", {"junior": 800}),
        school("D", "complete_middle", {"junior": 600}, high=500),
        school("E", "teaching_point", {"primary": 30}, "rural"),
        school("F", "special", {"primary": 50}),
    ]
    facts = {
        "basic_balance_certified_year": 2019,
        "public_funding_benchmark_primary_yuan": 650, "public_funding_benchmark_junior_yuan": 850,
        "special_ed_per_student_funding_yuan": 7000,
        "teacher_avg_salary_yuan": 112000, "civil_servant_avg_salary_yuan": 110000,
        "performance_pay_approved_wan_yuan": 3200, "performance_pay_required_wan_yuan": 3200,
        "training_360h_completion_rate": 1, "staff_quota_total": 400, "staff_quota_allocated": 398,
        "posts_total": 420, "posts_allocated": 420,
        "rotation_eligible_teachers": 300, "rotated_teachers": 36, "rotated_backbone_teachers": 9,
        "certified_teacher_rate": 1, "nearby_enrollment_rate_primary": 1, "nearby_enrollment_rate_junior": 0.97,
        "quality_high_school_quota_share": 0.55, "migrant_children_public_rate": 0.9,
        "junior_retention_rate": 0.98, "disabled_enrollment_rate": 0.97,
        "quality_monitoring_min_level": 3, "quality_monitoring_school_difference_rate": 0.1,
        "social_recognition_rate": 0.9,
        "veto": {k: False for k in ("exam_admission", "illegal_school_choice", "key_schools_or_classes",
                                    "unfilled_posts_or_long_term_contract_teachers", "major_safety_incident", "fraud")},
        "attestations": {k: {"status": "met", "evidence": "督导核查记录", "by": "县督导室", "date": "2024-08-20"}
                         for k in ATTESTED},
    }
    return {"format_version": "1", "jurisdiction": {"code": "999999", "name": "测试县", "level": "county"},
            "year": 2024, "as_of": "2024-09-01", "facts": facts, "schools": schools, "history": []}


_CHECKER = None


def checker():
    global _CHECKER
    if _CHECKER is None:
        _CHECKER = load_checker(["national"])
    return _CHECKER


def findings(data: dict, as_of=AS_OF):
    return checker().check(exact(copy.deepcopy(data)), as_of)


def finding(data: dict, rule: str, school: str | None = None, section: str | None = None):
    matches = [f for f in findings(data) if f.rule == f"national/{rule}"
               and (school is None or f.subject.school == school)
               and (section is None or f.subject.section == section)]
    assert len(matches) == 1, (rule, school, section, [(f.rule, f.subject) for f in matches])
    return matches[0]


def F(x) -> Fraction:
    return Fraction(str(x))
