"""The terminal report: verdict first, a summary per aspect, then what needs action."""
from __future__ import annotations

import io
from collections import defaultdict

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..dsl.builtins import COMPARE
from ..findings import (threshold_source_note, ADVISORY_MISSED, TARGET_MISSED, Finding, citation_notes, format_number, summary,
                        summary_key, verdict)
from ..logic import FAIL, NOT_APPLICABLE, PASS, PENDING, UNKNOWN
from ..plausibility import depends_on, implausible_pointers

_VERDICT = {PASS: ("通过", "PASS", "bold green"), FAIL: ("未通过", "FAIL", "bold red"),
            UNKNOWN: ("无法判定（数据不全）", "UNKNOWN (data missing)", "bold yellow")}
_STATUS = {PASS: ("达标", "pass"), FAIL: ("未达标", "fail"), UNKNOWN: ("待补数据", "unknown"),
           NOT_APPLICABLE: ("不适用", "n/a"), PENDING: ("未到期", "pending"),
           TARGET_MISSED: ("目标未达成", "target missed"), ADVISORY_MISSED: ("倡导未落实", "advisory missed")}
_COLUMNS = (PASS, FAIL, UNKNOWN, NOT_APPLICABLE, PENDING, TARGET_MISSED, ADVISORY_MISSED)


def render_text(findings: list[Finding], title: str, as_of: str, lang: str = "zh", verbose: bool = False,
                color: bool = True, width: int = 110, advice: dict | None = None, quality=()) -> str:
    """`quality`: the record's plausibility notices (compliance/plausibility.py)."""
    zh = lang == "zh"
    suspects = implausible_pointers(list(quality))
    buffer = io.StringIO()
    # markup=False: names and messages are the record's words; "[/b]" in a school's name is text.
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False,
                      markup=False, soft_wrap=True)
    v = verdict(findings)
    label_zh, label_en, style = _VERDICT[v]
    console.print(Text(title, style="bold"))
    console.print(("评估基准日 " if zh else "as of ") + as_of)
    console.print(Text(("结论：" if zh else "Verdict: ") + (label_zh if zh else label_en), style=style))
    counts = summary(findings)
    console.print(summary_line(counts, zh))
    console.print(_aspect_table(findings, zh))
    for line in _where_to_act(findings, zh):
        console.print(line)
    if quality:
        console.print(Text(f"数据质量（{len(quality)}）：以下数据前后矛盾，依赖它们的结论须核实" if zh else
                           f"Data quality ({len(quality)}): these figures contradict each other; "
                           "findings that read them need checking", style="bold yellow"))
        for d in quality:
            console.print(f"  ! {d.location.pointer}  {d.message(lang)}")
    advice = advice or {}
    vetoes = [f for f in findings if f.severity == "veto" and f.status == FAIL]
    if vetoes:
        console.print(Text("一票否决" if zh else "Vetoes failed", style="bold red"))
        for f in vetoes:
            _print_finding(console, f, zh, advice.get((f.rule, f.subject)), suspects)
    for status, heading in ((FAIL, ("未达标", "Failures")), (UNKNOWN, ("待补数据", "Unknown (missing data)"))):
        by_aspect = defaultdict(list)
        for f in findings:
            if f.status == status and f.severity in (("must",) if status == FAIL else ("must", "veto", "advisory")):
                by_aspect[_aspect(f, zh)].append(f)
        for aspect, items in by_aspect.items():
            console.print(Text(f"{heading[0 if zh else 1]} · {aspect}（{len(items)}）" if zh else
                               f"{heading[1]} · {aspect} ({len(items)})", style="bold"))
            for f in items:
                _print_finding(console, f, zh, advice.get((f.rule, f.subject)), suspects)
    # Not counted in the verdict, each under its own heading.
    for heading, chosen in (
            (("未到期（目标进度，不计入结论）", "Pending: not yet due (progress; not counted in the verdict)"),
             lambda f: f.status == PENDING),
            (("目标未达成（目标性条款，不计入结论）", "Targets missed (not counted in the verdict)"),
             lambda f: f.status == FAIL and f.severity == "target"),
            (("目标待补数据（不计入结论）", "Targets with missing data (not counted in the verdict)"),
             lambda f: f.status == UNKNOWN and f.severity == "target"),
            (("倡导未落实（倡导性条款，不计入结论）", "Advisory rules not followed (not counted in the verdict)"),
             lambda f: f.status == FAIL and f.severity == "advisory")):
        items = [f for f in findings if chosen(f)]
        if items:
            console.print(Text(f"{heading[0]}（{len(items)}）" if zh else f"{heading[1]} ({len(items)})", style="bold"))
            for f in items:
                _print_finding(console, f, zh, advice.get((f.rule, f.subject)), suspects)
    rounded = [f for f in findings if f.status == PASS and _passes_only_rounded(f)]
    if rounded and not verbose:
        console.print(Text("按规则包的比较精度舍入后达标、按精确值未达标" if zh else
                           "Passed only after rounding to the pack's comparison precision", style="bold"))
        for f in rounded:
            _print_finding(console, f, zh, advice.get((f.rule, f.subject)), suspects)
    if verbose:
        passes = [f for f in findings if f.status in (PASS, NOT_APPLICABLE)]
        if passes:
            console.print(Text("达标与不适用" if zh else "Passed and not applicable", style="bold"))
            for f in passes:
                _print_finding(console, f, zh, advice.get((f.rule, f.subject)), suspects)
    return buffer.getvalue()


