"""Columns for the columnar backend (run/batch.py): one value per row, exact.

Numbers are exact rationals — an int64 numerator and denominator per row — and comparisons
cross-multiply; an operation that could overflow int64 marks its rows `bad`, and the backend
judges bad rows again with the closures. A 差异系数 is the one approximate column (floats):
rows within NEAR of a threshold are marked bad too. Unknown rows carry `Source`s that name
the missing JSON pointers (or the undefined operation) row by row. `Algebra` is what the
registry's column semantics (compliance/dsl/builtins.py) are written in.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

from ..dsl import types as T
from ..logic import Unknown
from ..record import exact

LIMIT = float(2 ** 62)     # products above this might not fit int64: such rows are judged exactly
NEAR = 1e-9                # floats this close (relative) to a threshold are judged exactly


class NotVectorizable(Exception):
    """A construct this backend does not lay out as columns: the rule runs on the closures."""


# ---- where unknown rows come from ------------------------------------------------------

class Source:
    """Why some rows of a column are unknown: `miss` rows lack an input, `undef` rows hit
    undefined arithmetic. `at(i)` names them for row i: (missing pointers, undefined)."""
    miss: np.ndarray
    undef: np.ndarray

    def at(self, i: int) -> tuple[frozenset, frozenset]:
        raise NotImplementedError


class FieldMissing(Source):
    def __init__(self, mask, pointers, suffix):
        self.miss, self.undef = mask, np.zeros_like(mask)
        self.pointers, self.suffix = pointers, suffix

    def at(self, i):
        return frozenset((self.pointers[i] + self.suffix,)), frozenset()


class Missing(Source):
    """Rows that miss one and the same thing (e.g. /history)."""

    def __init__(self, mask, pointers=frozenset(), undefined=frozenset()):
        self.miss = mask if pointers else np.zeros_like(mask)
        self.undef = mask if not pointers else np.zeros_like(mask)
        self.pointers, self.undefined = frozenset(pointers), frozenset(undefined)

    def at(self, i):
        return self.pointers, self.undefined


class PerRow(Source):
    """Unknowns computed row by row (functions evaluated with their scalar semantics)."""

    def __init__(self, n, unknowns: dict[int, Unknown]):
        self.miss, self.undef = np.zeros(n, bool), np.zeros(n, bool)
        for i, u in unknowns.items():
            if u.missing or not u.undefined:
                self.miss[i] = True
            else:
                self.undef[i] = True
        self.unknowns = unknowns

    def at(self, i):
        u = self.unknowns.get(i)
        return (u.missing, u.undefined) if u is not None else (frozenset(), frozenset())


class Taken(Source):
    """Another column's source seen through a row index (a school field read per section)."""

    def __init__(self, inner: Source, index):
        self.inner, self.index = inner, index
        self.miss, self.undef = inner.miss[index], inner.undef[index]

    def at(self, i):
        return self.inner.at(int(self.index[i]))


class Narrowed(Source):
    def __init__(self, inner: Source, keep):
        self.inner = inner
        self.miss, self.undef = inner.miss & keep, inner.undef & keep

    def at(self, i):
        return self.inner.at(i)


class Grouped(Source):
    """The union over a group's members: what an aggregate's unknown rows miss."""

    def __init__(self, inner: Source, member_mask, groups: "Groups", row_key):
        m = inner.miss & member_mask
        u = inner.undef & member_mask
        self.inner, self.groups, self.row_key, self.mask = inner, groups, row_key, member_mask
        self.miss = groups.any(m)[row_key]
        self.undef = groups.any(u)[row_key]

    def at(self, i):
        missing, undefined = set(), set()
        for m in self.groups.members(int(self.row_key[i])):
            if self.mask[m] and (self.inner.miss[m] or self.inner.undef[m]):
                a, b = self.inner.at(int(m))
                missing |= a
                undefined |= b
        return frozenset(missing), frozenset(undefined)


