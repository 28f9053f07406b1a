"""Every national rule on both sides of its boundary, at the threshold itself, and the verdicts."""
import copy

import pytest

from compliance.findings import verdict
from national_fixtures import base_record, finding, findings


def patched(**changes):
    """A copy of the base record with `path=value` changes; path parts separated by '__'."""
    data = base_record()
    for path, value in changes.items():
        target = data
        parts = path.split("__")
        for p in parts[:-1]:
            target = target[int(p)] if p.isdigit() else target[p]
        last = parts[-1]
        if value is DELETE:
            del target[last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return data


DELETE = object()


def test_base_county_passes_everything():
    fs = findings(base_record())
    bad = [(f.rule, f.subject.label(), f.status, f.message_zh) for f in fs if f.status in ("fail", "unknown")]
    assert bad == []
    assert verdict(fs) == "pass"
    rules = {f.rule.split("/")[1] for f in fs}
    expected = {"P1", *(f"R{i}" for i in range(1, 8)), "R-SCHOOL", *(f"R{i}-CV" for i in range(1, 8)),
                *(f"G{i}" for i in range(1, 16)), *(f"Q{i}" for i in range(1, 10)), "S1", *(f"V{i}" for i in range(1, 7)),
                # published figures (facts.reported): none here, so not applicable
                *(f"R{i}-{k}" for i in range(1, 8) for k in ("CV-REPORTED", "RECHECK-CV", "RECHECK-MEAN"))}
    assert rules == expected
    assert all(f.status == "not_applicable" for f in fs if "-RECHECK-" in f.rule or f.rule.endswith("-REPORTED"))


# -- 资源配置: each indicator at, under and over its threshold ----------------------------------

def _school_with(level, students, **counts):
    data = base_record()
    a = data["schools"][0] if level == "primary" else data["schools"][2]
    a["sections"][level]["students"] = students
    a["sections"][level].update(counts)
    return data, a["id"]


@pytest.mark.parametrize("rule,field,level,students,count,expected", [
    ("R1", "teachers_above_required_degree", "primary", 1000, 42, "pass"),   # 4.2 exactly
    ("R1", "teachers_above_required_degree", "primary", 1001, 42, "fail"),   # 4.196
    ("R1", "teachers_above_required_degree", "primary", 1000, 43, "pass"),
    ("R1", "teachers_above_required_degree", "junior", 800, 42, "fail"),     # 5.25 < 5.3
    ("R1", "teachers_above_required_degree", "junior", 1000, 53, "pass"),    # 5.3 exactly
    ("R2", "backbone_teachers", "primary", 1000, 10, "pass"),
    ("R2", "backbone_teachers", "primary", 1000, 9, "fail"),
    ("R2", "backbone_teachers", "junior", 800, 8, "pass"),
    ("R2", "backbone_teachers", "junior", 801, 8, "fail"),
    ("R3", "pe_art_teachers", "primary", 1000, 9, "pass"),
    ("R3", "pe_art_teachers", "primary", 1000, 8, "fail"),
    ("R3", "pe_art_teachers", "junior", 1000, 9, "pass"),
    ("R3", "pe_art_teachers", "junior", 1001, 9, "fail"),
    ("R7", "multimedia_classrooms", "primary", 1000, 23, "pass"),
    ("R7", "multimedia_classrooms", "primary", 1000, 22, "fail"),
    ("R7", "multimedia_classrooms", "junior", 1000, 24, "pass"),
    ("R7", "multimedia_classrooms", "junior", 1000, 23, "fail"),
])
def test_per_hundred_indicators(rule, field, level, students, count, expected):
    data, school_id = _school_with(level, students, **{field: count})
    f = finding(data, rule, school_id, level)
    assert f.status == expected, f.message_zh


def _areas(level, teaching=None, sports=None, equipment=None, students=1000):
    data = base_record()
    s = data["schools"][0] if level == "primary" else data["schools"][2]
    s["sections"][level]["students"] = students
    shared = s["shared"]
    shared["indoor_sports_area_m2"] = 100
    if teaching is not None:
        shared["teaching_aux_area_m2"] = teaching + 100  # the indoor sports area is not teaching space
    if sports is not None:
        shared["sports_ground_area_m2"] = sports - 100   # …but counts as sports space
    if equipment is not None:
        shared["equipment_value_wan_yuan"] = equipment
    return data, s["id"]


@pytest.mark.parametrize("rule,level,kwargs,expected", [
    ("R4", "primary", {"teaching": 4500}, "pass"),
    ("R4", "primary", {"teaching": 4499.99}, "fail"),
    ("R4", "junior", {"teaching": 5800}, "pass"),
    ("R4", "junior", {"teaching": 5799.99}, "fail"),
    ("R5", "primary", {"sports": 7500}, "pass"),
    ("R5", "primary", {"sports": 7499.99}, "fail"),
    ("R5", "junior", {"sports": 10200}, "pass"),
    ("R5", "junior", {"sports": 10199.99}, "fail"),
    ("R6", "primary", {"equipment": 200}, "pass"),        # 200 万元 / 1000 = 2000 元
    ("R6", "primary", {"equipment": 199.99}, "fail"),
    ("R6", "junior", {"equipment": 250}, "pass"),
    ("R6", "junior", {"equipment": 249.99}, "fail"),
])
def test_area_and_equipment_indicators(rule, level, kwargs, expected):
    data, school_id = _areas(level, **kwargs)
    assert finding(data, rule, school_id, level).status == expected


def test_nine_year_school_indicators_use_the_split():
    data = base_record()
    b = data["schools"][1]  # 400 primary + 300 junior students: weights 400 : 330
    # junior share of the teaching area X is X × 330/730, per student X × 1.1 / 730 ≥ 5.8 ⟺ X ≥ 3849.0909…
    b["shared"].update(teaching_aux_area_m2=3849.10 + 100, indoor_sports_area_m2=100)
    assert finding(data, "R4", "B", "junior").status == "pass"
    b["shared"]["teaching_aux_area_m2"] = 3849.09 + 100
    assert finding(data, "R4", "B", "junior").status == "fail"
    assert finding(data, "R4", "B", "primary").status == "pass"  # primary: 3849.09 / 730 = 5.27 ≥ 4.5


def test_out_of_scope_schools_are_not_applicable():
    data = base_record()
    for rule in ("R1", "R-SCHOOL"):
        assert finding(data, rule, "E", "primary").status == "not_applicable"  # teaching point, 30 students
        assert finding(data, rule, "F", "primary").status == "not_applicable"  # special school
    data["schools"][4]["sections"]["primary"].update(students=50, teachers_above_required_degree=3)
    assert finding(data, "R1", "E", "primary").status == "pass"  # 50 students: in scope (6.0 per hundred)


@pytest.mark.parametrize("backbone,pe_art,expected", [
    (17, None, "pass"),    # R2 at 0.85 of its threshold, the other six met
    (16, None, "fail"),    # R2 at 0.8: under 85 %
    (17, 17, "fail"),      # two indicators missed: only 5 of 7 met
])
def test_school_rule_six_of_seven(backbone, pe_art, expected):
    data, school_id = _school_with("primary", 2000, teachers_above_required_degree=100, backbone_teachers=backbone,
                                   pe_art_teachers=pe_art or 22, multimedia_classrooms=50)
    s = data["schools"][0]["shared"]
    s.update(teaching_aux_area_m2=10000, indoor_sports_area_m2=500, sports_ground_area_m2=20000,
             equipment_value_wan_yuan=500)
    assert finding(data, "R-SCHOOL", school_id, "primary").status == expected


def _two_schools(level, a, b, students=(100, 100)):
    """Two in-scope schools whose R7 values are a and b per hundred students."""
    data = base_record()
    data["schools"] = [s for s in data["schools"] if s["type"] == ("primary" if level == "primary" else "junior")][:1]
    first = data["schools"][0]
    second = copy.deepcopy(first)
    second["id"] = "A2"
    for s, value, n in ((first, a, students[0]), (second, b, students[1])):
        s["sections"][level].update(students=n, multimedia_classrooms=value * n // 100)
    data["schools"].append(second)
    return data


@pytest.mark.parametrize("level,a,b,expected", [
    ("primary", 10, 30, "pass"),  # CV exactly 0.50
    ("primary", 10, 31, "fail"),
    ("junior", 11, 29, "pass"),   # CV exactly 0.45
    ("junior", 11, 30, "fail"),
])
def test_cv_limits(level, a, b, expected):
    f = finding(_two_schools(level, a, b), "R7-CV", section=level)
    assert f.status == expected
    if expected == "pass":
        assert f.value == f.threshold


def _all_indicators_scaled(level, a, b):
    """Two in-scope single-section schools of 100 students whose seven indicator values are in ratio a : b."""
    data = base_record()
    data["schools"] = []
    for id, k in (("P", a), ("Q", b)):
        s = school_with_values(id, level, k)
        data["schools"].append(s)
    return data


def school_with_values(id, level, k):
    from national_fixtures import school
    s = school(id, "primary" if level == "primary" else "junior", {level: 100})
    s["sections"][level].update(teachers_above_required_degree=k, backbone_teachers=k, pe_art_teachers=k,
                                multimedia_classrooms=k)
    s["shared"] = {"teaching_aux_area_m2": 10 * k + 50, "indoor_sports_area_m2": 50,
                   "sports_ground_area_m2": 20 * k - 50, "equipment_value_wan_yuan": k}
    return s


@pytest.mark.parametrize("indicator", range(1, 8))
@pytest.mark.parametrize("level,a,b,expected", [
    ("primary", 10, 30, "pass"), ("primary", 10, 31, "fail"),
    ("junior", 11, 29, "pass"), ("junior", 11, 30, "fail"),
])
def test_every_cv_rule_at_its_limit(indicator, level, a, b, expected):
    f = finding(_all_indicators_scaled(level, a, b), f"R{indicator}-CV", section=level)
    assert f.status == expected


def test_cv_is_weighted_by_students():
    # the same two values, but most students in the school with the higher value: CV drops under 0.5
    f = finding(_two_schools("primary", 10, 30, students=(100, 900)), "R7-CV", section="primary")
    assert f.status == "pass" and f.value < f.threshold


# -- 政府保障程度 ----------------------------------------------------------------------------------

def test_g3_music_and_art_rooms():
    data = base_record()
    a = data["schools"][0]  # 25 classes: needs 3 rooms of each
    assert finding(data, "G3", "A").status == "pass"
    a["music_rooms_m2"] = [100, 100]
    assert finding(data, "G3", "A").status == "fail"
    a["music_rooms_m2"] = [96, 96, 96]
    a["art_rooms_m2"] = [90, 90, 90]
    assert finding(data, "G3", "A").status == "pass"      # 不小于: the limit itself passes
    a["art_rooms_m2"] = [90, 90, 89.9]
    assert finding(data, "G3", "A").status == "fail"
    a["sections"]["primary"]["classes"] = 24               # 24 classes: 2 rooms suffice
    a["music_rooms_m2"], a["art_rooms_m2"] = [96, 96], [90, 90]
    assert finding(data, "G3", "A").status == "pass"


@pytest.mark.parametrize("school_index,level,students,expected", [
    (0, "primary", 2000, "pass"), (0, "primary", 2001, "fail"),
    (2, "junior", 2000, "pass"), (2, "junior", 2001, "fail"),
])
def test_g4_school_size(school_index, level, students, expected):
    data = base_record()
    s = data["schools"][school_index]
    s["sections"][level]["students"] = students
    assert finding(data, "G4", s["id"]).status == expected


@pytest.mark.parametrize("junior,expected", [(2100, "pass"), (2101, "fail")])
def test_g4_nine_year_school_limit_is_2500(junior, expected):
    data = base_record()
    data["schools"][1]["sections"]["junior"]["students"] = junior  # + 400 primary
    f = finding(data, "G4", "B")
    assert f.status == expected and f.threshold == 2500


@pytest.mark.parametrize("level,largest,expected", [
    ("primary", 45, "pass"), ("primary", 46, "fail"), ("junior", 50, "pass"), ("junior", 51, "fail"),
])
def test_g5_class_sizes(level, largest, expected):
    data = base_record()
    s = data["schools"][1]
    s["class_sizes"][level][0] = largest
    f = finding(data, "G5", "B", level)
    assert f.status == expected and f.value == largest


def test_g5_without_class_sizes_is_unknown():
    data = base_record()
    del data["schools"][0]["class_sizes"]
    f = finding(data, "G5", "A", "primary")
    assert f.status == "unknown" and f.missing == ("/schools/0/class_sizes/primary",)


@pytest.mark.parametrize("budget,expected", [(65000, "pass"), (64999, "fail")])
def test_g6_small_village_schools_funded_as_100_students(budget, expected):
    data = base_record()
    data["schools"][4]["public_budget_yuan"] = budget  # 100 × 650 元
    assert finding(data, "G6", "E").status == expected
    assert finding(data, "G6", "A").status == "not_applicable"


FACT_BOUNDARIES = [
    ("G7", "special_ed_per_student_funding_yuan", 6000, 5999.99),
    ("G9", "training_360h_completion_rate", 1, 0.999),
    ("G12", "certified_teacher_rate", 1, 0.999),
    ("G14", "quality_high_school_quota_share", 0.5, 0.4999),
    ("G15", "migrant_children_public_rate", 0.85, 0.8499),
    ("Q1", "junior_retention_rate", 0.95, 0.9499),
    ("Q2", "disabled_enrollment_rate", 0.95, 0.9499),
    ("S1", "social_recognition_rate", 0.85, 0.8499),
]


@pytest.mark.parametrize("rule,fact,at,under", FACT_BOUNDARIES)
def test_jurisdiction_thresholds(rule, fact, at, under):
    data = base_record()
    data["facts"][fact] = at
    assert finding(data, rule).status == "pass"
    data["facts"][fact] = under
    assert finding(data, rule).status == "fail"
    del data["facts"][fact]
    f = finding(data, rule)
    assert f.status == "unknown" and f"/facts/{fact}" in f.missing


def test_g8_salary_and_performance_pay():
    data = base_record()
    data["facts"]["teacher_avg_salary_yuan"] = 110000  # equal: 不低于 passes
    assert finding(data, "G8").status == "pass"
    data["facts"]["teacher_avg_salary_yuan"] = 109999.99
    assert finding(data, "G8").status == "fail"
    data["facts"]["teacher_avg_salary_yuan"] = 110000
    data["facts"]["performance_pay_approved_wan_yuan"] = 3199.99
    assert finding(data, "G8").status == "fail"


def test_g10_quotas_within_totals():
    data = base_record()
    data["facts"]["staff_quota_allocated"] = 400
    assert finding(data, "G10").status == "pass"
    data["facts"]["staff_quota_allocated"] = 401
    assert finding(data, "G10").status == "fail"


@pytest.mark.parametrize("rotated,backbone,expected", [
    (30, 6, "pass"),   # exactly 10 % of 300, exactly 20 % of 30
    (29, 6, "fail"),
    (30, 5, "fail"),
])
def test_g11_rotation(rotated, backbone, expected):
    data = base_record()
    data["facts"].update(rotated_teachers=rotated, rotated_backbone_teachers=backbone)
    assert finding(data, "G11").status == expected


@pytest.mark.parametrize("level,fact,at,under", [
    ("primary", "nearby_enrollment_rate_primary", 1, 0.9999),
    ("junior", "nearby_enrollment_rate_junior", 0.95, 0.9499),
])
def test_g13_nearby_enrollment(level, fact, at, under):
    data = base_record()
    data["facts"][fact] = at
    assert finding(data, "G13", section=level).status == "pass"
    data["facts"][fact] = under
    assert finding(data, "G13", section=level).status == "fail"


@pytest.mark.parametrize("rule", ["G1", "G2", "Q3", "Q5", "Q6", "Q7", "Q8"])
def test_attested_items(rule):
    data = base_record()
    assert finding(data, rule).status == "pass"
    data["facts"]["attestations"][rule]["status"] = "not_met"
    assert finding(data, rule).status == "fail"
    del data["facts"]["attestations"][rule]
    f = finding(data, rule)
    assert f.status == "unknown" and f.missing == (f"/facts/attestations/{rule}",)


def test_g15_needs_the_attestation_too():
    data = base_record()
    data["facts"]["attestations"]["G15"]["status"] = "not_met"
    assert finding(data, "G15").status == "fail"


# -- 教育质量 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("training,expected", [(5, "pass"), (4.99, "fail")])
def test_q4_training_budget_share(training, expected):
    data = base_record()
    data["schools"][0].update(public_budget_yuan=100000, teacher_training_budget_yuan=training * 1000)
    assert finding(data, "Q4", "A").status == expected


def test_q4_with_no_budget_is_not_applicable():
    data = base_record()
    data["schools"][0].update(public_budget_yuan=0, teacher_training_budget_yuan=0)
    f = finding(data, "Q4", "A")
    assert f.status == "not_applicable" and "为零" in f.message_zh


@pytest.mark.parametrize("level,rate,expected", [
    (3, 0.1499, "pass"), (4, 0.1, "pass"), (2, 0.1, "fail"),
    (3, 0.15, "fail"),  # 低于0.15: the limit itself fails
])
def test_q9_quality_monitoring(level, rate, expected):
    data = base_record()
    data["facts"].update(quality_monitoring_min_level=level, quality_monitoring_school_difference_rate=rate)
    assert finding(data, "Q9").status == expected


# -- 基本条件、否决项、结论 ----------------------------------------------------------------------

@pytest.mark.parametrize("certified,expected", [(2021, "pass"), (2022, "fail"), (2015, "pass")])
def test_p1_three_years_since_basic_balance(certified, expected):
    data = base_record()
    data["facts"]["basic_balance_certified_year"] = certified
    assert finding(data, "P1").status == expected


def test_only_the_six_non_recognition_items_are_vetoes():
    # 社会认可度 (S1) is not among the six 不予认定 items of the 办法: a must, not a veto
    data = base_record()
    data["facts"]["social_recognition_rate"] = 0.84
    fs = findings(data)
    assert sorted(x.rule for x in fs if x.severity == "veto") == [f"national/V{i}" for i in range(1, 7)]
    s1 = next(x for x in fs if x.rule == "national/S1")
    assert s1.status == "fail" and s1.severity == "must" and verdict(fs) == "fail"


@pytest.mark.parametrize("rule,fact", [
    ("V1", "exam_admission"), ("V2", "illegal_school_choice"), ("V3", "key_schools_or_classes"),
    ("V4", "unfilled_posts_or_long_term_contract_teachers"), ("V5", "major_safety_incident"), ("V6", "fraud"),
])
def test_vetoes(rule, fact):
    data = base_record()
    assert finding(data, rule).status == "pass"
    data["facts"]["veto"][fact] = True
    fs = findings(data)
    f = next(x for x in fs if x.rule == f"national/{rule}")
    assert f.status == "fail" and f.severity == "veto"
    assert verdict(fs) == "fail"
    # a veto alone decides: every other decisive rule still passes
    assert [x.rule for x in fs if x.status == "fail"] == [f"national/{rule}"]


def test_three_verdicts():
    assert verdict(findings(base_record())) == "pass"
    data = base_record()
    del data["facts"]["social_recognition_rate"]
    assert verdict(findings(data)) == "unknown"
    data["schools"][0]["sections"]["primary"]["backbone_teachers"] = 1
    assert verdict(findings(data)) == "fail"


def test_every_finding_carries_its_citation():
    for f in findings(base_record()):
        c = f.citation
        assert c["document"] == "教督〔2017〕6号" and c["quote"] and c["article"], f.rule
        assert c["source_grade"] in ("verified", "secondary", "reconstructed")
