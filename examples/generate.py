#!/usr/bin/env python3
"""Seeded generator of the example county records in examples/.

    python examples/generate.py            # (re)writes every file listed in FILES
    python examples/generate.py --check    # regenerate in memory, compare with the files on disk

Standard library only. Each record comes from its own `random.Random(seed)`, and nothing else
(no clock, no dict/set iteration order, no environment) feeds into it, so two runs give
byte-identical files.

The records are fictional counties shaped like a real one (延平区 has ~70 schools of this mix).
Numbers follow the national standard, 教督〔2017〕6号 (see shared/domain/national-standard.md):

* county-pass.json     everything passes, with realistic margins (resource CVs 0.1-0.3);
* county-fail.json     another seed, with the failures designed in `fail_design()`:
                       R1/R4/R5/R6/R7 misses (one per school at >= 85 % so R-SCHOOL still
                       passes; two at >= 85 %, and one under 85 %, so R-SCHOOL fails), the
                       primary R6-CV over 0.50 although every school meets R6, over-size
                       classes (G5), one primary school over 2000 students (G4), and the
                       veto facts.veto.key_schools_or_classes (V3);
* county-missing.json  county-pass.json (same seed) with the fields removed in
                       `missing_edits()`: those rules report unknown, nothing fails. Two of
                       the removals are in schools outside the resource scope (a teaching
                       point under 50 students, the special school) and must change nothing.

Other files in examples/ (worked-example-*.json) are built by worked_examples.py, not here.

The generator checks its own output (`self_check`) with an independent re-computation of the
seven resource indicators, the split of shared quantities (1 : 1.1 : 1.32), the school rule and
the student-weighted CVs, so a change of seed or of a range that breaks the intended outcome
stops the script instead of writing a silently different example. The thresholds in THRESHOLDS
mirror rules/national/params.yaml; they are only used for that self-check and for sizing.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# --- national thresholds (mirror of rules/national/params.yaml, used for sizing and self-check) ---

LEVELS = ("primary", "junior")
INDICATORS = ("r1", "r2", "r3", "r4", "r5", "r6", "r7")
THRESHOLDS = {
    "r1": {"primary": 4.2, "junior": 5.3},    # 高于规定学历教师 人/百生
    "r2": {"primary": 1.0, "junior": 1.0},    # 县级以上骨干教师 人/百生
    "r3": {"primary": 0.9, "junior": 0.9},    # 体育、艺术专任教师 人/百生
    "r4": {"primary": 4.5, "junior": 5.8},    # 生均教学及辅助用房 ㎡/生
    "r5": {"primary": 7.5, "junior": 10.2},   # 生均体育运动场馆 ㎡/生
    "r6": {"primary": 2000, "junior": 2500},  # 生均教学仪器设备值 元/生
    "r7": {"primary": 2.3, "junior": 2.4},    # 网络多媒体教室 间/百生
}
SHARED_INDICATORS = ("r4", "r5", "r6")
SPLIT_WEIGHTS = {"primary": 1.0, "junior": 1.1, "high": 1.32}
CV_LIMIT = {"primary": 0.50, "junior": 0.45}
SCHOOL_MIN_MET, SCHOOL_REST_SHARE = 6, 0.85
EXCLUDED_TYPES = {"special", "vocational"}
TEACHING_POINT_MIN = 50
CLASS_CAP = {"primary": 45, "junior": 50, "high": 50}
GRADES = {"primary": 6, "junior": 3, "high": 3}
SIZE_CAP = 2000          # 小学、初中
SIZE_CAP_THROUGH = 2500  # 九年一贯制、十二年一贯制 (义务教育阶段)

# --- ranges -------------------------------------------------------------------------------------

# students per full-time teacher (专任教师), by section and location
TEACHER_RATIO = {
    "primary": {"urban": (16.5, 19.0), "town": (14.0, 17.0), "rural": (9.0, 13.0)},
    "junior": {"urban": (11.0, 13.0), "town": (10.0, 12.0), "rural": (8.0, 10.5)},
}
# share of teachers above the required degree (小学 专科及以上, 初中 本科及以上)
DEGREE_SHARE = {"primary": (0.93, 1.0), "junior": (0.86, 0.98)}
# margin over the threshold (value / threshold), by indicator and location
MARGIN = {
    "r2": {"urban": (1.35, 2.2), "town": (1.1, 1.8), "rural": (1.05, 1.6)},
    "r3": {"urban": (1.05, 1.45), "town": (1.05, 1.55), "rural": (1.05, 1.7)},
    "r4": {"urban": (1.06, 1.45), "town": (1.1, 1.65), "rural": (1.2, 1.9)},
    "r5": {"urban": (1.04, 1.35), "town": (1.1, 1.7), "rural": (1.2, 2.1)},
    "r6": {"urban": (1.25, 1.95), "town": (1.12, 1.7), "rural": (1.06, 1.5)},
    "r7": {"urban": (1.05, 1.35), "town": (1.05, 1.45), "rural": (1.08, 1.6)},
}
MIN_MARGIN = 1.03  # never closer than 3 % to a threshold unless a failure is designed

BENCHMARK = {"primary": 850, "junior": 1050, "high": 1300}  # 生均公用经费基准定额 元

TOWNS = ["青溪镇", "石门镇", "白沙镇", "龙潭镇", "桃源镇", "梅林镇", "松岭镇",
         "清水乡", "凤山乡", "云台乡", "柳塘乡", "杉坑乡"]
VILLAGES = ["上坪", "下洋", "坑口", "岭头", "溪源", "竹林", "高坪", "石壁", "洋坑", "后垅",
            "大坪", "黄坑", "仙山", "双溪", "茶坪", "樟树", "枫林", "湖头", "塘下", "东山",
            "西坑", "南坑", "长坑", "半岭", "桥头", "山后", "朱坑", "吴厝", "林坊", "陈坊",
            "谢坑", "杨梅", "花桥", "新村", "龙门", "岩前", "芦洋", "梨坑", "渔溪", "洋头"]
URBAN_PRIMARY_NAMES = ["实验小学", "第一小学", "第二小学", "第三小学", "城东小学", "城西小学",
                       "江滨小学"]
URBAN_JUNIOR_NAMES = ["第二中学", "第三中学", "城南中学"]
URBAN_NINE_YEAR_NAMES = ["东城学校", "北门学校"]

# --- small helpers ------------------------------------------------------------------------------


def r2d(x: float) -> float:
    """Round to 2 decimals (areas, 万元)."""
    return round(x + 0.0, 2)


def ceil2(x: float) -> float:
    """Round up to 2 decimals, so a sized quantity never lands under its target."""
    return round(math.ceil(round(x * 100, 6)) / 100, 2)


def floor2(x: float) -> float:
    return round(math.floor(round(x * 100, 6)) / 100, 2)


def uniform(rng: random.Random, lo_hi: tuple[float, float]) -> float:
    return rng.uniform(*lo_hi)


# --- the county plan ----------------------------------------------------------------------------


def plan_county(rng: random.Random, prefix: str) -> list[dict]:
    """The list of schools to generate: type, location, name, and per-section size targets."""
    villages = rng.sample(VILLAGES, len(VILLAGES))
    vi = iter(villages)
    plan: list[dict] = []

    def add(type_, location, name, sections, **extra):
        plan.append({"type": type_, "location": location, "name": name,
                     "sections": sections, "ownership": extra.pop("ownership", "public"),
                     "boarding": extra.pop("boarding", False), **extra})

    # 城区
    for i, nm in enumerate(URBAN_PRIMARY_NAMES[:6]):
        add("primary", "urban", prefix + nm, {"primary": (rng.randint(1150, 1900), (41.0, 44.5))},
            built=(rng.randint(1952, 2005) if i < 4 else rng.randint(2012, 2020)))
    add("primary", "urban", prefix + "育英小学", {"primary": (rng.randint(560, 860), (36.0, 42.0))},
        ownership="private", built=rng.randint(2006, 2015))
    for nm in URBAN_JUNIOR_NAMES:
        add("junior", "urban", prefix + nm, {"junior": (rng.randint(950, 1650), (46.0, 49.5))},
            built=rng.randint(1958, 2012))
    for nm in URBAN_NINE_YEAR_NAMES:
        add("nine_year", "urban", prefix + nm,
            {"primary": (rng.randint(1150, 1450), (41.0, 44.5)),
             "junior": (rng.randint(650, 900), (45.0, 49.0))},
            built=rng.randint(2010, 2019))
    add("complete_middle", "urban", prefix + "第一中学",
        {"junior": (rng.randint(1050, 1400), (46.0, 49.5))},
        high=(rng.randint(1200, 1600), (46.0, 49.5)), built=rng.randint(1938, 1960))
    add("special", "urban", prefix + "特殊教育学校",
        {"primary": (rng.randint(45, 70), (7.0, 10.0)), "junior": (rng.randint(20, 36), (7.0, 10.0))},
        boarding=True, built=rng.randint(2008, 2014))
    # 镇区
    for t in TOWNS:
        add("primary", "town", t + "中心小学", {"primary": (rng.randint(380, 1000), (33.0, 42.0))},
            built=rng.randint(1965, 2012), town=t)
    for t in TOWNS[:5]:
        add("junior", "town", t + "中学", {"junior": (rng.randint(420, 980), (40.0, 47.0))},
            boarding=True, built=rng.randint(1968, 2010), town=t)
    t = TOWNS[5]
    add("nine_year", "town", t + "学校",
        {"primary": (rng.randint(480, 700), (32.0, 40.0)), "junior": (rng.randint(300, 450), (38.0, 45.0))},
        boarding=True, built=rng.randint(1995, 2012), town=t)
    # 乡村
    for j in range(24):
        t = TOWNS[j % len(TOWNS)]
        n = rng.randint(62, 95) if j % 8 == 7 else rng.randint(110, 420)
        avg = (max(6.0, n / 6 - 4), n / 6 + 1) if n < 240 else (28.0, 38.0)
        add("primary", "rural", t + next(vi) + "小学", {"primary": (n, avg)},
            built=rng.randint(1970, 2008), town=t)
    t = TOWNS[7]
    add("nine_year", "rural", t + next(vi) + "学校",
        {"primary": (rng.randint(240, 380), (22.0, 32.0)), "junior": (rng.randint(150, 260), (30.0, 40.0))},
        boarding=True, built=rng.randint(1985, 2005), town=t)
    add("junior", "rural", TOWNS[8] + "第二中学", {"junior": (rng.randint(260, 420), (32.0, 42.0))},
        boarding=True, built=rng.randint(1975, 2000), town=TOWNS[8])
    # 教学点: three under 50 students (out of the resource scope), three with 50-99
    for j in range(6):
        t = TOWNS[(j * 5 + 3) % len(TOWNS)]
        n = rng.randint(14, 46) if j < 3 else rng.randint(52, 88)
        add("teaching_point", "rural", t + next(vi) + "教学点", {"primary": (n, (0.0, 0.0))},
            built=rng.randint(1978, 2003), town=t)
    return plan


# --- classes ------------------------------------------------------------------------------------


def make_class_sizes(rng: random.Random, level: str, target: int, avg_range, type_: str) -> list[int]:
    cap = CLASS_CAP[level]
    if type_ == "teaching_point":
        classes = 2 if target < 30 else rng.randint(3, 4)  # 复式班, grades 1-3 or 1-4
    else:
        avg = uniform(rng, avg_range)
        per_grade = max(1, round(target / (GRADES[level] * avg)))
        if target / (GRADES[level] * per_grade) > cap - 2 and avg < cap - 2:
            per_grade += 1  # a rural school opens another class rather than filling to the cap
        classes = GRADES[level] * per_grade
        if per_grade >= 3:
            classes += rng.choice((-1, 0, 0, 1))
    mean = min(target / classes, cap - 1.2)
    sizes = []
    for _ in range(classes):
        s = round(mean + rng.uniform(-2.6, 1.8))
        sizes.append(max(3, min(cap, s)))
    return sizes


# --- one school ---------------------------------------------------------------------------------


def margin(rng, ind, loc, override=None):
    """A margin factor drawn from the location's range, or from a designed range."""
    return uniform(rng, override if override is not None else MARGIN[ind][loc])


