"""The HTML report: one self-contained page (CSS, JS and SVG inline, no network, system CJK
fonts), built from the JSON report's dict (json_report.build_report), so nothing is computed
twice. One record gives one county section; a batch gives a sortable roll-up and one section
per record."""
from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from fractions import Fraction
from pathlib import Path
from typing import TextIO

from ..findings import format_number, summary_key
from .batch import _STATUS_TEXT, _VERDICT_TEXT, STATUSES
from .indicators import exact, reach, share_of_requirement
from .text import where_to_act_lines

_ASSETS = Path(__file__).with_name("assets")
_COLUMNS = ("pass", "fail", "unknown", "not_applicable", "pending", "target_missed", "advisory_missed")
_SECTION = {"primary": ("小学", "primary"), "junior": ("初中", "junior")}
_OP = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=", "!=": "≠"}
_BANNER = {"pass": ("通过", "PASS"), "fail": ("未通过", "FAIL"), "unknown": ("无法判定（数据不全）", "UNKNOWN (data missing)")}
_LABEL_CHARS = 14              # school names in charts are cut here; the full name is the bar's <title>
_SERIES_LINE = re.compile(r"^(?P<owner>(?:/counties/\d+)?)/(?:history/\d+|facts)/\S+ = (?P<value>-?\d+(?:\.\d+)?)$")


def esc(value) -> str:
    """Text for HTML: a lone surrogate (valid in JSON names) is written as its escape, as the
    text and JSON reports do, and <, &, " are escaped."""
    text = str(value).encode("utf-8", "backslashreplace").decode("utf-8")
    return html.escape(text, quote=True)


def _t(zh: bool, chinese: str, english: str) -> str:
    return chinese if zh else english


# ---------------------------------------------------------------- the page

def page(title: str, body: str, lang: str) -> str:
    css = (_ASSETS / "report.css").read_text(encoding="utf-8")
    js = (_ASSETS / "report.js").read_text(encoding="utf-8")
    # The policy makes "no network" a property of the file, not only of what it happens to hold.
    csp = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="compliance">\n<title>{esc(title)}</title>\n'
            f'<style>\n{css}</style>\n</head>\n<body>\n{body}<script>\n{js}</script>\n</body>\n</html>\n')


def render_html(report: dict, title: str, lang: str = "zh", near: Fraction | None = None) -> str:
    """One record's report as a whole page. `near`: the packs' share of a requirement that
    counts as near (indicators.NEAR_PARAMETER); None: bars say only met / not met."""
    return page(title, county_section(report, title, lang, anchor="report", near=near), lang)


# ---------------------------------------------------------------- one county

def county_section(report: dict, title: str, lang: str, anchor: str, near: Fraction | None = None) -> str:
    zh = lang == "zh"
    findings = report.get("findings", [])
    verdict = report.get("verdict", "unknown")
    label_zh, label_en = _BANNER.get(verdict, _BANNER["unknown"])
    packs = "、".join(f"{p.get('id')}（{p.get('document')}）" if zh else f"{p.get('id')} ({p.get('document')})"
                     for p in report.get("packs", []))
    counts = report.get("summary", {})
    count_line = " · ".join(f"{_STATUS_TEXT[s][0 if zh else 1]} {counts.get(s, 0)}" for s in STATUSES if s in counts)
    out = [f'<section class="county" id="{esc(anchor)}">\n',
           f'<header class="banner verdict-{esc(verdict)}">\n<h1>{esc(title)}</h1>\n',
           f'<p class="verdict">{_t(zh, "结论：", "Verdict: ")}<strong>{esc(label_zh if zh else label_en)}</strong></p>\n',
           f'<p class="meta">{_t(zh, "评估基准日 ", "as of ")}{esc(report.get("as_of", ""))} · '
           f'{_t(zh, "规则包 ", "packs: ")}{esc(packs)}</p>\n',
           f'<p class="counts">{esc(count_line)}</p>\n</header>\n']
    out.append(_aspect_table(findings, zh))
    out.append(_first_look(findings, zh))
    out.append(_findings_table(findings, zh, anchor))
    out.append(_charts(findings, zh, near))
    out.append("</section>\n")
    return "".join(out)


