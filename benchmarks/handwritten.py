"""R1–R7 and R-SCHOOL of rules/national/resources.yaml written by hand in plain Python.

The baseline the compiled rules are measured against: the same work per school section —
the in-scope test, the seven ratios (whole-school quantities split between sections by
students weighted 1 : 1.1 : 1.32, equipment 万元 → 元), the seven threshold comparisons and
the "at least 6 of 7, the rest ≥ 85 %" rule — written the way a programmer would, with the
thresholds as constants. Missing fields (`is None`) give `unknown`; a zero denominator gives
`not_applicable`, as in the compiled rules (missing wins over undefined).

`evaluate_exact` uses Fraction arithmetic on a record whose decimals are Fractions
(compliance.record.exact / loads); `evaluate_float` is the same code on floats, for context.
Both return [(rule, school id, level, status, value)] with value None unless a ratio was
computed for R1–R7.
"""
from __future__ import annotations

from fractions import Fraction

PASS, FAIL, UNKNOWN, NOT_APPLICABLE = "pass", "fail", "unknown", "not_applicable"
LEVELS = ("primary", "junior")
RULES = ("R1", "R2", "R3", "R4", "R5", "R6", "R7")
EXCLUDED = frozenset({"special", "vocational"})
TEACHING_POINT_MIN = 50
MIN_MET = 6
SPLIT_TYPES = ("complete_middle", "twelve_year")   # the high-school count is needed to split


class _Missing:
    __slots__ = ()

    def __repr__(self):
        return "MISSING"


class _Undefined:
    __slots__ = ()

    def __repr__(self):
        return "UNDEFINED"


MISSING, UNDEFINED = _Missing(), _Undefined()


def _make(num):
    """Build the evaluator over one number type (Fraction or float)."""
    weights = {"primary": num(1), "junior": num("1.1"), "high": num("1.32")}
    thresholds = {   # R1 … R7
        "primary": tuple(num(x) for x in ("4.2", "1", "0.9", "4.5", "7.5", "2000", "2.3")),
        "junior": tuple(num(x) for x in ("5.3", "1", "0.9", "5.8", "10.2", "2500", "2.4")),
    }
    rest_share = num("0.85")
    near_thresholds = {lv: tuple(rest_share * t for t in ts) for lv, ts in thresholds.items()}
    hundred = num(100)
    wan = num(10000)
    exact = num is Fraction

    def per_hundred(count, students):
        if count is None or students is None:
            return MISSING
        if students == 0:
            return UNDEFINED
        return Fraction(100 * count, students) if exact else hundred * count / students

    def split_share(school, level):
        """The share of the school's whole-school quantities that belongs to `level`."""
        sections = school.get("sections") or {}
        total = 0
        own = None
        missing = False
        for lv in LEVELS:
            data = sections.get(lv)
            if data is None:
                continue
            n = data.get("students")
            if n is None:
                missing = True
                continue
            part = weights[lv] * n
            total += part
            if lv == level:
                own = part
        high = school.get("high_school_students")
        if high is None:
            if school.get("type") in SPLIT_TYPES:
                missing = True
        elif high:
            total += weights["high"] * high
        if missing:
            return MISSING
        if total == 0 or own is None:
            return UNDEFINED
        return own / total

    def per_student(quantity, share, students):
        """split(quantity) / students, with missing before undefined."""
        if quantity is MISSING or share is MISSING or students is None:
            return MISSING
        if share is UNDEFINED or students == 0:
            return UNDEFINED
        return quantity * share / students

    def evaluate(record: dict) -> list:
        out = []
        append = out.append
        schools = record.get("schools") or []
        for school in schools:
            sections = school.get("sections") or {}
            school_id = str(school.get("id"))
            kind = school.get("type")
            shared = school.get("shared") or {}
            aux = shared.get("teaching_aux_area_m2")
            indoor = shared.get("indoor_sports_area_m2")
            ground = shared.get("sports_ground_area_m2")
            equipment = shared.get("equipment_value_wan_yuan")
            teaching_area = MISSING if aux is None or indoor is None else aux - indoor
            sports_area = MISSING if ground is None or indoor is None else ground + indoor
            equipment_yuan = MISSING if equipment is None else equipment * wan
            for level in LEVELS:
                section = sections.get(level)
                if section is None:
                    continue
                students = section.get("students")
                # in_resource_scope
                if kind is None:
                    scope = None
                elif kind in EXCLUDED:
                    scope = False
                elif kind != "teaching_point":
                    scope = True
                elif students is None:
                    scope = None
                else:
                    scope = students >= TEACHING_POINT_MIN
                if scope is not True:
                    status = UNKNOWN if scope is None else NOT_APPLICABLE
                    for rule in RULES:
                        append((rule, school_id, level, status, None))
                    append(("R-SCHOOL", school_id, level, status, None))
                    continue
                share = split_share(school, level)
                values = (
                    per_hundred(section.get("teachers_above_required_degree"), students),
                    per_hundred(section.get("backbone_teachers"), students),
                    per_hundred(section.get("pe_art_teachers"), students),
                    per_student(teaching_area, share, students),
                    per_student(sports_area, share, students),
                    per_student(equipment_yuan, share, students),
                    per_hundred(section.get("multimedia_classrooms"), students),
                )
                limits = thresholds[level]
                nears = near_thresholds[level]
                met = far = 0
                unknown = undefined = 0
                for rule, value, limit, near in zip(RULES, values, limits, nears):
                    if value is MISSING:
                        unknown += 1
                        append((rule, school_id, level, UNKNOWN, None))
                    elif value is UNDEFINED:
                        undefined += 1
                        append((rule, school_id, level, NOT_APPLICABLE, None))
                    elif value >= limit:
                        met += 1
                        append((rule, school_id, level, PASS, value))
                    else:
                        if value < near:
                            far += 1
                        append((rule, school_id, level, FAIL, value))
                # R-SCHOOL: at least 6 of 7 met, the rest at 85 % or more.
                if unknown or undefined:
                    if far or met + unknown + undefined < MIN_MET:
                        status = FAIL
                    else:
                        status = UNKNOWN if unknown else NOT_APPLICABLE
                else:
                    status = PASS if met >= MIN_MET and not far else FAIL
                append(("R-SCHOOL", school_id, level, status, None))
        return out

    return evaluate


evaluate_exact = _make(Fraction)
evaluate_float = _make(float)