def build_section(rng, level, loc, type_, sizes, over: dict) -> dict:
    """Per-section counts sized so each per-student indicator lands at margin × threshold.

    `over` maps an indicator to a designed factor (e.g. 0.9 = 90 % of the threshold); such a
    count is rounded down instead of up.
    """
    students = sum(sizes)
    classes = len(sizes)
    per100 = students / 100

    ratio = uniform(rng, TEACHER_RATIO[level][loc])
    teachers = max(round(students / ratio), math.ceil(classes * (1.3 if level == "primary" else 2.6)))
    if type_ == "special":
        teachers = max(teachers, round(students / uniform(rng, (3.0, 4.0))))
    above = round(teachers * uniform(rng, DEGREE_SHARE[level]))
    if "r1" in over:
        above = math.floor(THRESHOLDS["r1"][level] * over["r1"] * per100)
    else:
        above = max(above, math.ceil(THRESHOLDS["r1"][level] * MIN_MARGIN * per100))
    teachers = max(teachers, above + rng.randint(0, 3))

    def count(ind, minimum=1):
        if ind in over:
            return math.floor(THRESHOLDS[ind][level] * over[ind] * per100)
        f = margin(rng, ind, loc, over.get(ind + "_margin"))
        return max(minimum, math.ceil(THRESHOLDS[ind][level] * max(f, MIN_MARGIN) * per100))

    backbone = min(count("r2"), round(teachers * 0.45))
    pe_art = min(count("r3"), round(teachers * 0.35) or 1)
    if "r7" in over:
        multimedia = count("r7")
    else:
        extra = rng.randint(0, 4) if classes >= 12 else rng.randint(0, 1)
        multimedia = max(count("r7"), classes + extra)
    computers = math.ceil(students / uniform(rng, (5.5, 11.0) if level == "primary" else (4.5, 8.0)))
    if type_ == "special":
        computers = max(computers, 12)
    return {
        "students": students,
        "classes": classes,
        "teachers": teachers,
        "teachers_above_required_degree": above,
        "backbone_teachers": backbone,
        "pe_art_teachers": pe_art,
        "multimedia_classrooms": multimedia,
        "computers": computers,
        "teacher_computers": teachers + rng.randint(0, 6),
    }