def _status_key(f: dict) -> str:
    return summary_key(f.get("status", ""), f.get("severity", ""))


def _aspect(f: dict, zh: bool) -> str:
    return (f.get("aspect") if zh else f.get("aspect_en") or f.get("aspect")) or _t(zh, "其他", "Other")


def _title(f: dict, zh: bool) -> str:
    """The rule's title: the document's words, or its English title in an English page."""
    return (f.get("title") if zh else f.get("title_en") or f.get("title")) or ""


def _aspect_table(findings: list[dict], zh: bool) -> str:
    rows: dict[str, dict] = {}
    for f in findings:
        rows.setdefault(_aspect(f, zh), dict.fromkeys(_COLUMNS, 0))[_status_key(f)] += 1
    columns = [s for s in _COLUMNS if s in ("pass", "fail", "unknown", "not_applicable")
               or any(c[s] for c in rows.values())]
    head = "".join(f"<th>{esc(_STATUS_TEXT[s][0 if zh else 1])}</th>" for s in columns)
    body = "".join(f"<tr><th scope=\"row\">{esc(a)}</th>"
                   + "".join(f'<td class="num{" bad" if s == "fail" and c[s] else ""}">{c[s]}</td>' for s in columns)
                   + "</tr>\n" for a, c in rows.items())
    return (f'<h2>{_t(zh, "各方面汇总", "Summary by aspect")}</h2>\n<table class="aspects">\n'
            f'<thead><tr><th>{_t(zh, "方面", "Aspect")}</th>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>\n')


def _school(f: dict) -> str:
    s = f.get("subject") or {}
    return str(s.get("school_name") or s.get("school") or "")


def _first_look(findings: list[dict], zh: bool) -> str:
    decisive = [(_aspect(f, zh), _school(f)) for f in findings
                if f.get("status") == "fail" and f.get("severity") in ("must", "veto")]
    lines = where_to_act_lines(decisive, zh)
    if not lines:
        return ""
    items = "".join(f"<li>{esc(line)}</li>\n" for line in lines)
    return f'<h2>{_t(zh, "先看", "Act first")}</h2>\n<ul class="first-look">\n{items}</ul>\n'


# ---------------------------------------------------------------- numbers

def _shown(value: Fraction | None) -> str:
    return "" if value is None else format_number(value if value.denominator != 1 else value.numerator)


# ---------------------------------------------------------------- charts (inline SVG)

def _charts(findings: list[dict], zh: bool, near: Fraction | None) -> str:
    parts = [_indicator_charts(findings, zh, near), _cv_charts(findings, zh, near), _series_charts(findings, zh)]
    body = "".join(parts)
    if not body:
        return ""
    if near is None:
        grades = f'<span class="sw not_met"></span>{_t(zh, "未达标", "not met")}'
    else:
        share = format_number(near, True)
        grades = (f'<span class="sw near"></span>{_t(zh, f"未达标，不低于要求的{share}", f"not met, at least {share} of the requirement")}'
                  f'<span class="sw far"></span>{_t(zh, f"未达标，低于要求的{share}", f"not met, below {share}")}')
    legend = (f'<p class="legend"><span class="sw met"></span>{_t(zh, "达标", "met")}{grades}'
              f'<span class="sw tick"></span>{_t(zh, "要求", "requirement")}</p>\n')
    return f'<h2>{_t(zh, "图表", "Charts")}</h2>\n{legend}<div class="charts">\n{body}</div>\n'


def _section_name(section: str | None, zh: bool) -> str:
    return _SECTION.get(section or "", (section or "", section or ""))[0 if zh else 1]


