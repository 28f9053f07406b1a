"""Fast record input against the slow reference.

Parsing: `record.loads` (Decimals from the literal text, a repeated key refused) gives the values
the standard parser gives, and for bad JSON the same message, line and column. Validation: the compiled
validator (schema_fast) says valid exactly when jsonschema (draft 2020-12, with the date format
checked) finds no error, on records drawn from the schema and on mutated ones, and
`validate_record` returns exactly the diagnostics of the jsonschema path (E111 reasons, W116
warnings with their hints, E112/E113), in Chinese and in English.
"""
from __future__ import annotations

import copy
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from jsonschema import Draft202012Validator

from compliance.dsl.names import load_record_schema
from compliance.record import DuplicateKey, exact, loads
from compliance.schema_fast import Unsupported, compile_schema
from compliance.strategies import records
from compliance.validate import (_compiled_record_schema, _decimals_as_fractions, _unknown_fields, magnitudes,
                                 _validate_with_jsonschema, load_record, pointer, read_record,
                                 validate_record)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
SCHEMA = load_record_schema()
JSONSCHEMA = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)


def typed(value):
    """A value with every type spelled out, so that 1, 1.0, Decimal('1.0') and True differ."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return (type(value).__name__, repr(value))


# --- parsing -----------------------------------------------------------------------------------

def test_numbers_come_from_their_text():
    data = loads(b'{"a": 0.1, "b": 1.10, "c": 1e-3, "d": 2024, "e": -0.0, "f": 2024.0, '
                 b'"g": 123456789012345678901234.000000000000000000001, "h": 1E+2}')
    assert typed(data) == typed({"a": Decimal("0.1"), "b": Decimal("1.10"), "c": Decimal("1e-3"), "d": 2024,
                                 "e": Decimal("-0.0"), "f": Decimal("2024.0"),
                                 "g": Decimal("123456789012345678901234.000000000000000000001"), "h": Decimal("1E+2")})
    assert typed(exact(data)) == typed({"a": Fraction(1, 10), "b": Fraction(11, 10), "c": Fraction(1, 1000), "d": 2024,
                                        "e": Fraction(0), "f": Fraction(2024),
                                        "g": Fraction(123456789012345678901234 * 10 ** 21 + 1, 10 ** 21),
                                        "h": Fraction(100)})
    assert loads('{"名称": 4.2}') == {"名称": Decimal("4.2")}   # text as well as bytes


def test_exact_keeps_floats_as_their_shortest_decimal_and_leaves_the_rest():
    assert typed(exact({"x": [0.1, True, None, "1.5", 7, Fraction(1, 3)]})) == \
        typed({"x": [Fraction(1, 10), True, None, "1.5", 7, Fraction(1, 3)]})


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10 ** 30, 10 ** 30),
              st.decimals(allow_nan=False, allow_infinity=False),
              st.text("a中\"\\\n\t é", max_size=5)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text("ab中", max_size=3), inner, max_size=4)),
    max_leaves=20)


def dump(value) -> str:
    """JSON text; a Decimal is written as its own text (which is a JSON number)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(dump(v) for v in value) + "]"
    if isinstance(value, Decimal):
        text = str(value)
        return text if any(c in text for c in ".eE") else text + ".0"
    return json.dumps(value, ensure_ascii=False)


def stdlib(text: str):
    return json.loads(text, parse_float=Decimal)


@given(json_values)
def test_loads_gives_what_the_standard_parser_gives(value):
    text = dump(value)
    assert typed(loads(text.encode("utf-8"))) == typed(stdlib(text))


def _same_outcome(text: str) -> None:
    try:
        expected = stdlib(text)
    except json.JSONDecodeError as exc:
        with pytest.raises(json.JSONDecodeError) as got:
            loads(text.encode("utf-8"))
        assert (got.value.msg, got.value.lineno, got.value.colno) == (exc.msg, exc.lineno, exc.colno)
    else:
        try:
            got = loads(text.encode("utf-8"))
        except DuplicateKey as exc:      # the standard parser keeps the last value silently
            assert _has_repeated_key(json.loads(text, object_pairs_hook=lambda pairs: pairs)), exc.pointer
        else:
            assert typed(got) == typed(expected)


