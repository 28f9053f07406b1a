"""The HTML report without a browser: format choice, self-containment, the same data as the
JSON report, the charts, escaping, both languages and the batch roll-up (fast, in-process)."""
import json
from fractions import Fraction
import os
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from compliance import cli
from compliance.report.html import render_html

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


class Page(HTMLParser):
    """Every start tag with its attributes and the text inside each open element."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text_parts: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    def having(self, tag: str, **attrs) -> list[dict]:
        """Tags with these attributes (class_: one of the classes; data_x: data-x)."""
        def matches(a: dict, key: str, value: str) -> bool:
            if key == "class_":
                return value in (a.get("class") or "").split()
            return a.get(key.replace("_", "-")) == value
        return [a for t, a in self.tags if t == tag and all(matches(a, k, v) for k, v in attrs.items())]


def run(capsys, *args):
    code = cli.main([str(a) for a in args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def fail_reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("html")
    paths = {"zh": out / "fail.html", "en": out / "fail-en.html", "json": out / "fail.json"}
    assert cli.main(["check", str(EXAMPLES / "county-fail.json"), "-o", str(paths["zh"])]) == 1
    assert cli.main(["check", str(EXAMPLES / "county-fail.json"), "-o", str(paths["en"]), "--lang", "en"]) == 1
    assert cli.main(["check", str(EXAMPLES / "county-fail.json"), "-o", str(paths["json"])]) == 1   # .json: JSON
    return {k: p.read_text(encoding="utf-8") for k, p in paths.items()}


def test_the_extension_picks_the_format_and_the_page_is_self_contained(fail_reports):
    text = fail_reports["zh"]
    assert text.startswith("<!DOCTYPE html>") and json.loads(fail_reports["json"])["verdict"] == "fail"
    page = Page(text)
    assert page.having("meta", http_equiv="Content-Security-Policy")[0]["content"].startswith("default-src 'none'")
    assert not [a for t, a in page.tags if "src" in a or t in ("link", "img", "iframe", "object", "embed")]
    assert all(a["href"].startswith("#") for t, a in page.tags if "href" in a)
    assert "url(" not in text and "@import" not in text
    # the only URL is the SVG namespace, which is a name, not a request
    assert set(re.findall(r"https?://[^\s\"'<>]+", text)) == {"http://www.w3.org/2000/svg"}
    assert "Noto Sans CJK SC" in text and "@page { size: A4" in text


def test_rows_statuses_and_counts_are_the_json_reports(fail_reports):
    report = json.loads(fail_reports["json"])
    page = Page(fail_reports["zh"])
    rows = page.having("tr", class_="finding")
    assert len(rows) == len(report["findings"])
    assert [r["data-status"] for r in rows][:5] and Counter(r["data-status"] for r in rows) == \
        Counter({k: v for k, v in report["summary"].items() if k != "veto" and v})
    shown = [r for r in rows if "hidden" not in r]      # the default filter: what needs action
    assert len(shown) == report["summary"]["fail"] == 14
    assert {r["data-school"] for r in shown} >= {"松岭镇中心小学", "示例县第三小学"}
    banner = page.having("header", class_="banner")[0]
    assert "verdict-fail" in banner["class"] and "结论：未通过" in page.text
    # each failure carries its citation, quote, remedy and folded steps
    assert "第六条（一）" in page.text and "每百名学生拥有高于规定学历教师数:小学、初中分别达到4.2人以上" in page.text
    assert "高于规定学历教师数（人）（/schools/20/sections/primary/teachers_above_required_degree）需增加 2 人（17 → 19）" in page.text
    assert len(page.having("details", class_="steps")) == sum(1 for f in report["findings"] if f.get("steps"))
    # the filters offer the statuses, aspects, schools and sections present
    selects = {a["data-filter"] for a in page.having("select")}
    assert selects == {"status", "aspect", "school", "section"}
    assert {a["value"] for a in page.having("option")} >= {"problems", "fail", "资源配置", "松岭镇中心小学", "primary"}


def test_first_look_is_the_text_reports(fail_reports, capsys):
    code, out, _ = run(capsys, "check", EXAMPLES / "county-fail.json")
    expected = [line.strip() for line in out.splitlines() if line.startswith("先看")]
    assert len(expected) == 3
    page = Page(fail_reports["zh"])
    items = re.findall(r'<ul class="first-look">\n(.*?)</ul>', fail_reports["zh"], re.S)[0]
    assert [Page(li).text for li in re.findall(r"<li>(.*?)</li>", items)] == expected
    assert "先看" in page.text


def test_charts_colour_each_school_against_its_threshold(fail_reports):
    text = fail_reports["zh"]
    charts = re.findall(r'<details class="chart"( open)?>\n<summary>(.*?)</summary>\n(.*?)</details>', text, re.S)
    by_title = {Page(title).text.split(" ", 1)[0] + ("（初中）" if "（初中）" in title else ""): (bool(o), body)
                for o, title, body in charts}
    opened, r1 = by_title["national/R1"]
    assert opened                         # a chart with a failing school is open
    bars = re.findall(r'<g class="bar (\w+)"><title>(.*?): ', r1)
    assert ("near", "松岭镇中心小学") in bars             # 3.7611 of 4.2: 89.5 %
    assert bars[0] == ("near", "松岭镇中心小学")          # sorted, worst first
    assert sum(1 for cls, _ in bars if cls != "met") == 1 and len(bars) >= 20
    _, r5 = by_title["national/R5"]
    assert ("far", "示例县第三小学") in re.findall(r'<g class="bar (\w+)"><title>(.*?): ', r5)   # 5.4 of 7.5: 72 %
    # the CVs against the limit, and the contributors of the failing one
    cv = next(body for o, title, body in charts if "校际差异系数（小学）" in title)
    assert re.findall(r'<g class="bar (\w+)"><title>R6-CV: 0.5549 / ≤ 0.5', cv) == ["near"]
    contributors = next(body for o, title, body in charts if "R6-CV 差异主要来自" in title)
    assert "示例县第二小学" in contributors and contributors.count('class="bar contrib"') == 5


def test_a_fall_year_on_year_is_drawn_with_its_years(capsys, tmp_path):
    out = tmp_path / "gg.html"
    code, _, _ = run(capsys, "check", EXAMPLES / "guigang-2021.json", "--format", "html", "-o", out)
    assert code == 1
    text = out.read_text(encoding="utf-8")
    series = re.findall(r'<summary>(guigang/GG-S2 .*?)</summary>\n(<svg class="series".*?</svg>)', text, re.S)
    assert len(series) == 1
    summary, svg = series[0]
    assert "2020年下降：5478 → 5415" in Page(summary).text
    assert re.findall(r'<text class="year"[^>]*>(\d+)</text>', svg) == ["2018", "2019", "2020", "2021"]
    assert svg.count('<line class="fall"') == 1 and '<g class="point fell"><title>2020: 5415</title>' in svg


def test_english(fail_reports):
    text = fail_reports["en"]
    page = Page(text)
    assert page.having("html")[0]["lang"] == "en"
    assert "Verdict: FAIL" in page.text
    assert "结论" not in page.text and "Act first · Resource allocation: 9 failed" in page.text
    # rule titles and aspects in English where the rule files give them
    assert "Teachers above the required degree per 100 students" in page.text
    assert 'class="title">Teachers above the required degree per 100 students<' in text
    assert 'class="title">每百名学生拥有高于规定学历教师数<' not in text
    assert "needs action" in page.text and "To comply:" in page.text


def test_names_are_escaped_and_lone_surrogates_kept_as_escapes(capsys, tmp_path):
    raw = (EXAMPLES / "county-fail.json").read_text(encoding="utf-8")
    hostile = '<script>alert(1)</script>&\\"\\ud800'
    record = tmp_path / "hostile.json"
    record.write_text(raw.replace('"松岭镇中心小学"', f'"{hostile}"', 1), encoding="utf-8")
    out = tmp_path / "hostile.html"
    code, _, err = run(capsys, "check", record, "-o", out)
    assert code == 1, err
    text = out.read_bytes().decode("utf-8", errors="strict")     # no lone surrogate reached the file
    assert "<script>alert" not in text and text.count("<script>") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;\\ud800" in text
    page = Page(text)
    assert any(a.get("data-school") == '<script>alert(1)</script>&"\\ud800' for a in page.having("tr", class_="finding"))


def test_render_html_escapes_every_field():
    nasty = '"><img src=x onerror=alert(1)>&'
    report = {"verdict": "fail", "as_of": "2024-09-01", "summary": {"fail": 1},
              "packs": [{"id": nasty, "document": nasty}],
              "findings": [{"rule": nasty, "title": nasty, "status": "fail", "severity": "must", "aspect": nasty,
                            "subject": {"kind": "school", "school": "s", "school_name": nasty, "section": nasty},
                            "value": 1, "threshold": 2, "op": ">=", "message": nasty,
                            "citation": {"document": nasty, "quote": nasty}, "trace": [nasty], "missing": [nasty],
                            "remedy": [{"message_zh": nasty}], "steps": [{"expression": nasty, "value": nasty}]}]}
    text = render_html(report, nasty, "zh")
    assert "<img" not in text and 'onerror=alert(1)>' not in text.replace("&gt;", "")
    assert text.count("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;") >= 10


@pytest.mark.parametrize("args,code,words", [
    (("--format", "json", "-o", "r.html"), 2, ["E137", "--format json", ".html", "改用扩展名 .json"]),
    (("--format", "text", "-o", "r.jsonl"), 2, ["E137", "改用扩展名 .txt"]),
    (("--format", "html", "-o", "r.json", "--lang", "en"), 2, ["E137", "contradicts", "use the extension .html"]),
    (("--format", "html", "-o", "r.htm"), 1, []),
    (("-o", "r.report"), 1, []),            # an extension outside the table: text
])
def test_a_format_that_contradicts_the_extension_is_refused(capsys, tmp_path, args, code, words):
    args = [a if not a.startswith("r.") else str(tmp_path / a) for a in args]
    status, out, err = run(capsys, "check", EXAMPLES / "county-fail.json", *args)
    assert status == code
    for word in words:
        assert word in err
    if code == 2:
        assert list(tmp_path.iterdir()) == []                     # refused before any work
        if "json" in args:      # asked for JSON by name: the error is a JSON object on stdout
            assert json.loads(out)["error"]["code"] == "E137"
        else:
            assert out == ""
    else:
        written = next(tmp_path.iterdir()).read_text(encoding="utf-8")
        assert written.startswith("<!DOCTYPE html>") == args[-1].endswith(".htm")


def test_batch_roll_up_links_each_record_to_its_section(capsys, tmp_path):
    out = tmp_path / "batch.html"
    code, _, _ = run(capsys, "check", EXAMPLES / "county-fail.json", EXAMPLES / "county-pass.json",
                     EXAMPLES / "no-such.json", "-o", out, "--jobs", "1")
    assert code == 2                       # one record cannot be read: reported, the others checked
    page = Page(out.read_text(encoding="utf-8"))
    links = [a["href"] for a in page.having("a")]
    assert links == ["#record-1", "#record-2"]
    assert [a["id"] for a in page.having("section", class_="county")] == ["record-1", "record-2"]
    assert len(page.having("th", data_sort="num")) == 8 and page.having("table", class_="sortable")
    assert "共 3 份：通过 1 · 未通过 1 · 无法判定 0 · 数据无效 1" in page.text
    assert len(page.having("form", class_="filters")) == 2     # each county filters its own findings


def test_the_smallest_single_school_change_is_the_text_reports(capsys, tmp_path):
    code, out, _ = run(capsys, "check", EXAMPLES / "worked-example-cv.json")
    expected = [line.strip() for line in out.splitlines() if "只调一所学校的最小改动：" in line]
    assert expected == ["只调一所学校的最小改动：小学4 2105.2632 → 2320.4295"]
    page = tmp_path / "cv.html"
    run(capsys, "check", EXAMPLES / "worked-example-cv.json", "-o", page)
    assert re.findall(r'<p class="fix">([^<]*)</p>', page.read_text(encoding="utf-8")) == expected


def _small_report() -> dict:
    """A hand-made JSON report: three schools on one indicator (met, near, far), a failing CV
    with its contributors, a series that fell, and a finding with missing data."""
    def school(i, name, value, status):
        return {"rule": "national/R1", "title": "每百名学生拥有高于规定学历教师数", "status": status, "severity": "must",
                "aspect": "资源配置", "subject": {"kind": "school_section", "school": f"s{i}", "school_name": name,
                                              "section": "primary"},
                "value": value, "threshold": 4.2, "op": ">=", "message": f"{name} {value}",
                "citation": {"document": "教督〔2017〕6号", "article": "第六条", "item": "（一）", "quote": "4.2人以上"},
                "trace": [], "missing": []}
    return {"format_version": "1", "as_of": "2024-09-01", "verdict": "fail",
            "packs": [{"id": "national", "version": "2017-05-12", "document": "教督〔2017〕6号"}],
            "summary": {"pass": 1, "fail": 4, "unknown": 1, "not_applicable": 0, "veto": 0},
            "findings": [
                school(1, "甲校", 5, "pass"), school(2, "乙校", 4, "fail"), school(3, "丙校", 3, "fail"),
                {"rule": "national/R1-CV", "title": "校际差异系数", "status": "fail", "severity": "must",
                 "aspect": "资源配置", "subject": {"kind": "section_level", "section": "primary"},
                 "value": 0.55, "threshold": 0.5, "op": "<=", "message": "0.55 > 0.5", "citation": {}, "trace": [],
                 "missing": [], "contributors": {"mean": 4, "cv": 0.55, "limit": 0.5, "members": 3,
                                                 "top": [{"school": "s3", "school_name": "丙校", "share": 0.6}],
                                                 "smallest_fix": {"school": "s3", "from": 3, "to": 3.5}}},
                {"rule": "local/S2", "title": "生均支出逐年只增不减", "status": "fail", "severity": "must",
                 "aspect": "保障", "subject": {"kind": "jurisdiction"}, "value": None, "threshold": None, "op": None,
                 "message": "2020年下降", "citation": {}, "missing": [],
                 "trace": ["/history/0/x = 10", "/history/1/x = 12", "/facts/x = 11",
                           "fell_from = 12", "fell_in = 2024", "fell_to = 11", "fell_where = 某县"]},
                {"rule": "national/G1", "title": "缺数据", "status": "unknown", "severity": "must", "aspect": "保障",
                 "subject": {"kind": "jurisdiction"}, "value": None, "threshold": None, "op": None,
                 "message": "缺少数据", "citation": {}, "trace": [], "missing": ["/facts/x"],
                 "steps": [{"part": "require", "depth": 0, "expression": "facts.x > 0", "value": "unknown",
                            "pointer": "/facts/x"}]}]}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_small_report_matches_its_golden_page(lang):
    """The whole page of a hand-made report. After an intended change:
    UPDATE_GOLDEN=1 python -m pytest tests/test_html_report.py and review the diff."""
    text = render_html(_small_report(), "某县 2024", lang, near=Fraction(85, 100))   # the national share
    path = ROOT / "tests" / "golden" / f"html-small-{lang}.html"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
    assert ('<g class="bar far"><title>丙校' in text and '<g class="bar near"><title>乙校' in text
            and '<g class="bar met"><title>甲校' in text)
    assert re.findall(r'<text class="year"[^>]*>(\d+)</text>', text) == ["2022", "2023", "2024"]


def test_near_is_the_packs_share_not_a_number_of_the_report():
    """Near / far is drawn at the share the packs give (school_rest_min_share); with no such
    parameter the page says only met / not met, and never prints an 85 % of its own."""
    unknown = render_html(_small_report(), "某县 2024", "zh")
    assert '<g class="bar not_met"><title>丙校' in unknown and '<g class="bar not_met"><title>乙校' in unknown
    assert 'class="bar near"' not in unknown and "85%" not in unknown
    strict = render_html(_small_report(), "某县 2024", "zh", near=Fraction(99, 100))
    assert '<g class="bar far"><title>乙校' in strict and "不低于要求的99%" in strict
