"""Tables ↔ record, with no file format in sight: the xlsx and CSV modules hand over grids
(rows of cell values) and get grids back.

Numbers stay exact. Reading: an integer cell is an int; a decimal cell becomes the Decimal of
its shortest text (what Excel and openpyxl write); a text cell holding a plain decimal is read
from that text. Writing: an integer is written as a number; a decimal as a number only when the
float prints back as the same decimal, otherwise as text (and the cell says why), so nothing is
ever rounded. Blank cells are missing data, never 0. Empty objects are not written (they hold
no value), except an empty school section, which is a row of its own.
"""
from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from .diagnostics import Diagnostic, Localized, Location
from .tables import (ATTESTATIONS, FACTS, GUIDE, REFERENCE, Column, Sheet, column_lookup, normal,
                     sheets)

YES, NO = "是", "否"
_DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WORDS = re.compile(r"[、,，;；\s]+")
FACTS_HEADER = ("项目", "单位", "填写值", "字段")


@dataclass
class Grid:
    """One sheet as read: rows of raw cell values (None when blank) and how to name a cell."""
    name: str
    rows: list[list]
    label: str = ""         # how messages name the sheet: 学校 (xlsx) or 学校.csv

    def ref(self, row: int, col: int) -> str:
        return f"{self.label or self.name}!{letters(col)}{row + 1}"


def letters(col: int) -> str:
    """0 → A, 26 → AA."""
    out = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        out = chr(65 + rest) + out
    return out