def _indicator_charts(findings: list[dict], zh: bool, near: Fraction | None) -> str:
    """Per rule and section judged school by school: each school's value against the threshold."""
    groups: dict[tuple, list] = defaultdict(list)
    for f in findings:
        subject = f.get("subject") or {}
        if subject.get("kind") not in ("school", "school_section") or f.get("status") not in ("pass", "fail"):
            continue
        value, threshold = exact(f, "value"), exact(f, "threshold")
        if value is None or threshold is None or f.get("op") not in ("<=", ">=", "<", ">"):
            continue
        groups[(f["rule"], subject.get("section") or "")].append((f, value, threshold))
    out = []
    # Charts with a school not meeting its threshold first, then by rule and section.
    ordered = sorted(groups.items(), key=lambda kv: (all(f.get("status") == "pass" for f, _, _ in kv[1]), kv[0]))
    for (rule, section), items in ordered:
        if len(items) < 3:
            continue
        # worst first: by the share of its own requirement (a 九年一贯制 school has another limit)
        items.sort(key=lambda it: (share_of_requirement(it[1], it[2], it[0]["op"]) or Fraction(0), _school(it[0])))
        rows = [(_school(f), value, threshold, reach(f, near)) for f, value, threshold in items]
        title = f"{rule} {_title(items[0][0], zh)}" + (f"（{_section_name(section, zh)}）" if zh and section
                                                             else f" ({_section_name(section, zh)})" if section else "")
        bad = sum(1 for r in rows if r[3] != "met")
        note = _t(zh, f"{len(rows)} 所，未达标 {bad}", f"{len(rows)} schools, {bad} not met")
        out.append(_chart_box(title, note, _bar_svg(rows, f"{_OP.get(items[0][0]['op'], '')} "), open_=bad > 0))
    return "".join(out)


def _chart_box(title: str, note: str, svg: str, open_: bool) -> str:
    return (f'<details class="chart"{" open" if open_ else ""}>\n<summary>{esc(title)} <span class="note">'
            f'{esc(note)}</span></summary>\n{svg}</details>\n')


def _bar_svg(rows: list[tuple[str, Fraction, Fraction | None, str]], op_text: str) -> str:
    """Horizontal bars, one per row: (label, value, threshold or None, class). A tick marks
    each row's threshold. Pixels are floats: drawing is not judging."""
    width, label_w, value_w, row_h = 720, 190, 120, 16
    area = width - label_w - value_w
    top = max([float(v) for _, v, _, _ in rows] + [float(t) for _, _, t, _ in rows if t is not None] + [0.0])
    scale = area / (top * 1.05) if top > 0 else 0.0
    height = len(rows) * row_h + 8
    out = [f'<svg class="bars" role="img" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}">\n']
    for i, (label, value, threshold, cls) in enumerate(rows):
        y = 4 + i * row_h
        w = max(0.0, float(value)) * scale
        shown = label if len(label) <= _LABEL_CHARS else label[:_LABEL_CHARS - 1] + "…"
        words = f"{_shown(value)}" + (f" / {op_text}{_shown(threshold)}" if threshold is not None else "")
        out.append(f'<g class="bar {cls}"><title>{esc(label)}: {esc(words)}</title>'
                   f'<text class="label" x="{label_w - 6}" y="{y + 11}">{esc(shown)}</text>'
                   f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row_h - 4}"/>'
                   f'<text class="value" x="{label_w + w + 4:.1f}" y="{y + 11}">{esc(_shown(value))}</text>')
        if threshold is not None:
            x = label_w + max(0.0, float(threshold)) * scale
            out.append(f'<line class="tick" x1="{x:.1f}" x2="{x:.1f}" y1="{y}" y2="{y + row_h}"/>')
        out.append("</g>\n")
    out.append("</svg>\n")
    return "".join(out)