def build_shared(rng, loc, students: dict[str, int], high: int, over: dict) -> dict:
    """Whole-school areas and equipment, sized through the 1 : 1.1 : 1.32 split.

    With W = Σ w_s·n_s, a section s gets w_s/W of a shared total T, i.e. w_s·T/W per student.
    T/W is the largest w-normalised target over the sections present (so every section meets
    its target); a designed failure of one section fixes T/W from that section instead.
    """
    W = sum(SPLIT_WEIGHTS[lv] * n for lv, n in students.items()) + SPLIT_WEIGHTS["high"] * high
    totals = {}
    for ind in SHARED_INDICATORS:
        failing = [lv for lv in students if (ind, lv) in over]
        if failing:
            lv = failing[0]
            per_w = THRESHOLDS[ind][lv] * over[(ind, lv)] / SPLIT_WEIGHTS[lv]
        else:
            f = margin(rng, ind, loc, over.get(ind + "_margin"))
            per_w = max(THRESHOLDS[ind][lv] * max(f, MIN_MARGIN) / SPLIT_WEIGHTS[lv] for lv in students)
        totals[ind] = per_w * W
    big = sum(students.values()) + high
    if loc == "urban" and big >= 900:
        indoor = r2d(rng.uniform(0.25, 0.55) * big)
    elif loc == "town" and big >= 500 and rng.random() < 0.6:
        indoor = r2d(rng.uniform(0.2, 0.45) * big)
    else:
        indoor = 0.0
    rounder = floor2 if any(isinstance(k, tuple) for k in over) else ceil2
    teaching = rounder(totals["r4"]) + indoor
    sports_total = rounder(totals["r5"])
    ground = r2d(sports_total - indoor)
    if ground < 0:  # tiny schools: no gym, all outdoors
        indoor, ground, teaching = 0.0, sports_total, rounder(totals["r4"])
    return {
        "teaching_aux_area_m2": r2d(teaching),
        "indoor_sports_area_m2": r2d(indoor),
        "sports_ground_area_m2": r2d(ground),
        "equipment_value_wan_yuan": rounder(totals["r6"] / 10000),
    }