def _has_repeated_key(value) -> bool:
    """Whether a JSON value parsed with object_pairs_hook=list repeats a key in some object."""
    if isinstance(value, list) and all(isinstance(p, tuple) and len(p) == 2 for p in value) and value:
        keys = [k for k, _ in value]
        return len(set(keys)) < len(keys) or any(_has_repeated_key(v) for _, v in value)
    if isinstance(value, list):
        return any(_has_repeated_key(v) for v in value)
    return False


BROKEN = ['{"a": 1,}', '{"a" 1}', '[1 2]', '{"a": "x', '{} x', '', '{"a": 01}', '{"a": 1.}', '{"a":"\x01"}',
          '\ufeff{"a": 1}', '{\n  "year": 2024\n  "as_of": "2024-09-01"\n}', '{"名称": "延平", 1}', '[', '{"a": -}',
          '{"a": .5}', '{"a": 1e}', '{"a": tru}', "{'a': 1}", '{"a": 1}}', '  \n\n   ]']


@pytest.mark.parametrize("text", BROKEN)
def test_bad_json_has_the_standard_message_line_and_column(text):
    _same_outcome(text)


@given(json_values, st.data())
def test_damaged_json_fails_or_parses_as_the_standard_parser_says(value, data):
    text = dump(value)
    at = data.draw(st.integers(0, len(text)))
    cut = data.draw(st.integers(0, 2))
    insert = data.draw(st.sampled_from(["", ",", "}", "]", "{", "[", ":", '"', "0", ".", "e", "-", " ", "\n", "中", "x"]))
    _same_outcome(text[:at] + insert + text[at + cut:])


@pytest.mark.parametrize("text,where", [('{"a": NaN}', "/a"), ('{\n "b": [1, -Infinity]}', "/b/1"),
                                        ('{"名": Infinity}', "/名")])
def test_nan_and_infinity_load_and_are_named_by_their_pointer(text, where):
    data = loads(text.encode("utf-8"))
    assert [(d.code, d.location.pointer) for d in magnitudes(data, "r.json")] == [("E118", where)]


def test_read_record_reports_syntax_and_encoding_errors_as_before(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "format_version": "1",\n  "year": 2024\n  "as_of": "2024-09-01"\n}', encoding="utf-8")
    data, diagnostics = read_record(bad)
    assert data is None and [(d.code, d.location.line, d.location.column) for d in diagnostics] == [("E110", 4, 3)]
    assert diagnostics[0].message("zh") == "JSON 语法错误：缺少逗号"
    assert diagnostics[0].message("en") == "JSON syntax error: expecting ','"

    latin = tmp_path / "latin.json"
    latin.write_bytes('{"jurisdiction": {"name": "Bücken"}}'.encode("latin-1"))
    data, diagnostics = read_record(latin)
    # not UTF-8, and not GB18030 either ('ü' 'k' would be the rare '點'): refused where it breaks
    assert data is None and [(d.code, d.location.line, d.location.column) for d in diagnostics] == [("E107", 1, 29)]

    nan = tmp_path / "nan.json"
    nan.write_text('{"format_version": "1",\n "year": NaN}', encoding="utf-8")
    data, diagnostics = read_record(nan)
    assert [(d.code, d.location.pointer) for d in diagnostics] == [("E118", "/year")]
    assert "NaN" in diagnostics[0].message("zh")


def test_load_record_returns_the_bytes_it_read():
    path = ROOT / "examples" / "county-fail.json"
    data, diagnostics, source = load_record(path)
    assert source == path.read_bytes() and diagnostics == [] and data == loads(source)


# --- validation --------------------------------------------------------------------------------

FAST = _compiled_record_schema()


def test_the_record_schema_compiles():
    assert FAST is not None


def jsonschema_valid(data) -> bool:
    return next(JSONSCHEMA.iter_errors(data), None) is None


def today(data, file="r.json"):
    """What validate_record gave before: jsonschema on the record as it was loaded then
    (decimals as Fractions)."""
    return _validate_with_jsonschema(_decimals_as_fractions(data), file)


def check_against_jsonschema(data) -> None:
    valid, unknown = FAST(data)
    assert valid == jsonschema_valid(data)
    if valid:
        reference = _unknown_fields(SCHEMA, SCHEMA, data, [], "r.json")
        assert [pointer(list(u.path) + [u.key]) for u in unknown] == [d.location.pointer for d in reference]
    # A number no record can hold is reported alone (E118), before the schema's messages.
    got, expected = validate_record(data, "r.json"), magnitudes(data, "r.json") or today(data)
    assert got == expected
    assert [d.message(lang) for d in got for lang in ("zh", "en")] == \
        [d.message(lang) for d in expected for lang in ("zh", "en")]


