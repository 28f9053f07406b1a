"""A number in the JSON report is written as a plain JSON number exactly when that number
reads back as the same value; the fast test for it agrees with reading the text back."""
from fractions import Fraction

from hypothesis import given, settings, strategies as st

from compliance.report.json_report import json_number, shows_exactly

DENOMINATORS = [2, 4, 5, 8, 10, 16, 20, 25, 40, 100, 125, 1000, 3, 7, 12, 30, 2 ** 10, 5 ** 9, 10 ** 15, 10 ** 17,
                2 ** 60, 10 ** 19]


@settings(max_examples=500)
@given(st.integers(-10 ** 20, 10 ** 20), st.sampled_from(DENOMINATORS))
def test_fast_exactness_agrees_with_the_text(n, d):
    value = Fraction(n, d)
    assert shows_exactly(value) == (Fraction(repr(float(value))) == value)


def test_examples():
    assert json_number(Fraction(21, 5)) == (4.2, None)
    assert json_number(Fraction(1, 3))[1] == "1/3"
    assert json_number(Fraction(12345678901234567, 10 ** 17))[1] is not None   # 17 digits do not survive
