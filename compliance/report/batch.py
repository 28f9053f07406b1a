"""Reports of many records: JSON Lines, one JSON document, or a table (rich) with totals.
Each writer takes outcomes in input order as they come and writes the reports through at
once; only small per-record rows (text) and per-rule counts are kept."""
from __future__ import annotations

import io
import json
from typing import BinaryIO, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..batch_job import INVALID, Outcome

VERDICTS = ("pass", "fail", "unknown", INVALID)
STATUSES = ("pass", "fail", "unknown", "not_applicable", "veto", "pending", "target_missed", "advisory_missed")
_VERDICT_TEXT = {"pass": ("通过", "pass", "green"), "fail": ("未通过", "fail", "red"),
                 "unknown": ("无法判定", "unknown", "yellow"), INVALID: ("数据无效", "invalid", "magenta")}
_STATUS_TEXT = {"pass": ("达标", "pass"), "fail": ("未达标", "fail"), "unknown": ("待补数据", "unknown"),
                "not_applicable": ("不适用", "n/a"), "pending": ("未到期", "pending"),
                "target_missed": ("目标未达成", "target missed"), "advisory_missed": ("倡导未落实", "advisory missed"),
                "veto": ("否决", "vetoes")}


class Totals:
    """Records per verdict, findings per status, and per failing rule how many records and
    findings — the same size whatever the number of records, but for the invalid names."""

    def __init__(self):
        self.verdicts = dict.fromkeys(VERDICTS, 0)
        self.statuses = dict.fromkeys(STATUSES, 0)
        self.rules: dict[str, list] = {}     # rule → [title, records, findings]
        self.invalid: list[str] = []
        self.internal = 0

    def add(self, outcome: Outcome) -> None:
        self.verdicts[outcome.verdict] += 1
        if outcome.verdict == INVALID:
            self.invalid.append(outcome.name)
        if outcome.internal:
            self.internal += 1
        for status in STATUSES:
            self.statuses[status] += outcome.counts.get(status, 0)
        for rule, title, n in outcome.failed:
            entry = self.rules.setdefault(rule, [title, 0, 0])
            entry[1] += 1
            entry[2] += n

    @property
    def records(self) -> int:
        return sum(self.verdicts.values())

    def most_failed(self, limit: int = 10) -> list[tuple[str, str, int, int]]:
        ranked = sorted(self.rules.items(), key=lambda kv: (-kv[1][1], -kv[1][2], kv[0]))
        return [(rule, title, records, findings) for rule, (title, records, findings) in ranked[:limit]]

    def as_dict(self) -> dict:
        return {"records": self.records, "verdicts": dict(self.verdicts), "findings": dict(self.statuses),
                "invalid": list(self.invalid)}


# The formats whose writers take each report line as the worker made it, UTF-8 bytes: their
# output stream is binary.
BYTE_FORMATS = ("json", "jsonl")


class JsonLinesWriter:
    """One report per line, as each arrives (to a binary stream: the lines are UTF-8 bytes)."""

    def __init__(self, out: BinaryIO):
        self.out = out

    def add(self, outcome: Outcome) -> None:
        self.out.write(outcome.line)
        self.out.write(b"\n")

    def finish(self, totals: Totals) -> None:
        self.out.flush()


class JsonWriter:
    """`{"format_version": "1", "records": [...], "summary": {...}}`, written as the records come
    (to a binary stream, as JsonLinesWriter)."""

    def __init__(self, out: BinaryIO):
        self.out = out
        self.started = False

    def add(self, outcome: Outcome) -> None:
        self.out.write(b',\n' if self.started else b'{"format_version": "1", "records": [\n')
        self.started = True
        self.out.write(outcome.line)

    def finish(self, totals: Totals) -> None:
        if not self.started:
            self.out.write(b'{"format_version": "1", "records": [')
        self.out.write(('\n], "summary": ' + json.dumps(totals.as_dict(), ensure_ascii=False) + "}\n").encode())
        self.out.flush()


