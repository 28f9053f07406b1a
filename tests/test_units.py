"""Units: dimensions are checked statically; conversions are exact."""
from fractions import Fraction

import pytest

from compliance.dsl.units import AREA, DIMENSIONLESS, MONEY, parse_unit
from helpers import errors, record, run, school


def test_unit_table():
    assert parse_unit("万元").scale == 10000 and parse_unit("万元").dim == MONEY
    assert parse_unit("元/生").dim == MONEY
    assert parse_unit("㎡/生").dim == AREA and parse_unit("平方米").dim == AREA
    assert parse_unit("人/百生").dim == DIMENSIONLESS and parse_unit("人/百生").scale == 1
    assert parse_unit("%").scale == Fraction(1, 100)
    assert parse_unit("元/㎡").dim == MONEY / AREA
    assert parse_unit("斤") is None


def test_percent_literal_is_a_fraction():
    assert run("85%") == Fraction(17, 20)
    assert run("0.85 == 85%") is True


def test_wan_yuan_field_is_converted_to_yuan():
    data = record(schools=[school(sections={"primary": {"students": 1250}},
                                  shared={"equipment_value_wan_yuan": 268.5})])
    expr = "school.shared.equipment_value_wan_yuan / section.students >= 2000 元"
    assert errors(expr, "school_section") == []
    assert run("school.shared.equipment_value_wan_yuan / section.students", data, "school_section") == 2148
    assert run(expr, data, "school_section") is True
    assert run("school.shared.equipment_value_wan_yuan / section.students >= 2149 元", data, "school_section") is False
    assert run("school.shared.equipment_value_wan_yuan >= 268.5 万元", data, "school") is True
    assert run("school.shared.equipment_value_wan_yuan == 2685000 元", data, "school") is True


@pytest.mark.parametrize("expr,code", [
    ("school.shared.equipment_value_wan_yuan >= 2000 ㎡", "E221"),
    ("school.shared.sports_ground_area_m2 + school.shared.equipment_value_wan_yuan > 0 ㎡", "E221"),
    ("school.shared.sports_ground_area_m2 >= 7.5", "E221"),
    ("school.shared.sports_ground_area_m2 >= 7.5 斤", "E222"),
])
def test_unit_mismatches(expr, code):
    assert [e.code for e in errors(expr, "school")] == [code]


def test_area_per_student_and_money_per_area():
    data = record(schools=[school(sections={"primary": {"students": 100}},
                                  shared={"sports_ground_area_m2": 750, "equipment_value_wan_yuan": 3})])
    assert run("school.shared.sports_ground_area_m2 / section.students >= 7.5 ㎡", data, "school_section") is True
    assert errors("school.shared.equipment_value_wan_yuan / school.shared.sports_ground_area_m2 > 40 元", "school")[0].code == "E221"
    assert run("school.shared.equipment_value_wan_yuan / school.shared.sports_ground_area_m2 * 1 ㎡ >= 40 元",
               data, "school") is True


def test_parameters_carry_units():
    data = record(schools=[school(sections={"primary": {"students": 1000}}, shared={"equipment_value_wan_yuan": 200})])
    params = {"floor": ({"primary": 0.2, "junior": 0.25}, "万元")}
    assert run("school.shared.equipment_value_wan_yuan / section.students >= params.floor",
               data, "school_section", params=params) is True
    assert errors("school.shared.sports_ground_area_m2 >= params.floor", "school_section", params=params)[0].code == "E221"
