"""Lint reads the quote (compliance/lint_quote.py, compliance/quote_numbers.py): W330 a parameter
value no source states, W331 a quoted number no parameter carries, E332 a literal threshold; and
the threshold's source travelling into findings (`threshold_source`)."""
from __future__ import annotations

import contextlib
import io
import json
import shutil
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest

from compliance.cli import main
from compliance.lint import lint_paths
from compliance.quote_numbers import numbers_in

ROOT = Path(__file__).resolve().parents[1]
PACKS = [ROOT / "rules" / "national", *sorted((ROOT / "rules" / "local").iterdir())]


def _numbers(text):
    return [(q.text, q.scaled) for q in numbers_in(text)]


def test_numbers_of_a_quote_with_units_percent_and_multipliers():
    assert _numbers("小学、初中分别达到4.2人以上、5.3人以上") == [("4.2", Fraction(21, 5)), ("5.3", Fraction(53, 10))]
    assert _numbers("余项不能低于要求的85%") == [("85%", Fraction(17, 20))]
    assert _numbers("３万以上人口的大乡镇办好2-3所公办园") == [("3万", 30000), ("2", 2), ("3", 3)]
    assert _numbers("生均公用经费不低于0.6万元") == [("0.6万", 6000)]
    assert _numbers("入学率达到百分之九十五") == [("百分之九十五", Fraction(19, 20))]
    assert _numbers("通过认定三年以上;学业水平达到Ⅲ级以上") == [("三", 3), ("Ⅲ", 3)]
    assert _numbers("生机比:高中8:1,2/3以上的县") == [("8:1", 8), ("2/3", Fraction(2, 3))]


def test_years_dates_articles_and_document_numbers_are_not_thresholds():
    assert numbers_in("到2022,完成;2020年起;2018-09-01;9月1日前;教督〔2017〕6号 第六条（三）2.") == []
    assert _numbers("规模不超过2000人") == [("2000", 2000)]      # a count, though it looks like a year
    assert numbers_in("原文“?000”已损坏") == []


def _lint(paths):
    analyses, loose = lint_paths(paths)
    return [d for a in analyses for d in a.diagnostics] + loose


def test_every_pack_in_rules_reads_its_quotes_clean():
    found = [d for d in _lint(PACKS) if d.code in ("W330", "W331", "E332")]
    assert found == []


def _national_copy(tmp_path: Path, r1_primary: str) -> tuple[Path, int]:
    shutil.copytree(ROOT / "rules" / "national", tmp_path / "national")
    params = tmp_path / "national" / "params.yaml"
    lines = params.read_text(encoding="utf-8").split("\n")
    start = lines.index("r1_teachers_above_degree_per_100:")
    line = next(i for i in range(start, len(lines)) if lines[i].strip().startswith("primary:"))
    assert lines[line] == "  primary: {2017-05-12: 4.2}"
    lines[line] = f"  primary: {{2017-05-12: {r1_primary}}}"
    params.write_text("\n".join(lines), encoding="utf-8")
    return tmp_path / "national", line + 1


@pytest.mark.parametrize("value", ["3.0", "4.5"])
def test_a_value_the_quote_does_not_state_is_flagged_at_its_own_line(tmp_path, value, capsys):
    pack, line = _national_copy(tmp_path, value)
    found = _lint([pack])
    [d] = [d for d in found if d.code == "W330"]
    assert d.severity == "warning" and d.location.file.endswith("params.yaml") and d.location.line == line
    assert d.args["name"] == "r1_teachers_above_degree_per_100"
    assert "4.2" in d.message("zh") and "5.3" in d.message("zh")     # the quote's numbers, to compare with
    # and the other way round: the quote's 4.2 is now carried by no parameter
    assert [(w.args["id"], w.args["number"]) for w in found if w.code == "W331"] == [("R1", "4.2")]
    main(["lint", str(pack)])
    err = capsys.readouterr().err
    assert f"params.yaml:{line}:" in err and "警告 W330" in err
    main(["lint", str(pack), "--lang", "en"])
    err = capsys.readouterr().err
    assert f"params.yaml:{line}:" in err and "warning W330" in err and "4.2" in err


def test_the_value_as_quoted_passes(tmp_path):
    pack, _ = _national_copy(tmp_path, "4.2")
    assert [d for d in _lint([pack]) if d.code == "W330"] == []


RULE = """rules:
  - id: T1
    title: 测试规则
    severity: must
    applies_to: jurisdiction
{extra}    require: {require}
    citation:
      article: 第一条
      quote: {quote}
{reading}"""


def _rule(tmp_path, require="facts.social_recognition_rate >= params.s1_min_recognition",
          quote="社会认可度达到85%以上", reading=None, extra=""):
    path = tmp_path / "t.yaml"
    path.write_text(RULE.format(require=require, quote=quote, extra=extra,
                                reading=f"      reading: {reading}\n" if reading else ""), encoding="utf-8")
    return _lint([path])


def test_a_quoted_number_no_parameter_carries_warns_once_per_rule(tmp_path):
    [d] = [d for d in _rule(tmp_path, quote="社会认可度达到85%以上,每校配备37名、41名保安") if d.code == "W331"]
    assert d.location.line == 9 and d.args["number"] == "37、41"
    assert "37、41" in d.message("zh") and "citation.reading" in d.message("en")


def test_a_reading_that_names_the_number_explains_it(tmp_path):
    found = _rule(tmp_path, quote="社会认可度达到85%以上,每校配备37名保安", reading="“37名保安”是配备口径，不是阈值")
    assert [d for d in found if d.code == "W331"] == []


def test_a_literal_threshold_in_require_is_an_error(tmp_path):
    [d] = [d for d in _rule(tmp_path, require="facts.social_recognition_rate >= 85%") if d.code == "E332"]
    assert d.is_error and d.location.line == 6 and d.args["literal"] == "85%"
    assert "params.yaml" in d.message("zh") and "literal: plan-year" in d.message("en")


def test_zero_is_no_threshold(tmp_path):
    assert [d for d in _rule(tmp_path, require="facts.social_recognition_rate > 0") if d.code == "E332"] == []


def test_a_plan_year_is_marked_as_one(tmp_path):
    when = "    when: year == 2022 年\n"
    assert [d.code for d in _rule(tmp_path, extra=when) if d.code == "E332"] == ["E332"]
    assert [d for d in _rule(tmp_path, extra=when + "    literal: plan-year\n") if d.code == "E332"] == []


def test_the_marker_does_not_excuse_a_threshold(tmp_path):
    found = _rule(tmp_path, require="facts.social_recognition_rate >= 85%", extra="    literal: plan-year\n")
    assert [d.code for d in found if d.code == "E332"] == ["E332"]


def _check(args) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["check", str(ROOT / "examples" / "worked-example-cv.json"), *args])
    return out.getvalue()


def test_findings_carry_the_threshold_source():
    report = json.loads(_check(["--format", "json"]))
    schema = json.loads((ROOT / "compliance" / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, schema)
    r1 = next(f for f in report["findings"] if f["rule"] == "national/R1")
    assert r1["threshold_source"] == {"parameter": "r1_teachers_above_degree_per_100", "pack": "national",
                                      "reference": "教督〔2017〕6号 第六条（一）"}
    assert "阈值依据：教督〔2017〕6号 第六条（一）（params.r1_teachers_above_degree_per_100，national）" in _check([])
    assert "threshold source: 教督〔2017〕6号 第六条（一） (params.r1_teachers_above_degree_per_100, national)" \
        in _check(["--lang", "en"])
