"""Every construct of the rule language parses to the expected tree, with positions."""
from datetime import date
from fractions import Fraction

import pytest

from compliance.dsl import ast
from compliance.dsl.parse import MAX_DEPTH, ExprError, parse


def p(text):
    node = parse(text)
    assert not isinstance(node, ExprError), node
    return node


@pytest.mark.parametrize("text,value,unit", [
    ("42", Fraction(42), None),
    ("4.2", Fraction(21, 5), None),
    ("0.45", Fraction(9, 20), None),
    ("85%", Fraction(85), "%"),
    ("85 %", Fraction(85), "%"),
    ("2000 元", Fraction(2000), "元"),
    ("1.5万元", Fraction(3, 2), "万元"),
    ("4.5 ㎡", Fraction(9, 2), "㎡"),
    ("96 m2", Fraction(96), "m2"),
    ("360 学时", Fraction(360), "学时"),
    ("3‰", Fraction(3), "‰"),
])
def test_numbers_with_units(text, value, unit):
    node = p(text)
    assert isinstance(node, ast.Number) and node.value == value and node.unit == unit


@pytest.mark.parametrize("text,value", [('"primary"', "primary"), ("'junior'", "junior"), ("“城区”", "城区")])
def test_strings(text, value):
    assert p(text) == ast.String(p(text).span, value)


def test_dates_booleans():
    assert p("2024-09-01").value == date(2024, 9, 1)
    assert p("true").value is True and p("false").value is False
    # with spaces it is arithmetic, not a date
    assert isinstance(p("2024 - 09 - 01"), ast.Arith)


@pytest.mark.parametrize("text,parts", [
    ("section.students", ("section", "students")),
    ("school.shared.sports_ground_area_m2", ("school", "shared", "sports_ground_area_m2")),
    ("params.min_teachers_above_degree", ("params", "min_teachers_above_degree")),
    ("学生数", ("学生数",)),
    ("section.学生数", ("section", "学生数")),
])
def test_paths(text, parts):
    node = p(text)
    assert isinstance(node, ast.Path) and node.parts == parts


@pytest.mark.parametrize("text,op", [
    ("a >= 1", ">="), ("a ≥ 1", ">="), ("a > 1", ">"), ("a <= 1", "<="), ("a ≤ 1", "<="),
    ("a < 1", "<"), ("a == 1", "=="), ("a = 1", "=="), ("a != 1", "!="), ("a ≠ 1", "!="),
])
def test_comparisons(text, op):
    node = p(text)
    assert isinstance(node, ast.Compare) and node.op == op


@pytest.mark.parametrize("text", ["a and b", "a 且 b"])
def test_and(text):
    assert isinstance(p(text), ast.And)


@pytest.mark.parametrize("text", ["a or b", "a 或 b"])
def test_or(text):
    assert isinstance(p(text), ast.Or)


@pytest.mark.parametrize("text", ["not a", "非 a"])
def test_not(text):
    assert isinstance(p(text), ast.Not)


def test_precedence():
    node = p("a or b and not c >= 1 + 2 * 3")
    assert isinstance(node, ast.Or)
    assert isinstance(node.right, ast.And)
    assert isinstance(node.right.right, ast.Not)
    cmp = node.right.right.operand
    assert isinstance(cmp, ast.Compare)
    assert isinstance(cmp.right, ast.Arith) and cmp.right.op == "+"
    assert isinstance(cmp.right.right, ast.Arith) and cmp.right.right.op == "*"


def test_arithmetic_left_associative_and_chinese_operators():
    node = p("10 - 3 - 2")
    assert node.op == "-" and isinstance(node.left, ast.Arith) and node.right.value == 2
    assert p("a × b").op == "*" and p("a ÷ b").op == "/"
    assert isinstance(p("-a"), ast.Neg) and isinstance(p("--a"), ast.Neg)


def test_membership():
    node = p('school.type in ["nine_year", "twelve_year"]')
    assert isinstance(node, ast.Member) and not node.negated and isinstance(node.collection, ast.ListLit)
    assert p('school.type not in ["special"]').negated


