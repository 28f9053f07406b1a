"""record.loads takes a fast parser (msgspec) where it can vouch for the answer and the standard
one otherwise. Every outcome must be the standard one's: the same data with the same types, or
the same error (JSONDecodeError with its message and position, DuplicateKey with both places,
UnicodeDecodeError). These tests compare the two on texts made to hit each case the fast path
must refuse, and check that ordinary records do take the fast path.
"""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from compliance.record import _NOT_FAST, MAX_DEPTH, DuplicateKey, _fast_loads, _standard_loads, loads
from helpers import typed

ROOT = Path(__file__).resolve().parent.parent


def outcome(parse, source):
    try:
        return ("data", typed(parse(source)))
    except DuplicateKey as exc:
        return ("DuplicateKey", exc.pointer, exc.key, exc.first, exc.second)
    except json.JSONDecodeError as exc:
        return ("JSONDecodeError", exc.msg, exc.lineno, exc.colno, exc.pos)
    except UnicodeDecodeError as exc:
        return ("UnicodeDecodeError", str(exc))


def same_as_standard(source) -> None:
    assert outcome(loads, source) == outcome(_standard_loads, source)


# --- what the fast path must leave to the standard parser --------------------------------------

REPEATED = [
    b'{"a": 1, "a": 1}',
    b'{"a": 1, "b": {"c": 2, "c": 3}}',
    b'{"schools": [{"id": "A"}, {"id": "B", "sections": {"primary": {}, "primary": {}}}]}',
    b'[[{"x": [1, {"y": 1, "y": 2}]}]]',
    b'{"a": 1, "\\u0061": 2}',                       # the same key, spelt two ways
    b'{"\\u0061": 1, "a": {"k": "v"}}',
    b'{"a:b": 1, "a:b": 2}',                         # colons inside the repeated key
    b'{"n": "x:y:z", "n": "1"}',                     # and inside the lost value
    b'{"k": {"d": "a:b"}, "k": 1, "s": "::"}',
    b'{"\\u003a": 1, "\\u003a": 2}',                 # an escaped colon
    b'{"a": "\\u003a", "a": 2, "b": "x:"}',
    b'{"a": "\\u003A", "b": 1, "b": 2, "c": ":"}',
    b'{"a": 1, "b": 2, "a": 3}',
    b'{"": 1, "": 2}',
    b'{"\xe5\x90\x8d": 1, "\\u540d": 2}',            # 名 as UTF-8 and as an escape
]


@pytest.mark.parametrize("source", REPEATED)
def test_a_repeated_key_is_found_with_both_places(source):
    assert _fast_loads(source) is _NOT_FAST
    with pytest.raises(DuplicateKey):
        loads(source)
    same_as_standard(source)
    same_as_standard(source.decode("utf-8"))         # text as well as bytes


def nested(depth: int, inner: bytes = b"1") -> bytes:
    return b'{"a": ' * depth + inner + b"}" * depth


@pytest.mark.parametrize("source", [
    b"9" * 4000,                                     # an int() the standard parser still makes
    b"-" + b"9" * 4000,                              # 4,001 characters: a Decimal there
    b'{"n": ' + b"1" * 4001 + b"}",
    b"[" + b"1" * 4300 + b"]",                       # as long as int() takes
    b"[" + b"1" * 5000 + b"]",                       # longer: msgspec refuses, int() too
    b'{"n": ' + b"7" * 3999 + b"}",
])
def test_integers_too_long_for_int_are_left_to_the_standard_parser(source):
    same_as_standard(source)


def test_an_integer_of_4001_characters_is_a_decimal_as_before():
    assert type(loads(b"-" + b"9" * 4000)) is Decimal and type(loads(b"9" * 4000)) is int


@pytest.mark.parametrize("source", [b'{"a": NaN}', b'[1, -Infinity]', b'{"b": Infinity}', b"NaN"])
def test_nan_and_infinity_load_as_decimals_as_before(source):
    assert _fast_loads(source) is _NOT_FAST
    same_as_standard(source)


@pytest.mark.parametrize("depth", [1, 50, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 400, 985, 990, 995, 1000, 3000])
def test_deep_nesting_has_the_outcome_it_had(depth):
    same_as_standard(nested(depth))
    same_as_standard(b"[" * depth + b"]" * depth)
    if depth > MAX_DEPTH:
        assert _fast_loads(nested(depth)) is _NOT_FAST


def test_brackets_inside_strings_do_not_count_as_nesting():
    shallow = b'{"s": "' + b"]" * 300 + b'", "t": [' + b'{"x": 1}, ' * 300 + b"1]}"
    assert _fast_loads(shallow) is not _NOT_FAST
    same_as_standard(shallow)
    # closing brackets in a string before a deep part must not hide its depth
    hiding = b'{"s": "' + b"]}" * 400 + b'", "d": ' + nested(MAX_DEPTH + 5) + b"}"
    assert _fast_loads(hiding) is _NOT_FAST
    same_as_standard(hiding)
    # an escaped quote: strings cannot be cut at quotes, so a text with many brackets is left alone
    quoted = b'{"s": "\\"]]]", "d": ' + nested(MAX_DEPTH + 5) + b"}"
    assert _fast_loads(quoted) is _NOT_FAST
    same_as_standard(quoted)