class TextWriter:
    """One row per record, then the totals and the rules that fail most often."""

    def __init__(self, out: TextIO, lang: str = "zh", color: bool = False, width: int = 120, rules_shown: int = 4):
        self.out, self.zh, self.color, self.width, self.rules_shown = out, lang == "zh", color, width, rules_shown
        self.rows: list[tuple] = []

    def add(self, outcome: Outcome) -> None:
        if outcome.verdict == INVALID:
            codes = sorted({d.code for d in outcome.diagnostics if d.is_error}) or (["internal"] if outcome.internal else [])
            self.rows.append((outcome.name, outcome.jurisdiction, outcome.verdict, None, ", ".join(codes)))
            return
        rules = [rule for rule, _, _ in outcome.failed]
        shown = "、".join(rules[:self.rules_shown]) if self.zh else ", ".join(rules[:self.rules_shown])
        if len(rules) > self.rules_shown:
            more = len(rules) - self.rules_shown
            shown += f" 等 {len(rules)} 条" if self.zh else f" and {more} more"
        self.rows.append((outcome.name, outcome.jurisdiction, outcome.verdict,
                          tuple(outcome.counts.get(s, 0) for s in STATUSES), shown))

    def finish(self, totals: Totals) -> None:
        zh = self.zh
        buffer = io.StringIO()
        console = Console(file=buffer, force_terminal=self.color, no_color=not self.color, width=self.width,
                          highlight=False, markup=False, soft_wrap=False)
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        table.add_column("数据" if zh else "Record", no_wrap=True)   # the name is what a reader looks up
        table.add_column("地区" if zh else "Jurisdiction", overflow="fold")
        table.add_column("结论" if zh else "Verdict", no_wrap=True)
        for status in STATUSES:
            table.add_column(_STATUS_TEXT[status][0 if zh else 1], justify="right", no_wrap=True)
        table.add_column("未达标规则（必达/否决）" if zh else "Failed rules (must/veto)", overflow="fold")
        for name, jurisdiction, verdict, counts, rules in self.rows:
            label_zh, label_en, style = _VERDICT_TEXT[verdict]
            cells = [str(c) for c in counts] if counts else ["—"] * len(STATUSES)
            table.add_row(name, jurisdiction, Text(label_zh if zh else label_en, style=style), *cells, rules)
        console.print(table)
        v = totals.verdicts
        if zh:
            console.print(f"共 {totals.records} 份：通过 {v['pass']} · 未通过 {v['fail']} · 无法判定 {v['unknown']}"
                          f" · 数据无效 {v[INVALID]}")
            console.print("结果合计：" + " · ".join(f"{_STATUS_TEXT[s][0]} {totals.statuses[s]}" for s in STATUSES))
        else:
            console.print(f"{totals.records} record(s): pass {v['pass']} · fail {v['fail']} · unknown {v['unknown']}"
                          f" · invalid {v[INVALID]}")
            console.print("Findings: " + " · ".join(f"{_STATUS_TEXT[s][1]} {totals.statuses[s]}" for s in STATUSES))
        most = totals.most_failed()
        if most:
            console.print(Text("最常未达标的规则" if zh else "Rules failed most often", style="bold"))
            ranked = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
            ranked.add_column("规则" if zh else "Rule", no_wrap=True)
            ranked.add_column("名称" if zh else "Title", overflow="fold")
            ranked.add_column("份数" if zh else "Records", justify="right", no_wrap=True)
            ranked.add_column("项数" if zh else "Findings", justify="right", no_wrap=True)
            for rule, title, records, findings in most:
                ranked.add_row(rule, title, str(records), str(findings))
            console.print(ranked)
        self.out.write(buffer.getvalue())
        self.out.flush()


def writer_for(fmt: str, out: TextIO, lang: str, color: bool, width: int, near_share=lambda report: None):
    if fmt == "jsonl":
        return JsonLinesWriter(out)
    if fmt == "json":
        return JsonWriter(out)
    if fmt == "html":
        from .html import HtmlWriter
        return HtmlWriter(out, lang, near_share)
    return TextWriter(out, lang, color, width)
