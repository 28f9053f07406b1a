"""The expression tree of the rule language: small frozen dataclasses, each with its span.

Spans are relative to the expression text (1-based line and column); the loader maps
them to positions in the rule file.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from fractions import Fraction


@dataclass(frozen=True)
class Span:
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Node:
    span: Span


@dataclass(frozen=True)
class Number(Node):
    value: Fraction
    unit: str | None  # as written after the number: 元, 万元, %, ㎡ ...
    text: str
    unit_span: Span | None = None


@dataclass(frozen=True)
class String(Node):
    value: str


@dataclass(frozen=True)
class DateLit(Node):
    value: date


@dataclass(frozen=True)
class Bool(Node):
    value: bool


@dataclass(frozen=True)
class Path(Node):
    """A dotted name: `section.students`, `params.cv_limit`, `学生数`, or a bound variable."""
    parts: tuple[str, ...]

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class ListLit(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Call(Node):
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Aggregate(Node):
    """`name(args for var in collection where condition)`: args are evaluated per member."""
    name: str
    args: tuple[Node, ...]
    var: str
    collection: Node
    where: Node | None


@dataclass(frozen=True)
class Compare(Node):
    op: str  # one of >= > <= < == !=
    left: Node
    right: Node


@dataclass(frozen=True)
class Member(Node):
    item: Node
    collection: Node
    negated: bool


@dataclass(frozen=True)
class Arith(Node):
    op: str  # one of + - * /
    left: Node
    right: Node


@dataclass(frozen=True)
class Neg(Node):
    operand: Node


@dataclass(frozen=True)
class Not(Node):
    operand: Node


@dataclass(frozen=True)
class And(Node):
    left: Node
    right: Node


@dataclass(frozen=True)
class Or(Node):
    left: Node
    right: Node


@dataclass(frozen=True)
class Conditional(Node):
    condition: Node
    then: Node
    otherwise: Node


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of a node, in source order."""
    match node:
        case ListLit(items=items):
            return items
        case Call(args=args):
            return args
        case Aggregate(args=args, collection=coll, where=where):
            return (coll, *args) + ((where,) if where is not None else ())
        case Compare(left=l, right=r) | Arith(left=l, right=r) | And(left=l, right=r) | Or(left=l, right=r):
            return (l, r)
        case Member(item=i, collection=c):
            return (i, c)
        case Neg(operand=o) | Not(operand=o):
            return (o,)
        case Conditional(condition=c, then=t, otherwise=o):
            return (c, t, o)
    return ()


def walk(node: Node):
    """Every node of the tree, parents before children, without recursion."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def structure(node):
    """The tree without spans or the way a number was written: equal for the same expression
    written in two places (a key for sharing work between rules). Recursive: callers bound
    the depth first."""
    if isinstance(node, Node):
        return (type(node).__name__,) + tuple(structure(getattr(node, f.name)) for f in fields(node)
                                              if f.name not in _NOT_STRUCTURE)
    if isinstance(node, tuple):
        return tuple(structure(x) for x in node)
    return node


_NOT_STRUCTURE = frozenset({"span", "unit_span", "text"})


def depth(node: Node) -> int:
    """Nesting depth of the tree, computed without recursion."""
    best = 0
    stack = [(node, 1)]
    while stack:
        current, d = stack.pop()
        best = max(best, d)
        stack.extend((child, d + 1) for child in children(current))
    return best
