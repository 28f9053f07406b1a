"""A compiled validator for the record schema: one walk over a record decides valid / not
valid under JSON Schema draft 2020-12 and collects the unknown keys (W116) on the way.

It gives no reasons. When a record is not valid, validate.py runs jsonschema, which says
where and why; valid records (nearly all of a province's ≈2,900) never pay for that.

The schema is turned into one closure per schema node. Only the keywords the record schema
uses are compiled (see _KEYWORDS); anything else raises Unsupported at compile time, and the
caller then validates with jsonschema alone. Type and bound checks follow jsonschema's own
definitions (a bool is not a number; a float with no fraction part is an integer; a Decimal or
Fraction is a number but never an integer), so the answer is the same for JSON-loaded data
(int, Decimal), for YAML-loaded data (float) and for evaluated data (Fraction).

A walk carries the path as linked pairs (parent, key), turned into a list only for a warning.
"""
from __future__ import annotations

import datetime
import math
import numbers
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Callable

# Keywords the compiler understands; annotations (title, x-unit, …) are ignored.
_KEYWORDS = frozenset({"type", "properties", "required", "additionalProperties", "enum", "const", "minimum",
                       "maximum", "minLength", "pattern", "items", "uniqueItems", "format", "$ref"})
_ANNOTATIONS = frozenset({"title", "description", "$schema", "$defs", "$comment", "examples", "default",
                          "deprecated", "readOnly", "writeOnly"})
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)   # jsonschema's own test for format "date"


class Unsupported(Exception):
    """The schema uses something this compiler does not handle."""


@dataclass(frozen=True)
class UnknownKey:
    """A key no schema describes (W116): the path of the object holding it, the key, and the
    keys that object may have."""
    path: tuple
    key: str
    known: tuple[str, ...]


Check = Callable[[Any, Any, list], bool]   # (value, path as linked pairs, unknown keys found) -> valid


# Types as jsonschema's draft 2020-12 type checker defines them.
def _is_integer(v) -> bool:
    if isinstance(v, bool):
        return False
    return isinstance(v, int) or (isinstance(v, float) and v.is_integer())


def _is_number(v) -> bool:
    return not isinstance(v, bool) and isinstance(v, numbers.Number)