def as_loaded(value):
    """A drawn record (Fractions) as `loads` gives it: integers as int, other numbers as Decimal."""
    if isinstance(value, dict):
        return {k: as_loaded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_loaded(v) for v in value]
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else Decimal(value.numerator) / Decimal(value.denominator)
    return value


def as_float(value):
    """A drawn record as test cases hand it over (YAML numbers as floats)."""
    if isinstance(value, dict):
        return {k: as_float(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_float(v) for v in value]
    if isinstance(value, Fraction):
        return float(value)
    return value


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_shipped_examples(path):
    data = loads(path.read_bytes())
    check_against_jsonschema(data)
    assert FAST(data)[0]


@settings(max_examples=25)
@given(records(keep=frozenset({"schools", "sections", "facts", "history", "students"})))
def test_drawn_records_are_valid_for_both(record):
    for form in (as_loaded(record), record, as_float(record)):
        check_against_jsonschema(form)


def _places(value, path=()):
    """Every (container, key) in a record, in document order."""
    out = []
    if isinstance(value, dict):
        for k, v in value.items():
            out.append((value, k, path + (k,)))
            out.extend(_places(v, path + (k,)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.append((value, i, path + (i,)))
            out.extend(_places(v, path + (i,)))
    return out


WRONG = [None, True, False, "text", "", 0, -1, 1900, 2101, 2.0, 2.5, -0.001, Decimal("2024.0"), Decimal("-0.5"),
         Decimal("1.0000001"), Fraction(3, 2), Fraction(2), 10 ** 20, [], [1], {}, {"x": 1}, "2024-02-30", "2024-1-1",
         "2024-09-01", "20240901", "２０２４-09-01", "county", "metropolis", "met", "not_met", "national", "primary"]
KEYS = ["students", "studnets", "teachers", "year", "yaer", "schools", "名称", "x-extra", "status", "primary", "a/b~c"]


@st.composite
def mutated(draw):
    record = as_loaded(draw(records(keep=frozenset({"schools", "sections", "facts", "history", "students"}))))
    for _ in range(draw(st.integers(1, 3))):
        places = _places(record)
        how = draw(st.sampled_from(["replace", "delete", "add", "duplicate", "root"]))
        if how == "root" or not places:
            record = draw(st.sampled_from([[], "x", None, {}, {**record, draw(st.sampled_from(KEYS)): 1}]))
            if not isinstance(record, dict):
                return record
            continue
        container, key, _ = draw(st.sampled_from(places))
        if how == "replace":
            container[key] = copy.deepcopy(draw(st.sampled_from(WRONG)))
        elif how == "delete":
            del container[key]
        elif how == "add":
            target = container[key] if isinstance(container[key], dict) else container
            if isinstance(target, dict):
                target[draw(st.sampled_from(KEYS))] = copy.deepcopy(draw(st.sampled_from(WRONG)))
        elif how == "duplicate" and isinstance(container, list):
            container.append(copy.deepcopy(container[key]))
    return record


@settings(max_examples=40)
@given(mutated())
def test_mutated_records_are_judged_as_jsonschema_judges_them(record):
    check_against_jsonschema(record)


@st.composite
def with_unknown_keys(draw):
    """A valid record with keys added where no schema describes them (and some where one does)."""
    record = as_loaded(draw(records(keep=frozenset({"schools", "sections", "facts", "history", "students"}))))
    for _ in range(draw(st.integers(1, 4))):
        dicts = [record] + [c[k] for c, k, _ in _places(record) if isinstance(c[k], dict)]
        target = draw(st.sampled_from(dicts))
        target[draw(st.sampled_from(KEYS))] = draw(st.sampled_from(["x", 1, Decimal("0.5"), {"students": 1}]))
    return record


@settings(max_examples=40)
@given(with_unknown_keys())
def test_unknown_keys_give_the_same_warnings(record):
    check_against_jsonschema(record)


@pytest.mark.parametrize("mutate", [
    lambda r: r.update(year=True),
    lambda r: r.update(year=Decimal("2024.0")),
    lambda r: r.update(year=2024.0),
    lambda r: r.pop("jurisdiction"),
    lambda r: r["jurisdiction"].update(level="town"),
    lambda r: r.update(as_of="2024-02-30"),
    lambda r: r.update(packs=["national", "national"]),
    lambda r: r["facts"].update(certified_teacher_rate=Decimal("1.01")),
    lambda r: r["facts"]["veto"].update(fraud="no"),
    lambda r: r["facts"].setdefault("attestations", {}).update(G1={"status": "met", "date": "2024-13-01"}),
    lambda r: r["schools"][0]["sections"]["primary"].update(studnets=3),
    lambda r: r["schools"][0].update(shared=[]),
    lambda r: r["history"].append({"year": 2020, "students_totl": 1}),
    lambda r: r["schools"].append(copy.deepcopy(r["schools"][0])),
    lambda r: r.update(schools=1),          # not a list: E111, and the id check must not crash
    lambda r: r.update(history="2023"),
], ids=lambda f: "")
def test_targeted_mutations_of_a_shipped_example(mutate):
    record = loads((ROOT / "examples" / "county-fail.json").read_bytes())
    record.setdefault("facts", {}).setdefault("veto", {})
    record.setdefault("history", [{"year": 2023}])
    mutate(record)
    check_against_jsonschema(record)


# One value against one small schema, every type and bound rule jsonschema has for it.
SMALL = [{"type": "integer", "minimum": 0, "maximum": 10}, {"type": "number", "minimum": 0, "maximum": 1},
         {"type": "string", "minLength": 1}, {"type": "boolean"}, {"type": "array", "uniqueItems": True,
                                                                  "items": {"type": "string"}},
         {"type": "object", "required": ["a"]}, {"minimum": 1}, {"type": ["integer", "null"], "maximum": 5},
         {"type": "string", "format": "date"}, {"enum": ["a", "b"]}, {"const": "1"},
         {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?$"}, {"pattern": "a"}]
VALUES = [None, True, False, 0, 1, 10, 11, -1, 0.0, 1.0, 1.5, 10.0, Decimal("1"), Decimal("1.0"), Decimal("0.5"),
          Decimal("-0.0"), Fraction(1), Fraction(1, 2), "", "a", "1", "2024-02-29", "2023-02-29", "2024-09-01\n",
          "0.50", "0.50\n", "x0.50", "ba",
          [], ["a"], ["a", "a"], ["a", 1], {}, {"a": 1}, {"b": 1}]


@pytest.mark.parametrize("schema", SMALL, ids=lambda s: json.dumps(s))
def test_types_and_bounds_follow_jsonschema(schema):
    fast = compile_schema(schema)
    reference = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    for value in VALUES:
        assert fast(value)[0] == reference.is_valid(value), value


@pytest.mark.parametrize("schema", [{"properties": {"a": {"oneOf": []}}},
                                    {"type": "object", "additionalProperties": False},
                                    {"format": "email"}, {"enum": [1, 2]}, {"$ref": "http://example.com/s"},
                                    {"$defs": {"a": {"properties": {"x": {}}}}, "$ref": "#/$defs/a",
                                     "properties": {"x": {"type": "string"}}}])
def test_what_is_not_compiled_is_refused(schema):
    with pytest.raises(Unsupported):
        compile_schema(schema)


def test_a_school_missing_two_keys_gets_one_message_naming_both():
    record = loads((ROOT / "examples" / "county-fail.json").read_bytes())
    record["schools"] = [{"id": "a"}]
    found = [d for d in validate_record(record, "r.json") if d.location.pointer == "/schools/0"]
    assert [d.args["reason"].en for d in found] == ["missing required key 'name', 'type'"]


def test_a_county_history_year_may_not_repeat():
    """A city record's counties each keep one entry per year, like the record's own history."""
    record = loads((ROOT / "examples" / "guigang-2021.json").read_bytes())
    assert not [d for d in validate_record(record, "r.json") if d.code == "E113"]
    record["counties"][2]["history"].append({"year": 2019})
    (dup,) = [d for d in validate_record(record, "r.json") if d.code == "E113"]
    assert dup.location.pointer == "/counties/2/history/3/year"
    assert dup.args["first"] == "/counties/2/history/1/year"


@settings(max_examples=10)
@given(records(level="city", counties=True))
def test_drawn_city_records_with_counties_are_valid_for_both(record):
    check_against_jsonschema(record)
