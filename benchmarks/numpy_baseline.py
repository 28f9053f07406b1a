"""A hand-written numpy baseline of the resource indicators, over a directory of county records.

    python benchmarks/numpy_baseline.py DIR                 # totals
    python benchmarks/numpy_baseline.py DIR --jsonl OUT     # also one line of statuses per county

What a programmer would write by hand for rules/national/resources.yaml, with the thresholds
of rules/national/params.yaml as constants: R1–R7 per school section, R-SCHOOL (at least 6 of
7 met, the rest ≥ 85 % of the threshold) and the 14 coefficients of variation (R1-CV … R7-CV
for 小学 and 初中, student-weighted, over the in-scope sections; 小学 ≤ 0.50, 初中 ≤ 0.45).

Same meaning as the rules (and as benchmarks/handwritten.py, which the compiled rules are
checked against): special and vocational schools and teaching points under 50 students are
out of scope; whole-school quantities are split by students weighted 1 : 1.1 : 1.32;
教学及辅助用房 = teaching_aux_area_m2 − indoor_sports_area_m2, 体育运动场馆 =
sports_ground_area_m2 + indoor_sports_area_m2; equipment 万元 → 元. A missing input gives
`unknown`, a zero denominator `not_applicable` (missing wins). A CV is `unknown` if a
member's value or scope is unknown, `not_applicable` if only undefined, or if no section is in
scope or the mean is 0.

It is float code: at a threshold it can differ from the tool's exact arithmetic.

Three stages, timed separately by the harness: `load` (read + orjson), `flatten` (records →
column arrays, while loading: no record is kept) and `compute` (numpy only).
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

try:
    import orjson
    _loads = orjson.loads
except ImportError:  # pragma: no cover - the bench extra brings orjson
    import json
    _loads = json.loads

PASS, FAIL, UNKNOWN, NOT_APPLICABLE = 0, 1, 2, 3
STATUS_NAMES = ("pass", "fail", "unknown", "not_applicable")
RULES = ("R1", "R2", "R3", "R4", "R5", "R6", "R7")
SECTION_RULES = RULES + ("R-SCHOOL",)
CV_RULES = tuple(f"{r}-CV" for r in RULES)
LEVELS = ("primary", "junior")

# rules/national/params.yaml, in force since 2017-05-12
THRESHOLDS = np.array([
    [4.2, 1.0, 0.9, 4.5, 7.5, 2000.0, 2.3],    # 小学
    [5.3, 1.0, 0.9, 5.8, 10.2, 2500.0, 2.4],   # 初中
])
CV_LIMITS = np.array([0.50, 0.45])
WEIGHTS = np.array([1.0, 1.1])
HIGH_WEIGHT = 1.32
REST_SHARE = 0.85
MIN_MET = 6
TEACHING_POINT_MIN = 50
EXCLUDED = frozenset({"special", "vocational"})
SPLIT_TYPES = frozenset({"complete_middle", "twelve_year"})
NAN = float("nan")

# kind codes
KIND_UNKNOWN, KIND_EXCLUDED, KIND_TEACHING_POINT, KIND_OTHER = 0, 1, 2, 3
_COUNTS = ("teachers_above_required_degree", "backbone_teachers", "pe_art_teachers", "multimedia_classrooms")


def _num(value) -> float:
    return NAN if value is None else float(value)


class Columns:
    """Column lists filled record by record, then turned into arrays."""

    def __init__(self):
        self.county, self.level, self.kind, self.students = [], [], [], []
        self.counts = [[] for _ in _COUNTS]
        self.teaching, self.sports, self.equipment = [], [], []
        self.split_weight, self.split_missing = [], []
        self.school_ids: list[str] = []
        self.names: list[str] = []

    def add(self, record: dict, name: str) -> None:
        c = len(self.names)
        self.names.append(name)
        for school in record.get("schools") or ():
            sections = school.get("sections") or {}
            kind = school.get("type")
            code = (KIND_UNKNOWN if kind is None else KIND_EXCLUDED if kind in EXCLUDED
                    else KIND_TEACHING_POINT if kind == "teaching_point" else KIND_OTHER)
            shared = school.get("shared") or {}
            aux, indoor = shared.get("teaching_aux_area_m2"), shared.get("indoor_sports_area_m2")
            ground, equipment = shared.get("sports_ground_area_m2"), shared.get("equipment_value_wan_yuan")
            teaching = NAN if aux is None or indoor is None else aux - indoor
            sports = NAN if ground is None or indoor is None else ground + indoor
            equipment = NAN if equipment is None else equipment * 10000.0
            # The split's denominator: Σ weight × students over the school's sections and
            # its high-school students; missing if a count it needs is missing.
            total, missing = 0.0, False
            for lv, w in zip(LEVELS, WEIGHTS):
                data = sections.get(lv)
                if data is not None:
                    n = data.get("students")
                    if n is None:
                        missing = True
                    else:
                        total += w * n
            high = school.get("high_school_students")
            if high is None:
                missing = missing or kind in SPLIT_TYPES
            else:
                total += HIGH_WEIGHT * high
            school_id = str(school.get("id"))
            for li, lv in enumerate(LEVELS):
                data = sections.get(lv)
                if data is None:
                    continue
                self.county.append(c)
                self.level.append(li)
                self.kind.append(code)
                self.students.append(_num(data.get("students")))
                for column, key in zip(self.counts, _COUNTS):
                    column.append(_num(data.get(key)))
                self.teaching.append(teaching)
                self.sports.append(sports)
                self.equipment.append(equipment)
                self.split_weight.append(total)
                self.split_missing.append(missing)
                self.school_ids.append(school_id)

    def arrays(self) -> "Sections":
        f = lambda x: np.asarray(x, dtype=np.float64)  # noqa: E731
        return Sections(
            n_counties=len(self.names), names=self.names, school_ids=self.school_ids,
            county=np.asarray(self.county, dtype=np.int64), level=np.asarray(self.level, dtype=np.int64),
            kind=np.asarray(self.kind, dtype=np.int8), students=f(self.students),
            counts=np.stack([f(c) for c in self.counts]) if self.county else np.zeros((4, 0)),
            teaching=f(self.teaching), sports=f(self.sports), equipment=f(self.equipment),
            split_total=f(self.split_weight), split_missing=np.asarray(self.split_missing, dtype=bool))


@dataclass(frozen=True)
class Sections:
    """One row per school section of every county."""
    n_counties: int
    names: list
    school_ids: list
    county: np.ndarray
    level: np.ndarray
    kind: np.ndarray
    students: np.ndarray
    counts: np.ndarray          # 4 × n: R1, R2, R3, R7 numerators
    teaching: np.ndarray        # whole-school quantities (NaN = missing)
    sports: np.ndarray
    equipment: np.ndarray
    split_total: np.ndarray
    split_missing: np.ndarray


@dataclass(frozen=True)
class Result:
    sections: Sections
    status: np.ndarray          # n × 8 (R1 … R7, R-SCHOOL), status codes
    values: np.ndarray          # n × 7 indicator values (NaN where not computed)
    cv_status: np.ndarray       # counties × 2 levels × 7
    cv_values: np.ndarray
    verdict: np.ndarray         # per county over these 22 kinds of finding: pass / fail / unknown

    def county_summary(self, c: int) -> dict:
        s = self.sections
        rows = s.county == c
        out = {"county": s.names[c], "verdict": STATUS_NAMES[self.verdict[c]]}
        for k, rule in enumerate(SECTION_RULES):
            out[rule] = np.bincount(self.status[rows, k], minlength=4).tolist()
        for k, rule in enumerate(CV_RULES):
            out[rule] = [STATUS_NAMES[self.cv_status[c, lv, k]] for lv in range(2)]
        return out


def load(paths) -> tuple[Columns, float]:
    """Read and parse every file, flattening each record at once. Returns the columns and
    the seconds spent reading + parsing (the rest of the call is flattening)."""
    columns = Columns()
    parsing = 0.0
    for path in paths:
        t0 = time.perf_counter()
        record = _loads(Path(path).read_bytes())
        parsing += time.perf_counter() - t0
        columns.add(record, Path(path).name)
    return columns, parsing


def compute(s: Sections) -> Result:
    n = len(s.county)
    limits = THRESHOLDS[s.level]                                   # n × 7
    students = s.students
    st_missing = np.isnan(students)
    st_zero = students == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        # Scope: unknown type or a teaching point with no student count → unknown.
        tp = s.kind == KIND_TEACHING_POINT
        scope_unknown = (s.kind == KIND_UNKNOWN) | (tp & st_missing)
        scope_in = (s.kind == KIND_OTHER) | (tp & ~st_missing & (students >= TEACHING_POINT_MIN))
        per_hundred = 100.0 * s.counts / students                  # 4 × n
        ph_missing = np.isnan(s.counts) | st_missing
        ph_undefined = ~ph_missing & st_zero
        own = WEIGHTS[s.level] * students
        share = own / s.split_total
        quantities = np.stack([s.teaching, s.sports, s.equipment])    # 3 × n
        per_student = quantities * share / students
        ps_missing = np.isnan(quantities) | s.split_missing | st_missing
        ps_undefined = ~ps_missing & ((s.split_total == 0) | st_zero)
    values = np.concatenate([per_hundred[:3], per_student, per_hundred[3:]]).T      # n × 7
    missing = np.concatenate([ph_missing[:3], ps_missing, ph_missing[3:]]).T
    undefined = np.concatenate([ph_undefined[:3], ps_undefined, ph_undefined[3:]]).T
    known = ~missing & ~undefined
    met = known & (values >= limits)
    far = known & (values < REST_SHARE * limits)

    status = np.empty((n, 8), dtype=np.int64)
    status[:, :7] = np.where(missing, UNKNOWN, np.where(undefined, NOT_APPLICABLE,
                                                        np.where(met, PASS, FAIL)))
    n_met, n_far = met.sum(1), far.sum(1)
    n_unknown, n_undefined = missing.sum(1), undefined.sum(1)
    open_ = (n_unknown + n_undefined) > 0
    school = np.where(open_,
                      np.where((n_far > 0) | (n_met + n_unknown + n_undefined < MIN_MET), FAIL,
                               np.where(n_unknown > 0, UNKNOWN, NOT_APPLICABLE)),
                      np.where((n_met >= MIN_MET) & (n_far == 0), PASS, FAIL))
    status[:, 7] = school
    status[scope_unknown] = UNKNOWN
    status[~scope_in & ~scope_unknown] = NOT_APPLICABLE

    # CVs per (county, level): group g = 2 × county + level, members = in-scope sections;
    # a member with an unknown scope makes the CV unknown.
    groups = 2 * s.n_counties
    g = 2 * s.county + s.level
    member = scope_in | scope_unknown
    cv_status = np.empty((groups, 7), dtype=np.int64)
    cv_values = np.full((groups, 7), NAN)
    any_scope_unknown = np.bincount(g[scope_unknown], minlength=groups) > 0
    weight = np.where(scope_in, np.nan_to_num(students), 0.0)
    total = np.bincount(g, weight, minlength=groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        for k in range(7):
            m = member & missing[:, k]
            u = member & undefined[:, k]
            group_missing = any_scope_unknown | (np.bincount(g[m], minlength=groups) > 0)
            group_undefined = np.bincount(g[u], minlength=groups) > 0
            x = np.where(scope_in & known[:, k], values[:, k], 0.0)
            mean = np.bincount(g, weight * x, minlength=groups) / total
            variance = np.bincount(g, weight * (x - mean[g]) ** 2, minlength=groups) / total
            cv = np.sqrt(variance) / np.abs(mean)
            empty = (total == 0) | (mean == 0)
            limit = CV_LIMITS[np.arange(groups) % 2]
            cv_status[:, k] = np.where(group_missing, UNKNOWN,
                                       np.where(group_undefined | empty, NOT_APPLICABLE,
                                                np.where(cv <= limit, PASS, FAIL)))
            cv_values[:, k] = np.where(group_missing | group_undefined | empty, NAN, cv)

    # Per county: fail if any finding fails, else unknown if any is unknown, else pass.
    any_fail = np.zeros(s.n_counties, dtype=bool)
    any_unknown = np.zeros(s.n_counties, dtype=bool)
    any_fail |= np.bincount(s.county, (status == FAIL).any(1), minlength=s.n_counties) > 0
    any_unknown |= np.bincount(s.county, (status == UNKNOWN).any(1), minlength=s.n_counties) > 0
    cv3 = cv_status.reshape(s.n_counties, 2, 7)
    any_fail |= (cv3 == FAIL).any((1, 2))
    any_unknown |= (cv3 == UNKNOWN).any((1, 2))
    verdict = np.where(any_fail, FAIL, np.where(any_unknown, UNKNOWN, PASS))
    return Result(s, status, np.where(known, values, NAN), cv3, cv_values.reshape(s.n_counties, 2, 7), verdict)


def run(paths) -> Result:
    columns, _ = load(paths)
    return compute(columns.arrays())


def totals(result: Result) -> dict:
    return {
        "counties": result.sections.n_counties,
        "sections": int(len(result.sections.county)),
        "section_findings": dict(zip(STATUS_NAMES, np.bincount(result.status.ravel(), minlength=4).tolist())),
        "cv_findings": dict(zip(STATUS_NAMES, np.bincount(result.cv_status.ravel(), minlength=4).tolist())),
        "verdicts": dict(zip(STATUS_NAMES[:3], np.bincount(result.verdict, minlength=3).tolist())),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="numpy baseline of R1–R7, R-SCHOOL and the 14 CVs")
    parser.add_argument("directory", type=Path)
    parser.add_argument("--jsonl", type=Path, help="write one line of statuses per county here")
    args = parser.parse_args(argv)
    paths = sorted(args.directory.glob("*.json"))
    result = run(paths)
    if args.jsonl:
        import json
        with open(args.jsonl, "w", encoding="utf-8") as fh:
            for c in range(result.sections.n_counties):
                fh.write(json.dumps(result.county_summary(c), ensure_ascii=False) + "\n")
    print(totals(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
