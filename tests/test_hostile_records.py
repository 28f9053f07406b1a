"""Records a county office can produce by accident: numbers no record can hold, nesting without
end, lone surrogates in names, an --output that cannot be written. Each gets a located Chinese
answer (English with --lang en) and exit 2, or is written safely; never an internal error."""
from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from compliance.cli import main

ROOT = Path(__file__).resolve().parents[1]
RECORD = (ROOT / "examples" / "county-fail.json").read_text(encoding="utf-8")


def run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    assert "内部错误" not in err.getvalue() and "Traceback" not in err.getvalue()
    return code, out.getvalue(), err.getvalue()


def with_students(text: str) -> str:
    """The record with the first school's primary `students` replaced by `text` (raw JSON)."""
    data = json.loads(RECORD)
    data["schools"][0]["sections"]["primary"]["students"] = "@@"
    return json.dumps(data, ensure_ascii=False).replace('"@@"', text)


@pytest.mark.parametrize("raw", ["1e400", "-1e400", "1e-400", "NaN", "Infinity", "-Infinity", "1" + "0" * 5000,
                                 "1000000000000"])
@pytest.mark.parametrize("lang,words", [("zh", "数值超出合理范围：学生数（人）（/schools/0/sections/primary/students）"),
                                        ("en", "number out of range: students (persons) (/schools/0/sections/primary/students)")])
def test_numbers_no_record_can_hold_name_field_unit_and_pointer(tmp_path, raw, lang, words):
    path = tmp_path / "r.json"
    path.write_text(with_students(raw), encoding="utf-8")
    code, out, err = run("check", path, "--lang", lang)
    assert code == 2 and out == ""
    assert f"{path}#/schools/0/sections/primary/students" in err and "E118" in err and words in err
    assert ("人" if lang == "zh" else "(persons)") in err     # the field's unit
    assert len(err) < 2000                  # a 5,000-digit number is not printed in full


def test_a_number_inside_an_unknown_field_is_checked_too(tmp_path):
    data = json.loads(RECORD)
    data["x_extra"] = {"n": "@@"}
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data).replace('"@@"', "Infinity"), encoding="utf-8")
    code, _, err = run("check", path)
    assert code == 2 and "#/x_extra/n" in err and "E118" in err


def test_nesting_without_end_is_a_located_error(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"x": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    code, _, err = run("check", path, "--lang", "en")
    assert code == 2 and f"{path}:1:" in err and "nested more than 200 levels" in err


def test_a_lone_surrogate_in_a_name_is_escaped_not_a_crash(tmp_path):
    data = json.loads(RECORD)
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data, ensure_ascii=True).replace('"name": "', '"name": "\\ud800', 1), encoding="utf-8")
    code, out, _ = run("check", path)
    assert code == 1
    out_file = tmp_path / "report.json"
    code, _, _ = run("check", path, "--format", "json", "-o", out_file)
    assert code == 1
    json.loads(out_file.read_text(encoding="utf-8"))         # still valid JSON


@pytest.mark.parametrize("where,words", [("missing/dir/out.json", "不存在"), ("", "这是一个目录")])
def test_an_output_that_cannot_be_written_stops_before_any_work(tmp_path, where, words):
    target = tmp_path / where if where else tmp_path
    code, out, err = run("check", ROOT / "examples", "--output", target)
    assert code == 2 and "E108" in err and words in err and out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == []    # nothing half-written


def test_history_years_and_duplicate_ids_do_not_crash_on_wrong_types(tmp_path):
    data = json.loads(RECORD)
    data["schools"], data["history"] = 1, "2023"
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, _, err = run("check", path)
    assert code == 2 and "#/schools" in err and "#/history" in err


@pytest.mark.parametrize("lang,words", [("zh", "重复的键 'year'（/year），第一次出现在"), ("en", "duplicate key 'year' (/year), first at")])
def test_a_repeated_key_is_an_error_naming_both_places(tmp_path, lang, words):
    text = RECORD.replace('"year": 2024', '"year": 2024, "year": 2023', 1)
    first = text.index('"year"')
    line = text.count("\n", 0, first) + 1
    column = first - (text.rfind("\n", 0, first) + 1) + 1
    path = tmp_path / "r.json"
    path.write_text(text, encoding="utf-8")
    code, out, err = run("check", path, "--lang", lang)
    assert code == 2 and out == "" and "E119" in err and words in err
    assert f"{path}:{line}:{column + 14}:" in err and f"{line}:{column}" in err


def test_a_repeated_key_deep_inside_is_found_with_its_pointer(tmp_path):
    from compliance.record import DuplicateKey, loads
    with pytest.raises(DuplicateKey) as got:
        loads('{"schools": [{"id": "A"}, {"id": "B",\n   "sections": {"primary": {}, "primary": {}}}]}')
    assert (got.value.pointer, got.value.first, got.value.second) == ("/schools/1/sections/primary", (2, 17), (2, 32))