def _cv_charts(findings: list[dict], zh: bool, near: Fraction | None) -> str:
    """Each 差异系数 against its limit, per section; for a failing one its top contributors."""
    groups: dict[str, list] = defaultdict(list)
    for f in findings:
        subject = f.get("subject") or {}
        value, threshold = exact(f, "value"), exact(f, "threshold")
        if subject.get("kind") != "section_level" or value is None or threshold is None \
                or f.get("op") not in ("<=", "<"):      # a CV and its limit: less is better
            continue
        if f.get("status") not in ("pass", "fail"):
            continue
        groups[subject.get("section") or ""].append((f, value, threshold))
    out = []
    for section, items in sorted(groups.items()):
        rows = [(f["rule"].split("/", 1)[-1], value, threshold, reach(f, near)) for f, value, threshold in items]
        bad = sum(1 for r in rows if r[3] != "met")
        title = _t(zh, f"校际差异系数（{_section_name(section, zh)}）", f"Coefficients of variation ({_section_name(section, zh)})")
        out.append(_chart_box(title, _t(zh, f"{len(rows)} 项，超限 {bad}", f"{len(rows)}, {bad} over the limit"),
                              _bar_svg(rows, "≤ "), open_=bad > 0))
        for f, value, threshold in items:
            top = (f.get("contributors") or {}).get("top") or []
            if not top:
                continue
            shares = [(str(c.get("school_name") or c.get("school") or ""), Fraction(repr(float(c.get("share", 0)))) * 100,
                       None, "contrib") for c in top]
            title = _t(zh, f"{f['rule']} 差异主要来自（占加权方差的百分比）",
                       f"{f['rule']}: most of the spread (share of the weighted variance, %)")
            note = _t(zh, f"差异系数 {_shown(value)}，上限 {_shown(threshold)}", f"CV {_shown(value)}, limit {_shown(threshold)}")
            fix = (f.get("contributors") or {}).get("smallest_fix")
            svg = _bar_svg(shares, "")
            if fix:
                svg += f'<p class="fix">{esc(_t(zh, "只调一所学校的最小改动：", "smallest single-school change: "))}{esc(_fix_text(fix, top))}</p>\n'
            out.append(_chart_box(title, note, svg, open_=True))
    return "".join(out)


def _fix_text(fix: dict, top: list[dict]) -> str:
    """contributors.smallest_fix: {"school", "from", "to"}, the school named as in `top`."""
    name = next((c.get("school_name") for c in top if c.get("school") == fix.get("school")), None)
    numbers = [fix.get(k) for k in ("from", "to")]
    shown = [_shown(Fraction(repr(n)) if isinstance(n, float) else Fraction(n)) if isinstance(n, (int, float))
             and not isinstance(n, bool) else str(n) for n in numbers]
    return f"{name or fix.get('school', '')} {shown[0]} → {shown[1]}"


def _series_charts(findings: list[dict], zh: bool) -> str:
    """For a year-on-year rule that fell: the series of the jurisdiction where it fell, from
    the values the finding read (in year order), the fall in red."""
    out = []
    for f in findings:
        notes = dict(line.split(" = ", 1) for line in f.get("trace", []) if line.startswith("fell_"))
        if f.get("status") != "fail" or "fell_in" not in notes:
            continue
        series: dict[str, list[Fraction]] = defaultdict(list)
        for line in f.get("trace", []):
            m = _SERIES_LINE.match(line)
            if m:
                series[m["owner"]].append(Fraction(m["value"]))
        try:
            fell_in, fell_from, fell_to = int(notes["fell_in"]), Fraction(notes["fell_from"]), Fraction(notes["fell_to"])
        except (ValueError, ZeroDivisionError):
            continue
        for values in series.values():
            at = next((i for i in range(1, len(values)) if values[i - 1] == fell_from and values[i] == fell_to), None)
            if at is None:
                continue
            years = [fell_in - at + i for i in range(len(values))]   # a series with a gap is unknown, never a fall
            where = notes.get("fell_where", "")
            title = f"{f['rule']} {_title(f, zh)}" + (f" · {where}" if where else "")
            note = _t(zh, f"{fell_in}年下降：{_shown(fell_from)} → {_shown(fell_to)}",
                      f"fell in {fell_in}: {_shown(fell_from)} → {_shown(fell_to)}")
            out.append(_chart_box(title, note, _line_svg(years, values, at), open_=True))
            break
    return "".join(out)