def build_school(rng, spec: dict, seq: int, code: str, over: dict, extra_sizes: dict) -> dict:
    type_, loc = spec["type"], spec["location"]
    class_sizes: dict[str, list[int]] = {}
    for lv, (target, avg) in spec["sections"].items():
        sizes = make_class_sizes(rng, lv, target, avg, type_)
        for pos, size in extra_sizes.get(lv, []):  # designed over-size classes
            sizes[pos % len(sizes)] = size
        class_sizes[lv] = sizes
    high_sizes = []
    if "high" in spec:
        high_sizes = make_class_sizes(rng, "high", spec["high"][0], spec["high"][1], type_)
        class_sizes["high"] = high_sizes

    sections = {}
    for lv in spec["sections"]:
        sec_over = {k[0]: v for k, v in over.items() if isinstance(k, tuple) and k[1] == lv
                    and k[0] not in SHARED_INDICATORS}
        sec_over.update({k: v for k, v in over.items() if isinstance(k, str)})
        sections[lv] = build_section(rng, lv, loc, type_, class_sizes[lv], sec_over)
    students = {lv: s["students"] for lv, s in sections.items()}
    high = sum(high_sizes)
    shared_over = {k: v for k, v in over.items() if isinstance(k, tuple) and k[0] in SHARED_INDICATORS}
    shared_over.update({k: v for k, v in over.items() if isinstance(k, str)})
    shared = build_shared(rng, loc, students, high, shared_over)

    total_classes = sum(len(v) for v in class_sizes.values())
    rooms = max(1, math.ceil(total_classes / 12))
    music = [r2d(rng.choice((96.0, 96.0, 98.5, 100.0, 104.0, 108.0, 112.0, 120.0)))
             for _ in range(rooms + (1 if total_classes >= 30 and rng.random() < 0.5 else 0))]
    art = [r2d(rng.choice((90.0, 90.0, 92.0, 95.5, 96.0, 100.0, 105.0)))
           for _ in range(rooms)]

    compulsory = sum(students.values())
    funded_students = max(compulsory, 100) if type_ in ("primary", "teaching_point") else compulsory
    budget = funded_students * BENCHMARK["primary" if "primary" in students else "junior"]
    if "junior" in students and "primary" in students:
        budget = students["primary"] * BENCHMARK["primary"] + students["junior"] * BENCHMARK["junior"]
    if type_ == "special":
        budget = compulsory * rng.randint(7200, 8400)
    budget += high * BENCHMARK["high"]
    budget = int(round(budget * rng.uniform(1.02, 1.25), -2))
    training = int(math.ceil(budget * rng.uniform(0.055, 0.085)))

    return {
        "id": f"{code}{seq:04d}",
        "name": spec["name"],
        "type": type_,
        "location": loc,
        "boarding": spec["boarding"],
        "ownership": spec["ownership"],
        "built_year": spec["built"],
        "sections": sections,
        "shared": shared,
        "high_school_students": high,
        "high_school_classes": len(high_sizes),
        "class_sizes": class_sizes,
        "music_rooms_m2": music,
        "art_rooms_m2": art,
        "public_budget_yuan": budget,
        "teacher_training_budget_yuan": training,
    }


# --- county facts -------------------------------------------------------------------------------


