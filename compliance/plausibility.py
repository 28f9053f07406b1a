"""Cross-field plausibility: figures of one record that cannot all be true together.

The schema checks each value alone (an integer, not negative, a rate not above 1); these checks
read two or more values that describe the same thing — a part and its whole, a class list and
the class count — and say when they disagree. They are data-quality notices, not rule findings:
the report lists them, and a finding that read one of their values says it depends on it.
With `--strict` they are errors and the record is not judged.
"""
from __future__ import annotations

import functools
from decimal import Decimal
from itertools import repeat

from .diagnostics import Diagnostic, Localized, Location
from .dsl.names import load_record_schema, schema_at
from .record import pointer

# (part, whole): the part cannot exceed the whole. Facts and every history entry and county.
FACT_PARTS = (
    ("small_schools_funded_as_100", "small_schools"),
    ("staff_quota_allocated", "staff_quota_total"),
    ("posts_allocated", "posts_total"),
    ("rotated_backbone_teachers", "rotated_teachers"),
    ("public_budget_education_expenditure_wan_yuan", "education_expenditure_wan_yuan"),
    ("townships_with_public_kindergarten", "townships"),
    ("large_townships_with_two_public_kindergartens", "large_townships"),
    ("large_villages_with_kindergarten", "large_villages"),
    ("small_villages_with_attached_or_joint_kindergarten", "small_villages"),
    ("rural_small_and_boarding_schools_up_to_standard", "rural_small_and_boarding_schools"),
    ("compulsory_large_classes", "compulsory_classes"),
    ("high_school_oversized_classes", "high_school_classes"),
    ("gigabit_connected_schools", "gigabit_target_schools"),
    ("basic_balanced_counties", "county_level_divisions"),
    ("quality_balanced_counties", "county_level_divisions"),
)
# Teachers of a kind are among the section's teachers.
SECTION_PARTS = (
    ("teachers_above_required_degree", "teachers"),
    ("backbone_teachers", "teachers"),
    ("pe_art_teachers", "teachers"),
)


def plausibility(data: dict, file: str, strict: bool = False) -> list[Diagnostic]:
    """Every disagreement between figures of the record: warnings W130–W133, or with `strict`
    errors E130–E133. `data` has passed the schema."""
    out: list[Diagnostic] = []
    if isinstance(data.get("facts"), dict):
        out += _parts(data["facts"], ["facts"], FACT_PARTS, file)
    for i, entry in enumerate(_list(data.get("history"))):
        out += _parts(entry, ["history", i], FACT_PARTS, file)
    for i, county in enumerate(_list(data.get("counties"))):
        if isinstance(county.get("facts"), dict):
            out += _parts(county["facts"], ["counties", i, "facts"], FACT_PARTS, file)
        for j, entry in enumerate(_list(county.get("history"))):
            out += _parts(entry, ["counties", i, "history", j], FACT_PARTS, file)
    for i, school in enumerate(_list(data.get("schools"))):
        out += _school(school, ["schools", i], file)
    if strict:
        out = [Diagnostic("E" + d.code[1:], d.location, d.args) for d in out]   # same words, see diagnostics
    return out


def _list(value) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _number(value) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


_NUMBER_TYPES = frozenset({int, float, Decimal})     # what loaded records hold: no call for them


def _parts(node: dict, at: list, pairs, file: str) -> list[Diagnostic]:
    out = []
    for part, whole in pairs:
        a, b = node.get(part), node.get(whole)
        if (type(a) in _NUMBER_TYPES or _number(a)) and (type(b) in _NUMBER_TYPES or _number(b)) and a > b:
            part_at, whole_at = at + [part], at + [whole]
            where = pointer(part_at)
            out.append(Diagnostic("W130", Location(file, pointer=where), {
                "part": _named(part_at, a), "whole": _named(whole_at, b),
                "pointers": (where, pointer(whole_at))}, "warning"))
    return out