def _line_svg(years: list[int], values: list[Fraction], fall_at: int) -> str:
    width, height, left, right, top, bottom = 560, 200, 40, 40, 28, 30
    low, high = float(min(values)), float(max(values))
    span = (high - low) or (abs(high) or 1.0)
    low, high = low - span * 0.15, high + span * 0.15
    step = (width - left - right) / max(1, len(values) - 1)

    def xy(i: int) -> tuple[float, float]:
        return left + i * step, top + (high - float(values[i])) / (high - low) * (height - top - bottom)

    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in map(xy, range(len(values))))
    out = [f'<svg class="series" role="img" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}">\n<polyline class="line" points="{points}"/>\n']
    (x0, y0), (x1, y1) = xy(fall_at - 1), xy(fall_at)
    out.append(f'<line class="fall" x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}"/>\n')
    for i, (year, value) in enumerate(zip(years, values)):
        x, y = xy(i)
        cls = "point fell" if i == fall_at else "point"
        out.append(f'<g class="{cls}"><title>{year}: {esc(_shown(value))}</title>'
                   f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4"/>'
                   f'<text class="value" x="{x:.1f}" y="{y - 8:.1f}">{esc(_shown(value))}</text>'
                   f'<text class="year" x="{x:.1f}" y="{height - 10}">{year}</text></g>\n')
    out.append("</svg>\n")
    return "".join(out)


# ---------------------------------------------------------------- the findings table

_PROBLEM = frozenset({"fail", "unknown", "pending", "target_missed", "advisory_missed"})


def _findings_table(findings: list[dict], zh: bool, anchor: str) -> str:
    statuses = [s for s in _COLUMNS if any(_status_key(f) == s for f in findings)]
    aspects = sorted({_aspect(f, zh) for f in findings})
    schools = sorted({_school(f) for f in findings} - {""})
    sections = sorted({(f.get("subject") or {}).get("section") or "" for f in findings} - {""})
    problems = sum(1 for f in findings if _status_key(f) in _PROBLEM)
    everything = _t(zh, "全部", "all")

    def select(key: str, label: str, options: list[tuple[str, str]], chosen: str = "*") -> str:
        opts = "".join(f'<option value="{esc(v)}"{" selected" if v == chosen else ""}>{esc(t)}</option>'
                       for v, t in options)
        return (f'<label>{esc(label)} <select data-filter="{key}" name="{esc(anchor)}-{key}">'
                f'{opts}</select></label>\n')

    status_options = [("problems", _t(zh, "需处理（非达标、非不适用）", "needs action (not pass, not n/a)")),
                      ("*", everything)] + [(s, _STATUS_TEXT[s][0 if zh else 1]) for s in statuses]
    filters = (f'<form class="filters" aria-label="{_t(zh, "筛选", "filters")}">\n'
               + select("status", _t(zh, "状态", "Status"), status_options, "problems")
               + select("aspect", _t(zh, "方面", "Aspect"), [("*", everything)] + [(a, a) for a in aspects])
               + select("school", _t(zh, "学校", "School"), [("*", everything)] + [(s, s) for s in schools])
               + select("section", _t(zh, "学段", "Section"),
                        [("*", everything)] + [(s, _section_name(s, zh)) for s in sections])
               + f'<span class="count">{_t(zh, "显示", "showing")} <output class="shown">{problems}</output> / '
                 f'{len(findings)}</span>\n</form>\n')
    head = "".join(f"<th>{h}</th>" for h in (_t(zh, "状态", "Status"), _t(zh, "规则", "Rule"),
                                              _t(zh, "结果", "Finding"), _t(zh, "学校", "School"),
                                              _t(zh, "学段", "Section"), _t(zh, "实际值 / 要求", "Value / required")))
    rows = "".join(_finding_row(f, zh) for f in findings)
    return (f'<h2>{_t(zh, "结果明细", "Findings")}</h2>\n<div class="findings">\n{filters}'
            f'<table class="findings-table">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n</div>\n')