def build_facts(rng, schools: list[dict], year: int) -> tuple[dict, list[dict]]:
    students = sum(sec["students"] for s in schools for sec in s["sections"].values())
    teachers = sum(sec["teachers"] for s in schools for sec in s["sections"].values())
    total_classes = sum(sec["classes"] for s in schools for sec in s["sections"].values())
    small = sum(1 for s in schools if s["type"] in ("primary", "teaching_point")
                and sum(sec["students"] for sec in s["sections"].values()) < 100)
    special_students = sum(sec["students"] for s in schools if s["type"] == "special"
                           for sec in s["sections"].values())
    special_budget = sum(s["public_budget_yuan"] for s in schools if s["type"] == "special")
    quota = math.ceil(teachers * rng.uniform(1.05, 1.09))
    eligible = round(teachers * rng.uniform(0.28, 0.36))
    rotated = math.ceil(eligible * rng.uniform(0.115, 0.16))
    rotated_backbone = math.ceil(rotated * rng.uniform(0.23, 0.32))
    civil = round(rng.uniform(104000, 112000), -2)
    perf = r2d(teachers * rng.uniform(2.0, 2.4))
    per_student = [round(rng.uniform(13800, 14600), -1)]
    for _ in range(3):
        per_student.append(round(per_student[-1] * rng.uniform(1.025, 1.06), -1))
    expenditure = [r2d(p * students * rng.uniform(1.30, 1.36) / 10000) for p in per_student]
    for i in range(1, 4):  # strictly rising even if the multiplier dipped
        expenditure[i] = max(expenditure[i], r2d(expenditure[i - 1] * 1.02))
    public_share = rng.uniform(0.82, 0.88)
    history = [{"year": year - 3 + i,
                "education_expenditure_wan_yuan": expenditure[i],
                "public_budget_education_expenditure_wan_yuan": r2d(expenditure[i] * (public_share + 0.01 * i)),
                "per_student_expenditure_yuan": per_student[i]}
               for i in range(3)]
    facts = {
        "basic_balance_certified_year": year - rng.randint(6, 8),
        "students_total": students,
        "teachers_total": teachers,
        "public_funding_benchmark_primary_yuan": BENCHMARK["primary"],
        "public_funding_benchmark_junior_yuan": BENCHMARK["junior"],
        "small_schools": small,
        "small_schools_funded_as_100": small,
        "special_ed_per_student_funding_yuan": r2d(special_budget / special_students) if special_students else 7000,
        "teacher_avg_salary_yuan": civil + round(rng.uniform(1500, 6500), -2),
        "civil_servant_avg_salary_yuan": civil,
        "performance_pay_approved_wan_yuan": perf,
        "performance_pay_required_wan_yuan": perf,
        "training_360h_completion_rate": 1,
        "staff_quota_total": quota,
        "staff_quota_allocated": quota,
        "posts_total": quota,
        "posts_allocated": quota,
        "rotation_eligible_teachers": eligible,
        "rotated_teachers": rotated,
        "rotated_backbone_teachers": rotated_backbone,
        "certified_teacher_rate": 1,
        "nearby_enrollment_rate_primary": 1,
        "nearby_enrollment_rate_junior": r2d(rng.uniform(0.96, 0.99)),
        "quality_high_school_quota_share": r2d(rng.uniform(0.55, 0.65)),
        "migrant_children_public_rate": r2d(rng.uniform(0.91, 0.97)),
        "junior_retention_rate": r2d(rng.uniform(0.97, 0.99)),
        "disabled_enrollment_rate": r2d(rng.uniform(0.96, 0.99)),
        "quality_monitoring_min_level": 3,
        "quality_monitoring_school_difference_rate": r2d(rng.uniform(0.08, 0.13)),
        "social_recognition_rate": r2d(rng.uniform(0.89, 0.94)),
        "education_expenditure_wan_yuan": expenditure[3],
        "public_budget_education_expenditure_wan_yuan": r2d(expenditure[3] * (public_share + 0.03)),
        "per_student_expenditure_yuan": per_student[3],
        "compulsory_retention_rate": r2d(rng.uniform(0.965, 0.985)),
        "preschool_gross_enrollment_rate": r2d(rng.uniform(0.92, 0.97)),
        "inclusive_kindergarten_coverage_rate": r2d(rng.uniform(0.86, 0.93)),
        "public_kindergarten_enrollment_share": r2d(rng.uniform(0.53, 0.62)),
        "high_school_gross_enrollment_rate": r2d(rng.uniform(0.92, 0.96)),
        "higher_education_gross_enrollment_rate": r2d(rng.uniform(0.52, 0.6)),
        # a city/province figure; for a county record it is the share of its own evaluation
        # units already certified, here 1 (the county itself, applying)
        "quality_balanced_county_share": 1,
        "boarding_bed_compliance_rate": 1,
        "student_physical_health_pass_rate": r2d(rng.uniform(0.91, 0.95)),
        "curriculum_offering_rate": 1,
        "campus_football_schools": rng.randint(3, 6),
        "resource_classrooms": rng.randint(5, 9),
        "interactive_teaching_classes": round(total_classes * rng.uniform(0.75, 0.9)),
        "schools_with_labor_practice_base": len(schools),
    }
    return facts, history


VETO_KEYS = ("exam_admission", "illegal_school_choice", "key_schools_or_classes",
             "unfilled_posts_or_long_term_contract_teachers", "major_safety_incident", "fraud")

ATTESTATIONS = {
    "P1": ("{c}{y}年通过国家义务教育基本均衡发展认定（认定文件）；此后历年基本均衡监测报告", "2024-06-11"),
    "G1": ("《{c}中小学校布局专项规划（2021—2035年）》及县政府批复", "2024-06-18"),
    "G2": ("县政府办《关于统一城乡义务教育学校建设标准、教师编制标准、生均公用经费基准定额、"
           "基本装备配置标准的通知》", "2024-06-18"),
    "G10": ("县委编办、县人社局、县教育局 2024 年中小学教职工编制和岗位核定分配表", "2024-07-02"),
    "G14": ("《{c}2024年优质普通高中招生名额分配方案》（分配比例及向农村初中倾斜情况）", "2024-07-02"),
    "G15": ("留守儿童关爱服务体系建设台账及随迁子女入学统计", "2024-07-09"),
    "Q3": ("各校章程核准文件；教育管理与教学信息化平台运行报告", "2024-07-15"),
    "Q5": ("信息化教学应用抽查记录及设施设备使用登记", "2024-07-15"),
    "Q6": ("学校德育工作和校园文化建设评估结果（均为良好以上）", "2024-07-22"),
    "Q7": ("课程表及课时执行抽查记录、综合实践活动开展情况", "2024-07-22"),
    "Q8": ("作业管理与学生课业负担专项督导报告", "2024-07-29"),
}


def build_record(seed: int, jurisdiction: dict, prefix: str, design: dict) -> dict:
    rng = random.Random(seed)
    year = 2024
    plan = plan_county(rng, prefix)
    schools = []
    for i, spec in enumerate(plan):
        over = design.get("overrides", {}).get(i, {})
        sizes = design.get("oversize_classes", {}).get(i, {})
        over = {**over, **design.get("cv_margin", {}).get(i, {})}
        if i in design.get("big_school", {}):
            spec = {**spec, "sections": {**spec["sections"], **design["big_school"][i]}}
        schools.append(build_school(rng, spec, i + 1, jurisdiction["code"], over, sizes))
    facts, history = build_facts(rng, schools, year)
    facts["veto"] = {k: bool(design.get("veto", {}).get(k, False)) for k in VETO_KEYS}
    county = jurisdiction["name"].split("（")[0]
    certified = facts["basic_balance_certified_year"]
    facts["attestations"] = {
        rid: {"status": "met", "evidence": ev.format(c=county, y=certified),
              "by": f"{county}人民政府教育督导室", "date": date}
        for rid, (ev, date) in ATTESTATIONS.items()
    }
    return {
        "format_version": "1",
        "jurisdiction": jurisdiction,
        "year": year,
        "as_of": f"{year}-09-01",
        "packs": ["national"],
        "facts": facts,
        "schools": schools,
        "history": history,
    }