def union_at(sources, i) -> Unknown:
    missing, undefined = set(), set()
    for s in sources:
        if s.miss[i] or s.undef[i]:
            a, b = s.at(i)
            missing |= a
            undefined |= b
    return Unknown(frozenset(missing), frozenset(undefined))


# ---- what each row read: the trace of a finding --------------------------------------
#
# The closures record, while evaluating one subject, every input they read (pointer, value)
# and the notes functions leave for messages (a derived value by name, at_least's met/near/
# far, a split share, how many members an aggregate counted). A column carries the same as a
# tree of `Trace` items: reads of both operands of a strict operation, of `b` in `a and b`
# only where `a` is not false, and so on, in the order the closures evaluate. For the rows a
# rule keeps, `TracePlan` flattens the tree once — every leaf with the row it reads in its own
# frame and whether it applies — so each finding's trace is a walk over a flat list.

class Trace:
    def flatten(self, rows: np.ndarray, applies: np.ndarray | None, leaves: list) -> None:
        """Append (leaf, rows, applies) for `rows` (the row of each kept finding in this
        item's frame) where `applies` (None: everywhere)."""
        raise NotImplementedError


class Leaf(Trace):
    def flatten(self, rows, applies, leaves):
        leaves.append((self, rows, applies))

    def emit(self, row: int, reads: list, notes: dict) -> None:
        raise NotImplementedError


class FieldRead(Leaf):
    """A field of an entity frame: read where it is present, with the value as recorded
    (exact, as the closures see it)."""

    def __init__(self, pointers, suffix: str, values: list):
        self.pointers, self.suffix, self.values = pointers, suffix, values
        self._read: dict = {}       # row → (pointer, value): several rules read the same field

    def emit(self, row, reads, notes):
        read = self._read.get(row)
        if read is None:
            v = self.values[row]
            if v is None:
                return
            read = self._read[row] = (self.pointers[row] + self.suffix, exact(v))
        reads.append(read)


class TakenTrace(Trace):
    """Another column's trace seen through a row index."""

    def __init__(self, inner: tuple, index):
        self.inner, self.index = inner, index

    def flatten(self, rows, applies, leaves):
        inner_rows = self.index[rows]
        for t in self.inner:
            t.flatten(inner_rows, applies, leaves)


class Where(Trace):
    """A trace that applies only on some rows (the right side of `and` where the left is not
    false, the branch an if-then-else took)."""

    def __init__(self, inner: tuple, mask):
        self.inner, self.mask = inner, mask

    def flatten(self, rows, applies, leaves):
        here = self.mask[rows] if applies is None else applies & self.mask[rows]
        for t in self.inner:
            t.flatten(rows, here, leaves)


class Note(Leaf):
    """A value noted under a name on the rows of `mask` (all rows when None): the column's
    value, or what `value(row)` gives."""

    def __init__(self, name: str, col: "Col | None" = None, mask=None, value=None):
        self.name, self.col, self.mask, self.value = name, col, mask, value

    def flatten(self, rows, applies, leaves):
        if self.mask is not None:
            applies = self.mask[rows] if applies is None else applies & self.mask[rows]
        leaves.append((self, rows, applies))

    def emit(self, row, reads, notes):
        if self.value is not None:
            notes[self.name] = self.value(row)
        else:
            notes[self.name] = _UNKNOWN if self.col.unk[row] else self.col.value_at(row)


class RowTrace(Leaf):
    """Reads and notes recorded row by row (a function run with its scalar semantics)."""

    def __init__(self, reads: dict, notes: dict):
        self.reads, self.notes = reads, notes

    def emit(self, row, reads, notes):
        reads.extend(self.reads.get(row, ()))
        notes.update(self.notes.get(row, {}))


def _taken(trace: tuple, index) -> tuple:
    """`trace` seen through `index`; an index of an index is composed into one."""
    if not trace:
        return ()
    if len(trace) == 1 and trace[0].__class__ is TakenTrace:
        return (TakenTrace(trace[0].inner, trace[0].index[index]),)
    return (TakenTrace(trace, index),)