def _finding_row(f: dict, zh: bool) -> str:
    key = _status_key(f)
    subject = f.get("subject") or {}
    section = subject.get("section") or ""
    value, threshold = exact(f, "value"), exact(f, "threshold")
    compared = ""
    if value is not None and threshold is not None and f.get("op"):
        lines = [_shown(value), _t(zh, "要求 ", "required ") + f"{_OP.get(f['op'], f['op'])} {_shown(threshold)}"]
        ratio = share_of_requirement(value, threshold, f["op"])
        if key != "pass" and ratio is not None:
            lines.append(_t(zh, f"为要求的 {format_number(ratio, True)}", f"{format_number(ratio, True)} of required"))
        compared = "<br>".join(esc(line) for line in lines)
    hidden = "" if key in _PROBLEM else " hidden"
    attrs = (f'class="finding st-{esc(key)}" data-status="{esc(key)}" data-problem="{1 if key in _PROBLEM else 0}" '
             f'data-aspect="{esc(_aspect(f, zh))}" data-school="{esc(_school(f))}" data-section="{esc(section)}"')
    return (f'<tr {attrs}{hidden}>\n<td><span class="badge {esc(key)}">{esc(_STATUS_TEXT[key][0 if zh else 1])}</span>'
            f'{_severity(f, zh)}</td>\n<td class="rule">{esc(f.get("rule", ""))}</td>\n'
            f'<td class="what"><div class="title">{esc(_title(f, zh))}</div>'
            f'<div class="message">{esc(f.get("message", ""))}</div>{_remedy(f, zh)}{_details(f, zh)}</td>\n'
            f'<td>{esc(_school(f))}</td>\n<td class="section">{esc(_section_name(section, zh)) if section else ""}</td>\n'
            f'<td class="num">{compared}</td>\n</tr>\n')


def _severity(f: dict, zh: bool) -> str:
    names = {"veto": ("否决项", "veto"), "target": ("目标", "target"), "advisory": ("倡导", "advisory")}
    name = names.get(f.get("severity", ""))
    return f'<span class="severity">{esc(name[0 if zh else 1])}</span>' if name else ""


def _remedy(f: dict, zh: bool) -> str:
    remedies = f.get("remedy") or []
    if not remedies:
        return ""
    items = "".join(f"<li>{esc(r.get('message_zh' if zh else 'message_en', ''))}</li>" for r in remedies[:3])
    return f'<div class="remedy">{_t(zh, "距离达标：", "To comply:")}<ul>{items}</ul></div>'


def _details(f: dict, zh: bool) -> str:
    """Citation and quote, what is missing, the contributors and the evaluation steps: folded."""
    c = f.get("citation") or {}
    where = " ".join(x for x in (c.get("document"), (c.get("article") or "") + (c.get("item") or "")) if x)
    parts = []
    if where or c.get("quote"):
        parts.append(f'<p class="citation">{_t(zh, "出处：", "Source: ")}{esc(where)}'
                     + (f' <q>{esc(c["quote"])}</q>' if c.get("quote") else "") + "</p>")
    if c.get("quote_reading"):
        parts.append(f'<p class="reading">{_t(zh, "原文今读：", "Quote reads: ")}<q>{esc(c["quote_reading"])}</q></p>')
    if c.get("reading"):
        parts.append(f'<p class="reading">{_t(zh, "本规则的理解：", "Reading: ")}{esc(c["reading"])}</p>')
    if f.get("missing"):
        parts.append(f'<p class="missing">{_t(zh, "缺少数据：", "Missing: ")}'
                     + "、".join(f"<code>{esc(m)}</code>" for m in f["missing"]) + "</p>")
    if f.get("trace"):
        parts.append('<pre class="trace">' + esc("\n".join(f["trace"])) + "</pre>")
    steps = f.get("steps") or []
    if steps:
        lines = "".join(f'<li style="margin-left:{min(int(s.get("depth", 0)), 12)}em"><code>{esc(s.get("expression", ""))}'
                        f'</code> = <b>{esc(s.get("value", ""))}</b>'
                        + (f' <span class="pointer">← {esc(s["pointer"])}</span>' if s.get("pointer") else "")
                        + "</li>" for s in steps)
        parts.append(f'<details class="steps"><summary>{_t(zh, "逐步计算", "Steps")}（{len(steps)}）</summary>'
                     f'<ol>{lines}</ol></details>')
    return (f'<details class="more"><summary>{_t(zh, "出处与计算", "Source and working")}</summary>'
            + "".join(parts) + "</details>")