# --- the three records --------------------------------------------------------------------------

PARENT = {"code": "359900", "name": "示例市"}
PASS_SEED, FAIL_SEED = 20240901, 20240902


def fail_design() -> tuple[dict, dict]:
    """What county-fail.json is meant to fail: generator overrides keyed by plan position.

    Returns (design, name → plan position). An override ("r5", "primary"): 0.90 puts that
    indicator at 90 % of its threshold; self_check() verifies each lands on its side of 85 %.
    """
    prefix = "示例县"
    plan = plan_county(random.Random(FAIL_SEED), prefix)
    idx = {p["name"]: i for i, p in enumerate(plan)}
    by_type: dict[tuple[str, str], list[int]] = {}
    for i, spec in enumerate(plan):
        by_type.setdefault((spec["type"], spec["location"]), []).append(i)
    town_p = by_type[("primary", "town")]
    rural_p = by_type[("primary", "rural")]
    urban_p = by_type[("primary", "urban")]
    junior_t = by_type[("junior", "town")]
    nine_u = by_type[("nine_year", "urban")]
    overrides = {
        # exactly one indicator missed, still ≥ 85 % → R-SCHOOL passes
        town_p[2]: {("r5", "primary"): 0.90},
        junior_t[1]: {("r7", "junior"): 0.92},
        nine_u[0]: {("r4", "junior"): 0.88},     # primary section of the same school still passes
        # two indicators missed, both still ≥ 85 % → R-SCHOOL fails (only 5 of 7 met)
        town_p[6]: {("r1", "primary"): 0.93, ("r6", "primary"): 0.90},
        # one indicator missed but below 85 % → R-SCHOOL fails
        urban_p[3]: {("r5", "primary"): 0.72},
    }
    # equipment concentrated in the urban primary schools: every school passes R6, but the
    # primary R6-CV is over 0.50
    cv_margin = {i: {"r6_margin": r} for i, r in
                 [(i, (3.0, 4.0)) for i in urban_p] + [(i, (1.03, 1.15)) for i in town_p + rural_p]}
    oversize = {
        urban_p[0]: {"primary": [(0, 48), (7, 47)]},
        urban_p[1]: {"primary": [(3, 52)]},
        by_type[("junior", "urban")][0]: {"junior": [(2, 56), (5, 53)]},
    }
    big = {urban_p[2]: {"primary": (2160, (44.6, 45.0))}}
    design = {"overrides": overrides, "cv_margin": cv_margin, "oversize_classes": oversize,
              "big_school": big, "veto": {"key_schools_or_classes": True}}
    return design, idx


def missing_edits(record: dict) -> dict:
    """county-missing.json: remove fields from the pass record (same seed)."""
    schools = record["schools"]
    by = {}
    for i, s in enumerate(schools):
        by.setdefault((s["type"], s["location"]), []).append(i)
    removed = []

    def drop(path_desc, container, key):
        del container[key]
        removed.append(path_desc)

    # in scope → R6 / R7 unknown, and the CVs of their level unknown
    for i in (by[("primary", "town")][4], by[("nine_year", "town")][0]):
        drop(f"/schools/{i}/shared/equipment_value_wan_yuan", schools[i]["shared"], "equipment_value_wan_yuan")
    i = by[("primary", "rural")][5]
    drop(f"/schools/{i}/sections/primary/multimedia_classrooms", schools[i]["sections"]["primary"],
         "multimedia_classrooms")
    i = by[("junior", "town")][2]
    drop(f"/schools/{i}/sections/junior/multimedia_classrooms", schools[i]["sections"]["junior"],
         "multimedia_classrooms")
    # out of the resource scope → must stay not_applicable, not unknown
    tp_small = [i for i in by[("teaching_point", "rural")]
                if schools[i]["sections"]["primary"]["students"] < TEACHING_POINT_MIN][0]
    drop(f"/schools/{tp_small}/shared/equipment_value_wan_yuan", schools[tp_small]["shared"],
         "equipment_value_wan_yuan")
    sp = by[("special", "urban")][0]
    drop(f"/schools/{sp}/sections/primary/multimedia_classrooms", schools[sp]["sections"]["primary"],
         "multimedia_classrooms")
    # county facts
    drop("/facts/social_recognition_rate", record["facts"], "social_recognition_rate")
    drop("/facts/attestations/Q8", record["facts"]["attestations"], "Q8")
    return record


def build_all() -> dict[str, dict]:
    pass_rec = build_record(PASS_SEED, {"code": "359901", "name": "示例县（达标）", "level": "county",
                                        "parent": PARENT}, "示例县", {})
    design, _ = fail_design()
    fail_rec = build_record(FAIL_SEED, {"code": "359902", "name": "示例县（未达标）", "level": "county",
                                        "parent": PARENT}, "示例县", design)
    miss_rec = build_record(PASS_SEED, {"code": "359903", "name": "示例县（数据不全）", "level": "county",
                                        "parent": PARENT}, "示例县", {})
    miss_rec = missing_edits(miss_rec)
    return {"county-pass.json": pass_rec, "county-fail.json": fail_rec, "county-missing.json": miss_rec}


# --- self-check: an independent re-computation of the resource rules ----------------------------


