"""Text → expression tree. The Lark LALR parser is built once per process (cached).

Errors come back as `ExprError` values with a span relative to the expression text; no
Lark exception escapes this module.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from . import ast
from ..diagnostics import line_column
from ..resources import grammar_file

MAX_DEPTH = 48
MAX_LENGTH = 20_000

_COMP_OPS = {">=": ">=", "≥": ">=", "<=": "<=", "≤": "<=", "==": "==", "=": "==",
             "!=": "!=", "≠": "!=", ">": ">", "<": "<"}
_ARITH_OPS = {"+": "+", "-": "-", "*": "*", "×": "*", "/": "/", "÷": "/"}


@dataclass(frozen=True)
class ExprError:
    """A problem in one expression; `span` is relative to the expression text."""
    code: str
    span: ast.Span
    args: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


# Lark is imported on first use: a `check` whose packs come from the cache never parses.
@functools.lru_cache(maxsize=1)
def _parser():
    from lark import Lark
    return Lark(grammar_file().read_text(encoding="utf-8"), parser="lalr", lexer="contextual",
                propagate_positions=True, maybe_placeholders=True)


def _span_of(meta_or_token) -> ast.Span:
    return ast.Span(meta_or_token.line, meta_or_token.column,
                    meta_or_token.end_line, meta_or_token.end_column)


class _ToAst:
    """Lark tree → frozen dataclasses: the methods of the transformer `_transformer` builds."""

    def number(self, meta, children):
        num, unit = children
        return ast.Number(_span_of(meta), Fraction(str(num)), str(unit) if unit is not None else None,
                          str(num) + (str(unit) if unit is not None else ""),
                          _span_of(unit) if unit is not None else None)

    def string(self, meta, children):
        text = str(children[0])
        return ast.String(_span_of(meta), text[1:-1])

    def date(self, meta, children):
        token = children[0]
        try:
            value = date.fromisoformat(str(token))
        except ValueError:
            raise _Reject("E206", _span_of(token), {"text": str(token)})
        return ast.DateLit(_span_of(meta), value)

    def true(self, meta, children):
        return ast.Bool(_span_of(meta), True)

    def false(self, meta, children):
        return ast.Bool(_span_of(meta), False)

    def path(self, meta, children):
        return ast.Path(_span_of(meta), tuple(str(c) for c in children))

    def args(self, meta, children):
        return tuple(children)

    def call(self, meta, children):
        name, args = children
        return ast.Call(_span_of(meta), str(name), tuple(args or ()))

    def aggregate(self, meta, children):
        name, args, var, collection, where = children
        return ast.Aggregate(_span_of(meta), str(name), tuple(args), str(var), collection, where)

    def list_(self, meta, children):
        (items,) = children
        return ast.ListLit(_span_of(meta), tuple(items or ()))

    def compare(self, meta, children):
        left, op, right = children
        return ast.Compare(_span_of(meta), _COMP_OPS[str(op)], left, right)

    def member(self, meta, children):
        item, collection = children
        return ast.Member(_span_of(meta), item, collection, False)

    def not_member(self, meta, children):
        item, collection = children
        return ast.Member(_span_of(meta), item, collection, True)

    def arith(self, meta, children):
        left, op, right = children
        return ast.Arith(_span_of(meta), _ARITH_OPS[str(op)], left, right)

    def neg(self, meta, children):
        return ast.Neg(_span_of(meta), children[0])

    def not_(self, meta, children):
        return ast.Not(_span_of(meta), children[0])

    def and_(self, meta, children):
        return ast.And(_span_of(meta), children[0], children[1])

    def or_(self, meta, children):
        return ast.Or(_span_of(meta), children[0], children[1])

    def conditional(self, meta, children):
        return ast.Conditional(_span_of(meta), *children)


@functools.lru_cache(maxsize=1)
def _transformer():
    """`_ToAst` as a Lark transformer, non-recursive so long chains cannot overflow the stack.
    Built on first use to keep Lark out of the import; v_args wraps only a class's own
    methods, hence the copy."""
    from lark import v_args
    from lark.visitors import Transformer_NonRecursive
    methods = {k: v for k, v in vars(_ToAst).items() if not k.startswith("__")}
    return v_args(meta=True)(type("_ToAstTransformer", (Transformer_NonRecursive,), methods))


class _Reject(Exception):
    def __init__(self, code: str, span: ast.Span, args: dict):
        self.error = ExprError(code, span, args)


# How expected terminals are named in messages.
_TERMINAL_NAMES = {
    "NAME": ("名称", "a name"), "NUMBER": ("数值", "a number"), "STRING": ("文本", "a string"),
    "DATE": ("日期", "a date"), "UNIT": ("单位", "a unit"),
    "COMP_OP": ("比较运算符（>= <= == …）", "a comparison (>= <= == …)"),
    "ADD_OP": ("+ 或 -", "+ or -"), "MUL_OP": ("* 或 /", "* or /"),
    "AND": ("and/且", "and"), "且": None, "OR": ("or/或", "or"), "或": None, "NOT": ("not/非", "not"), "非": None,
    "$END": ("表达式结束", "end of expression"),
}
# Terminals that start an operand; when most of them are expected we just say "a value".
_KEYWORDS = {"and", "or", "not", "in", "for", "where", "if", "then", "else", "且", "或", "非"}
_OPERAND_STARTS = {"NAME", "NUMBER", "STRING", "DATE", "LPAR", "LSQB", "MINUS", "TRUE", "FALSE", "NOT", "非", "IF"}


def _terminal_name(name: str) -> tuple[str, str] | None:
    if name in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[name]
    for terminal in _parser().terminals:
        if terminal.name == name and terminal.pattern.type == "str":
            return (f"'{terminal.pattern.value}'",) * 2
    return (name, name)


def _expected(names) -> "Any":
    from ..diagnostics import Localized
    names = set(names)
    parts_zh, parts_en = [], []
    if len(_OPERAND_STARTS & names) >= 5:
        parts_zh.append("一个值（字段、数值、括号…）")
        parts_en.append("a value (field, number, parenthesis…)")
        names -= _OPERAND_STARTS
    for n in sorted(names):
        shown = _terminal_name(n)
        if shown is not None:
            parts_zh.append(shown[0])
            parts_en.append(shown[1])
    return Localized("、".join(parts_zh) or "?", ", ".join(parts_en) or "?")


def _found(token):
    from ..diagnostics import Localized
    if token.type == "$END":
        return Localized("表达式结束", "end of expression")
    return Localized(f"'{token}'", f"'{token}'")


def _point(line: int, column: int, width: int = 1) -> ast.Span:
    return ast.Span(line, column, line, column + width)


def _end_position(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    return len(lines), len(lines[-1]) + 1


def _bracket_problem(text: str) -> ExprError | None:
    """Unbalanced brackets get a clearer message than the LALR 'expected' set."""
    pairs = {")": "(", "]": "["}
    stack: list[tuple[str, int, int]] = []
    line, col = 1, 1
    in_string = None
    for ch in text:
        if in_string:
            if ch == in_string:
                in_string = None
        elif ch in "\"'“":
            in_string = "”" if ch == "“" else ch
        elif ch in "([":
            stack.append((ch, line, col))
        elif ch in ")]":
            if not stack or stack[-1][0] != pairs[ch]:
                return ExprError("E200", _point(line, col), {"found": _localized_literal(ch),
                                                           "expected": _expected(["$END"])})
            stack.pop()
        if ch == "\n":
            line, col = line + 1, 1
        else:
            col += 1
    if stack:
        opener, l, c = stack[-1]
        return ExprError("E204", _point(l, c), {"expected": ")" if opener == "(" else "]"})
    return None


def _localized_literal(text: str):
    from ..diagnostics import Localized
    return Localized(f"'{text}'", f"'{text}'")


# What a Chinese input method types for the DSL's operators and punctuation. One character for
# one, so every column of the normalised text is the column of the text as written.
_FULL_WIDTH = str.maketrans("＞＜＝！（），：［］＋－＊／．", "><=!(),:[]+-*/.")


def halfwidth(text: str) -> str:
    """`text` with full-width operators and punctuation outside string literals made ASCII."""
    if not any(c in _FULL_WIDTH_CHARS for c in text):
        return text
    out, in_string = [], None
    for ch in text:
        if in_string:
            if ch == in_string:
                in_string = None
            out.append(ch)
        elif ch in "\"'“":
            in_string = "”" if ch == "“" else ch
            out.append(ch)
        else:
            out.append(ch.translate(_FULL_WIDTH))
    return "".join(out)


_FULL_WIDTH_CHARS = frozenset("＞＜＝！（），：［］＋－＊／．")


def parse(text: str) -> ast.Node | ExprError:
    """Parse one expression. Returns the tree, or the first error with its position.
    Full-width operators (＞ ＝ （ …) are read as their ASCII forms."""
    text = halfwidth(text)
    if not text.strip():
        return ExprError("E205", _point(1, 1), {})
    if len(text) > MAX_LENGTH:
        return ExprError("E203", _point(1, 1), {"depth": f">{MAX_LENGTH}", "limit": MAX_DEPTH})
    from lark.exceptions import UnexpectedInput, VisitError
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        return _syntax_error(text, exc)
    try:
        node = _transformer()().transform(tree)
    except VisitError as exc:  # Lark wraps errors raised inside a transformer
        if isinstance(exc.orig_exc, _Reject):
            return exc.orig_exc.error
        raise
    except _Reject as exc:
        return exc.error
    d = ast.depth(node)
    if d > MAX_DEPTH:
        return ExprError("E203", node.span, {"depth": d, "limit": MAX_DEPTH})
    return node


def _syntax_error(text: str, exc) -> ExprError:
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken
    brackets = _bracket_problem(text)
    if isinstance(exc, UnexpectedCharacters):
        if brackets is not None and brackets.code == "E204":
            return brackets
        ch = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else "?"
        return ExprError("E202", _point(exc.line, exc.column), {"char": ch})
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        if brackets is not None:
            return brackets
        line, col = _end_position(text.rstrip())
        expected = exc.expected if isinstance(exc, UnexpectedEOF) else exc.accepts or exc.expected
        return ExprError("E201", _point(line, col), {"expected": _expected(expected)})
    assert isinstance(exc, UnexpectedToken)
    if brackets is not None and brackets.code == "E200":
        return brackets
    token = exc.token
    before = text[:token.start_pos].rstrip()
    keyword = re.search(r"(\w+)$", before)
    if keyword and keyword.group(1) in _KEYWORDS and token.type in ("NAME", "UNIT"):
        # A keyword where a value was due (`and and x`) is lexed as a name; point at the keyword.
        start = keyword.start(1)
        line, column = line_column(text, start)
        word = keyword.group(1)
        return ExprError("E200", ast.Span(line, column, line, column + len(word)),
                         {"found": _localized_literal(word), "expected": _expected(_OPERAND_STARTS)})
    if token.type == "COMP_OP" and "COMP_OP" not in (exc.accepts or exc.expected):
        if before and before[-1] == "=" and str(token) in (">", "<") and text[token.start_pos - 1] == "=":
            # `=>` and `=<` are `>=` and `<=` typed the other way round: say so.
            written = "=" + str(token)
            return ExprError("E208", ast.Span(token.line, token.column - 1, token.end_line, token.end_column),
                             {"written": written, "meant": str(token) + "="})
        if before and before[-1] in "=<>≥≤≠!":
            # `=>` for `>=`: two operators in a row, not a chained comparison.
            return ExprError("E200", _span_of(token), {"found": _found(token), "expected": _expected(_OPERAND_STARTS)})
        # `a < b < c`: LALR sees a second comparison operator.
        return ExprError("E207", _span_of(token), {})
    expected = exc.accepts or exc.expected
    return ExprError("E200", _span_of(token), {"found": _found(token), "expected": _expected(expected)})
