"""The field reference: every record field with its Chinese title, unit, type, choices and JSON
pointer, from the record schema through compliance/tables.py. One list of rows feeds the
字段说明 sheet of the template and docs/字段说明.md (`compliance fields --markdown`)."""
from __future__ import annotations

from dataclasses import dataclass

from .tables import Column, Sheet, sheets

# Where a sheet's rows live in the record: `*` is any index, <…> a key.
_POINTER = {"facts": "", "school": "/schools/*", "section": "/schools/*/sections/<学段>",
            "history": "/history/*", "attestation": "/facts/attestations/<规则编号>",
            "county": "/counties/*", "county_history": "/counties/*/history/*"}

_KIND = {"integer": "整数", "number": "数值", "string": "文本", "boolean": "是/否", "date": "日期 YYYY-MM-DD",
         "figure": "文本（公布值，保留小数位）", "enum": "选项", "words": "文本（多个用、分隔）"}


@dataclass(frozen=True)
class FieldRow:
    sheet: str
    header: str
    pointer: str
    kind: str
    unit: str
    choices: str
    required: bool
    aliases: str


def pointer_of(sheet: Sheet, col: Column) -> str:
    if col in sheet.key:
        return {"school": "（学校标识码，见 学校 表）", "county": "（县级行政区划代码，见 下辖县 表）",
                "level": "<学段>", "kind": "<类别>", "rule": "<规则编号>"}[col.path[0]]
    if sheet.entity == "class":
        return "/schools/*/class_sizes/<学段>/*"
    if sheet.entity == "room":
        return "/schools/*/<类别>/*"
    return _POINTER[sheet.entity] + "/" + "/".join(col.path)


def rows() -> list[FieldRow]:
    out = []
    for sheet in sheets():
        for col in sheet.all_columns:
            choices = "、".join(f"{label}（{code}）" for code, label in col.choices)
            if col.kind == "boolean":
                choices = "是、否"
            unit = col.unit
            if col.kind == "number" and col.maximum == 1 and not unit:
                unit = "比率（0.95 表示 95%）"
            aliases = "、".join(a for a in col.aliases if a != col.title)
            out.append(FieldRow(sheet.name, col.header, pointer_of(sheet, col), _KIND[col.kind], unit,
                                choices, col.required, aliases))
    return out


def markdown() -> str:
    """docs/字段说明.md, whole."""
    lines = ["# 字段说明（数据记录的各个字段）", "",
             "本文件由 `compliance fields --markdown` 根据 `compliance/schemas/record.schema.json` 生成，请勿手工修改。",
             "Excel 模板（`compliance template`）与 CSV 文件夹使用同样的工作表和表头；JSON 数据用“字段”一列的 JSON 指针。",
             "留空的项目是“待补数据”，不会当作 0。", ""]
    for sheet in sheets():
        lines += [f"## {sheet.name}", "", sheet.note, "",
                  "| 表头 | 字段（JSON 指针） | 类型 | 单位 | 可选值 | 必填 | 也可写作 |",
                  "|---|---|---|---|---|---|---|"]
        for r in (r for r in rows() if r.sheet == sheet.name):
            cells = [r.header, f"`{r.pointer}`", r.kind, r.unit, r.choices, "是" if r.required else "", r.aliases]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)
