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


def test_the_json_report_is_written_the_same_by_orjson_and_for_a_huge_integer():
    """render_json indents with orjson; a number orjson cannot write (beyond 64 bits) goes
    through the json module, and both read back as the same document."""
    import json
    from datetime import date
    from compliance.report.json_report import render_json
    small = {"value": 0.1, "when": date(2024, 9, 1), "名": "县", "list": [1, {"a": []}]}
    assert render_json(small) == json.dumps({**small, "when": "2024-09-01"}, ensure_ascii=False, indent=2) + "\n"
    huge = {"value": 2 ** 70, "exact": Fraction(1, 3)}
    text = render_json(huge)
    assert json.loads(text)["value"] == 2 ** 70 and text.endswith("\n")