@pytest.mark.parametrize("source", [
    b'"\\ud800"', b'{"a": "\\udc00\\ud800"}', b"\xef\xbb\xbf{}", b'"\xff"', b'{"a": "\xed\xa0\x80"}',
    b'"\xc0\xaf"', b'{"a": "a\tb"}', b"", b" ", b"01", b"1.", b"[1,]", b'{"a":1,}', b'"\\x"', b"-0",
    b"[1.0, 1E5, -0.0, 1e-400, 1e400, 0.1e1, 1.5E+3]", b'"\x7f"', b'{"a" :1 , "b":[ ]}  \n', b" \x0c{}",
    b"true false", b"\x00", b'{"a": 1}}', b"[\n\n  1,\n  2\n", b'{"\xe5\x90\x8d": "\xe5\xbb\xb6"}',
])
def test_edge_cases_have_the_standard_outcome(source):
    same_as_standard(source)
    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError:
        return
    same_as_standard(text)


def test_text_with_a_lone_surrogate_is_parsed_as_before():
    same_as_standard('{"a": "\ud800"}')


# --- generated texts ---------------------------------------------------------------------------

KEYS = ["a", "b", "a:b", ":", "名", ""]


def key_text(key: str, escape: bool) -> str:
    if escape and key:       # the same key with its first character as a \\u escape
        return '"' + "\\u%04x" % ord(key[0]) + json.dumps(key, ensure_ascii=False)[2:]
    return json.dumps(key, ensure_ascii=False)


def texts(depth: int = 0):
    leaves = st.one_of(st.sampled_from(["1", "-0", "0.10", "1e5", "true", "null", '"x:y"', '"]}"', '"\\u003a"',
                                        '"\\""', "12345678901234567890123", "-1.5E-3", '"中"']))
    if depth >= 3:
        return leaves
    inner = texts(depth + 1)
    members = st.lists(st.tuples(st.sampled_from(KEYS), st.booleans(), inner), max_size=4)
    objects = members.map(lambda ms: "{" + ", ".join(f"{key_text(k, e)}: {v}" for k, e, v in ms) + "}")
    arrays = st.lists(inner, max_size=4).map(lambda vs: "[" + ",".join(vs) + "]")
    return st.one_of(leaves, objects, arrays)


@given(texts())
def test_generated_texts_with_repeats_escapes_and_colons_have_the_standard_outcome(text):
    same_as_standard(text.encode("utf-8"))
    same_as_standard(text)


@given(texts(), st.data())
def test_damaged_texts_have_the_standard_outcome(text, data):
    at = data.draw(st.integers(0, len(text)))
    insert = data.draw(st.sampled_from(["", ",", "}", "]", "{", "[", ":", '"', "\\", "0", "e", "-", " ", "中"]))
    same_as_standard((text[:at] + insert + text[at + data.draw(st.integers(0, 2)):]).encode("utf-8"))


# --- ordinary records take the fast path --------------------------------------------------------

@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.json")), ids=lambda p: p.name)
def test_example_records_take_the_fast_path_and_load_as_before(path):
    source = path.read_bytes()
    assert _fast_loads(source) is not _NOT_FAST
    assert typed(loads(source)) == typed(_standard_loads(source))


def test_a_record_written_with_escaped_chinese_takes_the_fast_path():
    record = json.loads((ROOT / "examples" / "county-fail.json").read_bytes(), parse_float=Decimal)
    source = json.dumps(record, ensure_ascii=True, default=str).encode("ascii")
    assert b"\\u" in source and _fast_loads(source) is not _NOT_FAST
    same_as_standard(source)


def depth_of(value) -> int:
    return 1 + max(map(depth_of, value.values() if isinstance(value, dict) else value), default=0) \
        if isinstance(value, (dict, list)) else 0


nests = st.recursive(st.sampled_from(["1", '"[{"', '"]}"', '"x"']),
                     lambda inner: st.one_of(st.lists(inner, max_size=3).map(lambda vs: "[" + ",".join(vs) + "]"),
                                             st.lists(inner, max_size=3).map(
                                                 lambda vs: "{" + ",".join(f'"k{i}":{v}' for i, v in enumerate(vs)) + "}")),
                     max_leaves=40)


@given(nests, st.integers(1, 12))
def test_the_nesting_bound_is_never_below_the_depth(text, limit):
    from compliance.record import _deeper_than
    depth = depth_of(json.loads(text))
    if depth > limit:
        assert _deeper_than(text.encode(), limit)
    if depth <= limit // 2:
        assert not _deeper_than(text.encode(), limit)


@pytest.mark.parametrize("text,loaded", [
    ("1e11111111111111111111", Decimal("Infinity")), ("-1E+99999999999999999999", Decimal("-Infinity")),
    ("2.5e-99999999999999999999", Decimal("1E-999999999999999999")), ("-0.0e99999999999999999999", Decimal("-0")),
])
def test_an_exponent_beyond_decimal_loads_as_out_of_range_and_is_named(text, loaded):
    """Decimal refuses such an exponent (it was an internal error): the number loads as out of
    range, on both paths, and validation names its field like any other (E118)."""
    from compliance.validate import parse_record
    source = ('{"format_version": "1", "year": ' + text + "}").encode()
    same_as_standard(source)
    got = loads(source)["year"]
    assert type(got) is Decimal and str(got) == str(loaded)
    data, diagnostics = parse_record(source, "r.json")
    if loaded:
        assert [(d.code, d.location.pointer) for d in diagnostics] == [("E118", "/year")]
