"""The record as tables: which sheet (or CSV file) holds which part of a record, and its columns.

Everything here is derived from `record.schema.json`: a column's header is the field's Chinese
`title` with its `x-unit`, its accepted spellings are the title, the `x-aliases` and the field
code, and its type, choices (`x-enum-titles`) and bounds come from the schema. Only the layout is
decided here: which entity goes to which sheet, and the sheet names. The xlsx and CSV readers and
writers (excel_io, csv_io) and the field reference (fields_doc) all read this one description.

Layout:
- 县级情况: one row per item (项目 | 单位 | 填写值 | 字段): the jurisdiction, year, date, packs, and
  every scalar of `facts` (veto facts, the published figures of `facts.reported`).
- 学校, 学段, 班额, 专用教室: one row per school, per school section, per class, per room; the
  last three name their school by 学校标识码.
- 历年数据: one row per earlier year. 认定事项: one row per attested rule.
- 下辖县, 下辖县历年数据: a city's counties and their years, linked by 县级行政区划代码.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .dsl.names import _resolve, load_record_schema

# The sheets, in workbook order. Names are the users' words; the CSV files use them too.
FACTS, SCHOOLS, SECTIONS, CLASSES, ROOMS, HISTORY, ATTESTATIONS, COUNTIES, COUNTY_HISTORY = (
    "县级情况", "学校", "学段", "班额", "专用教室", "历年数据", "认定事项", "下辖县", "下辖县历年数据")
GUIDE, REFERENCE = "填表说明", "字段说明"

# Units as shown in headers; "1" (a plain number or a rate) shows none.
_UNIT_SHOWN = {"1": ""}


@dataclass(frozen=True)
class Column:
    """One field as a column (or, on 县级情况, as a row)."""
    header: str                 # what the template writes: title（unit）
    title: str
    unit: str                   # as shown ("" for none)
    path: tuple[str, ...]       # relative to the object one row describes
    kind: str                   # integer | number | string | boolean | date | figure | enum | words
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()   # (code, label) for enums
    minimum: object = None
    maximum: object = None
    aliases: tuple[str, ...] = ()

    @property
    def code(self) -> str:
        return ".".join(self.path)

    def spellings(self) -> tuple[str, ...]:
        """Every header text that names this column."""
        base = (self.header, self.title, *self.aliases, self.code, self.path[-1])
        return tuple(dict.fromkeys(base))


@dataclass(frozen=True)
class Sheet:
    """One sheet: `key` columns link a row to its parent (学校标识码, 学段 …); `columns` are
    the fields of the object the row describes. `vertical`: one row per column (县级情况)."""
    name: str
    entity: str                 # facts | school | section | class | room | history | attestation | county | county_history
    columns: tuple[Column, ...]
    key: tuple[Column, ...] = ()
    vertical: bool = False
    note: str = ""              # one line for 填表说明
    under: tuple[str, ...] = ()     # list sheets: where in the school the lists are

    @property
    def all_columns(self) -> tuple[Column, ...]:
        return self.key + self.columns


def _unit(node: dict) -> str:
    unit = node.get("x-unit", "")
    return _UNIT_SHOWN.get(unit, unit)


def _header(title: str, unit: str) -> str:
    return f"{title}（{unit}）" if unit else title


def _column(node: dict, path: tuple[str, ...], required: bool, title: str | None = None) -> Column:
    title = title or node.get("title", path[-1])
    unit = _unit(node)
    kind = node.get("type")
    choices: tuple = ()
    if "enum" in node:
        titles = node.get("x-enum-titles", {})
        choices = tuple((code, titles.get(code, code)) for code in node["enum"])
        kind = "enum"
    elif kind == "string" and node.get("format") == "date":
        kind = "date"
    elif kind == "string" and "pattern" in node:
        kind = "figure"             # a figure as printed: text, its decimals are its precision
    elif kind == "array":
        kind = "words"              # a list of names (packs), written 、-separated in one cell
    return Column(_header(title, unit), title, unit, path, kind, required, choices,
                  node.get("minimum"), node.get("maximum"), tuple(node.get("x-aliases", ())))


def _leaves(root: dict, node: dict, prefix: tuple[str, ...] = (), skip: frozenset[str] = frozenset(),
            required_here: bool = True) -> list[tuple[tuple[str, ...], dict, bool, tuple[str, ...]]]:
    """(path, node, required, parent titles) of every scalar field under an object schema,
    nested objects included; arrays of objects and open maps are left to other sheets."""
    node = _resolve(root, node)
    required = set(node.get("required", ()))
    out = []
    for key, raw in node.get("properties", {}).items():
        if key in skip or "const" in raw:
            continue
        prop = _resolve(root, raw)
        path = (*prefix, key)
        if prop.get("type") == "object" and "properties" in prop:
            sub = _leaves(root, prop, path, skip, required_here and key in required)
            out += [(p, n, r, (prop.get("title", key), *t)) for p, n, r, t in sub]
        elif prop.get("type") == "array":
            items = _resolve(root, prop.get("items", {}))
            if items.get("type") == "string":
                out.append((path, prop, False, ()))
        elif prop.get("type") != "object":
            out.append((path, prop, required_here and key in required, ()))
    return out


def _columns(root: dict, node: dict, skip: frozenset[str] = frozenset()) -> tuple[Column, ...]:
    """Columns with unique titles: a title met twice (the published figures of 小学 and 初中)
    takes its parent's title in front."""
    leaves = _leaves(root, node, skip=skip)
    counts: dict[str, int] = {}
    for _, n, _, _ in leaves:
        counts[n.get("title", "")] = counts.get(n.get("title", ""), 0) + 1
    out = []
    for path, n, required, parents in leaves:
        title = n.get("title", path[-1])
        if counts[title] > 1 and parents:
            title = f"{parents[-1]}：{title}"
        out.append(_column(n, path, required, title))
    out.sort(key=lambda c: not c.required)     # required columns first (history: 年度)
    headers = [c.header for c in out]
    assert len(set(headers)) == len(headers), "column headers must be unique"
    return tuple(out)