@pytest.mark.parametrize("lang,words", [("zh", "历年数据中的 2030 年不早于数据年份 2024"),
                                        ("en", "history has year 2030, not before the record's year 2024")])
def test_history_after_the_record_year_is_an_error(tmp_path, lang, words):
    data = json.loads(RECORD)
    data["history"] = [{"year": 2023}, {"year": 2030}]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, _, err = run("check", path, "--lang", lang)
    assert code == 2 and "#/history/1/year" in err and "E121" in err and words in err


def test_an_unknown_section_is_an_error_with_a_suggestion(tmp_path):
    data = json.loads(RECORD)
    data["schools"][0]["sections"]["senior"] = {"students": 100}
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, err = run("check", path)
    assert code == 2 and out == "" and "#/schools/0/sections/senior" in err and "E120" in err
    code, _, err = run("check", path, "--allow-unknown-fields")
    assert code == 1 and "W116" in err


@pytest.mark.parametrize("raw,zh,en", [
    ('"１２５０"', "（请填写数字 1250，不加引号，单位已是人）", "(write the number 1250, without quotes; the unit is already 人)"),
    ('"1,234人"', "（请填写数字 1234，不加引号，单位已是人）", "(write the number 1234, without quotes; the unit is already 人)"),
    ('"很多"', "应为整数，这里是'很多'", "expected an integer, found '很多'"),
])
def test_a_number_typed_as_text_gets_a_suggestion(tmp_path, raw, zh, en):
    path = tmp_path / "r.json"
    path.write_text(with_students(raw), encoding="utf-8")
    for lang, words in (("zh", zh), ("en", en)):
        code, _, err = run("check", path, "--lang", lang)
        assert code == 2 and "#/schools/0/sections/primary/students" in err and words in err


def test_money_typed_with_its_unit_gets_the_number(tmp_path):
    data = json.loads(RECORD)
    data["schools"][0]["shared"]["equipment_value_wan_yuan"] = "12万"
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, _, err = run("check", path)
    assert code == 2 and "（请填写数字 12，不加引号，单位已是万元）" in err


@pytest.mark.parametrize("name", ["county-fail.json", "county-missing.json", "guigang-2021.json", "reported-recheck.json"])
def test_permuting_schools_and_keys_changes_no_finding(name):
    """The order of schools (and of keys in every object) is no fact about a county."""
    import random

    import compliance

    def shuffled(value, rng):
        if isinstance(value, dict):
            items = list(value.items())
            rng.shuffle(items)
            return {k: shuffled(v, rng) for k, v in items}
        if isinstance(value, list):
            return [shuffled(v, rng) for v in value]
        return value

    def findings(data):
        from compliance.record import loads
        data = loads(json.dumps(data, ensure_ascii=False))
        checker = compliance.load(data.get("packs") or ["national"])
        ids = [s.get("id") for s in data.get("schools") or []]

        def by_id(pointer):     # a school's index moves with the order; its id does not
            parts = pointer.split("/")
            if len(parts) > 2 and parts[1] == "schools" and parts[2].isdigit():
                parts[2] = str(ids[int(parts[2])])
            return "/".join(parts)
        return sorted((f.rule, f.subject.kind, f.subject.school or "", f.subject.section or "", f.status,
                       str(f.value), str(f.threshold), tuple(sorted(map(by_id, f.missing))))
                      for f in checker.check(data))

    data = json.loads((ROOT / "examples" / name).read_text(encoding="utf-8"))
    expected = findings(data)
    for seed in range(2):
        rng = random.Random(seed)
        other = shuffled(data, rng)
        if isinstance(other.get("schools"), list):
            rng.shuffle(other["schools"])
        assert findings(other) == expected


@pytest.mark.parametrize("lang,words", [("zh", "数据文件过大"), ("en", "the record file is too large")])
def test_a_record_over_the_size_limit_is_refused_at_once(tmp_path, lang, words):
    path = tmp_path / "r.json"
    path.write_text(RECORD, encoding="utf-8")
    limit = len(RECORD.encode("utf-8")) / 2 / 1_000_000
    code, out, err = run("check", path, "--max-record-size", limit, "--lang", lang)
    assert code == 2 and out == "" and "E122" in err and words in err
    code, out, err = run("check", path, tmp_path / "missing.json", "--max-record-size", limit, "--lang", lang)
    assert code == 2 and "E122" in out + err
    code, _, _ = run("check", path, "--max-record-size", limit * 4)
    assert code == 1


