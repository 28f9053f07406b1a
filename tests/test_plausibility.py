"""Cross-field plausibility: figures that cannot all be true are data-quality notices in the
report (warnings), findings that read them say so, and --strict makes them errors (exit 2)."""
from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import jsonschema
import pytest

from compliance.cli import main
from compliance.plausibility import plausibility

ROOT = Path(__file__).resolve().parents[1]
RECORD = json.loads((ROOT / "examples" / "county-fail.json").read_text(encoding="utf-8"))
REPORT_SCHEMA = json.loads((ROOT / "compliance" / "schemas" / "report.schema.json").read_text(encoding="utf-8"))


def run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    assert "内部错误" not in err.getvalue() and "Traceback" not in err.getvalue()
    return code, out.getvalue(), err.getvalue()


def implausible() -> dict:
    data = json.loads(json.dumps(RECORD))
    data["schools"][0]["sections"]["primary"]["backbone_teachers"] = 500        # teachers: 72
    data["schools"][1]["class_sizes"]["primary"] = data["schools"][1]["class_sizes"]["primary"][:-1]
    data["facts"]["posts_allocated"] = 4000                                      # posts_total: 3024
    return data


def write(tmp_path, data, name="r.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def codes(data) -> list[tuple[str, str]]:
    return sorted((d.code, d.location.pointer) for d in plausibility(data, "r.json"))


def test_every_example_is_plausible():
    for path in sorted((ROOT / "examples").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert plausibility(data, path.name) == [], path.name


def test_each_kind_of_contradiction_is_found_at_its_field():
    assert codes(implausible()) == [
        ("W130", "/facts/posts_allocated"),
        ("W130", "/schools/0/sections/primary/backbone_teachers"),
        ("W131", "/schools/1/class_sizes/primary"),
        ("W132", "/schools/1/class_sizes/primary"),
    ]


def test_a_part_equal_to_its_whole_is_plausible():
    data = json.loads(json.dumps(RECORD))
    section = data["schools"][0]["sections"]["primary"]
    section["backbone_teachers"] = section["teachers"]
    data["facts"]["posts_allocated"] = data["facts"]["posts_total"]
    assert codes(data) == []


def test_students_without_classes_and_classes_without_students():
    data = json.loads(json.dumps(RECORD))
    data["schools"][0]["sections"]["primary"]["classes"] = 0
    data["schools"][0].pop("class_sizes")
    data["schools"][2]["high_school_students"] = 0
    data["schools"][2]["high_school_classes"] = 3
    found = codes(data)
    assert ("W133", "/schools/0/sections/primary/classes") not in found      # the students are what is there
    assert ("W133", "/schools/0/sections/primary/students") in found
    assert ("W133", "/schools/2/high_school_classes") in found


def test_history_and_county_figures_are_read_too():
    data = json.loads(json.dumps(RECORD))
    data["history"] = [{"year": 2023, "staff_quota_total": 10, "staff_quota_allocated": 11}]
    assert codes(data) == [("W130", "/history/0/staff_quota_allocated")]


@pytest.mark.parametrize("lang,heading,words", [
    ("zh", "数据质量（4）", "县级以上骨干教师数（backbone_teachers）500 人 大于 专任教师总数（teachers）72 人"),
    ("en", "Data quality (4)", "backbone_teachers 500 exceeds teachers 72"),
])
def test_text_report_lists_them_and_marks_findings_that_read_them(tmp_path, lang, heading, words):
    code, out, err = run("check", write(tmp_path, implausible()), "--lang", lang)
    assert code == 1                              # a warning: the county is still judged
    assert heading in out and words in out
    assert ("依赖前后矛盾的数据" if lang == "zh" else "reads implausible data") in out
    assert "W130" in err                          # and said on stderr, like every warning


def test_json_report_carries_them_and_validates(tmp_path):
    code, out, _ = run("check", write(tmp_path, implausible()), "--format", "json")
    report = json.loads(out)
    jsonschema.validate(report, REPORT_SCHEMA)
    assert [q["code"] for q in report["data_quality"]] == ["W130", "W130", "W131", "W132"]
    assert report["data_quality"][0]["pointers"] == ["/facts/posts_allocated", "/facts/posts_total"]
    dependent = {(f["rule"], f["subject"].get("school")): f["depends_on_implausible"]
                 for f in report["findings"] if "depends_on_implausible" in f}
    assert dependent[("national/R2", "3599020001")] == ["/schools/0/sections/primary/backbone_teachers"]
    assert dependent[("national/R1", "3599020002")] == ["/schools/1/sections/primary/students"]
    # a finding that read none of them says nothing
    assert ("national/R1", "3599020001") not in dependent


def test_a_plausible_record_has_no_data_quality_key(tmp_path):
    _, out, _ = run("check", write(tmp_path, RECORD), "--format", "json")
    assert "data_quality" not in json.loads(out)


@pytest.mark.parametrize("lang,words", [("zh", "错误 E130: 数据前后矛盾"), ("en", "error E130: implausible data")])
def test_strict_makes_them_errors(tmp_path, lang, words):
    path = write(tmp_path, implausible())
    out_file = tmp_path / "report.json"
    code, out, err = run("check", path, "--strict", "--lang", lang, "--format", "json", "-o", out_file)
    assert code == 2 and words in err
    assert "#/schools/1/class_sizes/primary" in err
    assert not out_file.exists()                  # nothing judged, nothing written


def test_batch_reports_carry_them_and_strict_marks_the_record_invalid(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, implausible(), "a.json")
    write(folder, RECORD, "b.json")
    code, out, err = run("check", folder, "--format", "jsonl", "--jobs", "1")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    # one line on stderr for the record (a province's batch would print thousands); the report has each
    assert "W134: 数据前后矛盾 4 处" in err and "W130" not in err
    assert len(lines[0]["data_quality"]) == 4 and "data_quality" not in lines[1]
    code, out, err = run("check", folder, "--format", "jsonl", "--jobs", "1", "--strict")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 2
    assert [e["code"] for e in lines[0]["error"]] == ["E130", "E130", "E131", "E132"]
    assert lines[1]["verdict"] == "fail"          # the other record is still checked


def test_no_field_of_the_record_schema_is_named_by_digits():
    """plausibility looks a field's title up once for all items of a list (its _label is keyed
    by the path without list indexes): exact only while no property name is all digits."""
    from compliance.dsl.names import load_record_schema

    def names(node):
        if isinstance(node, dict):
            yield from node.get("properties", {}) if isinstance(node.get("properties"), dict) else ()
            for value in node.values():
                yield from names(value)
        elif isinstance(node, list):
            for value in node:
                yield from names(value)

    found = list(names(load_record_schema()))
    assert "students" in found and not [n for n in found if n.isdigit()]


def _reference_school(school: dict, at: list, file: str) -> list:
    """plausibility._school as first written (every pointer made up front), to compare with."""
    from compliance.diagnostics import Diagnostic, Location
    from compliance.plausibility import SECTION_PARTS, _named, _parts
    from compliance.record import pointer
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
        s_key, c_key = ("high_school_students", "high_school_classes") if name == "high" else ("students", "classes")
        s_at, c_at = where + [s_key], where + [c_key]
        if isinstance(students, int) and isinstance(classes, int) and (students == 0) != (classes == 0):
            out.append(Diagnostic("W133", Location(file, pointer=pointer(c_at if classes else s_at)), {
                "students": _named(s_at, students), "classes": _named(c_at, classes),
                "pointers": (pointer(s_at), pointer(c_at))}, "warning"))
        listed = sizes.get(name)
        if not isinstance(listed, list) or not all(isinstance(n, int) for n in listed):
            continue
        list_at = pointer(at + ["class_sizes", name])
        if isinstance(classes, int) and len(listed) != classes:
            out.append(Diagnostic("W131", Location(file, pointer=list_at), {
                "listed": len(listed), "classes": _named(c_at, classes),
                "pointers": (list_at, pointer(c_at))}, "warning"))
        if isinstance(students, int) and sum(listed) != students:
            out.append(Diagnostic("W132", Location(file, pointer=list_at), {
                "total": sum(listed), "students": _named(s_at, students),
                "pointers": (list_at, pointer(s_at))}, "warning"))
    return out


def _shown(diagnostics) -> list:
    return [(d.code, d.location.pointer, d.message("zh"), d.message("en"), d.args.get("pointers"))
            for d in diagnostics]


def test_school_notices_are_those_of_the_reference_on_drawn_schools():
    from decimal import Decimal

    from hypothesis import given, strategies as st

    from compliance.plausibility import _school
    count = st.one_of(st.integers(0, 3), st.just(None), st.booleans(), st.just(Decimal("2")))
    sizes = st.one_of(st.lists(st.integers(0, 2), max_size=3), st.just([1, True]), st.just([1, "1"]), st.just("x"))
    section = st.fixed_dictionaries({}, optional={"students": count, "classes": count, "teachers": count,
                                                  "backbone_teachers": count})
    school = st.fixed_dictionaries({}, optional={
        "sections": st.dictionaries(st.sampled_from(["primary", "junior", "high"]), st.one_of(section, st.just(1)),
                                    max_size=3),
        "class_sizes": st.dictionaries(st.sampled_from(["primary", "junior", "high"]), sizes, max_size=3),
        "high_school_students": count, "high_school_classes": count})

    @given(school, st.integers(0, 3))
    def compare(drawn, i):
        assert _shown(_school(drawn, ["schools", i], "r.json")) == \
            _shown(_reference_school(drawn, ["schools", i], "r.json"))

    compare()