def summary_line(counts: dict, zh: bool) -> str:
    """The summary's counts in words; the ones outside the verdict only when there are any."""
    parts = [f"{_STATUS[s][0 if zh else 1]} {counts.get(s, 0)}" for s in (PASS, FAIL, UNKNOWN, NOT_APPLICABLE)]
    parts.append(f"否决 {counts.get('veto', 0)}" if zh else f"vetoes {counts.get('veto', 0)}")
    parts += [f"{_STATUS[s][0 if zh else 1]} {counts[s]}" for s in (PENDING, TARGET_MISSED, ADVISORY_MISSED)
              if counts.get(s)]
    return " · ".join(parts)


def _passes_only_rounded(f: Finding) -> bool:
    """A pass that the exact value (noted by round_to) would not give."""
    notes = dict(f.notes)
    return "exact" in notes and f.op in COMPARE and f.threshold is not None \
        and not COMPARE[f.op](notes["exact"], f.threshold)


def _aspect(f: Finding, zh: bool) -> str:
    if not zh and f.aspect_en:
        return f.aspect_en
    return f.aspect or ("其他" if zh else "Other")


def _aspect_table(findings: list[Finding], zh: bool) -> Table:
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("方面" if zh else "Aspect")
    rows: dict[str, dict] = {}
    for f in findings:
        rows.setdefault(_aspect(f, zh), dict.fromkeys(_COLUMNS, 0))[summary_key(f.status, f.severity)] += 1
    # The columns outside the verdict only when some aspect has one.
    columns = [s for s in _COLUMNS if s in (PASS, FAIL, UNKNOWN, NOT_APPLICABLE) or any(c[s] for c in rows.values())]
    for s in columns:
        table.add_column(_STATUS[s][0 if zh else 1], justify="right")
    for aspect, counts in rows.items():
        table.add_row(aspect, *(str(counts[s]) for s in columns))
    return table


def _where_to_act(findings: list[Finding], zh: bool, schools: int = 3) -> list[str]:
    """One line per aspect with decisive failures: how many, and the schools with the most."""
    decisive = [(_aspect(f, zh), f.subject.school_name or f.subject.school or "") for f in findings
                if f.status == FAIL and f.severity in ("must", "veto")]
    return where_to_act_lines(decisive, zh, schools)


def where_to_act_lines(decisive, zh: bool, schools: int = 3) -> list[str]:
    """The 先看 lines from (aspect, school or "") of each decisive failure; the HTML report
    calls it with the same pairs read from the JSON report."""
    lines = []
    by_aspect: dict[str, list[str]] = defaultdict(list)
    for aspect, school in decisive:
        by_aspect[aspect].append(school)
    for aspect, items in by_aspect.items():
        counts: dict[str, int] = defaultdict(int)
        for school in items:
            if school:
                counts[school] += 1
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:schools]
        where = "、".join(f"{name}（{n}）" for name, n in top)
        if zh:
            lines.append(f"先看 · {aspect}：未达标 {len(items)} 项" + (f"，集中在 {where}" if top else ""))
        else:
            where = ", ".join(f"{name} ({n})" for name, n in top)
            lines.append(f"Act first · {aspect}: {len(items)} failed" + (f", mostly {where}" if top else ""))
    return lines


