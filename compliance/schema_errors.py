"""jsonschema errors → our diagnostics, with a Chinese reason and the YAML/JSON position."""
from __future__ import annotations

import datetime
import difflib
import re
import unicodedata
from fractions import Fraction

from .diagnostics import Diagnostic, Localized, Location
from .yamlsource import YList, YMap, node_location

_TYPE_NAMES = {"string": ("文本", "a string"), "number": ("数值", "a number"), "integer": ("整数", "an integer"),
               "boolean": ("true/false", "true/false"), "array": ("列表", "a list"), "object": ("映射（键: 值）", "a mapping"),
               "null": ("空值", "null")}


def plain(value):
    """YAML-loaded data in JSON terms for validation: dates become ISO strings."""
    if isinstance(value, dict):
        return {str(k) if isinstance(k, (datetime.date, int)) else k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


_TYPE_OF = {"list": ("列表", "a list"), "YList": ("列表", "a list"), "dict": ("映射", "a mapping"),
            "YMap": ("映射", "a mapping")}


def _type_text(names) -> Localized:
    names = names if isinstance(names, list) else [names]
    return Localized("或".join(_TYPE_NAMES.get(n, (n, n))[0] for n in names),
                     " or ".join(_TYPE_NAMES.get(n, (n, n))[1] for n in names))


def _number_in_text(inst, schema: dict, expected) -> Localized:
    """A number typed as text ("12万", "1,234", full-width "１２５０"): say which number to write,
    and that the unit is already the field's. Empty when the text holds no such number."""
    kinds = expected if isinstance(expected, list) else [expected]
    if not isinstance(inst, str) or not {"integer", "number"} & set(kinds):
        return Localized("", "")
    unit = schema.get("x-unit", "") if isinstance(schema, dict) else ""
    text = unicodedata.normalize("NFKC", inst).strip().replace(",", "")
    if unit and text.endswith(unit):
        text = text[: -len(unit)].strip()
    elif text.endswith("万") and unit.startswith("万"):
        text = text[:-1].strip()
    if not re.fullmatch(r"-?\d+(\.\d+)?", text) or ("integer" in kinds and "number" not in kinds and "." in text):
        return Localized("", "")
    unit_zh = f"，单位已是{unit}" if unit else ""
    unit_en = f"; the unit is already {unit}" if unit else ""
    return Localized(f"（请填写数字 {text}，不加引号{unit_zh}）", f" (write the number {text}, without quotes{unit_en})")


# JSON Schema formats in words: (zh, en, the form expected, that form in words zh and en, an example).
_FORMATS = {"date": ("日期", "date", "YYYY-MM-DD", "年-月-日，用短横线分隔", "year-month-day with hyphens", "2024-09-01"),
            "date-time": ("日期时间", "date and time", "YYYY-MM-DDThh:mm:ss", "年-月-日T时:分:秒", "date T time",
                          "2024-09-01T08:00:00"),
            "time": ("时间", "time", "hh:mm:ss", "时:分:秒", "hours:minutes:seconds", "08:00:00")}


def reason(err, lang_hint_props=None) -> Localized:
    v = err.validator
    inst = err.instance
    if v == "required":
        missing = [k for k in err.validator_value if not (isinstance(inst, dict) and k in inst)]
        # jsonschema yields one error per missing key; each names them all, and the caller
        # drops the repeats, so a school missing two keys gets one line naming both.
        names = [f"'{k}'" for k in missing] or ["?"]
        return Localized(f"缺少必填项 {'、'.join(names)}", f"missing required key {', '.join(names)}")
    if v == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        extras = [k for k in inst if k not in allowed] if isinstance(inst, dict) else []
        key = extras[0] if extras else "?"
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hint_zh = f"，是否指 '{close[0]}'？" if close else f"（可用：{'、'.join(allowed)}）"
        hint_en = f"; did you mean '{close[0]}'?" if close else f" (allowed: {', '.join(allowed)})"
        return Localized(f"不认识的键 '{key}'{hint_zh}", f"unknown key '{key}'{hint_en}")
    if v == "enum":
        choices = [str(c) for c in err.validator_value]
        close = difflib.get_close_matches(str(inst), choices, n=1)
        hint = (f"，是否指 '{close[0]}'？", f"; did you mean '{close[0]}'?") if close else ("", "")
        return Localized(f"取值 '{inst}' 无效，应为 {'、'.join(choices)} 之一{hint[0]}",
                         f"invalid value '{inst}', expected one of {', '.join(choices)}{hint[1]}")
    printed = "(\\.[0-9]+)?" in str(err.schema.get("pattern", ""))   # a figure as printed (facts.reported)
    if printed and v in ("type", "pattern"):
        shown = _num(inst) if isinstance(inst, (int, float, Fraction)) and not isinstance(inst, bool) else f"'{inst}'"
        return Localized(f"公布值应按公布的写法写成带引号的小数（如 \"0.50\"，保留末位的0），这里是 {shown}",
                         f'a published figure is written as printed, a quoted decimal (e.g. "0.50", keeping its '
                         f"trailing zeros); found {shown}")
    if v == "type":
        t = _type_text(err.validator_value)
        found = _TYPE_OF.get(type(inst).__name__)
        shown = Localized(found[0], found[1]) if found else Localized(f"'{inst}'", f"'{inst}'")
        hint = _number_in_text(inst, err.schema, err.validator_value)
        return Localized(f"应为{t.zh}，这里是{shown.zh}{hint.zh}", f"expected {t.en}, found {shown.en}{hint.en}")
    if v == "pattern":
        pattern = err.validator_value
        if "\\d{4}" in pattern:
            return Localized(f"'{inst}' 不是 YYYY-MM-DD 格式的日期", f"'{inst}' is not a YYYY-MM-DD date")
        return Localized(f"'{inst}' 格式不对（只能用字母、数字、下划线等，且不以数字开头）",
                         f"'{inst}' is not well-formed (letters, digits, underscore; not starting with a digit)")
    if v in ("minLength", "minProperties", "minItems"):
        return Localized("不能为空", "must not be empty")
    if v == "anyOf":
        options = [s.get("required", [None])[0] for s in err.validator_value if "required" in s]
        if options:
            return Localized(f"须包含以下之一：{'、'.join(options)}", f"needs one of: {', '.join(options)}")
    if v == "const":
        return Localized(f"应为 '{err.validator_value}'", f"must be '{err.validator_value}'")
    if v in ("minimum", "exclusiveMinimum"):
        return Localized(f"数值 {_num(inst)} 小于下限 {err.validator_value}", f"{_num(inst)} is below the minimum {err.validator_value}")
    if v in ("maximum", "exclusiveMaximum"):
        if err.schema.get("x-unit") == "1" and err.validator_value == 1 and 1 < inst <= 100:
            # A rate typed as a percentage (91 for 91 %): say what to write instead.
            share = _num(Fraction(str(inst)) / 100)
            return Localized(f"数值 {_num(inst)} 大于上限 1：比例请填小数，{_num(inst)}% 应写作 {share}",
                             f"{_num(inst)} is above the maximum 1: write a rate as a fraction, {_num(inst)} % as {share}")
        return Localized(f"数值 {_num(inst)} 大于上限 {err.validator_value}", f"{_num(inst)} is above the maximum {err.validator_value}")
    if v == "format":
        expected = _FORMATS.get(err.validator_value)
        if expected is not None:
            zh, en, form, form_zh, form_en, example = expected
            return Localized(f"'{inst}' 不是有效的{zh}：应为 {form} 格式（{form_zh}），如 {example}",
                             f"'{inst}' is not a valid {en}: expected {form} ({form_en}), e.g. {example}")
        return Localized(f"'{inst}' 不符合 {err.validator_value} 格式", f"'{inst}' is not a valid {err.validator_value}")
    if v == "propertyNames":
        return Localized(f"键 '{inst}' 格式不对", f"key '{inst}' is not well-formed")
    if v == "uniqueItems":
        return Localized("列表中有重复项", "the list has duplicate items")
    return Localized(err.message, err.message)


def _num(x):
    if isinstance(x, Fraction):
        return format(float(x), "g") if x.denominator != 1 else str(x.numerator)
    return str(x)


def path_text(path) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def yaml_node_at(data, path):
    """The YAML node at a JSON path, or the nearest enclosing one; and whether it is the exact node."""
    node = getattr(data, "node", None)
    current = data
    for part in path:
        if isinstance(current, YMap):
            if part not in current:
                # date keys were turned into strings for validation
                match = next((k for k in current if str(k) == part), None)
                if match is None:
                    return node
                part = match
            node = current.value_nodes[part]
            current = current[part]
        elif isinstance(current, YList) and isinstance(part, int) and part < len(current):
            node = current.item_nodes[part]
            current = current[part]
        else:
            return node
    return node


def validate_yaml(data, schema: dict, file: str, what: Localized) -> list[tuple[tuple, Diagnostic]]:
    """Validate YAML-loaded data: (JSON path, diagnostic at the offending node) per problem."""
    from jsonschema import Draft202012Validator  # slow to import; a cached `check` never validates YAML
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    out = []
    for err in sorted(validator.iter_errors(plain(data)), key=lambda e: [str(p) for p in e.absolute_path]):
        err = _deepest(err)
        path = list(err.absolute_path)
        target = path
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = err.schema.get("properties", {})
            extras = [k for k in err.instance if k not in allowed]
            container = _walk(data, path)
            if extras and isinstance(container, YMap):
                key = next((k for k in container if str(k) == extras[0]), None)
                if key is not None:
                    node = container.key_nodes[key]
                    out.append((tuple(path), Diagnostic("E103", node_location(file, node), {
                        "where": _where(what, path), "reason": reason(err)})))
                    continue
        node = yaml_node_at(data, target)
        loc = node_location(file, node) if node is not None else Location(file, 1, 1)
        found = (tuple(path), Diagnostic("E103", loc, {"where": _where(what, path), "reason": reason(err)}))
        if found not in out:
            out.append(found)
    return out


def _deepest(err):
    """For "matches none of the forms" (oneOf/anyOf), the problem inside the form that came closest —
    `passs` where a status belongs — rather than jsonschema's English dump of the whole value.
    anyOf of `required` alternatives keeps its own message (須包含以下之一)."""
    from jsonschema.exceptions import best_match
    while err.validator in ("oneOf", "anyOf") and err.context and \
            not (err.validator == "anyOf" and any("required" in s for s in err.validator_value)):
        branches: dict = {}
        for e in err.context:
            branches.setdefault(e.schema_path[0], []).append(e)
        # the forms whose type the value has (a list where a list may be): the mistake is inside one
        fitting = [errs for errs in branches.values()
                   if not any(e.validator == "type" and not e.relative_path for e in errs)]
        if not fitting:
            return err
        err = best_match([e for errs in fitting for e in errs])
    return err


def _walk(data, path):
    current = data
    for part in path:
        try:
            current = current[part]
        except (KeyError, IndexError, TypeError):
            return None
    return current


def _where(what: Localized, path) -> Localized:
    p = path_text(path)
    if not p:
        return what
    return Localized(f"{what.zh} {p} ", f"{what.en} {p}")
