"""Record validation before any rule runs: JSON syntax, the record schema (every problem,
with its JSON pointer), unknown fields (warnings), and what a schema cannot say
(unique school ids, one history entry per year).

A compiled validator (schema_fast) decides valid / not valid and finds the unknown fields in
one walk; only a record that is not valid goes through jsonschema, which says where and why."""
from __future__ import annotations

import difflib
import functools
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from . import encoding, schema_errors
from .diagnostics import Diagnostic, Localized, Location
from .fieldnames import field_label
from .oserrors import os_reason
from .dsl.names import _resolve, load_record_schema, schema_at
from .record import MAX_RECORD_MB, DuplicateKey, loads, pointer
from .schema_fast import Unsupported, compile_schema, in_range


def read_record(path: Path, max_mb: float = MAX_RECORD_MB) -> tuple[dict | None, list[Diagnostic]]:
    """The record at `path` and what is wrong with it (data is None when it cannot be read)."""
    data, diagnostics, _ = load_record(path, max_mb)
    return data, diagnostics


def load_record(path: Path, max_mb: float = MAX_RECORD_MB) -> tuple[dict | None, list[Diagnostic], bytes | None]:
    """As read_record, plus the bytes read (the report hashes exactly what was checked)."""
    file = str(path)
    from .table_files import is_tables
    if is_tables(path):        # an .xlsx workbook or a folder of CSV files (table_files.py)
        from .table_files import load
        return load(Path(path), file, max_mb)
    try:
        size = Path(path).stat().st_size
        if size > max_mb * 1_000_000:
            return None, [too_large(file, size, max_mb)], None
        source = Path(path).read_bytes()
    except OSError as exc:
        return None, [Diagnostic("E100", Location(file), {"reason": os_reason(exc)})], None
    data, diagnostics = parse_record(source, file)
    return data, diagnostics, source


def too_large(file: str, size: int, max_mb: float) -> Diagnostic:
    return Diagnostic("E122", Location(file), {"size": f"{size / 1_000_000:.1f}", "limit": f"{max_mb:g}"})


def parse_record(source: bytes | str, file: str) -> tuple[dict | None, list[Diagnostic]]:
    """A record given as bytes or text (a file's content, or one line of JSON Lines named `file`)."""
    notices: list[Diagnostic] = []
    if isinstance(source, bytes) and not source.startswith(_BOM_STARTS):
        try:
            data = loads(source)           # the common case: UTF-8 bytes straight to the parser
        except UnicodeDecodeError:
            pass                           # not UTF-8: encoding.decode below says what it is
        except json.JSONDecodeError as exc:
            return None, [_json_error(exc, file)]
        except DuplicateKey as exc:
            return None, [_duplicate(exc, file)]
        else:
            return data, validate_record(data, file)
    if isinstance(source, bytes):
        try:
            decoded = encoding.decode(source)
        except encoding.NotText as exc:
            return None, [encoding.problem(exc, file)]
        source, notices = decoded.text, encoding.notice(decoded, file)
    try:
        data = loads(source)
    except json.JSONDecodeError as exc:
        return None, notices + [_json_error(exc, file)]
    except DuplicateKey as exc:
        return None, notices + [_duplicate(exc, file)]
    return data, notices + validate_record(data, file)


# Any BOM: such files go through encoding.decode, which knows them.
_BOM_STARTS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