def indicator_values(school: dict) -> dict[str, dict[str, float | None]]:
    secs = school.get("sections", {})
    sh = school.get("shared", {})
    W = sum(SPLIT_WEIGHTS[lv] * secs[lv]["students"] for lv in secs) \
        + SPLIT_WEIGHTS["high"] * school.get("high_school_students", 0)
    out = {}
    for lv, sec in secs.items():
        n = sec["students"]
        share = SPLIT_WEIGHTS[lv] * n / W

        def per100(key):
            return sec[key] / n * 100 if key in sec else None

        def shared(value):
            return value * share / n if value is not None else None

        teach = sh.get("teaching_aux_area_m2", 0) - sh.get("indoor_sports_area_m2", 0)
        sports = sh.get("sports_ground_area_m2", 0) + sh.get("indoor_sports_area_m2", 0)
        eq = sh.get("equipment_value_wan_yuan")
        out[lv] = {"r1": per100("teachers_above_required_degree"), "r2": per100("backbone_teachers"),
                   "r3": per100("pe_art_teachers"), "r4": shared(teach), "r5": shared(sports),
                   "r6": shared(eq * 10000 if eq is not None else None),
                   "r7": per100("multimedia_classrooms")}
    return out


def in_scope(school: dict, lv: str) -> bool:
    if school["type"] in EXCLUDED_TYPES:
        return False
    return not (school["type"] == "teaching_point" and school["sections"][lv]["students"] < TEACHING_POINT_MIN)


def weighted_cv(rows):
    total = sum(p for _, p in rows)
    mean = sum(x * p for x, p in rows) / total
    var = sum(p * (x - mean) ** 2 for x, p in rows) / total
    return math.sqrt(var) / mean


def evaluate(record: dict) -> dict:
    """{'R': {(school_id, lv, ind): status}, 'SCHOOL': {...}, 'CV': {(ind, lv): (status, cv)}}."""
    res = {"R": {}, "SCHOOL": {}, "CV": {}}
    rows = {(ind, lv): [] for ind in INDICATORS for lv in LEVELS}
    for s in record["schools"]:
        vals = indicator_values(s)
        for lv, v in vals.items():
            if not in_scope(s, lv):
                continue
            met, near, far, unknown = 0, 0, 0, 0
            for ind in INDICATORS:
                x, thr = v[ind], THRESHOLDS[ind][lv]
                if x is None:
                    res["R"][(s["id"], lv, ind)] = "unknown"
                    unknown += 1
                    rows[(ind, lv)].append(None)
                    continue
                rows[(ind, lv)].append((x, s["sections"][lv]["students"]))
                ok = x >= thr
                res["R"][(s["id"], lv, ind)] = "pass" if ok else "fail"
                met += ok
                near += (not ok) and x >= thr * SCHOOL_REST_SHARE
                far += (not ok) and x < thr * SCHOOL_REST_SHARE
            if far or met + unknown < SCHOOL_MIN_MET:
                status = "fail"
            else:
                status = "unknown" if unknown else "pass"
            res["SCHOOL"][(s["id"], lv)] = status
    for (ind, lv), rs in rows.items():
        if any(r is None for r in rs):
            res["CV"][(ind, lv)] = ("unknown", None)
        else:
            cv = weighted_cv(rs)
            res["CV"][(ind, lv)] = ("pass" if cv <= CV_LIMIT[lv] else "fail", cv)
    return res


def structural_check(record: dict, allow_violations: bool) -> list[str]:
    """Class sizes sum to students; (unless allowed) caps on class and school size; rooms; budgets."""
    problems = []
    for s in record["schools"]:
        for lv, sec in s["sections"].items():
            sizes = s["class_sizes"][lv]
            if sum(sizes) != sec["students"] or len(sizes) != sec["classes"]:
                problems.append(f"{s['name']} {lv}: class sizes do not add up")
            if not allow_violations and max(sizes) > CLASS_CAP[lv]:
                problems.append(f"{s['name']} {lv}: class of {max(sizes)}")
            for k in ("teachers_above_required_degree", "backbone_teachers", "pe_art_teachers"):
                if sec[k] > sec["teachers"]:
                    problems.append(f"{s['name']} {lv}: {k} > teachers")
        if s["high_school_students"] != sum(s["class_sizes"].get("high", [])):
            problems.append(f"{s['name']}: high-school class sizes do not add up")
        compulsory = sum(sec["students"] for sec in s["sections"].values())
        cap = SIZE_CAP_THROUGH if s["type"] in ("nine_year", "twelve_year") else SIZE_CAP
        if not allow_violations and compulsory > cap:
            problems.append(f"{s['name']}: {compulsory} students")
        classes = sum(len(v) for v in s["class_sizes"].values())
        need = math.ceil(classes / 12)
        if len(s["music_rooms_m2"]) < need or min(s["music_rooms_m2"]) < 96:
            problems.append(f"{s['name']}: music rooms")
        if len(s["art_rooms_m2"]) < need or min(s["art_rooms_m2"]) < 90:
            problems.append(f"{s['name']}: art rooms")
        if s["teacher_training_budget_yuan"] < 0.05 * s["public_budget_yuan"]:
            problems.append(f"{s['name']}: training budget under 5 %")
        if compulsory > 2500:
            problems.append(f"{s['name']}: far too big")
    return problems


