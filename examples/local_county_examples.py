#!/usr/bin/env python3
"""Seeded generator of the two local-pack example records.

    python examples/local_county_examples.py            # (re)writes both files
    python examples/local_county_examples.py --check    # regenerate in memory, compare with the files

Standard library only; each record comes from its own `random.Random(seed)` and nothing else,
so two runs give byte-identical files. The counties are small and fictional (the school names
borrow real place names of 延平区, and the anonymised XX县 of the second plan stays anonymous).

* yanping-2024.json   (packs: yanping)   — every national rule passes with margins; the local
  plan fails 学生体质健康达标率 ≥ 90 % (YP-PE-HEALTH, 88.6 %), so the verdict is 未通过 (exit 1).
  Two local targets are reported as progress: 精品课程 16 of 20 (YP-COURSES, undated target) and
  the 2025 goal (YP-GOAL-2025, attested not met yet, deadline 2025-12-31).
* xx-county-2022.json (packs: xx-county), as of 2022-09-01 — every national and every local
  must rule passes, so the verdict is 通过 (exit 0); the local findings are an advisory failure
  (one of 13 schools still without a labour-practice base, XX-LABOR, deadline 2021-12-31 passed)
  and two 2022 targets still ahead: 136 of 150 teachers exchanged so far (XX-G11-2022) and the
  2022 certification (XX-GOAL-2022).

Thresholds used for sizing mirror rules/national/params.yaml; `compliance check` is the judge.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

THRESHOLDS = {  # per 100 students or per student, by level (national pack)
    "r1": {"primary": 4.2, "junior": 5.3}, "r2": {"primary": 1.0, "junior": 1.0},
    "r3": {"primary": 0.9, "junior": 0.9}, "r4": {"primary": 4.5, "junior": 5.8},
    "r5": {"primary": 7.5, "junior": 10.2}, "r6": {"primary": 2000, "junior": 2500},
    "r7": {"primary": 2.3, "junior": 2.4},
}
WEIGHTS = {"primary": 1.0, "junior": 1.1, "high": 1.32}
CLASS_CAP = {"primary": 45, "junior": 50, "high": 50}
BENCHMARK = {"primary": 850, "junior": 1050, "high": 1300}   # 生均公用经费基准定额 元
COMPULSORY = {"primary", "junior", "nine_year", "twelve_year", "complete_middle"}
# average class size by location and level
CLASS_AVG = {"urban": {"primary": (41, 44), "junior": (45, 48.5), "high": (46, 49)},
             "town": {"primary": (36, 42), "junior": (41, 46), "high": (44, 48)},
             "rural": {"primary": (22, 34), "junior": (30, 40), "high": (40, 45)}}
STUDENTS_PER_TEACHER = {"primary": (13.0, 17.0), "junior": (10.5, 12.5)}


def ceil_div(a: float, b: float) -> int:
    return int(math.ceil(round(a / b, 9)))


def class_sizes(rng: random.Random, students: int, level: str, location: str, kind: str) -> list[int]:
    cap = CLASS_CAP[level]
    if kind in ("teaching_point", "special"):
        classes = max(2, ceil_div(students, 12))
    else:
        classes = max(1, round(students / rng.uniform(*CLASS_AVG[location][level])))
        classes = max(classes, ceil_div(students, cap - 1))
    sizes = [students // classes + (1 if i < students % classes else 0) for i in range(classes)]
    for _ in range(classes):  # a little unevenness, never over the cap
        i, j = rng.randrange(classes), rng.randrange(classes)
        d = rng.randint(1, 2)
        if i != j and sizes[i] - d >= 1 and sizes[j] + d <= cap - 1:
            sizes[i] -= d
            sizes[j] += d
    return sizes


def section(rng: random.Random, level: str, students: int, sizes: list[int]) -> dict:
    teachers = ceil_div(students, rng.uniform(*STUDENTS_PER_TEACHER[level]))
    t = THRESHOLDS

    def count(indicator, lo, hi):
        return ceil_div(students * t[indicator][level] * rng.uniform(lo, hi), 100)

    above = max(count("r1", 1.06, 1.12), round(teachers * rng.uniform(0.90, 0.98)))
    teachers = max(teachers, above)
    return {"students": students, "classes": len(sizes), "teachers": teachers,
            "teachers_above_required_degree": above,
            "backbone_teachers": count("r2", 1.15, 1.9), "pe_art_teachers": count("r3", 1.08, 1.5),
            "multimedia_classrooms": count("r7", 1.05, 1.4),
            "computers": ceil_div(students, rng.uniform(7.5, 11.5))}


def school(rng: random.Random, sid: str, name: str, kind: str, location: str, levels: dict[str, int],
           high: int = 0, built: int = 2000, boarding: bool = False) -> dict:
    sizes = {lv: class_sizes(rng, n, lv, location, kind) for lv, n in levels.items()}
    sections = {lv: section(rng, lv, n, sizes[lv]) for lv, n in levels.items()}
    if high:
        sizes["high"] = class_sizes(rng, high, "high", location, kind)
    weighted = sum(n * WEIGHTS[lv] for lv, n in levels.items()) + high * WEIGHTS["high"]

    def need(indicator, lo, hi):  # whole-school quantity so that every section meets the threshold
        per_weight = max(THRESHOLDS[indicator][lv] / WEIGHTS[lv] for lv in levels)
        return weighted * per_weight * rng.uniform(lo, hi)

    indoor = round(rng.uniform(0.3, 0.6) * weighted, -1) if kind != "teaching_point" else 0.0
    shared = {"teaching_aux_area_m2": round(need("r4", 1.08, 1.5) + indoor, 2),
              "indoor_sports_area_m2": float(indoor),
              "sports_ground_area_m2": round(need("r5", 1.06, 1.6) - indoor, 2),
              "equipment_value_wan_yuan": round(need("r6", 1.1, 1.7) / 10000 + 0.005, 2)}
    data = {"id": sid, "name": name, "type": kind, "location": location, "boarding": boarding,
            "ownership": "public", "built_year": built, "sections": sections, "shared": shared}
    if high:
        data["high_school_students"] = high
        data["high_school_classes"] = len(sizes["high"])
    data["class_sizes"] = sizes
    if kind in COMPULSORY:
        rooms = max(1, ceil_div(sum(s["classes"] for s in sections.values()), 12))
        data["music_rooms_m2"] = [float(rng.randint(96, 112)) for _ in range(rooms)]
        data["art_rooms_m2"] = [float(rng.randint(90, 104)) for _ in range(rooms)]
    budget = sum(n * BENCHMARK[lv] for lv, n in levels.items()) + high * BENCHMARK["high"]
    if location == "rural" and kind in ("primary", "teaching_point") and sum(levels.values()) < 100:
        budget = max(budget, 100 * BENCHMARK["primary"])   # 不足100人按100人核定
    budget = int(round(budget * rng.uniform(1.0, 1.08), -2))
    data["public_budget_yuan"] = budget
    data["teacher_training_budget_yuan"] = int(round(budget * rng.uniform(0.055, 0.08)))
    return data


def attest(ids, evidence: str, by: str, date: str, not_met: dict | None = None) -> dict:
    out = {}
    for rule in ids:
        out[rule] = {"status": "met", "evidence": evidence.format(rule=rule), "by": by, "date": date}
    for rule, why in (not_met or {}).items():
        out[rule] = {"status": "not_met", "evidence": why, "by": by, "date": date}
    return out


NATIONAL_ATTESTED = ["G1", "G2", "G15", "Q3", "Q5", "Q6", "Q7", "Q8", "P1"]
NO_VETO = {k: False for k in ("exam_admission", "illegal_school_choice", "key_schools_or_classes",
                              "unfilled_posts_or_long_term_contract_teachers", "major_safety_incident", "fraud")}


def yanping(seed: int = 350702) -> dict:
    rng = random.Random(seed)
    S = []

    def add(name, kind, loc, levels, **kw):
        S.append(school(rng, f"35070200{len(S) + 1:03d}", name, kind, loc, levels, **kw))

    add("延平区实验小学", "primary", "urban", {"primary": rng.randint(1500, 1750)}, built=1952)
    add("延平区第二实验小学", "primary", "urban", {"primary": rng.randint(1250, 1450)}, built=1986)
    add("延平区水南小学", "primary", "urban", {"primary": rng.randint(1000, 1200)}, built=1994)
    add("延平区梅山小学", "primary", "urban", {"primary": rng.randint(850, 1050)}, built=2016)
    add("延平区第二中学", "junior", "urban", {"junior": rng.randint(1100, 1300)}, built=1958)
    add("延平区第四中学", "junior", "urban", {"junior": rng.randint(800, 1000)}, built=1972)
    add("延平区东山学校", "nine_year", "urban", {"primary": rng.randint(1100, 1300), "junior": rng.randint(600, 750)},
        built=2017)
    add("延平区第三中学", "complete_middle", "urban", {"junior": rng.randint(850, 1000)}, high=rng.randint(1000, 1200),
        built=1941)
    add("延平区特殊教育学校", "special", "urban", {"primary": rng.randint(48, 64), "junior": rng.randint(20, 30)},
        boarding=True, built=2011)
    add("王台中心小学", "primary", "town", {"primary": rng.randint(550, 700)}, built=1978)
    add("峡阳中心小学", "primary", "town", {"primary": rng.randint(480, 600)}, built=1981)
    add("樟湖中心小学", "primary", "town", {"primary": rng.randint(380, 480)}, built=1983)
    add("王台中学", "junior", "town", {"junior": rng.randint(450, 560)}, boarding=True, built=1969)
    add("峡阳中学", "junior", "town", {"junior": rng.randint(380, 480)}, boarding=True, built=1975)
    add("巨口中心小学", "primary", "rural", {"primary": rng.randint(160, 220)}, boarding=True, built=1990)
    add("茫荡镇宝珠小学", "primary", "rural", {"primary": rng.randint(72, 95)}, built=1987)
    add("赤门乡上洋教学点", "teaching_point", "rural", {"primary": rng.randint(18, 36)}, built=1985)
    students = sum(s["students"] for sc in S for s in sc["sections"].values())
    local_ok = ["YP-GOAL-2020", "YP-GOAL-2022", "YP-LAYOUT", "YP-STD", "YP-G5-LEDGER", "YP-LINKAGE", "YP-LINKAGE-ALLIANCE", "YP-SHARE",
                "YP-ETHICS", "YP-STAFF", "YP-RURAL-PAY", "YP-MIGRANT", "YP-LEFT-BEHIND", "YP-SPECIAL", "YP-FUNDING",
                "YP-SUPERVISION", "YP-PE-COND", "YP-PE-HOUR", "YP-ART-EVAL", "YP-DROPOUT"]
    attestations = attest(NATIONAL_ATTESTED + local_ok, "{rule}：区教育督导室核查记录（2024年）", "延平区人民政府教育督导室",
                          "2024-08-26",
                          {"YP-GOAL-2025": "2024年市级复核已完成，省级督导评估认定计划于2025年申报，尚未认定"})
    facts = {
        "students_total": students, "basic_balance_certified_year": 2015,
        "public_funding_benchmark_primary_yuan": BENCHMARK["primary"],
        "public_funding_benchmark_junior_yuan": BENCHMARK["junior"],
        "special_ed_per_student_funding_yuan": 7200,
        "teacher_avg_salary_yuan": 118640, "civil_servant_avg_salary_yuan": 116920,
        "performance_pay_approved_wan_yuan": 5230, "performance_pay_required_wan_yuan": 5230,
        "training_360h_completion_rate": 1.0, "staff_quota_total": 1520, "staff_quota_allocated": 1508,
        "posts_total": 1560, "posts_allocated": 1551,
        "rotation_eligible_teachers": 1040, "rotated_teachers": 116, "rotated_backbone_teachers": 27,
        "certified_teacher_rate": 1.0, "nearby_enrollment_rate_primary": 1.0, "nearby_enrollment_rate_junior": 0.972,
        "quality_high_school_quota_share": 0.56, "migrant_children_public_rate": 0.914,
        "junior_retention_rate": 0.986, "disabled_enrollment_rate": 0.968,
        "quality_monitoring_min_level": 3, "quality_monitoring_school_difference_rate": 0.118,
        "social_recognition_rate": 0.912,
        "student_physical_health_pass_rate": 0.886, "curriculum_offering_rate": 1.0,
        "quality_courses": 16, "provincial_curriculum_reform_demo_schools": 21,
        "veto": dict(NO_VETO), "attestations": attestations,
    }
    history = [{"year": 2022, "student_physical_health_pass_rate": 0.871, "quality_courses": 11,
                "provincial_curriculum_reform_demo_schools": 20, "curriculum_offering_rate": 1.0},
               {"year": 2023, "student_physical_health_pass_rate": 0.879, "quality_courses": 14,
                "provincial_curriculum_reform_demo_schools": 21, "curriculum_offering_rate": 1.0}]
    return {"format_version": "1",
            "jurisdiction": {"code": "350702", "name": "延平区（示例数据）", "level": "county",
                             "parent": {"code": "350700", "name": "南平市"}},
            "year": 2024, "as_of": "2024-09-01", "packs": ["yanping"],
            "facts": facts, "schools": S, "history": history}


def xx_county(seed: int = 2022) -> dict:
    rng = random.Random(seed)
    S = []

    def add(name, kind, loc, levels, **kw):
        S.append(school(rng, f"XX{len(S) + 1:03d}", name, kind, loc, levels, **kw))

    add("XX县实验小学", "primary", "urban", {"primary": rng.randint(1700, 1950)}, built=1962)
    add("XX县第一小学", "primary", "urban", {"primary": rng.randint(1300, 1500)}, built=1979)
    add("XX县第三小学", "primary", "urban", {"primary": rng.randint(1100, 1300)}, built=2012)
    add("XX县第一中学", "junior", "urban", {"junior": rng.randint(1400, 1650)}, built=1956)
    add("XX县第五中学", "junior", "urban", {"junior": rng.randint(1000, 1200)}, built=2009)
    add("XX县育才学校", "nine_year", "urban", {"primary": rng.randint(1200, 1400), "junior": rng.randint(700, 850)},
        built=2015)
    add("XX县特殊教育学校", "special", "urban", {"primary": rng.randint(40, 55), "junior": rng.randint(15, 25)},
        boarding=True, built=2013)
    add("XX镇中心小学", "primary", "town", {"primary": rng.randint(700, 850)}, built=1980)
    add("城北镇中心小学", "primary", "town", {"primary": rng.randint(520, 650)}, built=1984)
    add("河口镇中心小学", "primary", "town", {"primary": rng.randint(420, 540)}, built=1988)
    add("XX镇中学", "junior", "town", {"junior": rng.randint(650, 800)}, boarding=True, built=1970)
    add("河口镇中学", "junior", "town", {"junior": rng.randint(450, 560)}, boarding=True, built=1973)
    add("柳园乡小学", "primary", "rural", {"primary": rng.randint(180, 260)}, built=1992)
    add("柳园乡南坡教学点", "teaching_point", "rural", {"primary": rng.randint(20, 40)}, built=1986)
    students = sum(s["students"] for sc in S for s in sc["sections"].values())
    local_ok = ["XX-REVIEW", "XX-BUILD", "XX-EQUIP", "XX-ICT-TRAIN", "XX-RECRUIT", "XX-TRAIN-FUND", "XX-PAY-LINK",
                "XX-COMMUNITY", "XX-COMMUNITY-FOUR", "XX-ICT2", "XX-PE-HOUR", "XX-GUIDE", "XX-EVAL"]
    attestations = attest(NATIONAL_ATTESTED + local_ok, "{rule}：县教育督导室创建工作台账（2022年8月）", "XX县人民政府教育督导室",
                          "2022-08-25",
                          {"XX-GOAL-2022": "已向省教育厅提交评估申请，省级督导评估安排在2022年11月"})
    facts = {
        "students_total": students, "basic_balance_certified_year": 2016,
        "public_funding_benchmark_primary_yuan": BENCHMARK["primary"],
        "public_funding_benchmark_junior_yuan": BENCHMARK["junior"],
        "special_ed_per_student_funding_yuan": 6800,
        "teacher_avg_salary_yuan": 101350, "civil_servant_avg_salary_yuan": 100870,
        "performance_pay_approved_wan_yuan": 4120, "performance_pay_required_wan_yuan": 4120,
        "training_360h_completion_rate": 1.0, "staff_quota_total": 1390, "staff_quota_allocated": 1384,
        "posts_total": 1410, "posts_allocated": 1402,
        "rotation_eligible_teachers": 1280, "rotated_teachers": 136, "rotated_backbone_teachers": 31,
        "certified_teacher_rate": 1.0, "nearby_enrollment_rate_primary": 1.0, "nearby_enrollment_rate_junior": 0.965,
        "quality_high_school_quota_share": 0.6, "migrant_children_public_rate": 0.93,
        "junior_retention_rate": 0.981, "disabled_enrollment_rate": 0.962,
        "quality_monitoring_min_level": 3, "quality_monitoring_school_difference_rate": 0.126,
        "social_recognition_rate": 0.893,
        "interactive_teaching_classes": 186, "schools_with_labor_practice_base": 12, "curriculum_offering_rate": 1.0,
        "veto": dict(NO_VETO), "attestations": attestations,
    }
    history = [{"year": 2021, "rotation_eligible_teachers": 1265, "rotated_teachers": 151,
                "rotated_backbone_teachers": 34, "interactive_teaching_classes": 133,
                "schools_with_labor_practice_base": 10}]
    return {"format_version": "1",
            "jurisdiction": {"code": "000000", "name": "XX县（示例数据）", "level": "county",
                             "parent": {"code": "000000", "name": "XX市"}},
            "year": 2022, "as_of": "2022-09-01", "packs": ["xx-county"],
            "facts": facts, "schools": S, "history": history}


FILES = {"yanping-2024.json": yanping, "xx-county-2022.json": xx_county}


def render(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the files on disk, write nothing")
    args = parser.parse_args(argv)
    stale = []
    for name, build in FILES.items():
        text, path = render(build()), HERE / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(HERE.parent)}")
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
