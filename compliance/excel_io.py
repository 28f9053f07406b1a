"""Records as Excel workbooks: the blank template, export, and import.

Writing uses openpyxl (dropdowns, number formats, comments). Reading uses openpyxl too, in
read-only mode: one dependency instead of two, and a county's workbook (a few hundred rows)
reads in a fraction of a second (benchmarks/tables_io.py measures it), so a faster reader such
as python-calamine would buy little. openpyxl also gives each cell as Excel stored it (int,
float, text, date), which the exactness rules of table_record need.
"""
from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

from .diagnostics import Diagnostic, Localized, Location
from .fields_doc import rows as reference_rows
from .tables import GUIDE, REFERENCE
from .table_record import Grid, Table, letters, record_tables, write_cell

MAX_ROWS = 2000          # how far down the template's dropdowns and formats reach
_TEXT, _INTEGER, _GENERAL = "@", "0", "General"
_TEXT_KINDS = ("string", "date", "figure", "words")


def _format(kind: str) -> str:
    return _TEXT if kind in _TEXT_KINDS else _INTEGER if kind == "integer" else _GENERAL


def _choices(col) -> list[str] | None:
    if col.kind == "enum":
        return [label for _, label in col.choices]
    if col.kind == "boolean":
        return ["是", "否"]
    return None


def workbook_bytes(record: dict, attest: tuple[tuple[str, str], ...] = ()) -> bytes:
    """The record as an .xlsx file (the template is the empty record). `attest`: (rule id,
    title) pairs to list on 认定事项 when the record has none (the template for a pack)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    book = Workbook()
    book.remove(book.active)
    _guide(book.create_sheet("填表说明"), bold)
    for table in record_tables(record):
        sheet = table.sheet
        ws = book.create_sheet(sheet.name)
        ws.append(list(table.header))
        for cell in ws[1]:
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.freeze_panes = "A2"
        if sheet.vertical:
            _facts_sheet(ws, table, DataValidation, Comment)
            continue
        cols = sheet.all_columns
        rows = list(table.rows)
        if sheet.entity == "attestation" and not rows:
            rows = [(rule, *([None] * len(sheet.columns))) for rule, _ in attest]
        for r, values in enumerate(rows, 2):
            for c, (col, value) in enumerate(zip(cols, values), 1):
                if value is not None:       # a blank cell takes its column's format
                    _put(ws.cell(r, c), col, value, Comment)
        if sheet.entity == "attestation" and not table.rows:
            for r, (rule, title) in enumerate(attest, 2):
                ws.cell(r, 1).comment = Comment(title, "compliance")
        for c, col in enumerate(cols, 1):
            letter = letters(c - 1)
            ws.column_dimensions[letter].width = max(10, min(40, 2 * len(col.header) + 2))
            ws.column_dimensions[letter].number_format = _format(col.kind)
            choices = _choices(col)
            if choices:
                dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                                    showErrorMessage=True, errorTitle="请从下拉列表中选择",
                                    error="可选：" + "、".join(choices))
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}{MAX_ROWS}")
    _reference(book.create_sheet("字段说明"), bold, fill)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _put(cell, col, value, Comment) -> None:
    written = write_cell(col, value)
    cell.value = written.value
    cell.number_format = _format(col.kind)
    if written.places:
        cell.number_format = "0." + "0" * written.places
    if written.text_number:
        cell.number_format = _TEXT
        cell.comment = Comment("按文本保存：此数的精确值超出 Excel 数字的精度，以文本保存才不会被舍入。", "compliance")


def _facts_sheet(ws, table: Table, DataValidation, Comment) -> None:
    from openpyxl.styles import Font
    for r, (col, (value,)) in enumerate(zip(table.sheet.columns, table.rows), 2):
        ws.cell(r, 1, col.header)
        if col.required:        # marked by colour: the header text stays the field's own
            ws.cell(r, 1).font = Font(bold=True, color="C00000")
        ws.cell(r, 2, col.unit or None)
        _put(ws.cell(r, 3), col, value, Comment)
        ws.cell(r, 4, col.code)
        choices = _choices(col)
        if choices:
            dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
            ws.add_data_validation(dv)
            dv.add(f"C{r}")
    for letter, width in zip("ABCD", (48, 10, 20, 40)):
        ws.column_dimensions[letter].width = width


def _guide(ws, bold) -> None:
    from .tables import sheets
    lines = [
        "填表说明",
        "1. 每个工作表对应数据的一部分；表头是字段的中文名称和单位，请不要改动表头。各字段的含义见“字段说明”表。",
        "2. 不知道的数据请留空：留空表示“待补数据”，检查时会列出，绝不会当作 0。",
        "3. 比率填小数（0.95 表示 95%），也可以在设了百分比格式的单元格中填 95%。金额按表头单位填写（万元或元）。",
        "4. 日期写成 YYYY-MM-DD（如 2024-09-01）；“是/否”和选项请从下拉列表中选择。",
        "5. 学段、班额、专用教室各表用“学校标识码”指明学校，须与“学校”表中的一致。",
        "6. 填好后运行：compliance check 本文件.xlsx（也可先 compliance import 本文件.xlsx -o 数据.json）。",
        "",
        "各工作表：",
    ] + [f"· {s.name}：{s.note}" for s in sheets()]
    for line in lines:
        ws.append([line])
    ws["A1"].font = bold
    ws.column_dimensions["A"].width = 110


def _reference(ws, bold, fill) -> None:
    ws.append(["工作表", "表头", "字段（JSON 指针）", "类型", "单位", "可选值", "必填", "也可写作"])
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
    for r in reference_rows():
        ws.append([r.sheet, r.header, r.pointer, r.kind, r.unit, r.choices, "是" if r.required else "", r.aliases])
    for letter, width in zip("ABCDEFGH", (14, 40, 50, 16, 12, 40, 6, 30)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"


def read_workbook(path: Path, file: str) -> tuple[list[Grid] | None, list[Diagnostic]]:
    """Every sheet's cell values (formulas as their last computed values)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        return None, [Diagnostic("E100", Location(file), {"reason": exc.strerror or str(exc)})]
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as exc:
        reason = Localized(f"不是有效的 .xlsx 文件（{exc}）；.xls 旧格式请先在 Excel 中另存为 .xlsx",
                           f"not a valid .xlsx file ({exc}); save an old .xls as .xlsx first")
        return None, [Diagnostic("E155", Location(file), {"reason": reason})]
    try:
        # the guide and the field reference are ours, not data: not even read (most of a small workbook)
        grids = [Grid(ws.title, [[_value(cell) for cell in row] for row in ws.iter_rows()])
                 for ws in book.worksheets if ws.title not in (GUIDE, REFERENCE)]
    finally:
        book.close()
    return grids, []


_PLACES = re.compile(r"^0\.(0+)$")


def _value(cell):
    """A cell's value; a number shown with fixed decimals (format 0.00) keeps them as a Decimal,
    as the record wrote it (268.50), never fewer than the number itself has."""
    value = getattr(cell, "value", None)
    if type(value) in (int, float):
        shown = _PLACES.match(str(getattr(cell, "number_format", "") or ""))
        if shown:
            exact = Decimal(repr(float(value)))
            places = len(shown.group(1))
            if -exact.as_tuple().exponent < places:
                exact = exact.quantize(Decimal(1).scaleb(-places))
            return exact
    return value

