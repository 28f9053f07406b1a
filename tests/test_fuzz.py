"""Grammar fuzzing: arbitrary text and grammar-shaped garbage given to the parser, the
checker and lint. The only outcomes allowed are a tree or a positioned error; no exception
escapes and nothing hangs (nesting is bounded with a clear error)."""
from __future__ import annotations

import contextlib
import io

from hypothesis import given, settings, strategies as st

from compliance.cli import main
from compliance.dsl import ast
from compliance.dsl.parse import ExprError, parse

TOKENS = ["section.students", "school.teachers", "params.cv_limit", "学生数", "s", "sections", "schools", "(", ")",
          "[", "]", ",", "for", "in", "where", "if", "then", "else", "and", "or", "not", "且", "或", "非", ">=", "≥",
          ">", "<=", "≤", "<", "==", "!=", "≠", "+", "-", "*", "/", "×", "÷", "42", "4.2", "85%", "2000 元", "1.5万元",
          "2024-09-01", "2024-13-01", '"primary"', "'初中'", '"unterminated', "true", "false", "sum", "weighted_cv",
          "at_least", "split", "attested", "known", "per_hundred", "#", "\n", " ", "。", "，", "（", "）", "\x00", "\\"]

garbage = st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join)
anything = st.one_of(st.text(max_size=80), garbage)


def _positioned(err: ExprError, text: str) -> None:
    lines = text.split("\n")
    assert err.code.startswith("E")
    assert 1 <= err.span.line <= len(lines) + 1
    assert err.span.column >= 1


@settings(max_examples=300)
@given(anything)
def test_parse_gives_a_tree_or_a_positioned_error(text):
    result = parse(text)
    if isinstance(result, ExprError):
        _positioned(result, text)
    else:
        assert isinstance(result, ast.Node)


@settings(max_examples=50)
@given(st.integers(1, 400), st.sampled_from(["(-{}) ", "not ({})", "({} + 1)", "[{}]", "f({})", "if a then {} else b"]))
def test_deep_nesting_is_an_error_not_a_crash(depth, shape):
    text = "a"
    for _ in range(depth):
        text = shape.format(text)
    result = parse(text)
    if isinstance(result, ExprError):
        _positioned(result, text)


@settings(max_examples=20)
@given(require=anything, when=st.one_of(st.none(), anything))
def test_lint_reports_garbage_rules_with_positions(tmp_path_factory, require, when):
    folder = tmp_path_factory.mktemp("fuzz")
    import json
    rule = {"id": "F1", "title": "模糊测试", "severity": "must", "applies_to": "school_section", "require": require}
    if when is not None:
        rule["when"] = when
    # JSON is YAML: the text arrives in the rule file exactly, escapes and all.
    (folder / "fuzz.yaml").write_text(json.dumps({"citation": {"document": "测试"}, "rules": [rule]}, ensure_ascii=False),
                                      encoding="utf-8")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["lint", str(folder / "fuzz.yaml")])
    assert code in (0, 2), err.getvalue()
    assert "Traceback" not in err.getvalue() and "内部错误" not in err.getvalue()
    if code == 2:
        assert "fuzz.yaml:" in err.getvalue()  # every error says where
