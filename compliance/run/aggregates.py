"""Grouped reductions for the columnar backend: the registry's aggregate semantics (sum,
min, max, mean, count, share, all, any, weighted_cv) over the members of each subject."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..dsl.builtins import weighted_mean_and_cv
from ..logic import Unknown
from .columns import (LIMIT, Algebra, Col, Groups, Grouped, NotVectorizable, Narrowed, empty_mask, need_booleans,
                      need_exact, need_numbers, reduce_fraction)


@dataclass
class Members:
    """An aggregate's members: their groups, the subject row of each group, the `where`
    condition and argument columns over the members."""
    groups: Groups
    row_key: np.ndarray
    where: Col | None
    args: list
    strict: bool
    count: int


class AggregateAlgebra:
    """Grouped reductions: the registry's aggregate `batch` semantics."""

    def __init__(self, ev, rows: int):
        self.ev, self.rows = ev, rows

    def _inside(self, m: Members):
        """Members counted (where not False), and the per-key unknown of a strict aggregate."""
        n = m.count
        w_false = empty_mask(n) if m.where is None else (~m.where.unk & ~m.where.v)
        inside = ~w_false
        member_unknown = empty_mask(n) if m.where is None else m.where.unk.copy()
        sources = [] if m.where is None else list(m.where.sources)
        bad = empty_mask(n) if m.where is None else m.where.bad.copy()
        for a in m.args:
            member_unknown |= a.unk
            sources.extend(a.sources)
            bad |= a.bad
        member_unknown &= inside
        return inside, member_unknown, sources, bad & inside

    def _finish(self, m: Members, kind, n=None, d=None, v=None, f=None, approx=False, exact_at=None,
                empty_reason=None, name=""):
        inside, member_unknown, sources, bad = self._inside(m)
        g = m.groups
        key_unknown = g.any(member_unknown)
        key_bad = g.any(bad)
        row_unknown = key_unknown[m.row_key]
        grouped = tuple(Grouped(s, inside, g, m.row_key) for s in sources)
        miss = empty_mask(self.rows)
        for s in grouped:
            miss |= s.miss
        miss &= row_unknown
        grouped = tuple(Narrowed(s, row_unknown) for s in grouped)
        col = Col(kind, row_unknown, miss, grouped, key_bad[m.row_key],
                  n=None if n is None else n[m.row_key], d=None if d is None else d[m.row_key],
                  v=None if v is None else v[m.row_key], f=None if f is None else f[m.row_key], approx=approx,
                  exact_at=None if exact_at is None else (lambda i, e=exact_at, rk=m.row_key: e(int(rk[i]))))
        if empty_reason is not None:
            counts = g.reduce(np.add, inside.astype(np.int64), 0)
            empty = (counts == 0)[m.row_key] & ~row_unknown
            col = Algebra(self.rows).undefined_where(col, empty, empty_reason, name)
        if kind == "num" and n is not None:
            col.n = np.where(col.unk, 0, col.n)
            col.d = np.where(col.unk, 1, col.d)
        return col

    def _values(self, m: Members):
        inside, member_unknown, _, _ = self._inside(m)
        a = m.args[0]
        need_numbers(a)
        need_exact(a)
        use = inside & ~member_unknown
        return a, use

    def _whole(self, m: Members, what: str):
        """The members' values as int64 (0 where not counted) and where they count, for sums:
        fractions or a total beyond int64 go to the closures."""
        a, use = self._values(m)
        if not (a.d[use] == 1).all():
            raise NotVectorizable(f"{what} of fractions")
        values = np.where(use, a.n, 0)
        if np.abs(values.astype(np.float64)).sum() > LIMIT:
            raise NotVectorizable(f"{what} beyond int64")
        return values, use

    def sum(self, m: Members) -> Col:
        values, _ = self._whole(m, "sum")
        n = m.groups.total(values)
        return self._finish(m, "num", n=n, d=np.ones_like(n))

    def extreme(self, m: Members, which: str) -> Col:
        a, use = self._values(m)
        if not (a.d[use] == 1).all():
            raise NotVectorizable("min/max of fractions")
        big = np.iinfo(np.int64).max
        if which == "min":
            values = np.where(use, a.n, big)
            n = m.groups.reduce(np.minimum, values, big)
        else:
            values = np.where(use, a.n, -big)
            n = m.groups.reduce(np.maximum, values, -big)
        return self._finish(m, "num", n=n, d=np.ones_like(n), empty_reason="empty", name=which)

    def mean(self, m: Members) -> Col:
        values, use = self._whole(m, "mean")
        total = m.groups.total(values)
        count = m.groups.total(use.astype(np.int64))
        n, d = reduce_fraction(total, np.where(count == 0, 1, count))
        return self._finish(m, "num", n=n, d=d, empty_reason="empty", name="mean")

    def count(self, m: Members) -> Col:
        inside, member_unknown, _, _ = self._inside(m)
        a = m.args[0]
        need_booleans(a)
        hits = (inside & ~member_unknown & a.v).astype(np.int64)
        n = m.groups.total(hits)
        return self._finish(m, "num", n=n, d=np.ones_like(n))

    def share(self, m: Members) -> Col:
        inside, member_unknown, _, _ = self._inside(m)
        a = m.args[0]
        need_booleans(a)
        hits = m.groups.total((inside & ~member_unknown & a.v).astype(np.int64))
        total = m.groups.total(inside.astype(np.int64))
        n, d = reduce_fraction(hits, np.where(total == 0, 1, total))
        return self._finish(m, "num", n=n, d=d, empty_reason="empty", name="share")

    def _kleene(self, m: Members, conj: bool) -> Col:
        n = m.count
        a = m.args[0]
        need_booleans(a)
        w = m.where
        w_unknown = empty_mask(n) if w is None else w.unk
        inside = empty_mask(n) | True if w is None else (w.unk | w.v)
        # A member whose membership is unknown: all() needs "w implies v", any() needs "w and v".
        if conj:
            term_false = inside & ~a.unk & ~a.v & ~w_unknown
            term_unknown = inside & ~term_false & (a.unk | (w_unknown & ~(~a.unk & a.v)))
        else:
            term_true = inside & ~a.unk & a.v & ~w_unknown
            term_unknown = inside & ~term_true & (a.unk | (w_unknown & ~(~a.unk & ~a.v)))
        g = m.groups
        decided = g.any(term_false if conj else term_true)
        unknown_key = ~decided & g.any(term_unknown)
        row_unknown = unknown_key[m.row_key]
        v = (~decided if conj else decided) & ~unknown_key
        sources = list(a.sources) + ([] if w is None else list(w.sources))
        grouped = tuple(Narrowed(Grouped(s, term_unknown, g, m.row_key), row_unknown) for s in sources)
        miss = empty_mask(self.rows)
        for s in grouped:
            miss |= s.miss
        bad = g.any(inside & (a.bad | (empty_mask(n) if w is None else w.bad)))[m.row_key]
        return Col("bool", row_unknown, miss & row_unknown, grouped, bad, v=v[m.row_key] & ~row_unknown)

    def all(self, m):
        return self._kleene(m, True)

    def any(self, m):
        return self._kleene(m, False)

    def weighted_cv(self, m: Members) -> Col:
        inside, member_unknown, _, _ = self._inside(m)
        x, p = m.args
        need_numbers(x, p)
        need_exact(x, p)
        use = inside & ~member_unknown
        g = m.groups
        xf = np.where(use, x.n / x.d, 0.0)
        pf = np.where(use, p.n / p.d, 0.0)
        big_p = np.bincount(g.keys, weights=pf, minlength=g.n_keys)
        sx = np.bincount(g.keys, weights=pf * xf, minlength=g.n_keys)
        with np.errstate(all="ignore"):
            mean = np.where(big_p > 0, sx / np.where(big_p > 0, big_p, 1), 0.0)
            dev = xf - mean[g.keys]
            var = np.bincount(g.keys, weights=pf * dev * dev, minlength=g.n_keys) / np.where(big_p > 0, big_p, 1)
            cv = np.sqrt(np.maximum(var, 0)) / np.where(mean != 0, np.abs(mean), 1)
        # Exact zero tests: every member's p·x is zero exactly when its numerators are.
        any_p = g.any(use & (p.n != 0))
        any_px = g.any(use & (p.n != 0) & (x.n != 0))
        negative = g.any(use & ((x.n < 0) | (p.n < 0)))   # signs could cancel in floats: judge exactly
        exact_x, exact_p = x, p
        groups = g

        def exact_at(key: int):
            rows = [(exact_x.value_at(int(i)), exact_p.value_at(int(i))) for i in groups.members(key) if use[i]]
            result = weighted_mean_and_cv(rows)
            return None if isinstance(result, Unknown) else result[1]

        col = self._finish(m, "num", f=cv, approx=True, exact_at=exact_at)
        row = m.row_key
        col.bad = col.bad | negative[row]
        B = Algebra(self.rows)
        col = B.undefined_where(col, ~col.unk & ~any_p[row], "empty", "weighted_cv")
        col = B.undefined_where(col, ~col.unk & any_p[row] & ~any_px[row], "division_by_zero", "weighted_cv")
        return col