class TracePlan:
    """The trace of a rule flattened for the rows it keeps: `at(j)` gives the reads and
    notes of the j-th of `rows`."""

    def __init__(self, trace: tuple, rows: np.ndarray):
        leaves: list = []
        for t in trace:
            t.flatten(rows, None, leaves)
        # Python lists: a finding's walk indexes them, never numpy scalars.
        self.leaves = [(leaf, r.tolist(), None if a is None else a.tolist()) for leaf, r, a in leaves]

    def at(self, j: int) -> tuple[list, dict]:
        reads, notes = [], {}
        for leaf, rows, applies in self.leaves:
            if applies is None or applies[j]:
                leaf.emit(rows[j], reads, notes)
        return reads, notes


_UNKNOWN = Unknown()


# ---- columns ----------------------------------------------------------------------------

@dataclass
class Col:
    """One value per row. `kind`: num (exact n/d, or floats `f` when `approx`), bool (`v`),
    obj (strings, lists, dates, entities in `v`). `unk` rows are unknown, `miss` those of
    them that lack an input; `bad` rows must be judged by the closures."""
    kind: str
    unk: np.ndarray
    miss: np.ndarray
    sources: tuple
    bad: np.ndarray
    n: np.ndarray | None = None
    d: np.ndarray | None = None
    v: np.ndarray | None = None
    f: np.ndarray | None = None
    approx: bool = False
    exact_at: object = None        # approx columns: row → exact value (or None)
    trace: tuple = ()              # Trace items: what each row read, for the findings kept

    def __len__(self):
        return len(self.unk)

    def take(self, index) -> "Col":
        return Col(self.kind, self.unk[index], self.miss[index], tuple(Taken(s, index) for s in self.sources),
                   self.bad[index], None if self.n is None else self.n[index], None if self.d is None else self.d[index],
                   None if self.v is None else self.v[index], None if self.f is None else self.f[index], self.approx,
                   None if self.exact_at is None else (lambda i, e=self.exact_at, ix=index: e(int(ix[i]))),
                   _taken(self.trace, index))

    def traced(self, trace: tuple) -> "Col":
        """This column with `trace` (a copy: columns are shared between rules)."""
        return dataclasses.replace(self, trace=trace)

    def floats(self) -> np.ndarray:
        if self.approx:
            return self.f
        return self.n / self.d

    def value_at(self, i):
        """The exact Python value of row i (a known row)."""
        if self.kind == "num":
            if self.approx:
                return self.exact_at(i) if self.exact_at is not None else None
            n, d = int(self.n[i]), int(self.d[i])
            return n if d == 1 else Fraction(n, d)
        if self.kind == "bool":
            return bool(self.v[i])
        return self.v[i]


def _exact_arith(op: str, a: Col, b: Col):
    """Row → the exact value of `a op b` over approximate columns (a mean of 差异系数, say),
    from the operands' exact values; None where one of them has none."""
    def exact_at(i):
        x, y = a.value_at(i), b.value_at(i)
        if x is None or y is None or (op == "/" and y == 0):
            return None
        x, y = Fraction(x), Fraction(y)
        r = x + y if op == "+" else x - y if op == "-" else x * y if op == "*" else x / y
        return int(r) if r.denominator == 1 else r
    return exact_at


def empty_mask(n) -> np.ndarray:
    return np.zeros(n, bool)


