"""--format sarif | junit | xlsx (one record and batches) and the JSON error object of
`--format json` on bad input. SARIF is validated against the official 2.1.0 schema
(vendored in tests/vendor/sarif, see its README)."""
from __future__ import annotations

import io
import json
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest
from jsonschema import Draft4Validator, Draft202012Validator

from compliance.cli import main
from compliance.report.formats import FORMAT_BY_EXTENSION, format_of_output

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SARIF_SCHEMA = json.loads((ROOT / "tests/vendor/sarif/sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
ERROR_SCHEMA = json.loads((ROOT / "compliance/schemas/error.schema.json").read_text(encoding="utf-8"))


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def report(path: Path) -> dict:
    code = main(["check", str(path), "--format", "json"])
    assert code in (0, 1)
    return code


def resolve(document, pointer: str):
    """The value a JSON pointer names (RFC 6901)."""
    for token in pointer.split("/")[1:] if pointer else []:
        token = token.replace("~1", "/").replace("~0", "~")
        document = document[int(token)] if isinstance(document, list) else document[token]
    return document


def sarif_errors(doc: dict) -> list[str]:
    return [f"{list(e.path)}: {e.message}" for e in Draft4Validator(SARIF_SCHEMA).iter_errors(doc)]


@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("formats")
    for name in ("county-fail.json", "county-missing.json"):
        shutil.copy(EXAMPLES / name, folder / name)
    (folder / "bad.json").write_text('{"format_version": "1", "year": "x"}', encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def fail_json(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("json") / "r.json"
    assert main(["check", str(EXAMPLES / "county-fail.json"), "--format", "json", "-o", str(out)]) == 1
    return json.loads(out.read_text(encoding="utf-8"))


# ---- SARIF ---------------------------------------------------------------------------------

def test_sarif_of_one_record_is_valid_and_points_at_the_subjects(capsys, fail_json):
    code, out, _ = run(capsys, "check", EXAMPLES / "county-fail.json", "--format", "sarif")
    assert code == 1
    doc = json.loads(out)
    assert sarif_errors(doc) == []
    assert doc["version"] == "2.1.0"
    run_ = doc["runs"][0]
    results, rules = run_["results"], run_["tool"]["driver"]["rules"]
    problems = [f for f in fail_json["findings"] if f["status"] not in ("pass", "not_applicable")]
    assert len(results) == len(problems) == 14
    assert {r["level"] for r in results} == {"error"}             # must and veto failures
    assert not any("kind" in r for r in results)                  # passes only with --verbose
    record = json.loads((EXAMPLES / "county-fail.json").read_text(encoding="utf-8"))
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]
        assert location["physicalLocation"]["artifactLocation"]["uri"] == "examples/county-fail.json" or \
            location["physicalLocation"]["artifactLocation"]["uri"].endswith("examples/county-fail.json")
        pointer = location["logicalLocations"][0]["fullyQualifiedName"]
        subject = result["properties"]["subject"]
        if subject["kind"] == "school_section":    # the pointer is that section of that school
            school = resolve(record, pointer.rsplit("/sections/", 1)[0])
            assert school["id"] == subject["school"]
            assert pointer.endswith("/sections/" + subject["section"])
    r1 = next(r for r in rules if r["id"] == "national/R1")
    assert r1["shortDescription"]["text"] == "每百名学生拥有高于规定学历教师数"
    assert "第六条" in r1["help"]["text"] and "4.2人以上" in r1["help"]["text"]
    veto = next(r for r in results if r["ruleId"] == "national/V3")
    assert veto["message"]["text"].startswith("存在重点学校或重点班")


def test_sarif_levels_follow_status_and_verbose_adds_passes(capsys):
    code, out, _ = run(capsys, "check", EXAMPLES / "county-missing.json", "--format", "sarif", "--lang", "en")
    doc = json.loads(out)
    assert sarif_errors(doc) == []
    descriptors = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert descriptors["national/R6"]["shortDescription"]["text"] == "Teaching equipment value per student"
    assert descriptors["national/R6-CV"]["shortDescription"]["text"] == \
        "Coefficient of variation across schools, indicator 6"
    assert "“生均教学仪器设备值" in descriptors["national/R6"]["help"]["text"]   # the quote: the document's words
    unknown = [r for r in doc["runs"][0]["results"] if r["properties"]["status"] == "unknown"]
    assert unknown and {r["level"] for r in unknown} == {"warning"}
    for r in unknown:                                  # each missing field is a related location
        assert [x["logicalLocations"][0]["fullyQualifiedName"] for x in r["relatedLocations"]]
    code, out, _ = run(capsys, "check", EXAMPLES / "county-pass.json", "--format", "sarif", "--verbose")
    assert code == 0
    doc = json.loads(out)
    assert sarif_errors(doc) == []
    kinds = {(r.get("kind"), r["level"]) for r in doc["runs"][0]["results"]}
    assert kinds == {("pass", "none"), ("notApplicable", "none")}


def test_sarif_of_a_batch_is_valid_with_the_bad_record_as_a_notification(capsys, batch_dir):
    code, out, _ = run(capsys, "check", batch_dir, "--format", "sarif", "-j", "1")
    assert code == 2
    doc = json.loads(out)
    assert sarif_errors(doc) == []
    run_ = doc["runs"][0]
    verdicts = {Path(a["location"]["uri"]).name: a["properties"]["verdict"] for a in run_["artifacts"]}
    assert verdicts == {"bad.json": "invalid", "county-fail.json": "fail", "county-missing.json": "unknown"}
    invocation = run_["invocations"][0]
    assert invocation["executionSuccessful"] is False
    pointers = {n["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                for n in invocation["toolExecutionNotifications"]}
    assert "/year" in pointers
    named = {run_["artifacts"][r["locations"][0]["physicalLocation"]["artifactLocation"]["index"]]["location"]["uri"]
             for r in run_["results"]}
    assert {Path(u).name for u in named} == {"county-fail.json", "county-missing.json"}


# ---- JUnit ---------------------------------------------------------------------------------

def test_junit_has_one_testcase_per_rule_and_subject(capsys, fail_json):
    code, out, _ = run(capsys, "check", EXAMPLES / "county-fail.json", "--format", "junit")
    assert code == 1
    root = ET.fromstring(out)
    assert root.tag == "testsuites"
    (suite,) = list(root)
    cases = suite.findall("testcase")
    assert len(cases) == len(fail_json["findings"]) == int(suite.get("tests"))
    assert len({(c.get("classname"), c.get("name")) for c in cases}) == len(cases)
    failures = [c for c in cases if c.find("failure") is not None]
    assert len(failures) == int(suite.get("failures")) == fail_json["summary"]["fail"]
    skipped = [c for c in cases if c.find("skipped") is not None]
    assert len(skipped) == int(suite.get("skipped")) == fail_json["summary"]["not_applicable"]
    r1 = next(c for c in failures if c.get("classname") == "national/R1")
    assert r1.get("name") == "松岭镇中心小学（小学）"
    assert r1.find("failure").get("message").startswith("松岭镇中心小学（小学）每百名学生")
    assert "教督〔2017〕6号" in r1.find("failure").text


def test_junit_unknown_is_an_error_and_a_batch_is_one_suite_per_record(capsys, batch_dir):
    code, out, _ = run(capsys, "check", batch_dir, "--format", "junit", "-j", "1", "--lang", "en")
    assert code == 2
    root = ET.fromstring(out)
    suites = {Path(s.get("name")).name: s for s in root.findall("testsuite")}
    assert set(suites) == {"bad.json", "county-fail.json", "county-missing.json"}
    missing = suites["county-missing.json"]
    errors = missing.findall("testcase/error")
    assert errors and int(missing.get("errors")) == len(errors)
    assert all(e.get("type") == "unknown" and e.text.startswith("missing data: /") for e in errors)
    assert suites["county-missing.json"].get("failures") == "0"
    bad = suites["bad.json"].findall("testcase")
    assert bad and all(c.find("error") is not None for c in bad)
    assert sum(int(s.get("tests")) for s in suites.values()) == int(root.get("tests"))


# ---- xlsx ----------------------------------------------------------------------------------

def test_xlsx_of_one_record(capsys, tmp_path, fail_json):
    out = tmp_path / "报告.xlsx"
    code, stdout, _ = run(capsys, "check", EXAMPLES / "county-fail.json", "--format", "xlsx", "-o", out)
    assert code == 1 and stdout == ""
    assert [p.name for p in tmp_path.iterdir()] == ["报告.xlsx"]          # no temporary file left
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["概要", "结果", "学校指标"]
    summary = list(book["概要"].iter_rows(values_only=True))
    assert summary[1][4] == "未通过" and summary[1][5:13] == (796, 14, 0, 151, 1, 0, 0, 0)
    sheet = book["结果"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:S{len(fail_json['findings']) + 1}"
    head = [c.value for c in sheet[1]]
    assert head[:7] == ["地区", "数据文件", "规则", "名称", "方面", "约束性", "状态"]
    rows = list(sheet.iter_rows(min_row=2))
    statuses = [r[6].value for r in rows]
    assert statuses.count("未达标") == 14
    failed = next(r for r in rows if r[6].value == "未达标")
    passed = next(r for r in rows if r[6].value == "达标")
    assert failed[6].fill.start_color.rgb.endswith("FFC7CE") and passed[6].fill.start_color.rgb.endswith("C6EFCE")
    r1 = next(r for r in rows if r[2].value == "national/R1" and r[6].value == "未达标")
    assert r1[10].value == pytest.approx(425 / 113) and r1[12].value == 4.2 and r1[13].value == "425/113"
    schools = {(row[1], row[3]): row for row in book["学校指标"].iter_rows(min_row=2, values_only=True)}
    head = [c.value for c in book["学校指标"][1]]
    assert head[4].startswith("R1 ") and head[5:7] == ["要求", "达成"]
    # 松岭镇中心小学 R1 3.76 of 4.2 (90 %) is near; 示例县第三小学 R5 5.4 of 7.5 (72 %) is far.
    assert schools[("3599020021", "小学")][6] == "接近"
    assert schools[("3599020004", "小学")][4 + 3 * 4 + 2] == "差距较大"
    assert schools[("3599020001", "小学")][6] == "达到要求"


def test_xlsx_of_a_batch_has_a_county_column(capsys, tmp_path, batch_dir):
    out = tmp_path / "all.xlsx"
    code, _, _ = run(capsys, "check", batch_dir, "--format", "xlsx", "-o", out, "-j", "1", "--lang", "en")
    assert code == 2
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == ["Summary", "Findings", "School indicators"]
    verdicts = {Path(r[0]).name: r[4] for r in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert verdicts == {"bad.json": "invalid", "county-fail.json": "fail", "county-missing.json": "unknown"}
    places = {r[0] for r in book["Findings"].iter_rows(min_row=2, values_only=True)}
    assert len(places) == 2
    assert {r[0] for r in book["School indicators"].iter_rows(min_row=2, values_only=True)} <= places


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_xlsx_is_refused_on_a_terminal(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(sys, "stdout", _Terminal())
    code = main(["check", str(EXAMPLES / "county-pass.json"), "--format", "xlsx"])
    assert code == 2
    assert sys.stdout.getvalue() == ""
    assert "E135" in capsys.readouterr().err


def test_output_extensions():
    assert format_of_output("r.sarif.json") == "sarif" and format_of_output("R.SARIF") == "sarif"
    assert format_of_output("out/报告.xlsx") == "xlsx" and format_of_output("junit.xml") == "junit"
    assert format_of_output("r.json") == "json" and format_of_output("r.bin") is None
    assert {"sarif", "xlsx", "junit"} <= set(FORMAT_BY_EXTENSION.values())


# ---- the JSON error object -----------------------------------------------------------------

def _error(capsys, *args) -> tuple[dict, str]:
    code, out, err = run(capsys, *args)
    assert code == 2
    obj = json.loads(out)                             # stdout is the error object and nothing else
    assert list(Draft202012Validator(ERROR_SCHEMA).iter_errors(obj)) == []
    return obj, err


def test_bad_record_gives_a_json_error_object_in_both_languages(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format_version": "1", "year": "x"}', encoding="utf-8")
    zh, err = _error(capsys, "check", bad, "--format", "json")
    assert "E111" in err                              # people still read stderr
    assert {(d["code"], d["pointer"]) for d in zh["diagnostics"]} >= {("E111", "/year")}
    assert zh["error"]["file"] == str(bad) and zh["error"]["message"].startswith("数据不符合格式要求")
    en, _ = _error(capsys, "check", bad, "--format", "json", "--lang", "en")
    assert en["error"]["message"].startswith("the record does not match the schema")
    assert [d["pointer"] for d in en["diagnostics"]] == [d["pointer"] for d in zh["diagnostics"]]


def test_json_syntax_error_and_bad_options_give_line_column_or_option(capsys, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "year": 2024,\n}', encoding="utf-8")
    obj, _ = _error(capsys, "check", broken, "--format", "json")
    assert obj["error"]["code"] == "E110" and (obj["error"]["line"], obj["error"]["column"]) == (3, 1)
    obj, _ = _error(capsys, "check", EXAMPLES / "county-pass.json", "--format", "json", "--as-of", "2024-13-01")
    assert obj["error"]["code"] == "E114" and obj["error"]["file"] == "--as-of"
    obj, _ = _error(capsys, "check", EXAMPLES / "county-pass.json", "--format", "json", "--pack", "无此规则包")
    assert obj["error"]["code"] == "E115"
    with pytest.raises(SystemExit) as exc:
        main(["check", str(EXAMPLES / "county-pass.json"), "--format=json", "--jobs", "0", "--lang", "en"])
    assert exc.value.code == 2
    obj = json.loads(capsys.readouterr().out)
    assert obj["error"]["code"] == "E136" and obj["error"]["message"].startswith("usage error: argument --jobs")
    # Text format: nothing on stdout, as before.
    code, out, _ = run(capsys, "check", broken)
    assert code == 2 and out == ""


def test_near_is_judged_exactly_at_the_share():
    from fractions import Fraction
    from compliance.report.xlsx import reach
    at = {"status": "fail", "op": ">=", "value": 3.57, "threshold": 4.2}           # 3.57 = 85 % of 4.2 exactly
    below = {"status": "fail", "op": ">=", "value": 3.5699, "threshold": 4.2}
    share = Fraction(17, 20)
    assert reach(at, share) == "near" and reach(below, share) == "far"
    assert reach({**at, "value": 0.1, "value_exact": "357/100"}, share) == "near"   # the exact text decides
    assert reach(at, None) == "not_met"
    assert reach({"status": "pass"}, share) == "met" and reach({"status": "unknown"}, share) == "unknown"


@pytest.mark.parametrize("name,county", [("示例县A[/b]校", "A[/b]县"), ("[bold]示例县第一小学", "[b]县")])
def test_text_reports_print_the_records_words_as_written(capsys, tmp_path, name, county):
    """A name with square brackets is text, not console markup: "[/b]" used to stop the text
    report with an internal error, and "[bold]" vanished from it."""
    data = json.loads((EXAMPLES / "county-fail.json").read_text(encoding="utf-8"))
    data["schools"][0]["name"] = name
    data["jurisdiction"]["name"] = county
    one = tmp_path / "one.json"
    one.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, err = run(capsys, "check", one)
    assert code == 1 and name in out, err
    folder = tmp_path / "many"
    folder.mkdir()
    shutil.copy(one, folder / "a.json")
    shutil.copy(EXAMPLES / "county-fail.json", folder / "b.json")
    code, out, err = run(capsys, "check", folder, "--jobs", "1")
    assert code == 1 and county in out, err


def test_a_control_character_in_a_name_is_escaped_in_xml_reports_and_stops_a_workbook_export(capsys, tmp_path):
    """XML has no place for U+0001: the xlsx and JUnit reports write it as "\\u0001" (the
    xlsx report stopped with an internal error, and JUnit wrote XML no parser reads); an
    export to a workbook, which would not give the record back, is refused with E156 at the
    name, while an export to CSV keeps it."""
    data = json.loads((EXAMPLES / "county-fail.json").read_text(encoding="utf-8"))
    data["schools"][0]["name"] = "第一\u0001小学"
    record = tmp_path / "c.json"
    record.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, err = run(capsys, "check", record, "--format", "xlsx", "--output", tmp_path / "r.xlsx")
    assert code == 1, err
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert any("第一\\u0001小学" in str(c.value) for row in book.worksheets[1].iter_rows() for c in row)
    code, out, err = run(capsys, "check", record, "--format", "junit")
    assert code == 1 and "第一\\u0001小学" in ET.tostring(ET.fromstring(out.split("\n", 1)[1]), encoding="unicode")
    code, out, err = run(capsys, "export", record, "-o", tmp_path / "e.xlsx")
    assert code == 2 and "E156" in err and "/schools/0/name" in err and "U+0001" in err
    assert not (tmp_path / "e.xlsx").exists()
    code, out, err = run(capsys, "export", record, "-o", tmp_path / "csv")
    assert code == 0, err


def test_a_lone_surrogate_in_a_name_is_escaped_in_json_and_stops_an_export(capsys, tmp_path):
    """JSON allows "\\ud800", UTF-8 has no place for it: the JSON Lines of a batch stopped with
    an internal error and an export to CSV too. Reports now write it as its escape (the same
    name when read back); an export is refused with E156 at the name."""
    data = json.loads((EXAMPLES / "county-fail.json").read_text(encoding="utf-8"))
    data["schools"][0]["name"] = "第一\ud800小学"
    folder = tmp_path / "many"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(data), encoding="utf-8")     # ensure_ascii: "\ud800"
    for args, out_file in (([folder, "--format", "jsonl"], tmp_path / "o.jsonl"),
                           ([folder / "a.json", "--format", "json"], tmp_path / "o.json")):
        code, out, err = run(capsys, "check", *args, "--findings", "all", "--output", out_file)
        assert code == 1, err
        report = json.loads(out_file.read_bytes().decode("utf-8").splitlines()[0] if out_file.suffix == ".jsonl"
                            else out_file.read_bytes().decode("utf-8"))
        assert "第一\ud800小学" in {f["subject"].get("school_name") for f in report["findings"]}
    code, out, err = run(capsys, "export", folder / "a.json", "-o", tmp_path / "csv")
    assert code == 2 and "E156" in err and "U+D800" in err and not (tmp_path / "csv").exists()
