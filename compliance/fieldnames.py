"""A record field in the user's words: its title and unit from the record schema, then its
JSON pointer — "教学仪器设备资产值（万元）（/schools/18/shared/equipment_value_wan_yuan）".

The one lookup every record message uses (validation, 待补数据, remedies, explain), so a
field is named the same way everywhere. English titles are derived from the field's key
(the schema's English descriptions are sentences, not names)."""
from __future__ import annotations

import functools
import re
from fractions import Fraction

from .dsl.names import load_record_schema, schema_at

# Units a reader needs to see; "1" (a fraction) and "年" (a year is its own unit) say nothing.
_UNITS_EN = {"万元": "10,000 yuan", "元": "yuan", "㎡": "m²", "人": "persons", "台": "units", "所": "schools",
             "班": "classes", "间": "rooms", "级": "grade"}
# Key suffixes that spell the unit out; the unit is shown once, from the schema.
_KEY_UNIT = re.compile(r"_(wan_yuan|yuan|m2)$")
_INDEX = re.compile(r"/\d+(?=/|$)")


# Pure functions of the record schema, asked for the same pointers again and again (every
# remedy and message names its fields): cached.
@functools.lru_cache(maxsize=8192)
def unit(pointer: str) -> str:
    """The field's unit as the record writes it (万元, ㎡ …), or "" when it has none worth saying."""
    u = _node(_INDEX.sub("/0", pointer)).get("x-unit", "")
    return u if u in _UNITS_EN else ""


@functools.lru_cache(maxsize=8192)
def field_title(pointer: str, lang: str = "zh") -> str:
    """教学仪器设备资产值（万元） / equipment value (10,000 yuan); the key when the schema is silent."""
    general = _INDEX.sub("/0", pointer)
    node = _node(general)
    u = unit(general)
    if lang == "zh":
        title = node.get("title") or _key(pointer) or pointer
        return f"{title}（{u}）" if u else title
    key = _key(pointer)
    title = _KEY_UNIT.sub("", key).replace("_", " ") if key else pointer
    return f"{title} ({_UNITS_EN[u]})" if u else title


def field_label(pointer: str, lang: str = "zh") -> str:
    """The title with the pointer after it in parentheses; the pointer alone for a pointer
    that is not a record path (e.g. a note such as a missing year)."""
    if not pointer.startswith("/"):
        return pointer
    title = field_title(pointer, lang)
    if title == pointer:
        return pointer
    return f"{title}（{pointer}）" if lang == "zh" else f"{title} ({pointer})"


def field_labels(pointers, lang: str = "zh") -> str:
    return ("、" if lang == "zh" else ", ").join(field_label(p, lang) for p in pointers)


def _key(pointer: str) -> str:
    """The last part of the pointer that is a name, not an array index."""
    for part in reversed(pointer.split("/")[1:]):
        if part and not part.isdigit():
            return part.replace("~1", "/").replace("~0", "~")
    return ""


@functools.lru_cache(maxsize=4096)
def _node(general: str) -> dict:
    # A pointer through a field the schema does not describe (unknown key, wrong shape) gets {}.
    try:
        node = schema_at(load_record_schema(), general)
    except (KeyError, TypeError, AttributeError):
        return {}
    return node if isinstance(node, dict) else {}


def amount(value, pointer: str, lang: str = "zh", scaled: bool = True) -> str:
    """A figure of this field in the unit the record uses, digits grouped: 500,000 万元. With
    `scaled`, `value` is in base units (元, as rules compute) and is converted back exactly."""
    from .dsl.units import parse_unit
    from .findings import format_number
    u = unit(pointer)
    if scaled and u:
        parsed = parse_unit(u)
        if parsed is not None and parsed.scale != 1:
            value = Fraction(value) / parsed.scale
    shown = format_number(value)
    if not u:
        return shown
    if lang == "zh":
        return f"{shown} {u}"
    return f"{shown} × 10,000 yuan" if u == "万元" else f"{shown} {_UNITS_EN[u]}"
