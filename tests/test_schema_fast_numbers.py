"""The numeric tests of the compiled validator (schema_fast) are specialised: an int is compared
with one pair of integers, a Decimal with the bounds directly, a list of ints by its min and
max. Each must say what the general test (type, magnitude, bounds one by one) says, for every
kind of value and bound, at and around every limit.
"""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from compliance.schema_fast import MAGNITUDE, _general_numeric, _numeric, compile_schema

M = MAGNITUDE
BOUNDS = [None, 0, 1, 4, 1900, 2100, -5, 0.5, -0.5, 1.5, 1e-10, -1e-10, -M, M, -M - 1, M + 1, -M + 1, M - 1,
          1e12, -1e12, 1e13, float(M - 1), Decimal("0.5"), Fraction(1, 3), float("inf"), True]
VALUES = [0, 1, -1, 2, 3, 4, 5, 1899, 1900, 2100, 2101, M - 1, M, M + 1, -M + 1, -M, -M - 1, 10 ** 40,
          True, False, None, "1", [1], {"a": 1},
          0.0, 0.5, 1.0, -0.5, 1e-10, 1e-9, 1e12, float("nan"), float("inf"), float("-inf"),
          Decimal("0"), Decimal("-0.0"), Decimal("0.5"), Decimal("1"), Decimal("1.0"), Decimal("1.5"),
          Decimal("-0.5"), Decimal("1e-9"), Decimal("-1e-9"), Decimal("1e-10"), Decimal("-1e-10"),
          Decimal("0.000000001"), Decimal("0.0000000009"), Decimal(M), Decimal(M) - Decimal("0.001"),
          Decimal(-M), Decimal(-M) + Decimal("0.001"), Decimal("1E+12"), Decimal("1E+400"),
          Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity"),
          Decimal("1899.999"), Decimal("2100.0001"), Decimal("4.0"), Decimal("4.00000001"),
          Fraction(1, 2), Fraction(1, 3), Fraction(M), Fraction(1, 10 ** 10)]


@pytest.mark.parametrize("kind", ["integer", "number"])
def test_the_specialised_test_says_what_the_general_test_says(kind):
    for low in BOUNDS:
        for high in [None, 1, 4, 2100, 0.5, M, M + 1, 1e12, Fraction(1, 3)]:
            fast, general = _numeric(kind, low, high), _general_numeric(kind, low, high)
            for value in VALUES + [b + d for b in (low, high) if type(b) is int for d in (-1, 0, 1)]:
                assert fast(value) == general(value), (kind, low, high, value)


numbers = st.one_of(st.integers(-2 * M, 2 * M), st.integers(-10, 10),
                    st.decimals(allow_nan=True, allow_infinity=True, places=None),
                    st.decimals(min_value=-3, max_value=3, places=12),
                    st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.fractions())


@given(st.sampled_from(["integer", "number"]), st.sampled_from(BOUNDS), st.sampled_from(BOUNDS), numbers)
def test_drawn_values_and_bounds_are_judged_alike(kind, low, high, value):
    assert _numeric(kind, low, high)(value) == _general_numeric(kind, low, high)(value)


@pytest.mark.parametrize("items", [{"type": "integer", "minimum": 0}, {"type": "integer", "minimum": 1, "maximum": 4},
                                   {"type": "number", "minimum": 0, "maximum": 1}, {"type": "number"},
                                   {"type": "integer", "minimum": 0.5}], ids=repr)
def test_a_list_is_judged_as_its_items_one_by_one(items):
    validate = compile_schema({"type": "array", "items": items})
    item = _general_numeric(items["type"], items.get("minimum"), items.get("maximum"))
    for values in [[], [0], [1, 2, 3], [4, 5], [0, 1], [M - 1, 0], [M], [-M], [1, True], [True], [1, Decimal("1")],
                   [Decimal("0.5"), 1], [1, 1.0], [1, "1"], [1, None], [2, [1]], [3, 2, 1, 0, -1], list(range(1, 50))]:
        assert validate(values)[0] == all(item(v) for v in values), values
