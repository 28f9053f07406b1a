"""Record validation before any rule runs: JSON syntax, the record schema (every problem,
with its JSON pointer), unknown fields (warnings), and what a schema cannot say
(unique school ids, one history entry per year)."""
from __future__ import annotations

import difflib
import json
from pathlib import Path

from jsonschema import Draft202012Validator

from . import schema_errors
from .diagnostics import Diagnostic, Localized, Location
from .dsl.names import _resolve, load_record_schema
from .record import loads


def pointer(path) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def read_record(path: Path) -> tuple[dict | None, list[Diagnostic]]:
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Diagnostic("E100", Location(file), {"reason": exc.strerror or str(exc)})]
    return parse_record(text, file)


def parse_record(text: str, file: str) -> tuple[dict | None, list[Diagnostic]]:
    """A record given as text (a file's content, or one line of JSON Lines named `file`)."""
    try:
        data = loads(text)
    except json.JSONDecodeError as exc:
        return None, [Diagnostic("E110", Location(file, exc.lineno, exc.colno), {"reason": _json_reason(exc.msg)})]
    return data, validate_record(data, file)


_JSON_REASONS = {
    "Expecting ',' delimiter": ("缺少逗号", "expecting ','"),
    "Expecting property name enclosed in double quotes": ("键名须用双引号括起（或多了一个逗号）", "expecting a double-quoted key (or a trailing comma)"),
    "Expecting value": ("此处缺少值", "expecting a value"),
    "Expecting ':' delimiter": ("缺少冒号", "expecting ':'"),
    "Extra data": ("文件末尾有多余内容", "extra data after the document"),
    "Unterminated string starting at": ("字符串没有结束引号", "unterminated string"),
}


def _json_reason(msg: str) -> Localized:
    for key, (zh, en) in _JSON_REASONS.items():
        if msg.startswith(key):
            return Localized(zh, en)
    return Localized(msg, msg)


def validate_record(data, file: str) -> list[Diagnostic]:
    schema = load_record_schema()
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    out = []
    for err in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        path = list(err.absolute_path)
        if err.validator == "additionalProperties":
            continue
        out.append(Diagnostic("E111", Location(file, pointer=pointer(path)), {"reason": schema_errors.reason(err)}))
    out.extend(_unknown_fields(schema, schema, data, [], file))
    if isinstance(data, dict):
        out.extend(_uniqueness(data, file))
    return out


def _unknown_fields(root, node, value, path, file) -> list[Diagnostic]:
    node = _resolve(root, node)
    out = []
    if isinstance(value, dict) and "properties" in node:
        props = node["properties"]
        open_ended = "additionalProperties" in node or "patternProperties" in node
        for key, item in value.items():
            if key in props:
                out.extend(_unknown_fields(root, props[key], item, path + [key], file))
            elif open_ended and isinstance(node.get("additionalProperties"), dict):
                out.extend(_unknown_fields(root, node["additionalProperties"], item, path + [key], file))
            elif not open_ended:
                close = difflib.get_close_matches(key, list(props), n=1)
                hint = Localized(f"（是否指 '{close[0]}'？）", f" (did you mean '{close[0]}'?)") if close else Localized("", "")
                out.append(Diagnostic("W116", Location(file, pointer=pointer(path + [key])),
                                      {"key": key, "hint": hint}, "warning"))
    elif isinstance(value, dict) and isinstance(node.get("additionalProperties"), dict):
        for key, item in value.items():
            out.extend(_unknown_fields(root, node["additionalProperties"], item, path + [key], file))
    elif isinstance(value, list) and "items" in node:
        for i, item in enumerate(value):
            out.extend(_unknown_fields(root, node["items"], item, path + [i], file))
    return out


def _uniqueness(data: dict, file: str) -> list[Diagnostic]:
    """School ids and history years must not repeat (a schema cannot say so)."""
    out = []
    for collection, key, code in (("schools", "id", "E112"), ("history", "year", "E113")):
        seen: dict = {}
        for i, item in enumerate(data.get(collection) or []):
            if isinstance(item, dict) and key in item:
                value = item[key]
                if value in seen:
                    out.append(Diagnostic(code, Location(file, pointer=f"/{collection}/{i}/{key}"),
                                          {key: value, "first": f"/{collection}/{seen[value]}/{key}"}))
                else:
                    seen[value] = i
    return out