def unknown_as_errors(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """`check` without --allow-unknown-fields: an unknown field (W116) is an error (E120). A
    misspelt `studens` would otherwise leave `students` missing and the county 无法判定."""
    return [Diagnostic("E120", d.location, d.args) if d.code == "W116" else d for d in diagnostics]


def _duplicate(exc: DuplicateKey, file: str) -> Diagnostic:
    """E119 at the second occurrence, naming the first: JSON readers keep one silently."""
    line, column = exc.second
    return Diagnostic("E119", Location(file, line, column), {
        "key": exc.key, "pointer": exc.pointer, "first": f"{exc.first[0]}:{exc.first[1]}"})


def _json_error(exc: json.JSONDecodeError, file: str) -> Diagnostic:
    return Diagnostic("E110", Location(file, exc.lineno, exc.colno), {"reason": _json_reason(exc.msg)})


_JSON_REASONS = {
    "Expecting ',' delimiter": ("缺少逗号", "expecting ','"),
    "Expecting property name enclosed in double quotes": ("键名须用双引号括起（或多了一个逗号）", "expecting a double-quoted key (or a trailing comma)"),
    "Expecting value": ("此处缺少值", "expecting a value"),
    "Expecting ':' delimiter": ("缺少冒号", "expecting ':'"),
    "Extra data": ("文件末尾有多余内容", "extra data after the document"),
    "Unterminated string starting at": ("字符串没有结束引号", "unterminated string"),
    "Nesting deeper than": ("嵌套层数过多（超过 200 层）", "nested more than 200 levels deep"),
}


def _json_reason(msg: str) -> Localized:
    for key, (zh, en) in _JSON_REASONS.items():
        if msg.startswith(key):
            return Localized(zh, en)
    return Localized(msg, msg)


def validate_record(data, file: str) -> list[Diagnostic]:
    """Schema errors (E111), unknown fields (W116, warnings) and repeated ids or years."""
    fast = _compiled_record_schema()
    if fast is not None:
        valid, unknown = fast(data)
        if valid:
            # The schema does not look inside unknown fields; their numbers are still loaded.
            out_of_range = [d for u in unknown for d in magnitudes(_value_at(data, [*u.path, u.key]), file,
                                                                    [*u.path, u.key])]
            if out_of_range:
                return out_of_range
            out = [_unknown_field(list(u.path), u.key, u.known, file) for u in unknown]
            if isinstance(data, dict):
                out.extend(_uniqueness(data, file))
            return out
    # Numbers no record can hold (1e400, NaN, a thousand-digit integer) are reported alone:
    # the schema's messages would print them in full, and NaN compares with nothing.
    out_of_range = magnitudes(data, file)
    if out_of_range:
        return out_of_range
    # Not valid (or a schema the compiler does not take): jsonschema says where and why. Its
    # messages show numbers as Fractions did before decimals were loaded as Decimal.
    return _validate_with_jsonschema(_decimals_as_fractions(data), file)


@functools.lru_cache(maxsize=1)
def _compiled_record_schema():
    try:
        return compile_schema(load_record_schema())
    except Unsupported:
        return None


def _decimals_as_fractions(value):
    if isinstance(value, dict):
        return {k: _decimals_as_fractions(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decimals_as_fractions(v) for v in value]
    return Fraction(value) if isinstance(value, Decimal) else value


def magnitudes(data, file: str, at: list | None = None) -> list[Diagnostic]:
    """E118 for every number outside what a record can hold (see schema_fast.MAGNITUDE), with
    the field's title and unit from the record schema."""
    schema = load_record_schema()
    out: list[Diagnostic] = []

    stack = [(data, list(at or []))]            # no recursion: an invalid record may be nested very deep
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            stack.extend((item, path + [key]) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((value[i], path + [i]) for i in reversed(range(len(value))))
        elif not in_range(value):
            where = pointer(path)
            node = schema_at(schema, where)
            out.append(Diagnostic("E118", Location(file, pointer=where), {
                "title": Localized(field_label(where, "zh"), field_label(where, "en")), "value": _short(value),
                # The English title already says the unit: "students (persons)".
                "unit": Localized(node.get("x-unit", ""), ""), "limit": "1e12"}))
    return out


def _value_at(data, path: list):
    for part in path:
        data = data[part]
    return data


def _short(value) -> str:
    text = str(value)
    return text if len(text) <= 24 else f"{text[:12]}…（{len(text)} 位）"


def _validate_with_jsonschema(data, file: str) -> list[Diagnostic]:
    # Imported here: only a record that is not valid comes this way, and importing jsonschema
    # is ≈ 0.1 s of every cold `check`.
    from jsonschema import Draft202012Validator
    schema = load_record_schema()
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    out = []
    for err in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        path = list(err.absolute_path)
        if err.validator == "additionalProperties":
            continue
        where = pointer(path)
        field = Localized(field_label(where, "zh") + "：", field_label(where, "en") + ": ") if path else ""
        found = Diagnostic("E111", Location(file, pointer=where), {"field": field, "reason": schema_errors.reason(err)})
        if found not in out:
            out.append(found)
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
                out.append(_unknown_field(path, key, props, file))
    elif isinstance(value, dict) and isinstance(node.get("additionalProperties"), dict):
        for key, item in value.items():
            out.extend(_unknown_fields(root, node["additionalProperties"], item, path + [key], file))
    elif isinstance(value, list) and "items" in node:
        for i, item in enumerate(value):
            out.extend(_unknown_fields(root, node["items"], item, path + [i], file))
    return out


def _unknown_field(path: list, key: str, known, file: str) -> Diagnostic:
    """W116: a key the schema does not describe at `path`, with the closest known key as a hint."""
    close = difflib.get_close_matches(key, list(known), n=1)
    hint = Localized(f"（是否指 '{close[0]}'？）", f" (did you mean '{close[0]}'?)") if close else Localized("", "")
    return Diagnostic("W116", Location(file, pointer=pointer(path + [key])), {"key": key, "hint": hint}, "warning")


def _uniqueness(data: dict, file: str) -> list[Diagnostic]:
    """School ids and history years must not repeat, and history is of earlier years (a schema
    cannot say so)."""
    out = []
    counties = data.get("counties") if isinstance(data.get("counties"), list) else []
    # A county's own history (city records) may not repeat a year either.
    nested = [(f"counties/{i}/history", c.get("history"), "year", "E113")
              for i, c in enumerate(counties) if isinstance(c, dict)]
    for collection, items, key, code in [("schools", data.get("schools"), "id", "E112"),
                                         ("history", data.get("history"), "year", "E113"), *nested]:
        if not isinstance(items, list):
            continue    # a wrong type is the schema's E111; nothing to compare
        seen: dict = {}
        for i, item in enumerate(items):
            # a value of the wrong type (a list, an object) is the schema's E111; compare the rest
            if isinstance(item, dict) and isinstance(item.get(key), (str, int)):
                value = item[key]
                if value in seen:
                    out.append(Diagnostic(code, Location(file, pointer=f"/{collection}/{i}/{key}"),
                                          {key: value, "first": f"/{collection}/{seen[value]}/{key}"}))
                else:
                    seen[value] = i
                # History is the years before the record's; a later one is a typo or another record.
                if key == "year" and isinstance(value, int) and isinstance(data.get("year"), int) \
                        and value >= data["year"]:
                    out.append(Diagnostic("E121", Location(file, pointer=f"/{collection}/{i}/year"),
                                          {"year": value, "record_year": data["year"]}))
    return out