# Each class of hostile input answered in both languages, with its exit status.
@pytest.mark.parametrize("lang,words", [
    ("zh", "未定义的字段 'studens'（是否指 'students'？）"), ("en", "unknown field 'studens' (did you mean 'students'?)")])
def test_a_misspelt_field_is_an_error_with_did_you_mean(tmp_path, lang, words):
    data = json.loads(RECORD)
    section = data["schools"][0]["sections"]["primary"]
    section["studens"] = section.pop("students")
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, err = run("check", path, "--lang", lang)
    assert code == 2 and out == "" and "#/schools/0/sections/primary/studens" in err and words in err


@pytest.mark.parametrize("lang,words", [("zh", "历年数据中 2022 年出现了不止一次（另见 /history/0/year）"),
                                        ("en", "history has year 2022 more than once (also at /history/0/year)")])
def test_a_repeated_history_year_is_an_error(tmp_path, lang, words):
    data = json.loads(RECORD)
    data["history"] = [{"year": 2022}, {"year": 2022}]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, _, err = run("check", path, "--lang", lang)
    assert code == 2 and "#/history/1/year" in err and "E113" in err and words in err


@pytest.mark.parametrize("lang,words", [("zh", "JSON 语法错误：嵌套层数过多（超过 200 层）"),
                                        ("en", "nested more than 200 levels deep")])
def test_deep_nesting_is_answered_in_both_languages(tmp_path, lang, words):
    path = tmp_path / "deep.json"
    path.write_text('{"x": ' + "[" * 1000 + "]" * 1000 + "}", encoding="utf-8")
    code, _, err = run("check", path, "--lang", lang)
    assert code == 2 and f"{path}:1:206:" in err and words in err


@pytest.mark.parametrize("lang,words", [("zh", "无法写入输出文件：目录"), ("en", "cannot write the output file: the folder")])
def test_an_unwritable_output_is_answered_in_both_languages(tmp_path, lang, words):
    code, out, err = run("check", ROOT / "examples" / "county-fail.json", "--lang", lang,
                         "--output", tmp_path / "missing" / "out.json")
    assert code == 2 and "E108" in err and words in err and out == ""
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("lang,words", [("zh", "数值 91 大于上限 1：比例请填小数，91% 应写作 0.91"),
                                        ("en", "91 is above the maximum 1: write a rate as a fraction, 91 % as 0.91")])
def test_a_rate_typed_as_a_percentage_says_what_to_write(tmp_path, lang, words):
    data = json.loads(RECORD)
    data["facts"]["social_recognition_rate"] = 91
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, _, err = run("check", path, "--lang", lang)
    assert code == 2 and "#/facts/social_recognition_rate" in err and words in err


# Words a record may carry that an output format may not: console markup, control characters,
# a lone surrogate, NUL, a right-to-left override, markup of HTML and XML.
AWKWARD = ["A[/b]校", "[bold]校", "第一\u0001小学\u000b", "第一\ud800小学", "N\u0000UL", "\u202e校名", "<script>x</script>",
           "]]>&amp;"]
OUTPUTS = [("text", None), ("json", "o.json"), ("html", "o.html"), ("xlsx", "o.xlsx"), ("sarif", None), ("junit", None)]


@pytest.mark.parametrize("fmt,out", OUTPUTS)
def test_awkward_words_in_every_name_never_stop_a_report(tmp_path, fmt, out):
    """Every name of the record (schools, the jurisdiction) in turn holds each awkward word;
    every report format, one record and a batch, answers without an internal error."""
    data = json.loads(RECORD)
    for i, school in enumerate(data["schools"]):
        school["name"] = AWKWARD[i % len(AWKWARD)]
    data["jurisdiction"]["name"] = "".join(AWKWARD)
    folder = tmp_path / "many"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(data), encoding="utf-8")
    (folder / "b.json").write_text(RECORD, encoding="utf-8")
    for path in (folder / "a.json", folder):
        args = ["check", path, "--format", fmt, "--jobs", "1"]
        if out:
            args += ["--output", tmp_path / f"{path.name}-{out}"]
        code, stdout, err = run(*args)
        assert code == 1, err


def test_awkward_words_are_exported_to_csv_or_refused_for_a_workbook(tmp_path):
    data = json.loads(RECORD)
    for i, school in enumerate(data["schools"]):
        school["name"] = AWKWARD[i % len(AWKWARD)].replace("\ud800", "")   # CSV cannot hold that one
    record = tmp_path / "a.json"
    record.write_text(json.dumps(data), encoding="utf-8")
    code, _, err = run("export", record, "-o", tmp_path / "csv")
    assert code == 0, err
    code, _, err = run("export", record, "-o", tmp_path / "a.xlsx")
    assert code == 2 and "E156" in err