class Bad(Exception):
    def __init__(self, zh: str, en: str):
        super().__init__(zh)
        self.problem = Localized(zh, en)


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def shown(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---- cell → value ------------------------------------------------------------------------

def read_cell(col: Column, value):
    """The record value of a non-blank cell, or Bad saying what is wrong (in the user's words)."""
    kind = col.kind
    if kind in ("integer", "number"):
        number = _number(value, kind == "integer")
        if col.minimum is not None and number < Fraction(str(col.minimum)):
            raise Bad(f"应不小于 {col.minimum}，这里是「{shown(value)}」", f"must be at least {col.minimum}, found '{shown(value)}'")
        if col.maximum is not None and number > Fraction(str(col.maximum)):
            hint_zh = "（比率以小数填写，如 0.95 表示 95%）" if col.maximum == 1 else ""
            hint_en = " (rates are fractions: 0.95 for 95 %)" if col.maximum == 1 else ""
            raise Bad(f"应不大于 {col.maximum}{hint_zh}，这里是「{shown(value)}」",
                      f"must be at most {col.maximum}{hint_en}, found '{shown(value)}'")
        return number
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        text = str(value).strip()
        if text in (YES, "TRUE", "true", "True"):
            return True
        if text in (NO, "FALSE", "false", "False"):
            return False
        raise Bad(f"应为「是」或「否」，这里是「{shown(value)}」", f"must be 是 (yes) or 否 (no), found '{shown(value)}'")
    if kind == "enum":
        text = str(value).strip()
        for code, label in col.choices:
            if text in (code, label):
                return code
        near = [code for code, label in col.choices if label.startswith(text)]
        if len(near) == 1:
            return near[0]
        labels = "、".join(label for _, label in col.choices)
        raise Bad(f"应为以下之一：{labels}；这里是「{shown(value)}」", f"must be one of {labels}; found '{shown(value)}'")
    if kind == "date":
        if isinstance(value, datetime.datetime):
            if value.time() != datetime.time():
                raise Bad(f"应为日期（YYYY-MM-DD），这里含时刻「{value}」", f"must be a date (YYYY-MM-DD), found a time '{value}'")
            return value.date().isoformat()
        if isinstance(value, datetime.date):
            return value.isoformat()
        text = str(value).strip()
        try:
            if _DATE.match(text):
                return datetime.date.fromisoformat(text).isoformat()
        except ValueError:
            pass
        raise Bad(f"应为日期，格式 YYYY-MM-DD（如 2024-09-01），这里是「{shown(value)}」",
                  f"must be a date written YYYY-MM-DD (e.g. 2024-09-01), found '{shown(value)}'")
    if kind == "figure":
        # a published figure's decimals are its precision: only text keeps "0.50" as printed
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        text = str(value).strip()
        if isinstance(value, float) or not _DECIMAL.match(text) or text.startswith(("+", "-")):
            raise Bad(f"公布值应按公布的样子以文本填写（如 0.50，保留小数位数），这里是「{shown(value)}」",
                      f"a published figure must be written as text, as printed (e.g. 0.50, keeping its decimals); found '{shown(value)}'")
        return text
    if kind == "words":
        return [w for w in _WORDS.split(str(value).strip()) if w]
    # plain text; a whole number typed into it (a school id) is taken as its digits
    if isinstance(value, bool):
        raise Bad(f"应为文本，这里是「{value}」", f"must be text, found '{value}'")
    if isinstance(value, float):
        if not value.is_integer():
            raise Bad(f"应为文本，这里是数字「{value}」", f"must be text, found the number '{value}'")
        value = int(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        raise Bad(f"应为文本，这里是日期「{value}」", f"must be text, found the date '{value}'")
    return str(value)


def _number(value, integer: bool):
    if isinstance(value, bool):
        raise Bad(f"应为数字，这里是「{value}」", f"must be a number, found '{value}'")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise Bad(f"应为数字，这里是「{value}」", f"must be a number, found '{value}'")
        number = Decimal(repr(value))
    elif isinstance(value, (datetime.date, datetime.datetime)):
        raise Bad(f"应为数字，这里是日期「{value}」", f"must be a number, found the date '{value}'")
    else:
        text = str(value).strip()
        if not _DECIMAL.match(text):
            raise Bad(f"应为数字，这里是「{text}」", f"must be a number, found '{text}'")
        number = int(text) if "." not in text else Decimal(text)
    if isinstance(number, Decimal) and (integer or number == number.to_integral_value()) and integer:
        if number != number.to_integral_value():
            raise Bad(f"应为整数，这里是「{shown(value)}」", f"must be a whole number, found '{shown(value)}'")
        return int(number)
    if integer and not isinstance(number, int):
        raise Bad(f"应为整数，这里是「{shown(value)}」", f"must be a whole number, found '{shown(value)}'")
    return number


# ---- value → cell ------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    value: object
    text_number: bool = False     # a decimal kept as text because a float would round it
    places: int = 0               # decimals shown (xlsx number format 0.00): 268.50 stays 268.50


def write_cell(col: Column, value) -> Cell:
    kind = col.kind
    if value is None:
        return Cell(None)
    if kind in ("integer", "number"):
        if isinstance(value, int) and not isinstance(value, bool):
            return Cell(value)
        exact = _decimal(value)
        as_float = float(exact)
        if Decimal(repr(as_float)) == exact and exact.as_tuple().exponent <= 0:
            return Cell(as_float, places=-exact.as_tuple().exponent)
        return Cell(_plain(exact), text_number=True)
    if kind == "boolean":
        return Cell(YES if value else NO)
    if kind == "enum":
        return Cell(dict(col.choices).get(value, value))
    if kind == "words":
        return Cell("、".join(value))
    return Cell(value)


def cell_text(col: Column, value) -> str | None:
    """The exact text of a value (CSV, and numbers that Excel must keep as text)."""
    if value is None:
        return None
    if col.kind in ("integer", "number") and not isinstance(value, int):
        return _plain(_decimal(value))
    cell = write_cell(col, value).value
    return None if cell is None else str(cell)


def _plain(d: Decimal) -> str:
    return str(d) if d.as_tuple().exponent <= 0 else format(d, "f")      # never 1E+3


def _decimal(value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, Fraction):
        for places in range(0, 19):
            scaled = value * 10 ** places
            if scaled.denominator == 1:
                return Decimal(f"{scaled.numerator}E-{places}")
        raise ValueError(f"{value} has no finite decimal form")
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


# ---- record → tables ---------------------------------------------------------------------

def _get(obj, path):
    for part in path:
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj


@dataclass(frozen=True)
class Table:
    """A sheet to write: the header and rows of values (not yet cells)."""
    sheet: Sheet
    header: tuple[str, ...]
    rows: tuple[tuple, ...]      # each: one value per column of sheet.all_columns (facts: per item)


def record_tables(record: dict) -> list[Table]:
    """The record as one table per sheet (empty sheets included: the template is this with {})."""
    out = []
    schools = record.get("schools") or []
    for sheet in sheets():
        cols = sheet.all_columns
        rows: list[tuple] = []
        if sheet.vertical:
            rows = [(_get(record, c.path),) for c in cols]
        elif sheet.entity == "school":
            rows = [tuple(_get(s, c.path) for c in cols) for s in schools]
        elif sheet.entity == "section":
            for s in schools:
                for level, sec in (s.get("sections") or {}).items():
                    rows.append((s.get("id"), level, *(_get(sec, c.path) for c in sheet.columns)))
        elif sheet.entity in ("class", "room"):
            for s in schools:
                holder = _get(s, sheet.under) if sheet.under else s
                for kind, _ in sheet.key[1].choices:
                    items = (holder or {}).get(kind)
                    if items is None:
                        continue
                    rows += [(s.get("id"), kind, v) for v in items] or [(s.get("id"), kind, None)]
        elif sheet.entity == "history":
            rows = [tuple(_get(h, c.path) for c in cols) for h in record.get("history") or []]
        elif sheet.entity == "attestation":
            entries = _get(record, ("facts", "attestations")) or {}
            rows = [(rule, *(_get(e, c.path) for c in sheet.columns)) for rule, e in entries.items()]
        elif sheet.entity == "county":
            rows = [tuple(_get(c_, c.path) for c in cols) for c_ in record.get("counties") or []]
        elif sheet.entity == "county_history":
            for county in record.get("counties") or []:
                rows += [(county.get("code"), *(_get(h, c.path) for c in sheet.columns))
                         for h in county.get("history") or []]
        header = FACTS_HEADER if sheet.vertical else tuple(c.header for c in cols)
        out.append(Table(sheet, header, tuple(rows)))
    return out


# ---- tables → record ---------------------------------------------------------------------

def _put(obj: dict, path, value) -> None:
    for part in path[:-1]:
        obj = obj.setdefault(part, {})
    obj[path[-1]] = value


@dataclass
class _Build:
    file: str
    problems: list = field(default_factory=list)
    broken: set = field(default_factory=set)      # sheets not read (a required column missing)
    cells: dict = field(default_factory=dict)     # JSON pointer of an object or item → its row's cell

    def bad(self, where: str, col: Column | None, problem: Localized) -> None:
        header = ""
        if col is not None:     # 学校!F12（教学仪器设备资产值，万元）
            named = f"{col.title}，{col.unit}" if col.unit else col.title
            header = Localized(f"（{named}）", f" ({col.title}{', ' + col.unit if col.unit else ''})")
        self.problems.append(Diagnostic("E150", Location(self.file), {"cell": where, "header": header, "problem": problem}))


def tables_record(grids: list[Grid], file: str) -> tuple[dict | None, list[Diagnostic]]:
    """The record the grids describe, or None with every problem found (cell by cell)."""
    record, problems, _ = tables_record_cells(grids, file)
    return record, problems


def tables_record_cells(grids: list[Grid], file: str) -> tuple[dict | None, list[Diagnostic], dict]:
    """As tables_record, plus where each part of the record came from (JSON pointer → cell),
    so that what only validation finds (a year given twice) can be shown at its cell too."""
    build = _Build(file)
    known = {normal(s.name): s for s in sheets()}
    by_sheet: dict[str, Grid] = {}
    for grid in grids:
        sheet = known.get(normal(grid.name))
        if sheet is None:
            if normal(grid.name) in (GUIDE, REFERENCE):
                continue
            if all(blank(v) for row in grid.rows for v in row):
                continue        # an empty extra sheet (Excel's own 'Sheet1') says nothing
            near = difflib.get_close_matches(grid.name, [s.name for s in sheets()], n=1, cutoff=0.4)
            build.problems.append(Diagnostic("E152", Location(file), {
                "sheet": grid.label or grid.name, "hint": _hint(near),
                "available": [s.name for s in sheets()]}))
            continue
        by_sheet[sheet.name] = grid
    if FACTS not in by_sheet:
        build.problems.append(Diagnostic("E153", Location(file), {"sheet": FACTS}))
        return None, build.problems, {}
    record: dict = {"format_version": "1"}
    _facts(build, by_sheet[FACTS], record)
    schools: dict[str, tuple[dict, str]] = {}
    counties: dict[str, tuple[dict, str]] = {}
    for sheet in sheets():
        if sheet.vertical or sheet.name not in by_sheet:
            continue
        for where, row, obj, keys in _rows(build, by_sheet[sheet.name], sheet):
            _attach(build, sheet, record, schools, counties, where, row, obj, keys)
    if any(d.is_error for d in build.problems):
        return None, build.problems, {}
    return _drop_empty(record), build.problems, build.cells


def _hint(near: list[str]) -> Localized:
    if not near:
        return Localized("", "")
    return Localized(f"，是否应为「{near[0]}」？", f"; did you mean '{near[0]}'?")


def _facts(build: _Build, grid: Grid, record: dict) -> None:
    sheet = grid_sheet = next(s for s in sheets() if s.vertical)
    lookup = column_lookup(sheet.columns)
    codes = {c.code: c for c in sheet.columns}
    header = [normal(v) if not blank(v) else "" for v in (grid.rows[0] if grid.rows else [])]
    at = {name: header.index(name) if name in header else i for i, name in enumerate(FACTS_HEADER)}
    seen: dict[str, str] = {}
    for r, row in enumerate(grid.rows[1:], 1):
        cell = lambda i: row[i] if i < len(row) else None     # noqa: E731
        label, value, code = cell(at["项目"]), cell(at["填写值"]), cell(at["字段"])
        if blank(label) and blank(code):
            if not blank(value):
                build.bad(grid.ref(r, at["填写值"]), None, Localized("填了值但没有项目名称", "a value with no item name"))
            continue
        col = lookup.get(normal(label)) if not blank(label) else None
        if col is None and not blank(code):
            col = codes.get(str(code).strip())
        if col is None:
            near = difflib.get_close_matches(str(label), [c.header for c in grid_sheet.columns], n=1, cutoff=0.5)
            build.problems.append(Diagnostic("E151", Location(build.file), {
                "cell": grid.ref(r, at["项目"]), "header": str(label if not blank(label) else code), "hint": _hint(near)}))
            continue
        where = grid.ref(r, at["填写值"])
        if col.code in seen:
            build.bad(where, col, Localized(f"该项目重复（另见 {seen[col.code]}）", f"the item appears twice (also {seen[col.code]})"))
            continue
        seen[col.code] = where
        if blank(value):
            continue
        try:
            _put(record, col.path, read_cell(col, value))
            build.cells["/" + "/".join(col.path)] = where
        except Bad as exc:
            build.bad(where, col, exc.problem)
    for col in sheet.columns:
        if col.required and _get(record, col.path) is None and col.code not in seen:
            build.bad(f"{grid.label or grid.name}", col, Localized("缺少此项（必填）", "this item is missing (required)"))
        elif col.required and _get(record, col.path) is None:
            build.bad(seen[col.code], col, Localized("必填项未填", "required, but blank"))


def _rows(build: _Build, grid: Grid, sheet: Sheet):
    """(cell of the row's first column, row number, the object, key values) of each row."""
    if not grid.rows:
        return
    lookup = column_lookup(sheet.all_columns)
    columns: list[Column | None] = []
    for i, h in enumerate(grid.rows[0]):
        if blank(h):
            columns.append(None)
            continue
        col = lookup.get(normal(h))
        if col is None:
            near = difflib.get_close_matches(str(h), [c.header for c in sheet.all_columns], n=1, cutoff=0.5)
            build.problems.append(Diagnostic("E151", Location(build.file), {
                "cell": grid.ref(0, i), "header": str(h), "hint": _hint(near)}))
        elif col in columns:
            build.bad(grid.ref(0, i), col, Localized(f"列重复（另见 {grid.ref(0, columns.index(col))}）",
                                                    f"the column appears twice (also {grid.ref(0, columns.index(col))})"))
            col = None
        columns.append(col)
    data_rows = [(r, row) for r, row in enumerate(grid.rows[1:], 1) if not all(blank(v) for v in row)]
    for col in sheet.all_columns:
        if col.required and col not in columns and data_rows:
            build.problems.append(Diagnostic("E154", Location(build.file), {
                "sheet": grid.label or grid.name, "header": col.header}))
    if any(col.required and col not in columns for col in sheet.all_columns):
        build.broken.add(sheet.entity)
        return
    key_ids = {id(c) for c in sheet.key}     # identity: comparing Column dataclasses field by field is slow
    key_cols = {i for i, c in enumerate(columns) if c is not None and id(c) in key_ids}
    for r, row in data_rows:
        if sheet.entity == "attestation" and all(blank(v) for i, v in enumerate(row) if i not in key_cols):
            continue    # a clause listed by the template and not yet attested: 待补数据
        obj: dict = {}
        keys: dict[str, object] = {}
        ok = True
        for i, col in enumerate(columns):
            value = row[i] if i < len(row) else None
            if col is None:
                if not blank(value) and i < len(grid.rows[0]) and blank(grid.rows[0][i]):
                    build.bad(grid.ref(r, i), None, Localized("这一列没有表头", "this column has no header"))
                    ok = False
                continue
            if blank(value):
                if col.required:
                    build.bad(grid.ref(r, i), col, Localized("必填项未填", "required, but blank"))
                    ok = False
                continue
            try:
                parsed = read_cell(col, value)
            except Bad as exc:
                build.bad(grid.ref(r, i), col, exc.problem)
                ok = False
                continue
            if i in key_cols:
                keys[col.path[0]] = (parsed, grid.ref(r, i), col)
            else:
                _put(obj, col.path, parsed)
        if ok:
            yield grid.ref(r, 0), r, obj, keys


def _attach(build: _Build, sheet: Sheet, record: dict, schools: dict, counties: dict,
            where: str, row: int, obj: dict, keys: dict) -> None:
    entity = sheet.entity
    if entity == "school":
        sid = obj.get("id")
        if sid in schools:
            build.bad(where, sheet.columns[0], Localized(f"学校标识码「{sid}」重复（另见 {schools[sid][1]}）",
                                                         f"school id '{sid}' appears twice (also {schools[sid][1]})"))
            return
        record.setdefault("schools", []).append(obj)
        schools[sid] = (obj, where, f"/schools/{len(record['schools']) - 1}")
        build.cells[schools[sid][2]] = where
    elif entity in ("section", "class", "room"):
        sid, sid_where, sid_col = keys["school"]
        if sid not in schools and "school" in build.broken:
            return      # the 学校 sheet itself is wrong (said once), not every row naming a school
        if sid not in schools:
            build.bad(sid_where, sid_col, Localized(f"学校标识码「{sid}」在「学校」表中没有",
                                                    f"school id '{sid}' is not on the 学校 sheet"))
            return
        school, _, at = schools[sid]       # its pointer kept: no search of the list per row
        kind = keys["level" if entity == "section" else "kind"][0]
        if entity == "section":
            sections = school.setdefault("sections", {})
            if kind in sections:
                build.bad(where, sid_col, Localized(f"学校「{sid}」的这个学段出现了两行", f"school '{sid}' has this section twice"))
                return
            sections[kind] = obj
            build.cells[f"{at}/sections/{kind}"] = where
        else:
            holder = school.setdefault(sheet.under[0], {}) if sheet.under else school
            items = holder.setdefault(kind, [])
            if "value" in obj:
                items.append(obj["value"])
                build.cells[f"{at}/{'/'.join(sheet.under)}{'/' if sheet.under else ''}{kind}/{len(items) - 1}"] = where
    elif entity == "history":
        record.setdefault("history", []).append(obj)
        build.cells[f"/history/{len(record['history']) - 1}"] = where
    elif entity == "attestation":
        rule = keys["rule"][0]
        entries = record.setdefault("facts", {}).setdefault("attestations", {})
        if rule in entries:
            build.bad(keys["rule"][1], keys["rule"][2], Localized(f"规则「{rule}」出现了两行", f"rule '{rule}' appears twice"))
            return
        entries[rule] = obj
        build.cells[f"/facts/attestations/{rule}"] = where
    elif entity == "county":
        code = obj.get("code")
        if code in counties:
            build.bad(where, sheet.columns[0], Localized(f"县级行政区划代码「{code}」重复（另见 {counties[code][1]}）",
                                                         f"county code '{code}' appears twice (also {counties[code][1]})"))
            return
        record.setdefault("counties", []).append(obj)
        counties[code] = (obj, where, f"/counties/{len(record['counties']) - 1}")
        build.cells[counties[code][2]] = where
    elif entity == "county_history":
        code, code_where, code_col = keys["county"]
        if code not in counties and "county" in build.broken:
            return
        if code not in counties:
            build.bad(code_where, code_col, Localized(f"县级行政区划代码「{code}」在「下辖县」表中没有",
                                                      f"county code '{code}' is not on the 下辖县 sheet"))
            return
        county = counties[code][0]
        county.setdefault("history", []).append(obj)
        build.cells[f"{counties[code][2]}/history/{len(county['history']) - 1}"] = where


def _drop_empty(value, path: tuple = ()):
    """Empty objects carry no value and are not written; an empty school section is kept (a
    section with no figures is still a section), and so are a school's empty lists. An empty
    list elsewhere (schools, history, packs) is the same as none."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = _drop_empty(v, (*path, k))
            if v == {} and not (len(path) >= 1 and path[-1] == "sections"):
                continue
            if v == [] and (not path or path[0] != "schools"):
                continue        # only a school's lists (班额, 专用教室) can be written empty
            out[k] = v
        return out
    if isinstance(value, list):
        return [_drop_empty(v, path) for v in value]
    return value


def canonical(record):
    """What the tables keep of a record: the record without its empty objects (tests compare
    a round trip with this)."""
    return _drop_empty(record)
