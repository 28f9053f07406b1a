"""Write the example records of the two city-level packs: beijing-2024.json and zhangye-2024.json.

Both are invented but plausible figures for a statistical year (no randomness: running this
again gives the same files). What they are meant to show:

- beijing-2024.json (北京市, province level, pack `beijing`): 通过. Every must rule passes; the
  “2+1” programme (BJ-7, a target) is reported short of every student; the quality-high-school
  quota share (BJ-11) widens over the 2020–2024 history.
- zhangye-2024.json (张掖市, city level, pack `zhangye`, with six schools): 通过 on 2024-09-01.
  The per-student public-budget education spending fell in 2023, before the measures were issued
  (2024-01-05): 2023 is the base and 2024 is above it, so ZY-18-PER-STUDENT passes; the total
  (ZY-18-BUDGET) rose every year. The 2027 and 2035 targets (two of six counties
  certified, one school over 2000 students, classes over 45 / 50, a high school over 3000 with
  classes of 56) are reported as targets; with `--as-of 2036-01-01` they count and fail.

    python examples/local_city_examples.py
"""
from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def class_sizes(students: int, classes: int, largest: int | None = None) -> list[int]:
    """`classes` class sizes summing to `students`, as even as possible; with `largest`, the
    first class has that many students and the rest share what is left."""
    if largest is not None:
        rest = class_sizes(students - largest, classes - 1)
        return [largest, *rest]
    return [students // classes + (1 if i < students % classes else 0) for i in range(classes)]


def attested(ids: list[str], by: str, date: str, evidence: dict[str, str], not_met: dict[str, str] = {}) -> dict:
    out = {}
    for rule in ids:
        if rule in not_met:
            out[rule] = {"status": "not_met", "evidence": not_met[rule], "by": by, "date": date}
        else:
            out[rule] = {"status": "met", "evidence": evidence.get(rule, "督导核查记录"), "by": by, "date": date}
    return out


VETO_NONE = {"exam_admission": False, "illegal_school_choice": False, "key_schools_or_classes": False,
             "unfilled_posts_or_long_term_contract_teachers": False, "major_safety_incident": False,
             "fraud": False}


def beijing() -> dict:
    evidence = {
        "BJ-2": "北京市义务教育优质均衡发展2020年度督导评估报告",
        "BJ-3": "北京市基础教育设施专项规划；北京市中小学办学条件标准（修订）",
        "BJ-6": "教师研修信息化平台上线运行情况说明",
        "BJ-9": "家庭教育指导与家长学校建设情况统计",
        "BJ-9-VENUES": "博物馆等场馆向中小学生免费开放名录",
        "BJ-10-ENROLMENT": "义务教育入学服务平台年度运行报告；随迁子女入学资格联审办法",
        "BJ-12-NO-SELECTION-TEST": "市、区两级考试测试备案及专项检查记录",
        "BJ-12-BURDEN": "中小学生课业负担监测公告（2024年）；减负专项督导报告",
        "BJ-13": "农村学校政策倾斜文件；农村学校特设岗位名单",
        "BJ-13-ROTATION": "校长教师交流轮岗实施办法及年度交流统计",
        "BJ-14": "教师资格“国标省考”与定期注册统计；中小学教师职称评审结果统计",
        "BJ-14-DISTRICT": "“区管校用”改革实施方案",
        "BJ-15": "师资缺口与师范生招生计划联动方案；农村中小学音体美教师招聘统计",
        "BJ-16": "教师培训服务平台运行报告；农村教师素质提升工程年度总结",
        "BJ-17-PAY": "教师绩效工资核定文件；城乡教师收入对比统计",
        "BJ-21": "中小学章程核准情况统计（全部学校已核准章程）",
        "BJ-24": "区政府履行教育职责考核指标体系（含义务教育优质均衡发展）",
    }
    facts = {
        "county_level_divisions": 16,
        "basic_balanced_counties": 16,
        "students_total": 1478600,
        "teacher_avg_salary_yuan": 186400.0,
        "civil_servant_avg_salary_yuan": 179800.0,
        "migrant_children_fiscal_coverage_rate": 1,
        "pe_art_2plus1_rate": 0.91,
        "quality_high_school_quota_share": 0.6,
        "veto": dict(VETO_NONE),
        "attestations": attested(list(evidence), "北京市人民政府教育督导室", "2024-08-26", evidence),
    }
    history = [{"year": y, "quality_high_school_quota_share": v}
               for y, v in ((2020, 0.5), (2021, 0.5), (2022, 0.55), (2023, 0.6))]
    return {"format_version": "1",
            "jurisdiction": {"code": "110000", "name": "北京市", "level": "province"},
            "year": 2024, "as_of": "2024-09-01", "packs": ["beijing"],
            "facts": facts, "schools": [], "history": history}


def school(id, name, type, location, sections: dict[str, tuple[int, int, int | None]], high=None):
    """sections: level → (students, classes, largest class or None)."""
    data = {"id": id, "name": name, "type": type, "location": location, "boarding": False, "ownership": "public",
            "sections": {lv: {"students": n, "classes": c} for lv, (n, c, _) in sections.items()},
            "class_sizes": {lv: class_sizes(n, c, big) for lv, (n, c, big) in sections.items()}}
    if high is not None:
        n, c, big = high
        data["high_school_students"] = n
        data["high_school_classes"] = c
        data["class_sizes"]["high"] = class_sizes(n, c, big)
    return data


def zhangye() -> dict:
    schools = [
        school("620702001", "甘州区示例实验小学", "primary", "urban", {"primary": (2310, 51, 48)}),
        school("620702002", "甘州区示例第二小学", "primary", "urban", {"primary": (1480, 33, 45)}),
        school("620702003", "甘州区示例九年制学校", "nine_year", "urban",
               {"primary": (1260, 28, 45), "junior": (1080, 22, 50)}),
        school("620702004", "张掖市示例中学", "complete_middle", "urban", {"junior": (1650, 33, 53)},
               high=(3260, 62, 56)),
        school("620702005", "张掖市示例高级中学", "senior_high", "urban", {}, high=(2450, 50, 50)),
        school("620723001", "临泽县示例初级中学", "junior", "town", {"junior": (860, 20, 44)}),
        school("620725001", "山丹县示例第一小学", "primary", "town", {"primary": (940, 24, 42)}),
    ]
    ids = ["ZY-1-2027-SYSTEM", "ZY-1-2035-LEAD", "ZY-3", "ZY-5-SYNC", "ZY-6", "ZY-6-STANDARDS", "ZY-7", "ZY-9", "ZY-10",
           "ZY-12", "ZY-13", "ZY-16", "ZY-16-SYSTEM", "ZY-16-FLOW", "ZY-19", "ZY-20-RURAL", "ZY-20-RURAL-RAISE", "ZY-22", "ZY-24", "ZY-25-SCREENING", "ZY-26-VENUES", "ZY-28"]
    evidence = {
        "ZY-5-SYNC": "新建住宅小区配套教育设施“四同步”台账（2024年）",
        "ZY-6": "学校办学条件跟踪评估机制文件及2024年评估报告",
        "ZY-16-FLOW": "2024年骨干教师向乡村学校、薄弱学校交流名单",
        "ZY-20-RURAL-RAISE": "甘州区、肃南县提高乡村教师生活补助标准文件（按困难程度分档）",
        "ZY-7": "中小学教师学科配备统计（思政、体育、美育、劳动、心理健康、特殊教育）",
        "ZY-9": "组团帮扶、多点办学、结对协作、一体化管理名单及年度总结",
        "ZY-10": "新优质学校培育工程、乡村学校质量提升行动实施方案及年度报告",
        "ZY-12": "招生片区划定文件；阳光招生“网上办”试点工作总结；随迁子女、优抚对象子女、残疾儿童入学统计",
        "ZY-13": "课后服务开展情况统计；学习困难学生帮扶制度；特殊群体学生寄宿、交通、营养保障台账",
        "ZY-16": "“县管校聘”改革实施方案；新招聘教师城区见习培养名单",
        "ZY-19": "义务教育转移支付资金随学籍流动拨付文件",
        "ZY-20-RURAL": "乡村教师生活补助发放表；教师体检与住房保障统计",
        "ZY-22": "学生资助年度报告（应助尽助）；残疾学生12年免费教育落实情况",
        "ZY-24": "中小学卫生室（保健室）建设与卫生保健人员配备统计",
        "ZY-25-SCREENING": "学生心理健康定期筛查评估与干预工作方案",
        "ZY-26-VENUES": "场馆向学生免费或低收费开放政策落实情况",
        "ZY-28": "县区政府履行教育职责考核指标（2024年）",
    }
    not_met = {
        "ZY-1-2027-SYSTEM": "2024年市级自评：基本公共教育服务体系建设进行中，尚未初步建立",
        "ZY-1-2035-LEAD": "2024年全省教育发展主要指标中，全市位次居中",
        "ZY-3": "临泽县、高台县已通过先行县创建；肃南县、山丹县、民乐县、甘州区尚未通过评估认定",
        # Not met, and only targets: the binding halves (ZY-6, ZY-16) are met; see those rules' readings.
        "ZY-6-STANDARDS": "2024年跟踪评估：张掖市示例中学规模3260人、班额56人，尚未达到规定标准",
        "ZY-16-SYSTEM": "“县管校聘”改革推进中，教师仍以学校为单位管理",
    }
    facts = {
        "county_level_divisions": 6,
        "quality_balanced_counties": 2,
        "students_total": 121400,
        "public_budget_education_expenditure_wan_yuan": 356400.0,
        "per_student_public_budget_education_expenditure_yuan": 18050.0,
        "teacher_avg_salary_yuan": 98600.0,
        "civil_servant_avg_salary_yuan": 97200.0,
        "supporting_kindergarten_public_inclusive_rate": 1,
        "sunan_onsite_teaching_exchanges_per_term": 1,
        "sunan_themed_research_activities_per_term": 2,
        "mental_health_staff_coverage_rate": 0.87,
        "film_screenings_per_student_per_term": 2,
        "films_per_screening": 2,
        "attestations": attested(ids, "张掖市人民政府教育督导室", "2024-08-28", evidence, not_met),
    }
    history = [
        {"year": 2021, "public_budget_education_expenditure_wan_yuan": 318500.0,
         "per_student_public_budget_education_expenditure_yuan": 16850.0},
        {"year": 2022, "public_budget_education_expenditure_wan_yuan": 331200.0,
         "per_student_public_budget_education_expenditure_yuan": 17420.0},
        # 2023: spending still rose, but enrolment in the city rose faster: per student it fell.
        {"year": 2023, "public_budget_education_expenditure_wan_yuan": 342800.0,
         "per_student_public_budget_education_expenditure_yuan": 17390.0},
    ]
    return {"format_version": "1",
            "jurisdiction": {"code": "620700", "name": "张掖市", "level": "city",
                             "parent": {"code": "620000", "name": "甘肃省"}},
            "year": 2024, "as_of": "2024-09-01", "packs": ["zhangye"],
            "facts": facts, "schools": schools, "history": history}


def main() -> None:
    for name, data in (("beijing-2024.json", beijing()), ("zhangye-2024.json", zhangye())):
        (HERE / name).write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