def self_check(records: dict[str, dict]) -> list[str]:
    problems = []
    # pass: every resource rule passes; CVs realistic (≤ 0.40)
    p = records["county-pass.json"]
    ev = evaluate(p)
    problems += [f"pass: R {k} {v}" for k, v in ev["R"].items() if v != "pass"]
    problems += [f"pass: R-SCHOOL {k} {v}" for k, v in ev["SCHOOL"].items() if v != "pass"]
    problems += [f"pass: CV {k} {v}" for k, v in ev["CV"].items() if v[0] != "pass" or v[1] > 0.40]
    problems += ["pass: " + x for x in structural_check(p, allow_violations=False)]
    problems += ["pass: " + x for x in fact_check(p)]

    # fail: exactly the designed findings
    f = records["county-fail.json"]
    ev = evaluate(f)
    design, idx = fail_design()
    ids = {i: f["schools"][i]["id"] for i in range(len(f["schools"]))}
    expected_r = {(ids[i], lv, ind) for i, ov in design["overrides"].items() for (ind, lv) in ov}
    got_r = {k for k, v in ev["R"].items() if v != "pass"}
    if got_r != expected_r:
        problems.append(f"fail: R findings {sorted(got_r)} != designed {sorted(expected_r)}")
    for i, ov in design["overrides"].items():  # each designed miss lands in its band
        vals = indicator_values(f["schools"][i])
        for (ind, lv), factor in ov.items():
            share = vals[lv][ind] / THRESHOLDS[ind][lv]
            ok = (SCHOOL_REST_SHARE <= share < 1) if factor >= SCHOOL_REST_SHARE else share < SCHOOL_REST_SHARE
            if not ok:
                problems.append(f"fail: {f['schools'][i]['name']} {lv} {ind} at {share:.3f} of the threshold")
    school_fail = {k for k, v in ev["SCHOOL"].items() if v != "pass"}
    expected_school = set()
    for i, ov in design["overrides"].items():
        if len(ov) >= 2 or min(ov.values()) < SCHOOL_REST_SHARE:
            expected_school |= {(ids[i], lv) for (_, lv) in ov}
    if school_fail != expected_school:
        problems.append(f"fail: R-SCHOOL {sorted(school_fail)} != {sorted(expected_school)}")
    cv_fail = {k for k, v in ev["CV"].items() if v[0] != "pass"}
    if cv_fail != {("r6", "primary")}:
        problems.append(f"fail: CV failures {sorted(cv_fail)}")
    sp = structural_check(f, allow_violations=True)
    problems += ["fail: " + x for x in sp]
    over_class = sum(1 for s in f["schools"] for lv, sz in s["class_sizes"].items() for c in sz
                     if lv in CLASS_CAP and c > CLASS_CAP[lv])
    if over_class < 3:
        problems.append("fail: too few over-size classes")
    if not any(sum(sec["students"] for sec in s["sections"].values()) > SIZE_CAP
               and s["type"] in ("primary", "junior") for s in f["schools"]):
        problems.append("fail: no school over 2000")

    # missing: nothing fails
    m = records["county-missing.json"]
    ev = evaluate(m)
    problems += [f"missing: R {k}" for k, v in ev["R"].items() if v == "fail"]
    problems += [f"missing: R-SCHOOL {k}" for k, v in ev["SCHOOL"].items() if v == "fail"]
    problems += [f"missing: CV {k}" for k, v in ev["CV"].items() if v[0] == "fail"]
    if not any(v == "unknown" for v in ev["R"].values()):
        problems.append("missing: nothing unknown")
    return problems


def fact_check(rec: dict) -> list[str]:
    f = rec["facts"]
    y = rec["year"]
    checks = {
        "P1": f["basic_balance_certified_year"] <= y - 3,
        "G6": f["small_schools_funded_as_100"] == f["small_schools"],
        "G7": f["special_ed_per_student_funding_yuan"] >= 6000,
        "G8": f["teacher_avg_salary_yuan"] >= f["civil_servant_avg_salary_yuan"]
              and f["performance_pay_approved_wan_yuan"] >= f["performance_pay_required_wan_yuan"],
        "G9": f["training_360h_completion_rate"] == 1,
        "G10": f["staff_quota_allocated"] <= f["staff_quota_total"] and f["posts_allocated"] <= f["posts_total"],
        "G11": f["rotated_teachers"] >= 0.1 * f["rotation_eligible_teachers"]
               and f["rotated_backbone_teachers"] >= 0.2 * f["rotated_teachers"],
        "G12": f["certified_teacher_rate"] == 1,
        "G13": f["nearby_enrollment_rate_primary"] == 1 and f["nearby_enrollment_rate_junior"] >= 0.95,
        "G14": f["quality_high_school_quota_share"] >= 0.5,
        "G15": f["migrant_children_public_rate"] >= 0.85,
        "Q1": f["junior_retention_rate"] >= 0.95,
        "Q2": f["disabled_enrollment_rate"] >= 0.95,
        "Q9": f["quality_monitoring_min_level"] >= 3 and f["quality_monitoring_school_difference_rate"] < 0.15,
        "S1": f["social_recognition_rate"] >= 0.85,
        "history": all(a["education_expenditure_wan_yuan"] < b["education_expenditure_wan_yuan"]
                       and a["per_student_expenditure_yuan"] < b["per_student_expenditure_yuan"]
                       for a, b in zip(rec["history"], rec["history"][1:] + [f])),
    }
    return [k for k, ok in checks.items() if not ok]


# --- output -------------------------------------------------------------------------------------


def dump(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, indent=1) + "\n"


FILES = ("county-pass.json", "county-fail.json", "county-missing.json")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the files on disk, write nothing")
    ap.add_argument("--out", type=Path, default=HERE, help="output folder (default: examples/)")
    args = ap.parse_args(argv)
    records = build_all()
    problems = self_check(records)
    if problems:
        print("self-check failed:", *problems, sep="\n  ", file=sys.stderr)
        return 1
    stale = []
    for name in FILES:
        text = dump(records[name])
        path = args.out / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path} ({len(records[name]['schools'])} schools)")
    if stale:
        print("out of date:", ", ".join(stale), "— run python examples/generate.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
