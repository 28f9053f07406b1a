"""`--format xlsx`: the report as an Excel workbook for 督导 staff.

Three sheets: 概要 (one row per record: verdict and counts), 结果 (every finding kept in
the report, one row each, with a 地区 column so a batch is one workbook; autofilter, frozen
header, fill by status) and 学校指标 (per school section, the seven resource indicators:
value, requirement, and met / near / far, near meaning not met but at least the pack's
`school_rest_min_share` of the requirement, as R-SCHOOL judges it). Numbers are written
as Excel numbers (doubles); the exact value, when a double cannot hold it, is beside it as
text in the findings sheet."""
from __future__ import annotations

import io
import re
from fractions import Fraction
from typing import Callable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..unwritable import xml_safe
from .indicators import exact, reach
from .records import Checked

# Fills by status (Excel's own "good / bad / neutral" palette, so the meaning is familiar).
FILLS = {"pass": "C6EFCE", "fail": "FFC7CE", "unknown": "FFEB9C", "not_applicable": "EDEDED",
         "pending": "DDEBF7", "missed": "FCE4D6", "invalid": "E4DFEC",
         "met": "C6EFCE", "near": "FFEB9C", "far": "FFC7CE", "not_met": "FFC7CE"}
STATUS_TEXT = {"pass": ("达标", "pass"), "fail": ("未达标", "fail"), "unknown": ("待补数据", "unknown"),
               "not_applicable": ("不适用", "not applicable"), "pending": ("未到期", "pending"),
               "target": ("目标未达成", "target missed"), "advisory": ("倡导未落实", "advisory missed")}
VERDICT_TEXT = {"pass": ("通过", "pass"), "fail": ("未通过", "fail"), "unknown": ("无法判定", "unknown"),
                "invalid": ("数据无效", "invalid")}
SEVERITY_TEXT = {"veto": ("否决", "veto"), "must": ("必达", "must"), "target": ("目标", "target"),
                 "advisory": ("倡导", "advisory")}
LEVEL_TEXT = {"primary": ("小学", "primary"), "junior": ("初中", "junior")}
REACH_TEXT = {"met": ("达到要求", "met"), "near": ("接近", "near"), "far": ("差距较大", "far"),
              "not_met": ("未达到", "not met"), "unknown": ("待补数据", "unknown"),
              "not_applicable": ("不适用", "not applicable")}
SUMMARY_KEYS = ("pass", "fail", "unknown", "not_applicable", "veto", "pending", "target_missed", "advisory_missed")
SUMMARY_HEAD = {"pass": ("达标", "pass"), "fail": ("未达标", "fail"), "unknown": ("待补数据", "unknown"),
                "not_applicable": ("不适用", "n/a"), "veto": ("否决", "vetoes"), "pending": ("未到期", "pending"),
                "target_missed": ("目标未达成", "target missed"), "advisory_missed": ("倡导未落实", "advisory missed")}
INDICATOR = re.compile(r"^national/R([1-7])$")

NearShare = Callable[[dict], Fraction | None]


def status_key(finding: dict) -> str:
    """The status as the reader sees it: a missed target or advisory rule is not 未达标."""
    if finding["status"] == "fail" and finding["severity"] in ("target", "advisory"):
        return finding["severity"]
    return finding["status"]


def render(records: list[Checked], lang: str = "zh", near_share: NearShare = lambda report: None) -> bytes:
    book = build(records, lang, near_share)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def build(records: list[Checked], lang: str = "zh", near_share: NearShare = lambda report: None) -> Workbook:
    i = 0 if lang == "zh" else 1
    book = Workbook(write_only=True)     # streamed: a batch has thousands of rows per sheet
    summary = book.create_sheet("概要" if i == 0 else "Summary")
    findings = book.create_sheet("结果" if i == 0 else "Findings")
    schools = book.create_sheet("学校指标" if i == 0 else "School indicators")
    _summary_sheet(summary, records, i)
    _findings_sheet(findings, records, i)
    _schools_sheet(schools, records, i, near_share)
    return book


class _Sheet:
    """A write-only sheet: bold frozen header, rows with some cells filled by status, autofilter."""

    def __init__(self, sheet, names: list[str], widths: list[int]):
        self.sheet, self.rows, self.columns = sheet, 1, len(names)
        for n, width in enumerate(widths, 1):
            sheet.column_dimensions[get_column_letter(n)].width = width
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = "A1:{}1".format(get_column_letter(len(names)))   # widened by close()
        header = []
        for name in names:
            cell = WriteOnlyCell(sheet, value=xml_safe(name))
            cell.font = _BOLD
            cell.alignment = _WRAP
            header.append(cell)
        sheet.append(header)

    def add(self, values: list, fills: dict[int, str] | None = None) -> None:
        """`fills`: 0-based column → FILLS key."""
        values = [xml_safe(v) if isinstance(v, str) else v for v in values]   # a new list
        if fills:
            for column, key in fills.items():
                cell = WriteOnlyCell(self.sheet, value=values[column])
                if key in FILLS:
                    cell.fill = _FILL[key]
                values[column] = cell
        self.sheet.append(values)
        self.rows += 1

    def close(self) -> None:
        self.sheet.auto_filter.ref = f"A1:{get_column_letter(self.columns)}{self.rows}"


_BOLD = Font(bold=True)
_WRAP = Alignment(vertical="center", wrap_text=True)
_FILL = {key: PatternFill("solid", start_color=color, end_color=color) for key, color in FILLS.items()}