def _print_finding(console: Console, f: Finding, zh: bool, advice: dict | None = None,
                   suspects: dict | None = None) -> None:
    mark = {PASS: "✓", FAIL: "✗", UNKNOWN: "?", NOT_APPLICABLE: "–", PENDING: "…"}[f.status]
    style = {PASS: "green", FAIL: "red", UNKNOWN: "yellow", NOT_APPLICABLE: "dim", PENDING: "cyan"}[f.status]
    head = Text(f"  {mark} ", style=style)
    head.append(f"{f.rule} ", style="bold")
    head.append(f.title if zh or not f.title_en else f.title_en)
    # The finding's lines printed at once: a console.print costs more than the line it prints
    # (≈ 0.1 s of a failing county's report when each line was printed on its own).
    lines: list = [head, f"      {f.message('zh' if zh else 'en')}"]
    if f.op and f.value is not None and f.threshold is not None:
        value, threshold = format_number(f.value, f.percent), format_number(f.threshold, f.percent)
        if value == threshold and f.value != f.threshold:   # 0.500001 against 0.5: show the digits that differ
            value = format_number(f.value, f.percent, places=12)
        lines.append(f"      {'实际值' if zh else 'value'} {value}，{'要求' if zh else 'required'} {f.op} {threshold}"
                      if zh else f"      value {value}; required {f.op} {threshold}")
    notes = dict(f.notes)
    if "exact" in notes and "precision" in notes and f.value is not None:   # compared after rounding (round_to)
        exact, unit = format_number(notes["exact"], places=6), format_number(notes["precision"])
        lines.append(f"      精确值 {exact}，精确到 {unit} 后为 {format_number(f.value)}，以此比较" if zh
                      else f"      exact value {exact}; compared rounded to {unit}: {format_number(f.value)}")
    doubtful = depends_on(f.inputs, suspects or {})
    if doubtful:
        lines.append(Text(f"      依赖前后矛盾的数据（见“数据质量”）：{'、'.join(doubtful)}" if zh else
                           f"      reads implausible data (see Data quality): {', '.join(doubtful)}", style="yellow"))
    if f.deadline:
        lines.append(f"      {'目标期限' if zh else 'deadline'} {f.deadline}")
    if f.progress is not None:
        lines.append(f"      {'进度' if zh else 'progress'} {format_number(f.progress, True)}"
                      + ("（100% 为达到要求）" if zh else " (100% = met)"))
    if advice:
        remedies = advice.get("remedies") or []
        if remedies:
            texts = [r.text_zh if zh else r.text_en for r in remedies[:3]]
            lines.append(f"      {'距离达标：' if zh else 'to comply: '}{'；或'.join(texts) if zh else '; or '.join(texts)}")
        cv = advice.get("cv")
        if cv is not None and cv.ranked:
            top = "、".join(f"{c.school_name}（{format_number(c.share, True)}）" for c in cv.ranked[:3]) if zh else \
                ", ".join(f"{c.school_name} ({format_number(c.share, True)})" for c in cv.ranked[:3])
            lines.append(f"      {'差异主要来自：' if zh else 'most of the spread: '}{top}")
            if cv.fix:
                name = next((c.school_name for c in cv.ranked if c.school == cv.fix[0]), cv.fix[0])
                lines.append(f"      {'只调一所学校的最小改动：' if zh else 'smallest single-school change: '}{name} "
                              f"{format_number(cv.fix[1])} → {format_number(cv.fix[2])}")
    c = f.citation
    if f.overridden_citation:
        o = f.overridden_citation
        lines.append(Text(f"      {'取代上级条款' if zh else 'replaces'}：{o.get('document', '')} {o.get('article', '')}{o.get('item', '')}"
                           f"  “{o.get('quote', '')}”", style="dim"))
    if c:
        where = "".join(x for x in (c.get("document"), " " if c.get("article") else "", c.get("article"), c.get("item")) if x)
        grade = {"reconstructed": "（原文为重构，待核）" if zh else " (reconstructed text)"}.get(c.get("source_grade"), "")
        label = "出处：" if zh else "source: "
        lines.append(Text(f"      {label}{where}{grade}  “{c.get('quote', '')}”", style="dim"))
        for line in citation_notes(c, zh):
            lines.append(Text(f"      {line}", style="dim"))
    source = threshold_source_note(f.threshold_source, zh)
    if source:
        lines.append(Text(f"      {source}", style="dim"))
    console.print(*lines, sep="\n")


def render_coverage(coverage, lang: str = "zh", color: bool = False, width: int = 120) -> str:
    """One row per numbered paragraph: what encodes it, or why nothing can."""
    zh = lang == "zh"
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False, markup=False)
    pack = coverage.pack
    console.print(Text(f"{pack.title}（{pack.document_label}）" if zh else f"{pack.title} ({pack.document_label})",
                       style="bold"))
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for header in (("段落", "paragraph"), ("开头", "begins"), ("规则 / 不可检查的理由", "rules / why not checkable")):
        table.add_column(header[0 if zh else 1], overflow="fold")
    for p in coverage.paragraphs:
        what = "、".join(p.rules) if p.rules else (("不可检查：" if zh else "not checkable: ") + (p.not_checkable or ""))
        if p.todo and not p.rules and not p.not_checkable:   # not yet encoded: say so, never "not checkable"
            what = ("尚未编码：" if zh else "not yet encoded: ") + p.todo
        table.add_row(p.id, p.heading, what)
    for pid, heading in coverage.missing:
        table.add_row(Text(pid, style="red"), heading, Text("未对照" if zh else "not accounted for", style="red"))
    console.print(table)
    if coverage.unmapped_rules:
        console.print(("未对应任何段落的规则：" if zh else "rules no paragraph names: ") + "、".join(coverage.unmapped_rules))
    pct = f"{coverage.percent:.1f}%"
    console.print((f"已对照 {coverage.accounted}/{coverage.total} 段（{pct}）" if zh
                   else f"accounted for {coverage.accounted}/{coverage.total} paragraphs ({pct})"))
    return buffer.getvalue()
