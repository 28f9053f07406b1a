"""The columnar backend: every rule over many records at once, as numpy columns.

The records of one run are laid out as frames — one row per record, school, school section,
section level (a record's primary or junior sections as a whole) and history entry — and a
rule's condition is evaluated once per frame over all of them. Each node of the checked
tree becomes one column operation; aggregates (sum, count, share, all, weighted_cv …) are
grouped reductions of a member frame by the subject they belong to.

Exact at thresholds:
- numbers are exact rationals, an int64 numerator and denominator per row (inputs carry a
  few decimals at most: 12.5 is 25/2); comparisons cross-multiply;
- an operation that could overflow int64 marks its rows `bad`, and bad rows are judged again
  by the closures, exactly;
- a 差异系数 is irrational: it is computed in floats, every row within 1e-9 (relative) of
  its threshold is judged again by the closures, and the exact value of a kept finding is
  computed from the exact member columns the way the closures compute it.
Unknown rows carry `Source`s that name the missing JSON pointers (or the undefined
operation) row by row, so an unknown finding names its fields as the other backends do.
Every column carries its `Trace` (run/columns.py): what each row read and noted, as the
closures record it, so a kept finding's inputs and notes are written from the columns.
Records come as parsed (decimals as Decimal); the closures and scalar functions get exact
views only of the records they judge.

Columns and their exact algebra live in run/columns.py, grouped reductions in
run/aggregates.py. A rule this backend cannot vectorize (see `NotVectorizable`) is run by the
closures for every subject; `Program.fallbacks` lists those rules. Subjects come from run/subjects.py
and statuses from run/judge.py's table, as in every backend.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..dsl import ast
from ..dsl import types as T
from ..dsl.builtins import BUILTINS, LEVELS, as_date
from ..dsl.check import AggregateInfo, CollectionRef, DerivedRef, FieldRef, LevelRef, ParamRef, check_derived, \
    DERIVED_SCOPE
from ..dsl.units import UNITS
from ..findings import Subject
from ..logic import Unknown, merge
from ..record import RecordView, attestation, exact
from .backend import Prepared, RunResult, prepare
from .closures import ClosureProgram, view_of
from .judge import (NO_UNKNOWN, R_FALSE, R_MISSING, R_TRUE, R_UNDEFINED, STATUS_CODES, STATUS_TABLE, W_FALSE, W_TRUE,
                    W_UNKNOWN, due_code, finding)
from .subjects import subject_of, subjects
from .aggregates import AggregateAlgebra, Members
from .columns import (Algebra, Col, FieldMissing, FieldRead, Grouped, Groups, Narrowed, Note, NotVectorizable, PerRow,
                      RowTrace, Taken, Where, const, empty_mask, kind_of, need_booleans, numbers, overflows,
                      reduce_fraction, TracePlan, union_at)


# ---- frames -----------------------------------------------------------------------------

class Frames:
    """The records of one run laid out as rows: records, schools, sections, levels, history.
    Index arrays map each row to its record (and a section to its school)."""

    def __init__(self, views: list[RecordView]):
        self.views = views
        self.entities = {"record": [], "school": [], "section": [], "history": []}
        rec = {"school": [], "section": [], "history": []}
        sec_school, sec_level, level_rows = [], [], []
        school_base = 0
        for r, view in enumerate(views):
            self.entities["record"].append(view.root)
            positions = {id(s): school_base + i for i, s in enumerate(view.schools)}
            self.entities["school"].extend(view.schools)
            rec["school"].extend([r] * len(view.schools))
            for s in view.sections:
                self.entities["section"].append(s)
                sec_school.append(positions[id(s.school)])
                sec_level.append(LEVELS.index(s.level))
            rec["section"].extend([r] * len(view.sections))
            self.entities["history"].extend(view.history)
            rec["history"].extend([r] * len(view.history))
            for level in view.subject_levels():
                level_rows.append((r, LEVELS.index(level)))
            school_base += len(view.schools)
        self.rec = {k: np.array(v, np.int64) for k, v in rec.items()}
        self.rec["record"] = np.arange(len(views), dtype=np.int64)
        self.sec_school = np.array(sec_school, np.int64)
        self.sec_level = np.array(sec_level, np.int64)
        self.level_rec = np.array([r for r, _ in level_rows], np.int64)
        self.level_level = np.array([lv for _, lv in level_rows], np.int64)
        self.rows = {k: len(v) for k, v in self.entities.items()}
        self.pointers = {k: [e.pointer for e in v] for k, v in self.entities.items()}
        self._fields: dict = {}
        self._position: dict = {}
        self.subject_rows: dict = {}
        self._exact: dict[int, RecordView] = {}
        self._subjects: dict = {}
        self._figures: dict[int, RecordView] = {}

    def exact(self, r: int) -> RecordView:
        """Record r as the closures and scalar functions read it, every decimal a Fraction:
        the view itself when it already is, else one made when first asked for. The columns
        read decimals as they were parsed."""
        view = self.views[r]
        if view.exact:
            return view
        if r not in self._exact:
            self._exact[r] = view_of(view.data)
        return self._exact[r]

    def figures(self, r: int) -> RecordView:
        """Record r as the scalar functions run row by row read it (ctx.view): its own figures
        (facts, history, attestations, counties) exact. Its schools, which they never read
        (their arguments come from the columns), stay as parsed: making a county's ≈60
        schools exact costs more than judging them."""
        view = self.views[r]
        if view.exact:
            return view
        if r not in self._figures:
            data = {k: v if k == "schools" else exact(v) for k, v in view.data.items()}
            self._figures[r] = RecordView(data)
        return self._figures[r]

    def subject(self, subject: tuple) -> Subject:
        """The Subject of an enumerated subject, made once per run (several rules judge it)."""
        kind, school, section, level, _ = subject
        key = (kind, id(school), id(section), level)
        made = self._subjects.get(key)
        if made is None:
            made = self._subjects[key] = subject_of(*subject)
        return made

    def clear_caches(self) -> None:
        for view in self._exact.values():   # derived values cached while judging (data unchanged)
            view.clear_caches()

    def row_of(self, entity_kind: str, entity) -> int:
        table = self._position.get(entity_kind)
        if table is None:
            table = self._position[entity_kind] = {id(e): i for i, e in enumerate(self.entities[entity_kind])}
        return table[id(entity)]

    def field(self, kind: str, keys: tuple, ftype, scale) -> Col:
        """One field of every row of an entity frame, read once per run."""
        key = (kind, keys, scale)
        col = self._fields.get(key)
        if col is not None:
            return col
        # One comprehension per level of the path: a frame has thousands of rows.
        values = [e.data for e in self.entities[kind]]
        for k in keys:
            values = [v.get(k) if v.__class__ is dict else None for v in values]
        count = len(values)
        suffix = "/" + "/".join(keys)
        read = (FieldRead(self.pointers[kind], suffix, values),)
        if isinstance(ftype, T.NumberT):
            n, d, known, bad = numbers(values, scale)
            unk = ~known
            src = FieldMissing(unk, self.pointers[kind], suffix)
            col = Col("num", unk, unk.copy(), (src,), bad, n=n, d=d, trace=read)
        elif isinstance(ftype, T.BoolT):
            known = np.array([isinstance(v, bool) for v in values], bool)
            unk = ~known
            col = Col("bool", unk, unk.copy(), (FieldMissing(unk, self.pointers[kind], suffix),), empty_mask(count),
                      v=np.array([v is True for v in values], bool), trace=read)
        else:
            if isinstance(ftype, T.DateT):   # dates are ISO strings in the record
                values = [as_date(v) for v in values]
            unk = np.array([v is None for v in values], bool)
            arr = np.empty(count, object)
            arr[:] = values if not isinstance(ftype, T.ListT) or scale == 1 else \
                [None if v is None else [exact(x) * scale for x in v] for v in values]
            col = Col("obj", unk, unk.copy(), (FieldMissing(unk, self.pointers[kind], suffix),), empty_mask(count), v=arr,
                      trace=read)
        self._fields[key] = col
        return col


@dataclass
class Ctx:
    """Rows being evaluated and, for each base an expression may name (record, school,
    section, an aggregate's variable), the frame and row it refers to."""
    subject: str                     # the scope kind the expression was checked in
    rows: int
    bases: dict                      # "record" | "school" | "section" | slot → (frame kind, index array)
    level: np.ndarray | None         # level code per row (0 primary, 1 junior), where defined
    values: dict | None = None       # slot → column, for a variable bound to plain values


class _Evaluator:
    def __init__(self, program: "BatchProgram", frames: Frames):
        self.p = program
        self.frames = frames
        self.params = program.prepared.params
        self.analysis = program.prepared.analysis
        self._derived: dict = {}
        self._shares: dict = {}

    # -- entry
    def eval(self, node: ast.Node, ctx: Ctx, chk: dict) -> Col:
        method = getattr(self, "_" + type(node).__name__.lower())
        return method(node, ctx, chk)

    def algebra(self, ctx: Ctx) -> Algebra:
        return FrameAlgebra(self, ctx)

    # -- literals
    def _number(self, node, ctx, chk):
        return const(node.value * (UNITS[node.unit].scale if node.unit else 1), ctx.rows)

    def _string(self, node, ctx, chk):
        return const(node.value, ctx.rows)

    _datelit = _bool = _string

    def _listlit(self, node, ctx, chk):
        raise NotVectorizable("list literal outside `in`")

    # -- operators
    def _compare(self, node, ctx, chk):
        return self.algebra(ctx).compare(node.op, self.eval(node.left, ctx, chk), self.eval(node.right, ctx, chk))

    def _member(self, node, ctx, chk):
        item = self.eval(node.item, ctx, chk)
        if isinstance(node.collection, ast.ListLit):
            options = []
            for i in node.collection.items:
                if not isinstance(i, (ast.String, ast.Number, ast.Bool)):
                    raise NotVectorizable("non-literal list")
                options.append(i.value * (UNITS[i.unit].scale if isinstance(i, ast.Number) and i.unit else 1))
        else:
            ref = chk.resolutions.get(id(node.collection))
            value = self.params.get(ref.name) if isinstance(ref, ParamRef) and not ref.per_level else None
            if isinstance(value, Unknown):   # a list parameter not in force on the date
                gone = const(value, ctx.rows, "bool")
                return Col("bool", gone.unk, gone.miss | item.miss, gone.sources + item.sources, item.bad,
                           v=empty_mask(ctx.rows), trace=item.trace)
            if not isinstance(value, list):
                raise NotVectorizable("`in` over a computed collection")
            options = value
        if item.kind == "obj":
            hit = np.array([x in options for x in item.v], bool) if len(item.v) else empty_mask(0)
        elif item.kind == "num" and not item.approx:
            hit = np.zeros(len(item), bool)
            for o in options:
                q = Fraction(o)
                hit |= (item.n * q.denominator == item.d * q.numerator)
        else:
            raise NotVectorizable("`in` on this kind")
        if node.negated:
            hit = ~hit
        return Col("bool", item.unk, item.miss, item.sources, item.bad, v=hit & ~item.unk, trace=item.trace)

    def _arith(self, node, ctx, chk):
        where = self.analysis.text_of(node.right) or "?"
        return self.algebra(ctx).arith(node.op, self.eval(node.left, ctx, chk), self.eval(node.right, ctx, chk), where)

    def _neg(self, node, ctx, chk):
        return self.algebra(ctx).neg(self.eval(node.operand, ctx, chk))

    def _not(self, node, ctx, chk):
        return self.algebra(ctx).k_not(self.eval(node.operand, ctx, chk))

    def _and(self, node, ctx, chk):
        return self.algebra(ctx).k_and(self.eval(node.left, ctx, chk), self.eval(node.right, ctx, chk))

    def _or(self, node, ctx, chk):
        return self.algebra(ctx).k_or(self.eval(node.left, ctx, chk), self.eval(node.right, ctx, chk))

    def _conditional(self, node, ctx, chk):
        c = self.eval(node.condition, ctx, chk)
        a, b = self.eval(node.then, ctx, chk), self.eval(node.otherwise, ctx, chk)
        need_booleans(c)
        if a.kind != b.kind or a.approx or b.approx or a.kind == "obj":
            raise NotVectorizable("if-then-else of this kind")
        take_a = ~c.unk & c.v
        take_b = ~c.unk & ~c.v
        unk = c.unk | (take_a & a.unk) | (take_b & b.unk)
        miss = (c.unk & c.miss) | (take_a & a.miss) | (take_b & b.miss)
        sources = tuple(Narrowed(s, c.unk) for s in c.sources) + tuple(Narrowed(s, take_a) for s in a.sources) \
            + tuple(Narrowed(s, take_b) for s in b.sources)
        bad = c.bad | (take_a & a.bad) | (take_b & b.bad)
        if a.kind == "num":
            col = Algebra(ctx.rows).num(unk, miss, sources, bad, np.where(take_a, a.n, b.n), np.where(take_a, a.d, b.d))
        else:
            col = Col("bool", unk, miss, sources, bad, v=np.where(take_a, a.v, b.v) & ~unk)
        # the closures evaluate the branch taken, neither when the condition is unknown
        col.trace = c.trace + ((Where(a.trace, take_a),) if a.trace else ()) + ((Where(b.trace, take_b),) if b.trace else ())
        return col

    # -- names
    def _path(self, node, ctx, chk):
        ref = chk.resolutions[id(node)]
        if isinstance(ref, LevelRef):
            if ctx.level is None:
                raise NotVectorizable("level")
            arr = np.empty(ctx.rows, object)
            arr[:] = [LEVELS[i] for i in ctx.level]
            return Col("obj", empty_mask(ctx.rows), empty_mask(ctx.rows), (), empty_mask(ctx.rows), v=arr)
        if isinstance(ref, ParamRef):
            return self.param(ref, ctx)
        if isinstance(ref, DerivedRef):
            kind, index = self.base(ref.base, ref.slot, ref.to_school, ctx)
            return self.derived(ref.entity, ref.name, kind).take(index)
        if isinstance(ref, CollectionRef):
            raise NotVectorizable("a collection as a value")
        assert isinstance(ref, FieldRef)
        if ref.virtual == "value" and ctx.values and ref.slot in ctx.values:
            return ctx.values[ref.slot]
        if ref.virtual == "entity" or ref.virtual == "value":
            raise NotVectorizable(f"{ref.virtual} reference")
        if ref.virtual == "level":
            kind, index = self.base(ref.base, ref.slot, ref.to_school, ctx)
            if kind != "section":
                raise NotVectorizable("level of a non-section")
            arr = np.empty(len(index), object)
            arr[:] = [LEVELS[i] for i in self.frames.sec_level[index]]
            return Col("obj", empty_mask(len(index)), empty_mask(len(index)), (), empty_mask(len(index)), v=arr)
        kind, index = self.base(ref.base, ref.slot, ref.to_school, ctx)
        if ref.virtual == "class_sizes":
            if kind != "section":
                raise NotVectorizable("class sizes of a non-section")
            full = self.class_sizes()
            return full.take(index)
        return self.frames.field(kind, ref.keys, ref.type, ref.scale).take(index)

    def class_sizes(self) -> Col:
        """A section's class sizes live on its school: /schools/i/class_sizes/<level>."""
        key = ("class_sizes",)
        col = self.frames._fields.get(key)
        if col is None:
            values, pointers = [], []
            for s in self.frames.entities["section"]:
                sizes = s.school.data.get("class_sizes")
                values.append(sizes.get(s.level) if isinstance(sizes, dict) else None)
                pointers.append(f"{s.school.pointer}/class_sizes/{s.level}")
            unk = np.array([v is None for v in values], bool)
            arr = np.empty(len(values), object)
            arr[:] = values
            col = Col("obj", unk, unk.copy(), (FieldMissing(unk, pointers, ""),), empty_mask(len(values)), v=arr)
            self.frames._fields[key] = col
        return col

    def base(self, base: str, slot, to_school: bool, ctx: Ctx):
        where = ctx.bases.get(slot if base == "var" else base)
        if where is None:
            raise NotVectorizable(f"{base} is not defined per row here")
        kind, index = where
        if to_school:
            if kind != "section":
                raise NotVectorizable("school of a non-section")
            kind, index = "school", self.frames.sec_school[index]
        return kind, index

    def param(self, ref: ParamRef, ctx: Ctx) -> Col:
        value = self.params.get(ref.name)
        kind = kind_of(ref.type)
        if isinstance(value, Unknown):
            return const(value, ctx.rows, kind)
        if ref.per_level and ref.level is None:
            if ctx.level is None:
                raise NotVectorizable("per-level parameter without a level")
            cols = [const(value.get(lv) if value.get(lv) is not None
                          else Unknown(frozenset(), frozenset({("no_parameter_value", f"params.{ref.name}.{lv}")})),
                          ctx.rows, kind) for lv in LEVELS]
            if any(c.kind != "num" for c in cols):
                raise NotVectorizable("per-level parameter of this kind")
            first = ctx.level == 0
            return Algebra(ctx.rows).num(np.where(first, cols[0].unk, cols[1].unk), empty_mask(ctx.rows),
                                         tuple(Narrowed(s, first) for s in cols[0].sources)
                                         + tuple(Narrowed(s, ~first) for s in cols[1].sources),
                                         empty_mask(ctx.rows), np.where(first, cols[0].n, cols[1].n),
                                         np.where(first, cols[0].d, cols[1].d))
        if ref.level is not None:
            v = value.get(ref.level) if isinstance(value, dict) else None
            if v is None:
                v = Unknown(frozenset(), frozenset({("no_parameter_value", f"params.{ref.name}.{ref.level}")}))
            return const(v, ctx.rows, kind)
        return const(value, ctx.rows)   # weights (a dict) become a constant column of it

    def derived(self, entity: str, name: str, kind: str) -> Col:
        """A derived field over every row of its entity's frame, computed once per run."""
        key = (entity, name)
        col = self._derived.get(key)
        if col is None:
            checked = check_derived(self.analysis.env, entity, name)
            ctx = self.frame_ctx(kind, DERIVED_SCOPE[entity])
            col = self.eval(checked.node, ctx, checked)
            # what it read, then its value noted under its name (as the closures note it)
            col = self._derived[key] = col.traced(col.trace + (Note(name, col),))
        return col

    def frame_ctx(self, kind: str, subject: str, rows=None) -> Ctx:
        """A context over the rows of one frame (all, or the index `rows`)."""
        f = self.frames
        index = np.arange(f.rows[kind] if kind != "level" else len(f.level_rec), dtype=np.int64) \
            if rows is None else rows
        if kind == "record":
            return Ctx(subject, len(index), {"record": ("record", index)}, None)
        if kind == "school":
            return Ctx(subject, len(index), {"record": ("record", f.rec["school"][index]), "school": ("school", index)},
                       None)
        if kind == "section":
            return Ctx(subject, len(index), {"record": ("record", f.rec["section"][index]),
                                              "school": ("school", f.sec_school[index]),
                                              "section": ("section", index)}, f.sec_level[index])
        if kind == "level":
            return Ctx(subject, len(index), {"record": ("record", f.level_rec[index])}, f.level_level[index])
        raise NotVectorizable(kind)

    # -- calls
    def _call(self, node: ast.Call, ctx: Ctx, chk) -> Col:
        fn = BUILTINS[node.name]
        B = self.algebra(ctx)
        if fn.args == "comparisons":
            k, p = self.eval(node.args[0], ctx, chk), self.eval(node.args[1], ctx, chk)
            items = [(self.eval(c.left, ctx, chk), self.eval(c.right, ctx, chk), c.op) for c in node.args[2].items]
            return fn.batch(B, k, p, items)
        if fn.batch is not None and fn.args == "values":
            args = [self.eval(a, ctx, chk) for a in node.args]
            out = fn.batch(B, *args)
            # None: no column form for these arguments (round_to at a non-zero precision)
            return out if out is not None else self.per_row(fn, node, ctx, chk, args)
        return self.per_row(fn, node, ctx, chk)

    def per_row(self, fn, node, ctx: Ctx, chk, args=None) -> Col:
        """A function without column semantics: its scalar semantics row by row."""
        if fn.args not in ("values", "literal", "field"):
            raise NotVectorizable(fn.name)
        if fn.args == "values" and args is None:
            args = [self.eval(a, ctx, chk) for a in node.args]
        rows = ctx.rows
        results, unknowns = [], {}
        bad = empty_mask(rows)
        record_index = ctx.bases["record"][1]
        row_reads, row_notes = {}, {}
        for i in range(rows):
            view = self.frames.figures(int(record_index[i]))
            scope = _RowCtx(view, None if ctx.level is None else LEVELS[int(ctx.level[i])])
            if fn.args == "literal":
                v = fn.scalar(scope, node.args[0].value)
            elif fn.args == "field":
                v = fn.scalar(scope, chk.resolutions[id(node.args[0])], *(a.value for a in node.args[1:]))
            else:
                values = [a.value_at(i) if not a.unk[i] else union_at(a.sources, i) for a in args]
                if any(a.bad[i] for a in args):
                    bad[i] = True
                    v = None
                elif fn.strict and any(isinstance(x, Unknown) for x in values):
                    v = merge(*values)
                else:
                    v = fn.scalar(scope, *values)
            if scope.reads:
                row_reads[i] = scope.reads
            if scope.notes:
                row_notes[i] = scope.notes
            if isinstance(v, Unknown):
                unknowns[i] = v
                v = None
            results.append(v)
        # what the arguments read, then what the function itself read and noted
        trace = sum((a.trace for a in args or ()), ()) + (RowTrace(row_reads, row_notes),)
        src = PerRow(rows, unknowns)
        unk = src.miss | src.undef
        declared = chk.types.get(id(node))
        if isinstance(declared, T.BoolT):
            return Col("bool", unk, src.miss.copy(), (src,), bad, v=np.array([v is True for v in results], bool),
                       trace=trace)
        if isinstance(declared, T.NumberT):
            n, d, _, over = numbers(results)
            return Col("num", unk, src.miss.copy(), (src,), bad | over, n=n, d=d, trace=trace)
        arr = np.empty(rows, object)
        arr[:] = results
        return Col("obj", unk, src.miss.copy(), (src,), bad, v=arr, trace=trace)

    def section_shares(self, name: str, weights: dict) -> Col:
        """Every section's share of its school's shared quantities, as grouped sums over the
        section frame (the same reading as builtins.section_share): w_level·n_level over
        Σ w·n of the school's sections and high school, weights as integers (100 : 110 : 132)."""
        col = self._shares.get(name)
        if col is not None:
            return col
        f = self.frames
        wn = {k: Fraction(v) for k, v in weights.items()}
        den = math.lcm(*(w.denominator for w in wn.values()))
        w_int = {k: w.numerator * (den // w.denominator) for k, w in wn.items()}
        students = f.field("section", ("students",), T.NUMBER, Fraction(1))
        high = f.field("school", ("high_school_students",), T.NUMBER, Fraction(1))
        kind = f.field("school", ("type",), T.STRING, Fraction(1))
        school = f.sec_school
        weight = np.where(f.sec_level == 0, w_int["primary"], w_int["junior"]).astype(np.int64)
        bad = students.bad | (students.d != 1) | high.bad[school] | (high.d != 1)[school]
        own = np.where(students.unk | bad, 0, weight * students.n)
        groups = Groups(school, f.rows["school"])
        high_needed = high.unk & np.isin(kind.v, ["complete_middle", "twelve_year"])
        total = groups.total(own) + np.where(high.unk, 0, w_int["high"] * high.n)
        gone = (groups.any(students.unk) | high_needed)[school]
        sources = tuple(Grouped(src, np.ones(len(school), bool), groups, school) for src in students.sources) + \
            tuple(Taken(Narrowed(src, high_needed), school) for src in high.sources)
        col = Algebra(len(school)).num(gone, gone.copy(), tuple(Narrowed(x, gone) for x in sources),
                                       bad | overflows((weight, students.n)),
                                       *reduce_fraction(own, np.where(total[school] == 0, 1, total[school])))
        col = Algebra(len(school)).undefined_where(col, ~gone & (total[school] == 0), "division_by_zero", "split")
        self._shares[name] = col
        return col

    # -- aggregates
    def _aggregate(self, node: ast.Aggregate, ctx: Ctx, chk) -> Col:
        fn = BUILTINS[node.name]
        info: AggregateInfo = chk.resolutions[id(node)]
        if not isinstance(chk.resolutions.get(id(node.collection)), CollectionRef):
            return self.list_aggregate(fn, node, info, ctx, chk)
        members, member_key, row_key, n_keys = self.collection(node.collection, ctx, chk)
        mctx = self.member_ctx(members, ctx, info.slot, member_key, row_key, n_keys)
        where = self.eval(node.where, mctx, chk) if node.where is not None else None
        args = [self.eval(a, mctx, chk) for a in node.args]
        groups = Groups(member_key, n_keys)
        m = Members(groups, row_key, where, args, fn.strict, len(member_key))
        col = fn.batch(AggregateAlgebra(self, ctx.rows), m)
        col.trace = (members_note(fn, m),)
        return col

    def list_aggregate(self, fn, node: ast.Aggregate, info: AggregateInfo, ctx: Ctx, chk) -> Col:
        """An aggregate over a list each row holds (class sizes, room areas): its items are
        the members, grouped by the row they came from."""
        lists = self.eval(node.collection, ctx, chk)
        if lists.kind != "obj":
            raise NotVectorizable("aggregate over a non-list")
        owners, items = [], []
        for i, value in enumerate(lists.v):
            if not lists.unk[i] and value is not None:
                owners.extend([i] * len(value))
                items.extend(value)
        owner = np.array(owners, np.int64)
        n, d, known, over = numbers(items)
        item_col = Col("num", ~known, ~known, (), over, n=n, d=d)
        mctx = Ctx(ctx.subject, len(owner), {"record": ("record", ctx.bases["record"][1][owner])}, None,
                   values={info.slot: item_col})
        where = self.eval(node.where, mctx, chk) if node.where is not None else None
        args = [self.eval(a, mctx, chk) for a in node.args]
        m = Members(Groups(owner, ctx.rows), np.arange(ctx.rows, dtype=np.int64), where, args, fn.strict, len(owner))
        col = fn.batch(AggregateAlgebra(self, ctx.rows), m)
        col.trace = lists.trace + (Where((members_note(fn, m),), ~lists.unk),)
        # A row without its list is unknown, naming the list (as the closures do).
        keep = ~lists.unk
        col.unk = col.unk & keep | lists.unk
        col.miss = col.miss & keep | lists.miss
        col.sources = tuple(Narrowed(s, keep) for s in col.sources) + lists.sources
        col.bad = col.bad | lists.bad
        if col.kind == "num" and col.n is not None:
            col.n = np.where(col.unk, 0, col.n)
            col.d = np.where(col.unk, 1, col.d)
        if col.kind == "bool":
            col.v = col.v & ~col.unk
        return col

    def collection(self, node, ctx: Ctx, chk):
        """(member frame kind, member → key, row → key, number of keys) for a collection."""
        ref = chk.resolutions.get(id(node))
        f = self.frames
        rec_of_row = ctx.bases["record"][1]
        if isinstance(ref, CollectionRef):
            if ref.kind == "schools":
                return "school", f.rec["school"], rec_of_row, len(f.views)
            if ref.kind == "history":
                return "history", f.rec["history"], rec_of_row, len(f.views)
            if ctx.subject == "section_level":
                if ctx.level is None:
                    raise NotVectorizable("sections of a level without a level")
                return "section", f.rec["section"] * 2 + f.sec_level, rec_of_row * 2 + ctx.level, 2 * len(f.views)
            if ctx.subject in ("school", "school_section"):
                if "school" not in ctx.bases:
                    raise NotVectorizable("sections of a school without a school")
                return "section", f.sec_school, ctx.bases["school"][1], f.rows["school"]
            return "section", f.rec["section"], rec_of_row, len(f.views)
        raise NotVectorizable("aggregate over this collection")

    def member_ctx(self, kind: str, ctx: Ctx, slot: int, member_key, row_key, n_keys) -> Ctx:
        """The members' rows: the variable is the member; of the outer bases only those that
        are the same for every row of a key (the record always) stay defined."""
        f = self.frames
        index = np.arange(f.rows[kind], dtype=np.int64)
        bases = {slot: (kind, index), "record": ("record", f.rec[kind])}
        level = None
        if ctx.subject == "section_level" and kind == "section":
            level = f.sec_level
        if ctx.subject in ("school", "school_section") and kind == "section":
            bases["school"] = ("school", f.sec_school)
        return Ctx(ctx.subject, len(index), bases, level)


class FrameAlgebra(Algebra):
    """The algebra of one evaluation context: what needs the frames (split shares)."""

    def __init__(self, ev: _Evaluator, ctx: Ctx):
        super().__init__(ctx.rows)
        self.ev, self.ctx = ev, ctx

    def split(self, q: Col, w: Col) -> Col:
        if w.unk.all():    # weights not in force on the date: both are named
            return Col("num", w.unk, w.miss | q.miss, w.sources + q.sources, q.bad,
                       n=np.zeros(self.rows, np.int64), d=np.ones(self.rows, np.int64), trace=q.trace)
        weights = w.v[0] if len(w.v) else None
        if not isinstance(weights, dict) or "section" not in self.ctx.bases:
            raise NotVectorizable("split")
        _, index = self.ctx.bases["section"]
        share = self.ev.section_shares(id(weights), weights).take(index)
        col = self.mul(q, share)
        col.trace = q.trace + (Note("split_share", share, mask=~q.unk & ~share.unk),)
        return col


class _RowCtx:
    """What a built-in's scalar semantics may read, for a per-row evaluation (jurisdiction facts,
    and the level of a section-level row)."""

    def __init__(self, view, level=None):
        self.view, self.school, self.section, self.level = view, None, None, level
        self.reads, self.notes = [], {}


# ---- the backend ------------------------------------------------------------------------

_STATUS_TABLE = np.array(STATUS_TABLE, np.int64)   # judge.STATUS as an array, indexed by columns


class BatchProgram:
    """Every rule in force on one date, evaluated over many records at once."""

    def __init__(self, prepared: Prepared):
        self.prepared = prepared
        self.closures = ClosureProgram(prepared)
        self.fallbacks: dict[str, str] = {}   # rule → why it runs on the closures

    def run(self, views, trace: bool = False, keep=None) -> list[RunResult]:
        views = list(views)
        frames = Frames(views)
        ev = _Evaluator(self, frames)
        per_record: list[list] = [[] for _ in views]
        counts = [dict() for _ in views]
        for index, meta in enumerate(self.prepared.rules):
            compiled = self.closures.rules[index]
            subject_lists = [subjects(meta.rule, view) for view in views]
            try:
                outcome = self.rule_columns(ev, meta, subject_lists)
            except NotVectorizable as why:
                self.fallbacks.setdefault(meta.rule.qualified_id, str(why))
                for r in range(len(views)):
                    exact = frames.exact(r)
                    for n, subject in enumerate(subjects(meta.rule, exact)):
                        f = self.closures.judge_one(compiled, exact, subject, trace, (index, n))
                        _count(counts[r], f.status, f.severity)
                        if keep is None or f.status in keep:
                            per_record[r].append(f)
                continue
            status, when, result, _, starts = outcome
            bad = result["bad"]
            record_of_row = np.repeat(np.arange(len(views)), np.diff(starts))
            wanted = np.ones(len(status), bool) if keep is None else \
                np.isin(status, [STATUS_CODES.index(k) for k in keep])
            # Rows the columns cannot decide exactly are judged again by the closures.
            again = bad
            counted = ~again
            written = np.nonzero(wanted & counted)[0]
            plan = TracePlan(result["trace"], written) if trace and len(written) else None
            j = 0    # the position of row i among `written`
            width = len(STATUS_CODES)
            tally = np.bincount(record_of_row[counted] * width + status[counted],
                                minlength=width * len(views)).reshape(-1, width)
            for r, code in zip(*np.nonzero(tally)):
                _count(counts[r], STATUS_CODES[code], meta.severity, int(tally[r, code]))
            for i in np.nonzero(wanted | again)[0]:
                r = int(record_of_row[i])
                n = int(i - starts[r])
                subject = subject_lists[r][n]
                if again[i]:
                    exact = frames.exact(r)
                    same = subject if exact is views[r] else self._translate(views[r], exact, subject)
                    f = self.closures.judge_one(compiled, exact, same, trace, (index, n))
                    _count(counts[r], f.status, f.severity)
                    if keep is None or f.status in keep:
                        per_record[r].append(f)
                    continue
                reads, notes = plan.at(j) if plan is not None else (None, None)
                j += 1
                per_record[r].append(self._finding(meta, frames.subject(subject), STATUS_CODES[status[i]], i, when,
                                                   result, (index, n), reads, notes))
        frames.clear_caches()
        return [RunResult(per_record[r], Counter(counts[r])) for r in range(len(views))]

    @staticmethod
    def _translate(view: RecordView, exact: RecordView, subject: tuple) -> tuple:
        """The same subject in the record's exact view (same positions)."""
        kind, school, section, level, scope = subject
        if school is not None:
            school = exact.schools[[id(s) for s in view.schools].index(id(school))]
        if section is not None:
            section = next(s for s in exact.sections if s.school is school and s.level == level)
        return kind, school, section, level, scope

    def rule_columns(self, ev: _Evaluator, meta, subject_lists):
        """Statuses of one rule for every subject of every record, as columns."""
        frames = ev.frames
        rule = meta.rule
        kind = {"jurisdiction": "record", "school": "school", "school_section": "section",
                "section_level": "level"}[rule.applies_to]
        index, starts = self.subject_rows(frames, kind, (rule.applies_to, rule.levels), subject_lists)
        ctx = ev.frame_ctx(kind, rule.applies_to, index)
        count = len(index)
        if meta.when is not None:
            w = ev.eval(meta.when.node, ctx, meta.when)
            need_booleans(w)
            when_code = np.where(w.unk, W_UNKNOWN, np.where(w.v, W_TRUE, W_FALSE))
        else:
            w = None
            when_code = np.full(count, W_TRUE)
        value = threshold = None
        if not (when_code == W_TRUE).any():
            # `require` decides nothing where `when` does not hold (judge.py): with no such row,
            # e.g. a recheck of published figures over records that publish none, skip it.
            res = const(False, count, "bool")
        elif rule.attestation:
            values = [attestation(view.data, rule.id, rule.qualified_id) for view in frames.views]
            res = _row_values([values[int(r)] for r in frames.rec[kind][index]] if kind != "record" else
                              [values[int(r)] for r in index])
        elif meta.sides is not None:
            left, right = meta.sides
            value = ev.eval(left, ctx, meta.require)
            threshold = ev.eval(right, ctx, meta.require)
            res = Algebra(count).compare(meta.op, value, threshold)
        else:
            res = ev.eval(meta.require.node, ctx, meta.require)
            need_booleans(res)
        result_code = np.where(res.unk, np.where(res.miss, R_MISSING, R_UNDEFINED), np.where(res.v, R_TRUE, R_FALSE))
        status = _STATUS_TABLE[due_code(meta.ahead), when_code, result_code]
        holds = when_code == W_TRUE
        bad = (res.bad & holds) | (np.zeros(count, bool) if w is None else w.bad)
        # What a subject's finding read: `when`, then `require` where `when` holds.
        required = (value.trace + threshold.trace) if value is not None else res.trace
        trace = (w.trace if w is not None else ()) + ((Where(required, holds),) if required else ())
        return status, w, {"col": res, "value": value, "threshold": threshold, "bad": bad, "holds": holds,
                           "trace": trace}, None, starts

    @staticmethod
    def subject_rows(frames: Frames, kind: str, key, subject_lists):
        """The frame rows of the subjects (from run/subjects.py) of every record, in order,
        and where each record's rows start: computed once per run and kind of rule."""
        cached = frames.subject_rows.get(key)
        if cached is not None:
            return cached
        rows, starts = [], [0]
        level_pos = None
        for r, subs in enumerate(subject_lists):
            if kind == "record":
                rows.extend([r] * len(subs))
            elif kind == "school":
                rows.extend(frames.row_of("school", s[1]) for s in subs)
            elif kind == "section":
                rows.extend(frames.row_of("section", s[2]) for s in subs)
            else:
                if level_pos is None:
                    level_pos = {(int(a), int(b)): i for i, (a, b) in
                                 enumerate(zip(frames.level_rec, frames.level_level))}
                rows.extend(level_pos[(r, LEVELS.index(s[3]))] for s in subs)
            starts.append(len(rows))
        frames.subject_rows[key] = (np.array(rows, np.int64), starts)
        return frames.subject_rows[key]

    @staticmethod
    def _finding(meta, subject, status: str, i: int, when: Col | None, result: dict, order, reads, notes):
        holds = result["holds"][i]
        if when is not None and when.unk[i]:
            unknown = union_at(when.sources, i)
        elif holds and result["col"].unk[i]:
            unknown = union_at(result["col"].sources, i)
        else:
            unknown = NO_UNKNOWN
        value = threshold = None
        if holds and result["value"] is not None:
            v, t = result["value"], result["threshold"]
            value = None if v.unk[i] else v.value_at(i)
            threshold = None if t.unk[i] else t.value_at(i)
        return finding(meta, subject, status, value, threshold, unknown, reads, notes, order=order)


def members_note(fn, m: Members) -> Note:
    """`<name>_members`: how many members an aggregate counted (those `where` does not
    exclude), noted as the closures note it: for a strict aggregate only where no member was
    unknown."""
    inside = np.ones(m.count, bool) if m.where is None else (m.where.unk | m.where.v)
    count = m.groups.total(inside.astype(np.int64))[m.row_key]
    show = None
    if fn.strict:
        unknown = empty_mask(m.count) if m.where is None else m.where.unk.copy()
        for a in m.args:
            unknown |= a.unk
        show = ~m.groups.any(inside & unknown)[m.row_key]
    return Note(f"{fn.name}_members", mask=show, value=lambda i: int(count[i]))


def _row_values(values: list) -> Col:
    n = len(values)
    unknowns = {i: v for i, v in enumerate(values) if isinstance(v, Unknown)}
    src = PerRow(n, unknowns)
    return Col("bool", src.miss | src.undef, src.miss.copy(), (src,), empty_mask(n),
               v=np.array([v is True for v in values], bool))


def _count(counts: dict, status: str, severity: str, number: int = 1) -> None:
    key = (status, severity)
    counts[key] = counts.get(key, 0) + number


class BatchBackend:
    name = "batch"

    def prepare(self, analysis, as_of) -> BatchProgram:
        return BatchProgram(prepare(analysis, as_of))