def _summary_sheet(sheet, records: list[Checked], i: int) -> None:
    heads = [("数据文件", "Record"), ("地区", "Jurisdiction"), ("评估基准日", "As of"), ("规则包", "Packs"),
             ("结论", "Verdict")] + [SUMMARY_HEAD[k] for k in SUMMARY_KEYS] + [("问题", "Problems")]
    out = _Sheet(sheet, [h[i] for h in heads], [28, 16, 12, 18, 10] + [9] * len(SUMMARY_KEYS) + [60])
    for record in records:
        report = record.report
        if report is None:
            problems = "；".join(f"{e.get('code')}: {e.get('message')}" for e in record.errors)
            out.add([record.name, record.jurisdiction, None, None, VERDICT_TEXT["invalid"][i]]
                    + [None] * len(SUMMARY_KEYS) + [problems], {4: "invalid"})
            continue
        counts = report["summary"]
        out.add([record.name, record.jurisdiction, report["as_of"], ", ".join(p["id"] for p in report["packs"]),
                 VERDICT_TEXT[report["verdict"]][i]] + [counts.get(k, 0) for k in SUMMARY_KEYS] + [None],
                {4: report["verdict"]})
    out.close()


def _citation(c: dict) -> str:
    return " ".join(p for p in (c.get("document"), (c.get("article") or "") + (c.get("item") or "")) if p)


def _number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else (
        None if value is None else str(value))


def _findings_sheet(sheet, records: list[Checked], i: int) -> None:
    heads = [("地区", "Jurisdiction"), ("数据文件", "Record"), ("规则", "Rule"), ("名称", "Title"), ("方面", "Aspect"),
             ("约束性", "Severity"), ("状态", "Status"), ("对象", "Subject"), ("学校标识码", "School id"),
             ("学段", "Section"), ("实际值", "Value"), ("比较", "Op"), ("要求", "Threshold"), ("精确值", "Exact"),
             ("说明", "Message"), ("出处", "Source"), ("原文", "Quote"), ("缺少数据", "Missing"),
             ("数据位置", "Pointer")]
    widths = [14, 22, 18, 30, 10, 8, 10, 24, 14, 6, 12, 6, 12, 18, 60, 24, 50, 40, 34]
    out = _Sheet(sheet, [h[i] for h in heads], widths)
    for record in records:
        if record.report is None:
            continue
        for n, f in enumerate(record.report["findings"]):
            pointer, label = record.subject(n)
            subject = f["subject"]
            key = status_key(f)
            exact_text = " / ".join(t for t in (f.get("value_exact"), f.get("threshold_exact")) if t) or None
            citation = f.get("citation") or {}
            title = f["title"] if i == 0 else f.get("title_en") or f["title"]
            aspect = f.get("aspect") if i == 0 else f.get("aspect_en") or f.get("aspect")
            out.add([record.jurisdiction, record.name, f["rule"], title, aspect,
                          SEVERITY_TEXT.get(f["severity"], (f["severity"],) * 2)[i], STATUS_TEXT[key][i],
                          label, subject.get("school"), LEVEL_TEXT[subject["section"]][i] if subject.get("section") else None,
                          _number(f.get("value")), f.get("op"), _number(f.get("threshold")), exact_text,
                          f["message"], _citation(citation), citation.get("quote"),
                          ", ".join(f.get("missing") or []) or None, pointer or "/"],
                    {6: "missed" if key in ("target", "advisory") else key})
    out.close()


def _schools_sheet(sheet, records: list[Checked], i: int, near_share: NearShare) -> None:
    titles: dict[int, str] = {}
    rows: dict[tuple, dict[int, dict]] = {}
    labels: dict[tuple, tuple] = {}
    shares: dict[str, Fraction | None] = {}
    for r, record in enumerate(records):
        if record.report is None:
            continue
        shares[record.name] = near_share(record.report)
        for f in record.report["findings"]:
            match = INDICATOR.match(f["rule"])
            if not match or f["subject"].get("kind") != "school_section":
                continue
            number = int(match.group(1))
            titles.setdefault(number, f["title"])
            key = (r, f["subject"]["school"], f["subject"]["section"])
            labels[key] = (record.jurisdiction, f["subject"]["school"], f["subject"].get("school_name"),
                           LEVEL_TEXT[f["subject"]["section"]][i], record.name)
            rows.setdefault(key, {})[number] = f
    numbers = sorted(titles)
    heads = [("地区", "Jurisdiction"), ("学校标识码", "School id"), ("学校", "School"), ("学段", "Section")]
    names = [h[i] for h in heads]
    for number in numbers:
        names += [f"R{number} {titles[number]}", "要求" if i == 0 else "required", "达成" if i == 0 else "reached"]
    out = _Sheet(sheet, names, [14, 14, 24, 6] + [16, 10, 10] * len(numbers))
    for key in sorted(rows, key=lambda k: (k[0], k[1], k[2] != "primary")):
        jurisdiction, school, school_name, section, record_name = labels[key]
        row = [jurisdiction, school, school_name, section]
        fills = {}
        for number in numbers:
            f = rows[key].get(number)
            if f is None:
                row += [None, None, None]
                continue
            how = reach(f, shares.get(record_name))
            fills[len(row) + 2] = how
            row += [_number(f.get("value")), _number(f.get("threshold")), REACH_TEXT[how][i]]
        out.add(row, fills)
    out.close()