def _school(school: dict, at: list, file: str) -> list[Diagnostic]:
    out = []
    sections = school.get("sections") if isinstance(school.get("sections"), dict) else {}
    sizes = school.get("class_sizes") if isinstance(school.get("class_sizes"), dict) else {}
    counts = {name: (sec.get("students"), sec.get("classes"), at + ["sections", name])
              for name, sec in sections.items() if isinstance(sec, dict)}
    if "high_school_students" in school or "high_school_classes" in school:
        counts["high"] = (school.get("high_school_students"), school.get("high_school_classes"), at)
    for name, sec in sections.items():
        if isinstance(sec, dict):
            out += _parts(sec, at + ["sections", name], SECTION_PARTS, file)
    for name, (students, classes, where) in counts.items():
        # Pointers and paths are made only for a notice: most counts agree.
        s_key, c_key = ("high_school_students", "high_school_classes") if name == "high" else ("students", "classes")
        students_int, classes_int = isinstance(students, int), isinstance(classes, int)
        if students_int and classes_int and (students == 0) != (classes == 0):
            s_at, c_at = where + [s_key], where + [c_key]
            out.append(Diagnostic("W133", Location(file, pointer=pointer(c_at if classes else s_at)), {
                "students": _named(s_at, students), "classes": _named(c_at, classes),
                "pointers": (pointer(s_at), pointer(c_at))}, "warning"))
        listed = sizes.get(name)
        if not isinstance(listed, list) or not all(map(isinstance, listed, repeat(int))):
            continue
        wrong_count = classes_int and len(listed) != classes
        total = sum(listed) if students_int else None
        if not wrong_count and total == students:
            continue
        list_at = pointer(at + ["class_sizes", name])
        if wrong_count:
            c_at = where + [c_key]
            out.append(Diagnostic("W131", Location(file, pointer=list_at), {
                "listed": len(listed), "classes": _named(c_at, classes),
                "pointers": (list_at, pointer(c_at))}, "warning"))
        if students_int and total != students:
            s_at = where + [s_key]
            out.append(Diagnostic("W132", Location(file, pointer=list_at), {
                "total": total, "students": _named(s_at, students),
                "pointers": (list_at, pointer(s_at))}, "warning"))
    return out


def _named(path: list, value) -> Localized:
    """A value with its field's title and unit: 专任教师总数 72 人 (the pointer is in the location)."""
    title, zh, en = _label(tuple([None if type(p) is int else p for p in path]))
    return Localized(f"{title}（{path[-1]}）{value}{zh}", f"{path[-1]} {value}{en}")


@functools.lru_cache(maxsize=1024)
def _label(shape: tuple) -> tuple[str, str, str]:
    """Title and unit texts (zh, en) of the field at a path whose list indexes are None: the
    schema says the same of every item of a list (no property of the record schema is named
    by digits, which tests/test_plausibility.py checks), so a county's hundreds of notices
    look their fields up once."""
    node = schema_at(load_record_schema(), pointer("0" if p is None else p for p in shape))
    title = node.get("title", str(shape[-1]))
    unit = node.get("x-unit", "")
    return title, "" if unit in ("1", "") else f" {unit}", _UNITS_EN.get(unit, "")


# Counting units say nothing in English ("72 teachers" is already in the field name).
_UNITS_EN = {"元": " yuan", "万元": " × 10,000 yuan", "㎡": " m²"}


CODES = ("W130", "W131", "W132", "W133")


def notices(diagnostics) -> list[Diagnostic]:
    """The plausibility notices among a record's diagnostics."""
    return [d for d in diagnostics if d.code in CODES]


def implausible_pointers(diagnostics: list[Diagnostic]) -> dict[str, list[str]]:
    """Pointer → codes of the plausibility notices that name it."""
    out: dict[str, list[str]] = {}
    for d in diagnostics:
        for p in d.args.get("pointers", ()):
            out.setdefault(p, []).append(d.code)
    return out


def depends_on(inputs, suspects: dict[str, list[str]], seen: dict | None = None) -> list[str]:
    """The suspect pointers a finding read (an input at or under a suspect pointer). Each
    input is looked up by its own pointer and its ancestors: a county has hundreds of kept
    findings with dozens of inputs each, and as many suspects. `seen` keeps each pointer's
    answer for the next finding of the same record."""
    if not suspects:
        return []
    seen = {} if seen is None else seen
    hits = []
    for where, _ in inputs:
        above = seen.get(where)
        if above is None:
            above = seen[where] = _suspects_above(where, suspects)
        for at in above:
            if at not in hits:
                hits.append(at)
    return hits


def _suspects_above(where, suspects: dict) -> tuple[str, ...]:
    """The suspect pointers at `where` or above it, nearest first."""
    if not isinstance(where, str) or not where.startswith("/"):
        return ()
    found, at = [], where
    while at:
        if at in suspects:
            found.append(at)
        at = at[:at.rfind("/")]
    return tuple(found)


def summary(file: str, found: list[Diagnostic]) -> Diagnostic:
    """One line for stderr in a batch, where a record's notices are listed in its report."""
    return Diagnostic("W134", Location(file), {"count": len(found)}, "warning")