def test_calls_and_aggregates():
    call = p("per_hundred(section.teachers, section.students)")
    assert isinstance(call, ast.Call) and call.name == "per_hundred" and len(call.args) == 2
    assert p("f()").args == ()
    agg = p('weighted_cv(s.r1_value, s.students for s in sections where s.level == "primary")')
    assert isinstance(agg, ast.Aggregate) and agg.var == "s" and len(agg.args) == 2 and agg.where is not None
    plain = p("all(c <= 45 for c in section.class_sizes)")
    assert isinstance(plain, ast.Aggregate) and plain.where is None


def test_conditional_list_parentheses_comment():
    node = p("if a then 1 else 2")
    assert isinstance(node, ast.Conditional)
    assert p("[]").items == () and len(p("[1, 2, 3]").items) == 3
    assert isinstance(p("(a + b) * c").left, ast.Arith)
    assert isinstance(p("a >= 1  # 注释 comment"), ast.Compare)


def test_spans_are_one_based_and_cover_the_token():
    node = p("section.students >= 2000 元")
    assert node.left.span == ast.Span(1, 1, 1, 17)
    assert node.right.span.column == 21
    multi = p("a >=\n   b")
    assert multi.right.span.line == 2 and multi.right.span.column == 4


@pytest.mark.parametrize("text,code,line,column", [
    ("a >=", "E201", 1, 5),
    ("a b", "E200", 1, 3),
    ("(a", "E204", 1, 1),
    ("a)", "E200", 1, 2),
    ("a @ b", "E202", 1, 3),
    ("a < b < c", "E207", 1, 7),
    ("2024-13-01", "E206", 1, 1),
    ("", "E205", 1, 1),
    ("f(a,\n  ", "E204", 1, 2),
])
def test_syntax_errors_are_positioned(text, code, line, column):
    err = parse(text)
    assert isinstance(err, ExprError)
    assert (err.code, err.span.line, err.span.column) == (code, line, column)


def test_nesting_is_bounded_without_recursion_errors():
    deep = "(-" * 200 + "a" + ")" * 200
    err = parse(deep)
    assert isinstance(err, ExprError) and err.code == "E203"
    # redundant parentheses add no depth
    assert not isinstance(parse("(" * 200 + "a" + ")" * 200), ExprError)
    chain = " + ".join(["a"] * 3000)  # a left-deep tree 3000 levels high
    err = parse(chain)
    assert isinstance(err, ExprError) and err.code == "E203"
    ok = "(-" * (MAX_DEPTH - 2) + "a" + ")" * (MAX_DEPTH - 2)
    assert not isinstance(parse(ok), ExprError)


def test_parser_is_built_once():
    from compliance.dsl.parse import _parser
    assert _parser() is _parser()


def test_parenthesised_comparisons_may_be_compared():
    node = p("(a > 1) == (b > 1)")
    assert isinstance(node, ast.Compare) and isinstance(node.left, ast.Compare)


def test_keyword_where_a_value_is_due_is_named():
    err = parse("a >= 1 and and b")
    assert (err.code, err.span.column, err.args["found"].zh) == ("E200", 12, "'and'")
    err = parse("a => 1")    # the operator the wrong way round is named as such (E208)
    assert err.code == "E208" and err.span.column == 3 and err.args == {"written": "=>", "meant": ">="}


def test_structure_is_the_tree_without_where_it_was_written():
    """ast.structure: the same expression written elsewhere, spaced or numbered differently,
    has the same structure (remedies share probes by it); another expression does not."""
    one = p("r1_value >= params.r1_teachers_above_degree_per_100")
    two = p("  r1_value>=params.r1_teachers_above_degree_per_100")
    assert one.span != two.span and ast.structure(one) == ast.structure(two)
    assert ast.structure(p("x >= 4.2")) == ast.structure(p("x >= 4.20"))
    assert ast.structure(p("x >= 4.2")) != ast.structure(p("x > 4.2"))
    assert ast.structure(p("r1_value >= 1")) != ast.structure(p("r2_value >= 1"))