def const(value, n: int, kind: str = "obj") -> Col:
    """`value` on every row; an Unknown (a parameter not in force) makes a column of `kind`."""
    if isinstance(value, Unknown):
        mask = np.ones(n, bool)
        src = Missing(mask, value.missing, value.undefined)
        if kind == "num":
            return Col("num", mask, src.miss.copy(), (src,), empty_mask(n), n=np.zeros(n, np.int64),
                       d=np.ones(n, np.int64))
        if kind == "bool":
            return Col("bool", mask, src.miss.copy(), (src,), empty_mask(n), v=empty_mask(n))
        return Col("obj", mask, src.miss.copy(), (src,), empty_mask(n), v=np.full(n, None, object))
    if isinstance(value, bool):
        return Col("bool", empty_mask(n), empty_mask(n), (), empty_mask(n), v=np.full(n, value, bool))
    if isinstance(value, (int, Fraction, Decimal)):
        q = Fraction(value)
        if abs(q.numerator) > LIMIT or q.denominator > LIMIT:
            raise NotVectorizable("constant beyond int64")
        return Col("num", empty_mask(n), empty_mask(n), (), empty_mask(n), n=np.full(n, q.numerator, np.int64),
                   d=np.full(n, q.denominator, np.int64))
    arr = np.empty(n, object)
    arr[:] = [value] * n
    return Col("obj", empty_mask(n), empty_mask(n), (), empty_mask(n), v=arr)


_WHOLE = frozenset({int, type(None)})
_EXACT = frozenset({int, Fraction, Decimal, type(None)})   # as_integer_ratio is the value, in lowest terms


def numbers(values: list, scale: Fraction = Fraction(1)):
    """Exact (n, d, known, bad) arrays from Python numbers (int, Fraction, Decimal, float) or None."""
    count = len(values)
    known = np.array([v is not None for v in values], bool)
    classes = set(map(type, values))
    if classes <= _WHOLE:
        nums, dens = [0 if v is None else v for v in values] if type(None) in classes else values, None
    else:
        pairs = [(0, 1) if v is None else v.as_integer_ratio() for v in values] if classes <= _EXACT \
            else [_ratio(v) for v in values]
        nums, dens = [p[0] for p in pairs], [p[1] for p in pairs]
    bad = empty_mask(count)
    try:
        n = np.array(nums, np.int64)
        d = np.ones(count, np.int64) if dens is None else np.array(dens, np.int64)
    except OverflowError:
        big = [abs(a) > LIMIT or (dens is not None and dens[i] > LIMIT) for i, a in enumerate(nums)]
        bad = np.array(big, bool)
        n = np.array([0 if b else a for a, b in zip(nums, big)], np.int64)
        d = np.ones(count, np.int64) if dens is None else np.array([1 if b else x for x, b in zip(dens, big)],
                                                                      np.int64)
    if scale != 1:
        n, d, over = _mul_parts(n, d, np.full(count, scale.numerator, np.int64),
                                np.full(count, scale.denominator, np.int64))
        bad |= over
    return n, d, known, bad


def _ratio(v) -> tuple[int, int]:
    """(n, d) of one value of a column that holds more than ints, Decimals and Fractions."""
    if v.__class__ in _EXACT:
        return (0, 1) if v is None else v.as_integer_ratio()
    if isinstance(v, float):          # the decimal it shows: 0.1 is 1/10
        return Fraction(repr(v)).as_integer_ratio()
    if isinstance(v, Decimal):
        return v.as_integer_ratio()
    return 0, 1      # not a number (a bool, a string): read as 0; validation rejects such a record first


def reduce_fraction(n, d):
    g = np.gcd(n, d)
    g[g == 0] = 1
    return n // g, d // g


def overflows(*products) -> np.ndarray:
    """Rows where some product a·b might leave int64 (checked in floats, generously)."""
    out = None
    for a, b in products:
        o = np.abs(a.astype(np.float64)) * np.abs(b.astype(np.float64)) > LIMIT
        out = o if out is None else out | o
    return out


def _mul_parts(an, ad, bn, bd):
    over = overflows((an, bn), (ad, bd))
    n, d = reduce_fraction(np.where(over, 0, an * bn), np.where(over, 1, ad * bd))
    return n, d, over