# ---------------------------------------------------------------- many records

class HtmlWriter:
    """A batch as one page: the roll-up (one row per record, sortable, linking to its section)
    above one section per record. Sections are kept until the end, where the roll-up goes first."""

    def __init__(self, out: TextIO, lang: str = "zh", near_share=lambda report: None):
        self.out, self.lang, self.zh = out, lang, lang == "zh"
        self.near_share = near_share     # report → the packs' near share (see indicators)
        self.rows: list[str] = []
        self.sections: list[str] = []

    def add(self, outcome) -> None:
        zh, n = self.zh, len(self.rows) + 1
        anchor = f"record-{n}"
        label_zh, label_en, _ = _VERDICT_TEXT[outcome.verdict]
        verdict = f'<td class="verdict-{esc(outcome.verdict)}" data-v="{esc(outcome.verdict)}">{esc(label_zh if zh else label_en)}</td>'
        if outcome.verdict == "invalid":
            codes = sorted({d.code for d in outcome.diagnostics if d.is_error}) or (["internal"] if outcome.internal else [])
            cells = "".join('<td class="num" data-v="-1">—</td>' for _ in STATUSES)
            self.rows.append(f'<tr><td data-v="{esc(outcome.name)}">{esc(outcome.name)}</td><td>{esc(outcome.jurisdiction)}</td>'
                             f'{verdict}{cells}<td>{esc(", ".join(codes))}</td></tr>\n')
            return
        report = json.loads(outcome.line)
        title = " ".join(x for x in (outcome.jurisdiction, outcome.name) if x)
        self.sections.append(county_section(report, title, self.lang, anchor, self.near_share(report)))
        cells = "".join(f'<td class="num" data-v="{outcome.counts.get(s, 0)}">{outcome.counts.get(s, 0)}</td>' for s in STATUSES)
        rules = "、".join(rule for rule, _, _ in outcome.failed) if zh else ", ".join(rule for rule, _, _ in outcome.failed)
        self.rows.append(f'<tr><td data-v="{esc(outcome.name)}"><a href="#{anchor}">{esc(outcome.name)}</a></td>'
                         f'<td>{esc(outcome.jurisdiction)}</td>{verdict}{cells}<td>{esc(rules)}</td></tr>\n')

    def finish(self, totals) -> None:
        zh = self.zh
        heads = ([(_t(zh, "数据", "Record"), "text"), (_t(zh, "地区", "Jurisdiction"), "text"),
                  (_t(zh, "结论", "Verdict"), "text")]
                 + [(_STATUS_TEXT[s][0 if zh else 1], "num") for s in STATUSES]
                 + [(_t(zh, "未达标规则（必达/否决）", "Failed rules (must/veto)"), "text")])
        head = "".join(f'<th data-sort="{kind}" tabindex="0">{esc(text)}</th>' for text, kind in heads)
        v = totals.verdicts
        line = (_t(zh, f"共 {totals.records} 份：通过 {v['pass']} · 未通过 {v['fail']} · 无法判定 {v['unknown']} · 数据无效 {v['invalid']}",
                   f"{totals.records} record(s): pass {v['pass']} · fail {v['fail']} · unknown {v['unknown']} · invalid {v['invalid']}"))
        title = _t(zh, "批量检查汇总", "Batch summary")
        rollup = (f'<section class="rollup" id="rollup">\n<header class="banner"><h1>{title}</h1>\n'
                  f'<p class="counts">{esc(line)}</p></header>\n'
                  f'<p class="hint">{_t(zh, "点击表头排序；点击数据名称查看该份报告。", "Click a header to sort; a record name opens its report.")}</p>\n'
                  f'<table class="sortable">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{"".join(self.rows)}</tbody>\n</table>\n</section>\n')
        self.out.write(page(title, rollup + "".join(self.sections), self.lang))
        self.out.flush()