def _common_suffix(texts: list[str]) -> str:
    shortest = min(texts, key=len)
    n = 0
    while n < len(shortest) and all(t[len(t) - n - 1] == shortest[len(shortest) - n - 1] for t in texts):
        n += 1
    return shortest[len(shortest) - n:] if n else ""


def _list_sheet(name: str, entity: str, root: dict, fields: dict[str, dict], prefix: tuple[str, ...],
                kind_header: str, school_key: Column, note: str) -> Sheet:
    """A sheet of school lists of numbers (班额, 专用教室): one row per item, a 'kind' column
    saying which list (the field titles without their shared ending: 小学/初中/高中)."""
    titles = [fields[k].get("title", k) for k in fields]
    suffix = _common_suffix(titles)
    labels = tuple((k, t[: len(t) - len(suffix)] or t) for k, t in zip(fields, titles))
    kind_col = Column(kind_header, kind_header, "", ("kind",), "enum", True, labels)
    items = [_resolve(root, fields[k]["items"]) for k in fields]
    item_titles = [i.get("title", "") for i in items]
    value_title = _common_suffix(item_titles) or item_titles[0]
    value_node = {**items[0], "title": value_title.lstrip("（")}
    value = _column(value_node, ("value",), False)
    return Sheet(name, entity, (value,), (school_key, kind_col), note=note, under=prefix)


@functools.lru_cache(maxsize=None)
def sheets() -> tuple[Sheet, ...]:
    root = load_record_schema()
    props = root["properties"]
    school = _resolve(root, _resolve(root, props["schools"])["items"])
    sprops = school["properties"]

    # 县级情况: the record's own scalars and facts (attestations are their own sheet).
    facts_node = {"type": "object", "required": root.get("required", []),
                  "properties": {k: v for k, v in props.items() if k not in ("schools", "history", "counties")}}
    facts_cols = _columns(root, facts_node, skip=frozenset({"attestations"}))

    id_node = _resolve(root, sprops["id"])
    school_key = _column(id_node, ("school",), True)

    schools = Sheet(SCHOOLS, "school",
                    _columns(root, school, skip=frozenset({"sections", "class_sizes"})),
                    note="每所学校一行；学校标识码不能重复，其他各表用它指明学校。")

    sections_node = _resolve(root, sprops["sections"])
    levels = tuple((k, _resolve(root, v).get("title", k)) for k, v in sections_node["properties"].items())
    level_col = Column("学段", "学段", "", ("level",), "enum", True, levels)
    section_node = _resolve(root, next(iter(sections_node["properties"].values())))
    sections = Sheet(SECTIONS, "section", _columns(root, section_node), (school_key, level_col),
                     note="每所学校的每个学段一行（九年一贯制学校写两行：小学部、初中部）。")

    class_sizes = _resolve(root, sprops["class_sizes"])["properties"]
    classes = _list_sheet(CLASSES, "class", root, {k: _resolve(root, v) for k, v in class_sizes.items()},
                          ("class_sizes",), "学段", school_key,
                          "每个班一行，按班级顺序；某学段没有班级时写一行并让学生数空着。")
    room_fields = {k: _resolve(root, v) for k, v in sprops.items()
                   if _resolve(root, v).get("type") == "array" and k not in ("sections",)}
    rooms = _list_sheet(ROOMS, "room", root, room_fields, (), "类别", school_key,
                        "每间专用教室一行；某类教室一间也没有时写一行并让面积空着。")

    history_item = _resolve(root, _resolve(root, props["history"])["items"])
    history = Sheet(HISTORY, "history", _columns(root, history_item), note="以前各年每年一行（当年数据填在“县级情况”）。")

    attestation = _resolve(root, root["$defs"]["attestation"])
    rule_col = Column("规则编号", "规则编号", "", ("rule",), "string", True)
    attestations = Sheet(ATTESTATIONS, "attestation", _columns(root, attestation), (rule_col,),
                         note="定性条款的认定：每条规则一行，规则编号如 G1、P1；认定结论空着的行表示尚未认定（待补数据）。")

    county = _resolve(root, _resolve(root, props["counties"])["items"])
    counties = Sheet(COUNTIES, "county", _columns(root, county), note="市、省级数据的下辖县（市、区），每县一行。")
    county_code = _resolve(root, county["properties"]["code"])
    county_key = _column(county_code, ("county",), True)
    county_history = Sheet(COUNTY_HISTORY, "county_history", _columns(root, history_item), (county_key,),
                           note="下辖县以前各年的数据，每县每年一行。")
    facts = Sheet(FACTS, "facts", facts_cols, vertical=True,
                  note="每个项目一行，数值填在“填写值”一列；不知道的留空（留空即“待补数据”，不会当作 0）。")
    return (facts, schools, sections, classes, rooms, history, attestations, counties, county_history)


def sheet_named(name: str) -> Sheet | None:
    return next((s for s in sheets() if s.name == name), None)


_SPACE = re.compile(r"\s+")
_PARENS = str.maketrans({"(": "（", ")": "）"})


def normal(text: str) -> str:
    """A header as compared: no spaces, full-width brackets."""
    return _SPACE.sub("", str(text)).translate(_PARENS)


def column_lookup(columns: tuple[Column, ...]) -> dict[str, Column]:
    """Every accepted spelling of every column → the column (first one wins on a clash)."""
    out: dict[str, Column] = {}
    for c in columns:
        for s in c.spellings():
            out.setdefault(normal(s), c)
    return out