class Algebra:
    """Column operations with exact rationals and three-valued logic: what the registry's
    `batch` semantics (compliance/dsl/builtins.py) are written in."""

    def __init__(self, n: int):
        self.rows = n

    def const(self, value) -> Col:
        return const(value, self.rows)

    # -- strict combination: unknown where any operand is
    @staticmethod
    def _strict(*cols) -> tuple:
        unk = cols[0].unk.copy()
        miss = cols[0].miss.copy()
        bad = cols[0].bad.copy()
        sources = cols[0].sources
        for c in cols[1:]:
            unk |= c.unk
            miss |= c.miss
            bad |= c.bad
            sources = sources + c.sources
        return unk, miss, sources, bad

    def num(self, unk, miss, sources, bad, n, d) -> Col:
        n = np.where(unk, 0, n)
        d = np.where(unk, 1, d)
        return Col("num", unk, miss, sources, bad, n=n, d=d)

    def arith(self, op: str, a: Col, b: Col, where: str = "/") -> Col:
        col = self._arith(op, a, b, where)
        col.trace = a.trace + b.trace
        return col

    def _arith(self, op: str, a: Col, b: Col, where: str) -> Col:
        need_numbers(a, b)
        unk, miss, sources, bad = self._strict(a, b)
        if a.approx or b.approx:
            fa, fb = a.floats(), b.floats()
            with np.errstate(all="ignore"):
                f = {"+": fa + fb, "-": fa - fb, "*": fa * fb, "/": fa / np.where(fb == 0, 1, fb)}[op]
            exact = _exact_arith(op, a, b)
            if op == "/":
                zero = ~unk & (fb == 0)
                return self.undefined_where(Col("num", unk, miss, sources, bad, f=f, approx=True, exact_at=exact),
                                            zero, "division_by_zero", where)
            return Col("num", unk, miss, sources, bad, f=f, approx=True, exact_at=exact)
        if op in "+-":
            if (a.d == 1).all() and (b.d == 1).all():
                over = overflows((a.n, np.ones_like(a.n)), (b.n, np.ones_like(b.n)))
                n = a.n + b.n if op == "+" else a.n - b.n
                return self.num(unk, miss, sources, bad | over, n, np.ones_like(n))
            over = overflows((a.n, b.d), (b.n, a.d), (a.d, b.d))
            x, y = np.where(over, 0, a.n * b.d), np.where(over, 0, b.n * a.d)
            n, d = reduce_fraction(x + y if op == "+" else x - y, np.where(over, 1, a.d * b.d))
            return self.num(unk, miss, sources, bad | over, n, d)
        if op == "*":
            n, d, over = _mul_parts(a.n, a.d, b.n, b.d)
            return self.num(unk, miss, sources, bad | over, n, d)
        zero = ~unk & (b.n == 0)
        bn = np.where(zero, 1, b.n)
        sign = np.sign(bn)
        n, d, over = _mul_parts(a.n, a.d, b.d * sign, np.abs(bn))
        return self.undefined_where(self.num(unk, miss, sources, bad | over, n, d), zero, "division_by_zero", where)

    def undefined_where(self, col: Col, mask, reason: str, where: str) -> Col:
        if not mask.any():
            return col
        src = Missing(mask, (), {(reason, where)})
        col.unk = col.unk | mask
        col.sources = col.sources + (src,)
        if col.n is not None:
            col.n = np.where(mask, 0, col.n)
            col.d = np.where(mask, 1, col.d)
        return col

    def div(self, a, b, where="/"):
        return self.arith("/", a, b, where)

    def mul(self, a, b):
        return self.arith("*", a, b)

    def neg(self, a: Col) -> Col:
        need_numbers(a)
        if a.approx:
            return Col("num", a.unk, a.miss, a.sources, a.bad, f=-a.f, approx=True, trace=a.trace)
        return Col("num", a.unk, a.miss, a.sources, a.bad, n=-a.n, d=a.d, trace=a.trace)

    def abs(self, a: Col) -> Col:
        need_numbers(a)
        need_exact(a)
        return Col("num", a.unk, a.miss, a.sources, a.bad, n=np.abs(a.n), d=a.d, trace=a.trace)

    def floor(self, a: Col) -> Col:
        need_numbers(a)
        need_exact(a)
        return Col("num", a.unk, a.miss, a.sources, a.bad, n=np.floor_divide(a.n, a.d), d=np.ones_like(a.d),
                   trace=a.trace)

    def ceil(self, a: Col) -> Col:
        need_numbers(a)
        need_exact(a)
        return Col("num", a.unk, a.miss, a.sources, a.bad, n=-np.floor_divide(-a.n, a.d), d=np.ones_like(a.d),
                   trace=a.trace)

    def compare(self, op: str, a: Col, b: Col) -> Col:
        unk, miss, sources, bad = self._strict(a, b)
        if a.kind == "num" and b.kind == "num":
            if a.approx or b.approx:
                fa, fb = a.floats(), b.floats()
                near = ~unk & (np.abs(fa - fb) <= NEAR * np.maximum(1.0, np.maximum(np.abs(fa), np.abs(fb))))
                x, y, bad = fa, fb, bad | near
            else:
                over = overflows((a.n, b.d), (b.n, a.d))
                x, y = np.where(over, 0, a.n * b.d), np.where(over, 0, b.n * a.d)
                bad = bad | over
        elif op in ("==", "!=") and a.kind == b.kind:
            x, y = a.v, b.v
        elif op in ("==", "!=") and {a.kind, b.kind} == {"obj"}:
            x, y = a.v, b.v
        else:
            raise NotVectorizable(f"{op} between {a.kind} and {b.kind}")
        v = np.asarray(_OPS[op](x, y), bool)
        return Col("bool", unk, miss, sources, bad, v=np.where(unk, False, v), trace=a.trace + b.trace)

    def pick(self, cond: Col, a: Col, b: Col) -> Col:
        """Row by row a where cond holds, else b (cond known; used for least/greatest)."""
        unk, miss, sources, bad = self._strict(cond, a, b)
        if a.kind != "num" or a.approx or b.approx:
            raise NotVectorizable("pick")
        col = self.num(unk, miss, sources, bad, np.where(cond.v, a.n, b.n), np.where(cond.v, a.d, b.d))
        col.trace = cond.trace + a.trace + b.trace
        return col

    # -- Kleene logic
    def k_and(self, a: Col, b: Col) -> Col:
        need_booleans(a, b)
        false = (~a.unk & ~a.v) | (~b.unk & ~b.v)
        unk = ~false & (a.unk | b.unk)
        col = _logic(unk, np.where(unk | false, False, True), a, b)
        # `a and b` evaluates b only where a is not false
        col.trace = a.trace + ((Where(b.trace, a.unk | a.v),) if b.trace else ())
        return col

    def k_or(self, a: Col, b: Col) -> Col:
        need_booleans(a, b)
        true = (~a.unk & a.v) | (~b.unk & b.v)
        unk = ~true & (a.unk | b.unk)
        col = _logic(unk, true, a, b)
        col.trace = a.trace + ((Where(b.trace, a.unk | ~a.v),) if b.trace else ())
        return col

    def k_not(self, a: Col) -> Col:
        need_booleans(a)
        return Col("bool", a.unk, a.miss, a.sources, a.bad, v=np.where(a.unk, False, ~a.v), trace=a.trace)

    def is_known(self, a: Col) -> Col:
        n = len(a)
        return Col("bool", empty_mask(n), empty_mask(n), (), a.bad, v=~a.unk, trace=a.trace)

    # -- functions with their own column semantics
    def split(self, q: Col, w: Col) -> Col:
        raise NotVectorizable("split outside a section frame")   # replaced per frame, see _Frame

    def at_least(self, k: Col, p: Col, items) -> Col:
        rows = self.rows
        met = np.zeros(rows, np.int64)
        far = np.zeros(rows, np.int64)
        unknown = np.zeros(rows, np.int64)
        item_sources, bad = [], k.bad | p.bad
        item_trace, near_rows = (), []
        for a, b, op in items:
            hit = self.compare(op, a, b)
            near = self.compare(">=", a, self.mul(p, b))
            known = ~hit.unk
            met += known & hit.v
            far += known & ~hit.v & ~near.v
            near_rows.append(known & ~hit.v & near.v)
            unknown += hit.unk
            bad = bad | hit.bad | near.bad
            item_sources.append(hit)
            item_trace += a.trace + b.trace
        need_exact(k)
        kk = k.n // k.d   # k is a whole count
        any_unknown = unknown > 0
        false = any_unknown & ((far > 0) | (met + unknown < kk))
        unk = any_unknown & ~false
        v = ~any_unknown & (met >= kk) & (far == 0)
        sources, miss = (), empty_mask(rows)
        for hit in item_sources:
            sources += tuple(Narrowed(s, unk) for s in hit.sources)
            miss |= hit.miss & unk
        unk |= k.unk | p.unk
        # The closures compare the items only when k and p are known, and note the grades.
        compared = ~k.unk & ~p.unk
        notes = (Note("met", value=lambda i: int(met[i])),
                 Note("near", value=lambda i: [j + 1 for j, r in enumerate(near_rows) if r[i]]),
                 Note("far", value=lambda i: int(far[i])))
        trace = k.trace + p.trace + (Where(item_trace + notes, compared),)
        return Col("bool", unk, miss | k.miss | p.miss, sources + k.sources + p.sources, bad, v=v & ~unk,
                   trace=trace)