_TYPES: dict[str, Callable[[Any], bool]] = {
    "integer": _is_integer,
    "number": _is_number,
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


def _is_date(v: str) -> bool:
    if not _DATE.fullmatch(v):
        return False
    try:
        datetime.date.fromisoformat(v)
    except ValueError:
        return False
    return True


def path_list(at) -> list:
    """The linked pairs of a walk as a path list (keys and list indexes), root first."""
    out = []
    while at is not None:
        at, key = at
        out.append(key)
    out.reverse()
    return out


def compile_schema(root: dict) -> Callable[[Any], tuple[bool, list[UnknownKey]]]:
    """A function: record → (valid, unknown keys in the order validate._unknown_fields finds them).
    Raises Unsupported if the schema goes beyond what is compiled here."""
    check = _Compiler(root).node(root).check

    def validate(data) -> tuple[bool, list[UnknownKey]]:
        found: list = []
        valid = check(data, None, found)
        return valid, [UnknownKey(tuple(path_list(at)), key, known) for at, key, known in found]

    return validate


@dataclass(frozen=True)
class _Node:
    """A compiled schema node. `test` is set when the node never looks inside the value (a
    leaf): walks then call it directly, without building the path."""
    check: Check
    test: Callable[[Any], bool] | None = None
    # For a numeric leaf: the ints it accepts are those from ints[0] to ints[1] (a list of
    # ints is then judged by its min and max).
    ints: tuple[int, int] | None = None


class _Compiler:
    def __init__(self, root: dict):
        self.root = root
        self.by_ref: dict[str, _Node] = {}

    def node(self, node: dict) -> _Node:
        if not isinstance(node, dict):
            raise Unsupported(f"schema {node!r}")
        if set(node) == {"$ref"} or (set(node) - _ANNOTATIONS) == {"$ref"}:
            return self._ref(node["$ref"])
        return self._build(self._flatten(node))

    def _ref(self, ref: str) -> _Node:
        # Nodes are built once per $ref; a late-bound cell keeps recursive schemas possible.
        if ref not in self.by_ref:
            cell: list[_Node] = []
            self.by_ref[ref] = _Node(lambda v, at, found: cell[0].check(v, at, found))
            cell.append(self._build(self._flatten(self._target(ref))))
            self.by_ref[ref] = cell[0]
        return self.by_ref[ref]

    def _target(self, ref: str) -> dict:
        if not ref.startswith("#/"):
            raise Unsupported(f"$ref {ref}")
        target = self.root
        for part in ref[2:].split("/"):
            if not isinstance(target, dict) or part not in target:
                raise Unsupported(f"$ref {ref}")
            target = target[part]
        return target

    def _flatten(self, node: dict) -> dict:
        """A node and the chain of nodes its $ref adds (draft 2020-12: a $ref beside other
        keywords applies as well as them) as one node. Only chains that merge without conflict
        are accepted, which is also when names._resolve's merge means the same."""
        merged: dict = {}
        seen = 0
        while True:
            keys = set(node) - _ANNOTATIONS
            unknown = {k for k in keys - _KEYWORDS if not k.startswith("x-")}
            if unknown:
                raise Unsupported(f"keywords {sorted(unknown)}")
            for key in keys - {"$ref"}:
                if key.startswith("x-"):
                    continue
                value = node[key]
                if key == "properties":
                    overlap = set(merged.get("properties", {})) & set(value)
                    if overlap:
                        raise Unsupported(f"properties {sorted(overlap)} on both sides of a $ref")
                    # the referenced node's keys first, as in names._resolve (W116 lists them)
                    merged["properties"] = {**value, **merged.get("properties", {})}
                elif key == "required":
                    merged["required"] = list(dict.fromkeys([*merged.get("required", []), *value]))
                elif key in merged and merged[key] != value:
                    raise Unsupported(f"'{key}' on both sides of a $ref")
                else:
                    merged[key] = value
            if "$ref" not in node:
                break
            seen += 1
            if seen > 32:
                raise Unsupported("$ref chain too long")
            node = self._target(node["$ref"])
        if "additionalProperties" in merged and seen and "properties" in merged:
            raise Unsupported("additionalProperties beside a $ref")
        return merged

    def _build(self, node: dict) -> _Node:
        test = _all_of(self._value_tests(node))
        object_walk = self._object_walk(node)
        array_walk = self._array_walk(node)
        if object_walk is None and array_walk is None:
            only_numeric = not set(node) - {"type", "minimum", "maximum"} and node.get("type") in ("integer", "number")
            ints = _int_range(node.get("minimum"), node.get("maximum")) if only_numeric else None
            return _Node(lambda v, at, found: test(v), test, ints)

        # The usual object or array node: its type is its one value test, asked here directly.
        if set(node) - {"properties", "required", "additionalProperties"} == {"type"} and node["type"] == "object" \
                and object_walk is not None:
            return _Node(object_walk)      # which refuses what is not a dict
        if set(node) - {"items", "uniqueItems"} == {"type"} and node["type"] == "array" and array_walk is not None:
            return _Node(array_walk)       # which refuses what is not a list

        def check(v, at, found) -> bool:
            if not test(v):
                return False
            if object_walk is not None and isinstance(v, dict):
                return object_walk(v, at, found)
            if array_walk is not None and isinstance(v, list):
                return array_walk(v, at, found)
            return True

        return _Node(check)

    def _value_tests(self, node: dict) -> list[Callable[[Any], bool]]:
        """Tests of the value itself: type, bounds, string length, pattern, enum, const, format."""
        tests: list[Callable[[Any], bool]] = []
        kind = node.get("type")
        if kind == "string" and not set(node) - {"type", "minLength", "pattern", "enum", "const", "format"}:
            return [_string_test(node)]
        if kind is not None:
            kinds = kind if isinstance(kind, list) else [kind]
            if any(k not in _TYPES for k in kinds):
                raise Unsupported(f"type {kind!r}")
            tests.append(_numeric(kinds[0], node.get("minimum"), node.get("maximum"))
                         if len(kinds) == 1 and kinds[0] in ("integer", "number") else _any_type(kinds))
            if len(kinds) != 1 or kinds[0] not in ("integer", "number"):
                tests.extend(_bounds(node))
        else:
            tests.extend(_bounds(node))
        if "minLength" in node:
            least = node["minLength"]
            tests.append(lambda v: not isinstance(v, str) or len(v) >= least)
        if "pattern" in node:
            rx = re.compile(node["pattern"])   # jsonschema: re.search, strings only
            tests.append(lambda v: not isinstance(v, str) or rx.search(v) is not None)
        for key in ("enum", "const"):
            if key in node:
                choices = node[key] if key == "enum" else [node[key]]
                if not all(isinstance(c, str) for c in choices):
                    raise Unsupported(f"{key} with values other than strings")
                allowed = frozenset(choices)
                # jsonschema's equality: a string equals only the same string.
                tests.append(lambda v, allowed=allowed: isinstance(v, str) and v in allowed)
        if "format" in node:
            if node["format"] != "date":
                raise Unsupported(f"format {node['format']!r}")
            tests.append(lambda v: not isinstance(v, str) or _is_date(v))
        if not tests:
            tests.append(lambda v: True)
        return tests

    def _object_walk(self, node: dict):
        props = node.get("properties")
        extra = node.get("additionalProperties")
        required = tuple(node.get("required", ()))
        if props is None and extra is None and not required:
            return None
        if extra is False:
            raise Unsupported("additionalProperties: false")   # validate.py does not report it
        nodes = {key: self.node(sub) for key, sub in (props or {}).items()}
        tests = {key: n.test for key, n in nodes.items() if n.test is not None}
        checks = {key: n.check for key, n in nodes.items() if n.test is None}
        extra_check = self.node(extra).check if isinstance(extra, dict) else None
        # As validate._unknown_fields: a key is unknown where properties are listed and
        # nothing else (additionalProperties) is allowed.
        warn = props is not None and extra is None
        known = tuple(props or ())
        # Most values are ints: their bounds are compared here, without a call of the leaf's test.
        int_bounds = {key: n.ints for key, n in nodes.items() if n.ints is not None}
        required_keys = frozenset(required)

        def walk(v: dict, at, found) -> bool:
            if not isinstance(v, dict):
                return False
            for key, item in v.items():
                if type(item) is int:
                    bounds = int_bounds.get(key)
                    if bounds is not None:
                        if not bounds[0] <= item <= bounds[1]:
                            return False
                        continue
                test = tests.get(key)
                if test is not None:
                    if not test(item):
                        return False
                    continue
                check = checks.get(key)
                if check is not None:
                    if not check(item, (at, key), found):
                        return False
                elif extra_check is not None:
                    if not extra_check(item, (at, key), found):
                        return False
                elif warn:
                    found.append((at, key, known))
            return v.keys() >= required_keys

        return walk

    def _array_walk(self, node: dict):
        items = node.get("items")
        unique = node.get("uniqueItems", False)
        if items is None and not unique:
            return None
        if unique:
            # Uniqueness is compiled for lists of strings only (the schema's one use, `packs`).
            if not (isinstance(items, dict) and items.get("type") == "string"):
                raise Unsupported("uniqueItems on items that are not strings")
        item = self.node(items) if items is not None else None
        item_check = item.check if item is not None else None
        item_test = item.test if item is not None else None
        ints = item.ints if item is not None else None

        def walk(v: list, at, found) -> bool:
            if not isinstance(v, list):
                return False
            if ints is not None and v and set(map(type, v)) == {int}:
                if not (ints[0] <= min(v) and max(v) <= ints[1]):
                    return False
            elif item_test is not None:
                if not all(map(item_test, v)):
                    return False
            elif item_check is not None:
                for i, value in enumerate(v):
                    if not item_check(value, (at, i), found):
                        return False
            # Every item is a string here (else the item check failed): a set finds repeats.
            return not unique or len(set(v)) == len(v)

        return walk


# What no record can hold, though JSON Schema allows it: a magnitude of 10^12 or more, a
# non-zero magnitude below 10^-9, NaN and ±Infinity. (The largest real figures are budgets of
# about 10^10 yuan; the finest are rates with six decimals.) Such a number makes the record
# invalid here, and validate.magnitudes names it; it is the one place this validator says
# more than jsonschema would.
MAGNITUDE = 10 ** 12
_TINY = Decimal("1e-9")


def in_range(v) -> bool:
    """Whether a number is one a record can hold (non-numbers: True, the schema judges them)."""
    if type(v) is int:
        return -MAGNITUDE < v < MAGNITUDE
    if isinstance(v, bool) or not isinstance(v, numbers.Number):
        return True
    if isinstance(v, Decimal) and not v.is_finite():
        return False
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        return False
    return -MAGNITUDE < v < MAGNITUDE and (v == 0 or not -_TINY < v < _TINY)


def _numeric(kind: str, low, high) -> Callable[[Any], bool]:
    """Type integer/number with its bounds. What JSON loads (int, and Decimal for a number) is
    judged by comparisons made ready here; anything else by the general test below."""
    general = _general_numeric(kind, low, high)
    ints = _int_range(low, high)
    if ints is None:
        return general
    least, most = ints
    if kind == "integer":
        def test(v) -> bool:
            if type(v) is int:
                return least <= v <= most
            return general(v)
        return test
    # A Decimal: finite, inside ±MAGNITUDE, zero or not tinier than _TINY, within the bounds.
    # The bounds as Decimals (exact for ints and floats): Decimal with Decimal compares fastest.
    strict_floor = low is None or low <= -MAGNITUDE      # then v > -MAGNITUDE says all, else v >= low
    floor_ = Decimal(-MAGNITUDE if strict_floor else low)
    strict_ceiling = high is None or high >= MAGNITUDE
    ceiling = Decimal(MAGNITUDE if strict_ceiling else high)
    tiny, minus_tiny = _TINY, -_TINY

    def test(v) -> bool:
        t = type(v)
        if t is int:
            return least <= v <= most
        if t is Decimal:
            if not v.is_finite():
                return False
            if not (floor_ < v if strict_floor else floor_ <= v):
                return False
            if not (v < ceiling if strict_ceiling else v <= ceiling):
                return False
            return not v or v >= tiny or v <= minus_tiny
        return general(v)

    return test


def _int_range(low, high) -> tuple[int, int] | None:
    """The ints a numeric type with these bounds accepts, least <= v <= most: the magnitude
    limits and the bounds as one pair of integers (ceil/floor of an exact bound, so 0.5 ≤ v is
    1 ≤ v). None for bounds other than ints and finite floats."""
    if not all(bound is None or type(bound) is int or (type(bound) is float and math.isfinite(bound))
               for bound in (low, high)):
        return None
    least, most = -MAGNITUDE + 1, MAGNITUDE - 1
    if low is not None:
        least = max(least, math.ceil(Fraction(low)))
    if high is not None:
        most = min(most, math.floor(Fraction(high)))
    return least, most


def _general_numeric(kind: str, low, high) -> Callable[[Any], bool]:
    """Type integer/number with its bounds, for any value (a float from YAML, a Fraction, a bool)."""
    is_kind = _TYPES[kind]

    def test(v) -> bool:
        if not is_kind(v):
            return False
        if not in_range(v):
            return False
        # As jsonschema: fail only if `v < minimum` / `v > maximum` holds.
        if low is not None and v < low:
            return False
        if high is not None and v > high:
            return False
        return True

    return test


def _string_test(node: dict) -> Callable[[Any], bool]:
    """A string node's type, minLength, pattern, enum, const and format as one test (the
    tests of _value_tests, which apply to strings only, joined)."""
    least = node.get("minLength")
    rx = re.compile(node["pattern"]) if "pattern" in node else None    # jsonschema: re.search
    allowed = []
    for key in ("enum", "const"):
        if key in node:
            choices = node[key] if key == "enum" else [node[key]]
            if not all(isinstance(c, str) for c in choices):
                raise Unsupported(f"{key} with values other than strings")
            allowed.append(frozenset(choices))
    if "format" in node and node["format"] != "date":
        raise Unsupported(f"format {node['format']!r}")
    date = "format" in node

    def test(v) -> bool:
        if not isinstance(v, str):
            return False
        if least is not None and len(v) < least:
            return False
        if rx is not None and rx.search(v) is None:
            return False
        for choices in allowed:
            if v not in choices:
                return False
        return not date or _is_date(v)

    return test


def _all_of(tests: list[Callable[[Any], bool]]) -> Callable[[Any], bool]:
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        first, second = tests
        return lambda v: first(v) and second(v)
    return lambda v: all(test(v) for test in tests)


def _any_type(kinds: list[str]) -> Callable[[Any], bool]:
    tests = [_TYPES[k] for k in kinds]
    if len(tests) == 1:
        return tests[0]
    return lambda v: any(t(v) for t in tests)


def _bounds(node: dict) -> list[Callable[[Any], bool]]:
    """minimum/maximum without a numeric type: they apply to numbers only."""
    out = []
    if "minimum" in node:
        low = node["minimum"]
        out.append(lambda v: not _is_number(v) or not v < low)
    if "maximum" in node:
        high = node["maximum"]
        out.append(lambda v: not _is_number(v) or not v > high)
    return out