_OPS = {">=": np.greater_equal, ">": np.greater, "<=": np.less_equal, "<": np.less, "==": np.equal,
        "!=": np.not_equal}


def kind_of(t) -> str:
    if isinstance(t, T.NumberT):
        return "num"
    if isinstance(t, T.BoolT):
        return "bool"
    return "obj"


def need_numbers(*cols):
    for c in cols:
        if c.kind != "num":
            raise NotVectorizable(f"arithmetic on {c.kind}")


def need_exact(*cols):
    for c in cols:
        if c.approx:
            raise NotVectorizable("exact operation on an approximate column")


def need_booleans(*cols):
    for c in cols:
        if c.kind != "bool":
            raise NotVectorizable(f"logic on {c.kind}")


def _logic(unk, v, *cols) -> Col:
    sources, miss, bad = (), empty_mask(len(unk)), empty_mask(len(unk))
    for c in cols:
        sources += tuple(Narrowed(s, unk) for s in c.sources)
        miss |= c.miss & unk
        bad |= c.bad
    return Col("bool", unk, miss, sources, bad, v=v & ~unk)


# ---- groups (for aggregates) ------------------------------------------------------------

class Groups:
    """Members grouped by key: reductions per key in one pass."""

    def __init__(self, keys: np.ndarray, n_keys: int):
        self.keys, self.n_keys = keys, n_keys
        self.order = np.argsort(keys, kind="stable")
        self.counts = np.bincount(keys, minlength=n_keys)
        self.starts = np.concatenate(([0], np.cumsum(self.counts)[:-1]))

    def members(self, key: int) -> np.ndarray:
        s = self.starts[key]
        return self.order[s:s + self.counts[key]]

    def any(self, mask) -> np.ndarray:
        return np.bincount(self.keys, weights=mask.astype(np.float64), minlength=self.n_keys) > 0

    def total(self, values) -> np.ndarray:
        """Exact int64 sums per key (np.add.reduceat over the members in key order)."""
        out = np.zeros(self.n_keys, np.int64)
        nonempty = self.counts > 0
        if nonempty.any():
            sums = np.add.reduceat(values[self.order], self.starts[nonempty])
            out[nonempty] = sums
        return out

    def reduce(self, ufunc, values, empty) -> np.ndarray:
        out = np.full(self.n_keys, empty, values.dtype)
        nonempty = self.counts > 0
        if nonempty.any():
            out[nonempty] = ufunc.reduceat(values[self.order], self.starts[nonempty])
        return out
