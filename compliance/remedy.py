"""Distance to compliance: for a failing finding, the smallest change of each input that
would make it pass, computed from the rule itself — never written per rule — and never
shown unless a probe confirmed it.

One `Advisor` per record: the record is converted once into one RecordView. A probe changes
inputs in place in the view's data, clears the derived-value caches of the entities they
affect, evaluates the one rule for the one subject with the compiled closures
(`probe_one`: its status only), and restores the values. The compared sides at each probed
value are remembered per subject and shared by every rule that compares the same expression
(`sides_memo`: R1 and R-SCHOOL's first indicator), so no point is probed twice.

- a numeric input: the compared sides are evaluated at x0, x0+1 and x0+2. If value −
  threshold is affine in x (a count, an area, the numerator of a split share), or the
  value's reciprocal is (a denominator such as students), the threshold is solved for
  exactly, rounded to the record's units away from failing, and kept only if the rule
  passes there and fails one unit short of it. Otherwise a search with few probes. Once a
  model has fitted an input of one shape (the same comparison, the input in the same place
  relative to its subject: a section's own students, its school's area …), the next input of
  that shape is fitted with it on x0 and x0+1 alone; the three points are taken only if that
  answer does not pass the same two checks.
- at_least(k, p, [comparisons]) (R-SCHOOL): each indicator not met, by number and title,
  with the change of its own input that brings it to p of its requirement and to the
  requirement (each solved the same way); when one indicator alone cannot make the rule
  pass, the changes needed together, verified together.
- class sizes (a rule reading `class_sizes`): the classes over the limit and the extra
  classes needed to bring every class within it;
- a year-on-year series: how much each year that fell must rise to match the years before;
- a yes/no fact (a veto condition): the other answer.
"""
from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import re
from dataclasses import dataclass
from fractions import Fraction

from .dsl import ast
from .dsl.check import DerivedRef, FieldRef, check_derived
from .dsl.names import load_record_schema, schema_at
from .engine import Checker
from .fieldnames import amount, field_label, unit
from .findings import Finding, format_number
from .logic import Unknown
from .record import RecordView, exact, get_at
from .run.closures import ClosureProgram, Env, compiler_for
from .run.subjects import subject_of, subjects


@dataclass(frozen=True)
class Remedy:
    kind: str                    # input | indicator | joint | classes | series
    pointer: str | None          # the input to change (None for a joint remedy: see parts)
    title: str                   # what it is, in Chinese
    current: object
    target: object
    text_zh: str
    text_en: str
    indicator: tuple | None = None          # (number from 1, title, share of the requirement reached)
    parts: tuple["Remedy", ...] = ()        # a joint remedy: changes that pass only together

    def as_dict(self) -> dict:
        out = {"kind": self.kind, "pointer": self.pointer, "title": self.title, "current": self.current,
               "target": self.target, "message_zh": self.text_zh, "message_en": self.text_en}
        if self.indicator is not None:
            number, title, share = self.indicator
            out["indicator"] = {"number": number, "title": title, "share": share}
        if self.parts:
            out["parts"] = [p.as_dict() for p in self.parts]
        return out


def probe_one(compiled, view: RecordView, subject) -> tuple:
    """One rule for one subject on the view as it is now (no trace, no Finding): its status,
    and its compared sides (value, threshold) if it got as far as comparing them, else None.
    The single-subject evaluation every probe goes through. `subject` is an entry of
    run.subjects.subjects."""
    return ClosureProgram.status_one(compiled, view, subject)


# What a remedy is for: a failure, or a target not yet due (its progress has a distance left too).
MISSES = ("fail", "pending")


def advise(checker: Checker, findings: list[Finding], data: dict, as_of) -> dict:
    """For each failing finding: {"remedies": [...], "cv": CvBreakdown | None}, keyed by
    (rule, subject). Used by the reports; `explain` shows the same."""
    from .contributors import breakdown, cv_rows
    advisor = Advisor(checker, data, as_of)
    out = {}
    for f in findings:
        if f.status not in MISSES:
            continue
        entry = {"remedies": advisor.remedies(f), "cv": None}
        if f.subject.kind == "section_level" and f.threshold is not None:
            analysis = checker.analysis_of(f)
            rule = next(r for r in analysis.rules if r.qualified_id == f.rule)
            rows = cv_rows(analysis, rule, advisor.view, as_of, f.subject.section)
            if rows:
                entry["cv"] = breakdown(rows, f.threshold)
        out[(f.rule, f.subject)] = entry
    return out


def remedies(analysis, finding: Finding, data: dict, as_of, max_inputs: int = 6) -> list[Remedy]:
    """The remedies of one finding (for `explain` and tests): a checker of its rule alone."""
    if finding.status not in MISSES:
        return []
    rule = next(r for r in analysis.rules if r.qualified_id == finding.rule)
    return Advisor(Checker.for_rule(analysis, rule), data, as_of).remedies(finding, max_inputs)


class Advisor:
    """Remedies for the failures of one record, all probing one view of it in place."""

    def __init__(self, checker: Checker, data: dict, as_of):
        self.checker = checker
        self.as_of = as_of
        self.view = RecordView(exact(data))   # our own copy: probes change it and restore it
        self.probes = 0                       # rule or indicator evaluations so far
        self._compiled: dict[str, tuple] = {}
        self._shapes: dict[str, _Shape] = {}
        self._at_least: dict[str, tuple] = {}
        self._parents: dict[str, tuple] = {}    # pointer → (its container in the view's data, key)
        self._subjects: dict[tuple, dict] = {}
        self._compilers: dict[int, object] = {}
        self._schema = load_record_schema()
        self._nodes: dict[str, dict] = {}
        self._sides: dict[tuple, dict] = {}     # see sides_memo
        self.models: dict[tuple, str] = {}      # a lever's shape → the model that fitted it (solve_units)
        self._trees: dict[int, int] = {}        # id(comparison) → the number of its tree without spans
        self._tree_numbers: dict[tuple, int] = {}
        self._affected: dict[tuple, list] = {}  # see affected
        # The entities whose caches a change under a pointer prefix invalidates.
        self._groups: dict[str, list] = {}
        for school in self.view.schools:
            self._groups[school.pointer] = [school, *self.view.school_sections[id(school)]]
        for h in self.view.history:
            self._groups[h.pointer] = [h]

    # ---- one failing finding -----------------------------------------------------------

    def remedies(self, finding: Finding, max_inputs: int = 6) -> list[Remedy]:
        if finding.status not in MISSES:
            return []
        analysis, compiled, shape = self._rule(finding.rule)
        target = _Target(self, analysis, compiled, self._subject(compiled, finding.subject), finding)
        out: list[Remedy] = []
        if shape.class_sizes:
            r = self._classes(target)
            # The class list is the lever of a class-size rule: other inputs cannot move its maximum.
            return [r] if r else []
        if shape.series is not None:
            series = self._series(target, shape.series)
            if series:
                return series
        require = analysis.checked.get((finding.rule, "require"))
        if require is not None and _at_least(require.node):
            return self._indicators(target, require)
        for pointer, value in finding.inputs:
            # a yes/no fact (a veto condition): does the other answer pass?
            if isinstance(value, bool) and pointer.startswith("/facts/") and target.passes({pointer: not value}):
                title = self.title(pointer)
                out.append(Remedy("input", pointer, title, value, not value,
                                  f"需消除：{title}（{pointer} 应为 {'否' if value else '是'}）",
                                  f"change {field_label(pointer, 'en')} to {str(not value).lower()}"))
        inputs = [(p, v) for p, v in _by_pointer(finding.inputs) if _numeric(v) and self.lever(p)]
        if not inputs and finding.subject.pointer and finding.value is not None:
            # Inputs read inside an aggregate are not traced one by one (e.g. a school's students
            # summed over its sections): the subject's own numbers that move the compared value.
            inputs = [(p, v) for p, v in _leaves(get_at(self.view.data, finding.subject.pointer),
                                                 finding.subject.pointer)
                      if p.endswith(shape.fields) and self.lever(p)
                      and target.lever(p, v, self.whole(p, v)).sides(1)[0] != finding.value]
        for pointer, value in inputs:
            if len(out) >= max_inputs:
                break
            x = solve(target.lever(pointer, value, self.whole(pointer, value)))
            if x is not None:
                out.append(_describe(pointer, self.title(pointer), value, x))
        return out

    # ---- at_least(k, p, [indicators]) --------------------------------------------------

    def _indicators(self, target: "_Target", checked) -> list[Remedy]:
        k_fn, p_fn, parts = self._parts(target, checked)
        env = target.env()
        k, p = k_fn(env), p_fn(env)
        if not (_numeric(k) and _numeric(p)):
            return []
        _, school, section, _, _ = target.subject
        bases = {"record": "", "school": school.pointer if school else None,
                 "section": section.pointer if section else None}
        items = []
        for number, title, left, right, op, own, node in parts:
            item = _Item(number, title, left, right, op, left(env), right(env), node)
            if not (_numeric(item.value) and _numeric(item.required)):
                return []
            for kind, keys in own:
                if bases[kind] is not None:
                    pointer = bases[kind] + "/" + "/".join(keys)
                    value = get_at(self.view.data, pointer)
                    if _numeric(value) and self.lever(pointer):
                        item.levers.append((pointer, value))
            items.append(item)
        met = [it for it in items if _compare(it.op, it.value, it.required)]
        far = [it for it in items if it not in met and not it.value >= p * it.required]
        short = [it for it in items if it not in met]
        need = max(0, int(k) - len(met))
        by_number = {it.number: it for it in items}
        plans = []
        # Every way to pass: each far indicator raised to p of its requirement at least, and
        # `need` of the unmet ones raised to it in full; fewest changes first.
        # A plan maps an indicator's number to True (its requirement in full) or False (p of it):
        # plans are deduplicated by hashing, and hashing a Fraction costs a modular inverse.
        for chosen in itertools.combinations(short, min(need, len(short))):
            plan = {it.number: True for it in chosen}
            for it in far:
                plan.setdefault(it.number, False)
            plans.append(tuple(sorted(plan.items())))
            if len(plan) == 1 and False in plan.values():
                # one indicator alone: also what meeting it in full takes
                plans.append(((next(iter(plan)), True),))
        plans = sorted(dict.fromkeys(plans), key=len)
        shares = {True: Fraction(1), False: Fraction(p)}
        out, shown = [], []
        for plan in plans:
            if len(out) >= 3:
                break
            raised = [self._raise(target, by_number[n], shares[full]) for n, full in plan]
            if any(x is None for x in raised):
                continue
            if len(raised) > 1 and _redundant(raised, met, far, k):
                continue    # a part is not needed after all: a smaller plan covers it
            changes = {pointer: x for _, _, pointer, _, x, _ in raised}
            if changes in shown or not target.passes(changes):
                continue    # the same changes as one shown already (whole units reached both levels)
            shown.append(changes)
            parts = [self._indicator_remedy(*r[:5]) for r in raised]
            if len(parts) == 1:
                out.append(parts[0])
            else:
                out.append(Remedy("joint", None, "同时改动", None, None,
                                  "同时做到：" + "，并且".join(r.text_zh for r in parts),
                                  "together: " + ", and ".join(r.text_en for r in parts), None, tuple(parts)))
        return out

    def _parts(self, target: "_Target", checked):
        """at_least's k and p, and each indicator's (number, title, left, right, op),
        compiled once per rule."""
        key = target.compiled.rule.qualified_id
        if key not in self._at_least:
            compiler = self._compiler(target.analysis)
            subject = target.compiled.rule.applies_to
            part = lambda n: compiler.compile(dataclasses.replace(checked, node=n), subject)  # noqa: E731
            k, p, items = checked.node.args
            fields = [_fields(target.analysis, checked, item.left) for item in items.items]
            # An indicator's own levers: fields it reads that no other indicator reads (students
            # move every indicator at once; they are not one indicator's remedy).
            own = [[f for f in mine if not any(f in theirs for theirs in fields if theirs is not mine)]
                   for mine in fields]
            self._at_least[key] = (part(k), part(p), [
                (i + 1, self._indicator_title(target.analysis, checked, item), part(item.left), part(item.right),
                 item.op, own[i], item) for i, item in enumerate(items.items)])
        return self._at_least[key]

    def _raise(self, target: "_Target", item: "_Item", share):
        """The smallest change of the indicator's own lever that brings it to `share` of its
        requirement (p: at_least's `a >= p·b`, inclusive; 1: the indicator's own comparison):
        (item, share, pointer, current, target), or None."""
        key = (share.numerator, share.denominator)     # not the Fraction: see the plans above
        if key not in item.solved:
            op = item.op if share == 1 else ">="
            item.solved[key] = None
            for pointer, value in item.levers:
                if pointer not in item.sides:
                    memo, shape = self.sides_memo(target, item.node, pointer)
                    item.sides[pointer] = _Sides(target, item, pointer, value, self.whole(pointer, value), memo,
                                                 shape)
                sides = item.sides[pointer]
                n = solve_units(_Level(sides, share, op))
                if n is not None:
                    # whole units may carry the indicator past `share`: the level it reaches
                    a, b = sides.at(n)
                    reached = 1 if _compare(item.op, a, b) else share
                    item.solved[key] = (item, share, pointer, value, sides.x(n), reached)
                    break
        return item.solved[key]

    def _indicator_remedy(self, item: "_Item", share, pointer, value, x) -> Remedy:
        title = self.title(pointer)
        percent = format_number(share, True)
        level_zh = "达到要求" if share == 1 else f"达到要求的 {percent}"
        level_en = "meets its requirement" if share == 1 else f"reaches {percent} of its requirement"
        base = _describe(pointer, title, value, x)
        if item.ratio is None:
            item.ratio = format_number(Fraction(item.value) / Fraction(item.required), True) if item.required else "—"
        ratio = item.ratio
        return Remedy("indicator", pointer, title, value, x,
                      f"第{item.number}项 {item.title}（现为要求的 {ratio}）{level_zh}：{base.text_zh}",
                      f"indicator {item.number} ({item.title}, now {ratio} of its requirement) {level_en}: "
                      f"{base.text_en}", (item.number, item.title, share))

    def _indicator_title(self, analysis, checked, item) -> str:
        ref = checked.resolutions.get(id(item.left)) if isinstance(item.left, ast.Path) else None
        if isinstance(ref, DerivedRef):
            derived = analysis.derived.get((ref.entity, ref.name))
            if derived is not None and derived.title:
                return derived.title
        return " ".join(analysis.text_of(item.left).split())

    # ---- class sizes -------------------------------------------------------------------

    def _classes(self, target: "_Target") -> Remedy | None:
        finding = target.finding
        r = _class_plan(finding, self.view.data)
        if r is None:
            return None
        sizes = get_at(self.view.data, r.pointer)
        if not target.passes({r.pointer: even_classes(sum(sizes), r.target)}):
            return None
        if r.target > len(sizes) and target.passes({r.pointer: even_classes(sum(sizes), r.target - 1)}):
            return None
        return r

    # ---- year-on-year series -----------------------------------------------------------

    def _series(self, target: "_Target", key: str) -> list[Remedy]:
        """Each year that fell below the highest earlier year of its own series (the record's,
        or a county's) rises to it; shown only if all the rises together make the rule pass."""
        data = self.view.data
        groups: dict[str, list] = {}
        for pointer, value in target.finding.inputs:
            m = re.fullmatch(r"((?:/counties/\d+)?)/(?:facts|history/(\d+))/" + re.escape(key), pointer)
            if m is None or not _numeric(value):
                continue
            prefix, index = m.group(1), m.group(2)
            owner = data if not prefix else data["counties"][int(prefix.rsplit("/", 1)[1])]
            year = self.view.year if index is None else owner["history"][int(index)].get("year")
            groups.setdefault(prefix, []).append((year is None, year or 0, pointer, value))
        out = []
        title = self.title(f"/facts/{key}")
        for prefix, points in groups.items():
            where = data["counties"][int(prefix.rsplit("/", 1)[1])].get("name", "") if prefix else ""
            points.sort(key=lambda t: t[:2])
            top = None
            for unknown_year, year, pointer, value in points:
                if top is not None and value < top:
                    when = "" if unknown_year else f"{year} 年"
                    zh = (f"{where + ' ' if where else ''}{when}{field_label(pointer)}需增加 "
                          f"{amount(top - value, pointer, scaled=False)}"
                          f"（{format_number(value)} → {format_number(top)}），才不低于此前的最高值")
                    en = (f"{where + ' ' if where else ''}{year}: raise {field_label(pointer, 'en')} by "
                          f"{format_number(top - value)} ({format_number(value)} → {format_number(top)})")
                    out.append(Remedy("series", pointer, title, value, _plain(top), zh, en))
                top = value if top is None else max(top, value)
        if out and not target.passes({r.pointer: r.target for r in out}):
            return []
        return out

    # ---- shared pieces -----------------------------------------------------------------

    def _rule(self, qualified_id: str):
        """(analysis, compiled rule, shape) of a rule, each worked out once."""
        if not self._compiled:
            for analysis in self.checker.analyses:
                for c in self.checker.program(analysis, self.as_of).rules:
                    self._compiled.setdefault(c.rule.qualified_id, (analysis, c))
        analysis, compiled = self._compiled[qualified_id]
        if qualified_id not in self._shapes:
            self._shapes[qualified_id] = _shape(analysis, qualified_id)
        return analysis, compiled, self._shapes[qualified_id]

    def _subject(self, compiled, subject):
        key = (compiled.rule.applies_to, compiled.rule.levels)
        if key not in self._subjects:
            self._subjects[key] = {subject_of(*entry): entry for entry in subjects(compiled.rule, self.view)}
        return self._subjects[key][subject]

    def sides_memo(self, target: "_Target", compare, pointer: str) -> tuple[dict, tuple]:
        """The memo of a comparison's two sides as one input moves, for one subject: shared by
        every rule that compares the same expression (R1 and R-SCHOOL's first indicator both
        compare `r1_value >= params.r1_…` for a school section), so each point is probed once.
        Keyed by the comparison's tree without its spans, the analysis and subject kind it is
        resolved in, and the subject; a tree too deep to key is keyed by its identity.

        Also the lever's shape: the same key with the subject left out and the input named
        relative to it (the subject's own section or school, or any other), under which
        solve_units remembers which model fitted."""
        tree = self._trees.get(id(compare))
        if tree is None:
            structure = (ast.structure(compare) if ast.depth(compare) <= _MEMO_DEPTH
                         else ("unshared", id(compare)))
            # keys hold a number per distinct tree: a nested tuple is hashed anew at each lookup
            tree = self._trees[id(compare)] = self._tree_numbers.setdefault(structure, len(self._tree_numbers))
        _, school, section, level, _ = target.subject
        kind = (id(target.analysis), target.compiled.rule.applies_to, tree)
        memo = self._sides.setdefault((*kind, id(school), id(section), level, pointer), {})
        return memo, (*kind, _relative(pointer, school, section))

    def _compiler(self, analysis):
        if id(analysis) not in self._compilers:
            self._compilers[id(analysis)] = compiler_for(analysis, self.as_of)
        return self._compilers[id(analysis)]

    def node(self, pointer: str) -> dict:
        """The record schema's node for a pointer (array indices do not matter)."""
        if pointer not in self._nodes:
            general = _INDEX.sub("/0", pointer)
            if general not in self._nodes:
                self._nodes[general] = schema_at(self._schema, general)
            self._nodes[pointer] = self._nodes[general]
        return self._nodes[pointer]

    def lever(self, pointer: str) -> bool:
        # Fields marked "x-remedy": false in the record schema (how many counties or villages
        # there are) are facts of the place, not levers: no remedy proposes changing them.
        return pointer.startswith("/") and self.node(pointer).get("x-remedy", True)

    def whole(self, pointer: str, value) -> bool:
        kind = self.node(pointer).get("type")
        return kind == "integer" or (kind is None and isinstance(value, int))

    def title(self, pointer: str) -> str:
        return self.node(pointer).get("title") or pointer.rsplit("/", 1)[-1]

    def affected(self, pointers, subject) -> list:
        """Entities whose derived values may change with these inputs: the record's, the
        subject's school and sections, and those holding the inputs. (A derived value of
        some other entity that aggregates over this one would be missed; none does.)
        Worked out once per school and inputs: most probes of a school ask for the same."""
        _, school, _, _, _ = subject
        key = (school.pointer if school is not None else None, *pointers)
        if key not in self._affected:
            # the school (or history entry) holding each input: /schools/<i>, /history/<i>
            groups = (key[0], *("/".join(p.split("/")[:3]) for p in pointers))
            out = [self.view.root]
            for group in groups:
                out.extend(self._groups.get(group, ()))
            self._affected[key] = list({id(e): e for e in out}.values())
        return self._affected[key]

    def changed(self, changes: dict, entities, evaluate):
        """`evaluate()` with `changes` made in place in the view's data, then restored. The
        affected entities evaluate on empty caches and get their own caches back afterwards:
        the record's derived values stay computed from one probe to the next."""
        data = self.view.data
        saved = []
        caches = [(e, e.cache) for e in entities]
        try:
            for pointer, value in changes.items():
                if pointer not in self._parents:
                    head, _, last = pointer.rpartition("/")
                    self._parents[pointer] = (get_at(data, head) if head else data, last)
                parent, last = self._parents[pointer]
                if isinstance(parent, list):
                    i = int(last)
                    saved.append((parent, i, True, parent[i]))
                    parent[i] = value
                elif isinstance(parent, dict):
                    saved.append((parent, last, last in parent, parent.get(last)))
                    parent[last] = value
                else:
                    raise KeyError(pointer)   # a probe changes inputs that were read, so they exist
            for e in entities:
                e.cache = {}
            self.probes += 1
            return evaluate()
        finally:
            for parent, key, existed, old in reversed(saved):
                if existed:
                    parent[key] = old
                else:
                    del parent[key]
            for e, cache in caches:
                e.cache = cache


@dataclass(eq=False)     # items are told apart by identity (`in met`), not compared field by field
class _Item:
    """One comparison of at_least: its number, title, closures and current sides."""
    number: int
    title: str
    left: object
    right: object
    op: str
    value: object
    required: object
    node: object                         # the comparison as written (ast.Compare)
    levers: list = dataclasses.field(default_factory=list)
    solved: dict = dataclasses.field(default_factory=dict)
    ratio: str | None = None             # value ÷ requirement, as shown
    sides: dict = dataclasses.field(default_factory=dict)    # pointer → _Sides


class _Target:
    """One failing finding: its rule, subject and the probes made for it."""

    def __init__(self, advisor: Advisor, analysis, compiled, subject, finding: Finding):
        self.advisor = advisor
        self.analysis = analysis
        self.compiled = compiled
        self.subject = subject
        self.finding = finding
        self._levers: dict = {}

    def probe(self, changes: dict) -> tuple:
        """The rule for this subject with `changes` made: (status, sides or None), as probe_one."""
        return self.advisor.changed(changes, self.advisor.affected(changes, self.subject),
                                    lambda: probe_one(self.compiled, self.advisor.view, self.subject))

    def passes(self, changes: dict) -> bool:
        return self.probe(changes)[0] == "pass"

    def moved(self, pointer: str, x, evaluate):
        """`evaluate()` with the one input at `pointer` set to x."""
        return self.advisor.changed({pointer: x}, self.advisor.affected((pointer,), self.subject), evaluate)


    def lever(self, pointer: str, x0, whole: bool) -> "_Lever":
        """The input at `pointer` (now x0) as a lever of the whole rule."""
        if pointer not in self._levers:
            require = self.analysis.checked.get((self.compiled.rule.qualified_id, "require"))
            memo, shape = (self.advisor.sides_memo(self, require.node, pointer)
                           if self.compiled.sides is not None and require is not None else ({}, None))
            lever = self._levers[pointer] = _Lever(self, pointer, x0, whole, memo, shape)
            # the finding is the rule at the current value: no need to probe it again
            lever.memo.setdefault(0, (self.finding.value, self.finding.threshold))
            lever.passed[0] = False
        return self._levers[pointer]

    def env(self, trace: bool = False) -> Env:
        """An evaluation context for compiled parts of the rule, for this subject, on the
        view as it is."""
        _, school, section, level, _ = self.subject
        return Env(self.advisor.view, school, section, level, self.compiled.slots, trace)

    def sides(self, left, right):
        env = self.env()
        return left(env), right(env)


class _Steps:
    """Candidate values of one input: x0 + n·unit for whole numbers n (unit 1 for a whole-number
    field, else the record's decimals, hundredths at least), never below zero. Probes are
    memoised by n."""

    def __init__(self, x0, whole: bool):
        self.x0 = x0
        if whole and x0.denominator == 1:
            self.scale, self.n0 = 1, int(x0)
        else:
            places = max(2, _places(x0))
            self.scale = 10 ** places
            # x0 in units (a whole number unless x0 has no short decimal form)
            self.n0 = x0.numerator * (self.scale // x0.denominator) if places < 9 else x0 * self.scale
        self.unit = Fraction(1, self.scale)
        self.n_min = -math.floor(self.n0)

    def x(self, n):
        if self.scale == 1:
            return self.n0 + n
        if self.n0.__class__ is int:
            return _plain(Fraction(self.n0 + n, self.scale))
        return _plain(self.x0 + n * self.unit)


class _Lever(_Steps):
    """One input of one target as a lever of the whole rule: the compared sides (value,
    threshold) alone for solving, the rule itself for verifying."""

    def __init__(self, target: _Target, pointer: str, x0, whole: bool, memo: dict, shape):
        super().__init__(x0, whole)
        self.target = target
        self.pointer = pointer
        self.op = target.compiled.op
        self.memo = memo          # n → (value, threshold), shared (Advisor.sides_memo)
        self.shape, self.models = shape, target.advisor.models
        self.passed: dict = {}    # n → the rule passes

    def sides(self, n):
        if n not in self.memo:
            t = self.target
            if t.compiled.sides is None:
                self.memo[n] = (None, None)
            else:
                left, right, _ = t.compiled.sides
                self.memo[n] = t.moved(self.pointer, self.x(n), lambda: t.sides(left, right))
        return self.memo[n]

    def passes(self, n) -> bool:
        if n not in self.passed:
            status, sides = self.target.probe({self.pointer: self.x(n)})
            self.passed[n] = status == "pass"
            if sides is not None:
                self.memo.setdefault(n, sides)     # the same closures as sides(n) runs
        return self.passed[n]

    def fails(self, n) -> bool:
        """The rule does not pass there: a false comparison proves it (a cheaper probe);
        otherwise the rule is run."""
        if n not in self.passed and self.op is not None:
            value, threshold = self.sides(n)
            if _numeric(value) and _numeric(threshold) and not _compare(self.op, value, threshold):
                return True
        return not self.passes(n)


class _Sides(_Steps):
    """One input of one target as it moves one indicator of at_least: the indicator's two
    sides, each candidate probed once (cheap: no other indicator runs)."""

    def __init__(self, target: _Target, item: "_Item", pointer: str, x0, whole: bool, memo: dict, shape):
        super().__init__(x0, whole)
        self.target = target
        self.item = item
        self.pointer = pointer
        self.memo = memo          # n → (a, b), shared (Advisor.sides_memo)
        self.shape = shape
        self.memo.setdefault(0, (item.value, item.required))

    def at(self, n):
        if n not in self.memo:
            t, item = self.target, self.item
            self.memo[n] = t.moved(self.pointer, self.x(n), lambda: t.sides(item.left, item.right))
        return self.memo[n]


class _Level:
    """An indicator reaching `share` of its requirement, as a lever: a >= share·b (its own
    comparison for the whole requirement)."""

    def __init__(self, raw: _Sides, share, op: str):
        self.raw, self.share, self.op = raw, share, op
        self.x0, self.unit, self.n_min, self.x = raw.x0, raw.unit, raw.n_min, raw.x
        self.full = share == 1        # the requirement in full: b as it is
        self.shape, self.models = (raw.shape, op, self.full), raw.target.advisor.models

    def sides(self, n):
        a, b = self.raw.at(n)
        if not (_numeric(a) and _numeric(b)):
            return None, None
        return a, (b if self.full else b * self.share)

    def passes(self, n) -> bool:
        a, b = self.sides(n)
        return a is not None and _compare(self.op, a, b)

    def fails(self, n) -> bool:
        return not self.passes(n)


# ---- solving one input -----------------------------------------------------------------

LIMIT = 10 ** 9
_MEMO_DEPTH = 64    # comparisons nested deeper than this are not keyed for sharing (see sides_memo)
_TOWARDS = {">=": 1, ">": 1, "<=": -1, "<": -1}   # which way value − threshold must move


def solve(lever):
    """The value of the input nearest its current one at which the lever passes, one unit
    short of which it fails; None if there is none. Closed form when the comparison is
    affine in the input (or its reciprocal is), a search with few probes otherwise."""
    n = solve_units(lever)
    return None if n is None else lever.x(n)


def solve_units(lever):
    """`solve` in whole units from the current value."""
    if lever.op in _TOWARDS and lever.shape in lever.models:
        # The model that fitted this comparison and input for an earlier subject (a count or
        # an area is affine, students are a denominator), fitted here on two points, not three:
        # kept only if it settles, else the full closed form below.
        guess = _two_point(lever, lever.models[lever.shape])
        if guess is not None and guess[0] >= lever.n_min:
            n = _settle(lever, *guess)
            if n is not None:
                return n
    found = _closed_form(lever) if lever.op in _TOWARDS else None
    directions = (1, -1)
    if found is not None:
        n_exact, direction = found
        if n_exact < lever.n_min:
            return None    # e.g. an area subtracted from the compared value: no amount passes
        n = _settle(lever, n_exact, direction)
        if n is not None:
            return n
        # The comparison only gets further from passing the other way (the search takes the
        # rule to be monotone in the input): e.g. a teaching point's students, where fewer
        # would pass the comparison but take the school out of scope, need not be tried up
        # to a billion.
        directions = (direction,)
    best = None
    for direction in directions:
        n = _search(lever, direction)
        if n is not None and (best is None or abs(n) < abs(best)):
            best = n
    return best


def _closed_form(lever):
    """(n, direction): where value − threshold crosses zero, in units from x0, if it is affine
    in the input over x0, x0+1, x0+2 units — or where value = threshold if 1/value is affine
    and the threshold constant (a denominator) — and the way the input must move. The model
    that fitted is remembered for the lever's shape (see solve_units).

    All six numbers are put on one denominator first, so the tests and the solution are
    integer arithmetic (exact, and far cheaper than Fraction operations)."""
    points = [lever.sides(n) for n in (0, 1, 2)]
    if not all(_numeric(v) and _numeric(t) for v, t in points):
        return None
    v0, t0, v1, t1, v2, t2 = _common(*(x for point in points for x in point))
    d0, d1, d2 = v0 - t0, v1 - t1, v2 - t2
    if d1 == d0:
        return None
    direction = (1 if d1 > d0 else -1) * _TOWARDS[lever.op]
    if d2 - d1 == d1 - d0:
        model = _AFFINE
    else:
        model = None
        if t0 == t1 == t2 != 0 and v0 and v1 and v2:
            big = math.lcm(v0, v1, v2)
            r0, r1, r2 = big // v0, big // v1, big // v2
            if r1 != r0 and r2 - r1 == r1 - r0:
                model = _RECIPROCAL
    if model is None:
        return None
    if lever.shape is not None:
        lever.models[lever.shape] = model
    return _crossing(model, v0, t0, v1, t1), direction


def _two_point(lever, model: str):
    """(n, direction) as _closed_form, from x0 and x0+1 unit alone, taking `model` to hold."""
    points = [lever.sides(n) for n in (0, 1)]
    if not all(_numeric(v) and _numeric(t) for v, t in points):
        return None
    v0, t0, v1, t1 = _common(*(x for point in points for x in point))
    if v1 - t1 == v0 - t0:
        return None
    n = _crossing(model, v0, t0, v1, t1)
    return None if n is None else (n, (1 if v1 - t1 > v0 - t0 else -1) * _TOWARDS[lever.op])


_AFFINE, _RECIPROCAL = "affine", "reciprocal"


def _crossing(model: str, v0: int, t0: int, v1: int, t1: int):
    """Where value − threshold crosses zero, in units from x0, given its two first points on
    one denominator: on the line through them (affine), or where value = threshold with 1/value
    on the line through them and the threshold constant (reciprocal)."""
    d0, d1 = v0 - t0, v1 - t1
    if model == _AFFINE:
        return Fraction(-d0, d1 - d0)
    if t0 == t1 != 0 and v0 and v1:
        # 1/v_i on one denominator: r_i = L / v_i with L a common multiple of the v_i
        big = math.lcm(v0, v1)
        r0, r1 = big // v0, big // v1
        if r1 != r0:
            return Fraction(big - r0 * t0, t0 * (r1 - r0))   # r(n) = L / t
    return None


def _common(*values) -> list[int]:
    """Exact numbers as integer numerators over one common denominator."""
    pairs = [(v, 1) if v.__class__ is int else (v.numerator, v.denominator) for v in values]
    den = math.lcm(*(d for _, d in pairs))
    return [n * (den // d) for n, d in pairs]


def _settle(lever, n_exact, direction: int):
    """The solved point rounded to whole units away from failing (ceil going up, floor going
    down), one unit further if the comparison is strict and the point exact; verified: it
    passes and one unit short of it fails."""
    n = math.ceil(n_exact) if direction > 0 else math.floor(n_exact)
    if n * direction <= 0:
        n = direction
    for _ in range(2):
        if n < lever.n_min:
            return None
        if lever.passes(n):
            return n if n == direction or lever.fails(n - direction) else None
        n += direction
    return None


def _search(lever, direction: int):
    """Smallest whole number of units in `direction` after which the lever passes: doubling,
    then bisection (the rule is taken to be monotone in the input)."""
    step, last_fail = 1, 0
    while True:
        if direction * step < lever.n_min:
            # Overshot below zero: the smallest positive value, then zero, are the last candidates
            # (zero may be undefined, e.g. a denominator).
            ends = [e for e in (-lever.n_min - 1, -lever.n_min) if e > last_fail]
            step = next((e for e in ends if lever.passes(-e)), None) if direction < 0 else None
            if step is None:
                return None
            break
        if step > LIMIT:
            return None
        if lever.passes(direction * step):
            break
        last_fail = step
        step *= 2
    low, high = last_fail, step      # fails at low (or is the current value), passes at high
    while high - low > 1:
        mid = (low + high) // 2
        if lever.passes(direction * mid):
            high = mid
        else:
            low = mid
    return direction * high


def _describe(pointer, title, current, target) -> Remedy:
    change = target - current
    amount, now, then = _text(abs(change)), _text(current), _text(target)
    verb_zh, verb_en = ("增加", "increase") if change > 0 else ("减少", "decrease")
    u = unit(pointer)
    zh = f"{field_label(pointer)}需{verb_zh} {amount}{' ' + u if u else ''}（{now} → {then}）"
    en = f"{verb_en} {field_label(pointer, 'en')} by {amount} ({now} → {then})"
    return Remedy("input", pointer, title, current, target, zh, en)


# ---- class sizes -----------------------------------------------------------------------

def _class_plan(finding: Finding, data: dict) -> Remedy | None:
    subject = finding.subject
    if subject.section is None or not subject.pointer or finding.threshold is None:
        return None
    school_pointer = "/".join(subject.pointer.split("/")[:3])
    school = get_at(data, school_pointer)
    sizes = (school or {}).get("class_sizes", {}).get(subject.section)
    if not sizes:
        return None
    limit = Fraction(finding.threshold)
    strict = finding.op == "<"
    over = [c for c in sizes if (c >= limit if strict else c > limit)]
    cap = math.ceil(limit) - 1 if strict and limit.denominator == 1 else math.floor(limit)
    needed = math.ceil(sum(sizes) / cap) if cap > 0 else None
    if needed is None:
        return None
    extra = max(0, needed - len(sizes))
    pointer = f"{school_pointer}/class_sizes/{subject.section}"
    head_zh = f"有 {len(over)} 个班超过 {format_number(limit)} 人；"
    head_en = f"{len(over)} classes above {format_number(limit)}; "
    if extra:
        zh = head_zh + f"{sum(sizes)} 名学生按每班至多 {cap} 人需 {needed} 个班，现有 {len(sizes)} 个，需增加 {extra} 个班"
        en = head_en + f"{sum(sizes)} students at most {cap} per class need {needed} classes, {len(sizes)} now: {extra} more"
    else:
        zh = head_zh + f"现有 {len(sizes)} 个班已够容纳 {sum(sizes)} 名学生，重新编班即可每班不超过 {cap} 人"
        en = head_en + f"the {len(sizes)} classes can hold {sum(sizes)} students at most {cap} each: redistribute"
    return Remedy("classes", pointer, "班级数", len(sizes), max(needed, len(sizes)), zh, en)


def even_classes(students: int, classes: int) -> list[int]:
    """`students` spread over `classes` as evenly as possible (how a remedy is applied)."""
    return [students // classes + (1 if i < students % classes else 0) for i in range(classes)]


# ---- reading the rule's structure ------------------------------------------------------

@dataclass(frozen=True)
class _Shape:
    """What remedies need to know of a rule, read off its checked trees and those of the
    derived fields it uses (structure, never the text)."""
    class_sizes: bool                # reads a section's class sizes
    series: str | None               # the field a year-on-year series() reads
    fields: tuple[str, ...]          # "/keys/..." of every field read: pointers end with one of them


def _shape(analysis, rule_id: str) -> _Shape:
    stack = [c for c in (analysis.checked.get((rule_id, part)) for part in ("when", "require")) if c]
    seen: set = set()
    class_sizes, series, fields = False, None, set()
    while stack:
        checked = stack.pop()
        for n in ast.walk(checked.node):
            ref = checked.resolutions.get(id(n))
            if isinstance(ref, DerivedRef) and (ref.entity, ref.name) not in seen:
                seen.add((ref.entity, ref.name))
                stack.append(check_derived(analysis.env, ref.entity, ref.name))
            elif isinstance(ref, FieldRef):
                class_sizes = class_sizes or ref.virtual == "class_sizes"
                if ref.virtual is None and ref.keys:
                    fields.add("/" + "/".join(ref.keys))
            if isinstance(n, ast.Call) and n.name in ("series", "county_series") and n.args:
                arg = checked.resolutions.get(id(n.args[0]))
                if isinstance(arg, FieldRef) and len(arg.keys) >= 2:
                    series = arg.keys[1]
    return _Shape(class_sizes, series, tuple(sorted(fields)))


def _fields(analysis, checked, node) -> list[tuple[str, tuple[str, ...]]]:
    """The fields an expression reads, through the derived fields it uses, in order: (record |
    school | section, keys). Members of aggregates (bound variables) are left out."""
    out: list = []
    stack = [(checked, node)]
    seen: set = set()
    while stack:
        c, root = stack.pop()
        for n in ast.walk(root):
            ref = c.resolutions.get(id(n))
            if isinstance(ref, DerivedRef) and ref.base != "var" and (ref.entity, ref.name) not in seen:
                seen.add((ref.entity, ref.name))
                inner = check_derived(analysis.env, ref.entity, ref.name)
                stack.append((inner, inner.node))
            elif isinstance(ref, FieldRef) and ref.virtual is None and ref.base != "var" and ref.keys:
                kind = "school" if ref.to_school else ref.base
                if (kind, ref.keys) not in out:
                    out.append((kind, ref.keys))
    return out


def _redundant(raised, met, far, k) -> bool:
    """Whether the rule would still pass, by at_least's reading (met ≥ k, none below p),
    without one of the raised indicators — given the level each really reaches."""
    numbers = {item.number for item, *_ in raised}
    for left_out in numbers:
        reached = {item.number: level for item, _, _, _, _, level in raised if item.number != left_out}
        met_now = sum(1 for it in met if it.number not in numbers) + sum(1 for v in reached.values() if v == 1)
        still_far = any(it.number not in reached for it in far)
        if met_now >= k and not still_far:
            return True
    return False


def _at_least(node) -> bool:
    return (isinstance(node, ast.Call) and node.name == "at_least" and len(node.args) == 3
            and isinstance(node.args[2], ast.ListLit) and all(isinstance(i, ast.Compare) for i in node.args[2].items))


# ---- helpers ---------------------------------------------------------------------------

_INDEX = re.compile(r"/\d+(?=/|$)")


def _relative(pointer: str, school, section) -> str:
    """A pointer named relative to a subject: its own section's or school's input, or any
    other entity's (array indices dropped)."""
    if section is not None and pointer.startswith(section.pointer + "/"):
        return "section:" + pointer[len(section.pointer):]
    if school is not None and pointer.startswith(school.pointer + "/"):
        return "school:" + _INDEX.sub("/0", pointer[len(school.pointer):])
    return _INDEX.sub("/0", pointer)


_OPS = {">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, "<": lambda a, b: a < b,
        "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


def _compare(op: str, a, b) -> bool:
    return a.__class__ is not Unknown and b.__class__ is not Unknown and _OPS[op](a, b) is True


def _by_pointer(reads):
    """(pointer, value) pairs, each pointer once."""
    seen, out = set(), []
    for p, v in reads:
        if p not in seen:
            seen.add(p)
            out.append((p, v))
    return out


def _numeric(v) -> bool:
    return v.__class__ is int or v.__class__ is Fraction    # not bool, not Unknown


def _leaves(node, pointer: str):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, f"{pointer}/{k}")
    elif _numeric(node):
        yield pointer, node


def _places(x) -> int:
    """Decimal places of x as a record would write it (9 when it has no short decimal form):
    counted off the denominator's factors of 2 and 5."""
    d = x.denominator if x.__class__ is Fraction else 1
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    places = max(twos, fives)
    return places if d == 1 and places <= 8 else 9


def _text(x) -> str:
    """A number as the record would write it: exact when it has a short decimal form (the
    values remedies show are record values and whole units of them), else as findings do."""
    if x.__class__ is int:
        return format_number(x)
    return _ratio_text(x.numerator, x.denominator)


# A record's remedies show the same values again and again (an input's current value in every
# remedy of it; R-SCHOOL's indicator and the rule of the same indicator reach the same target).
# Keyed by numerator and denominator: hashing a Fraction costs a modular inverse.
@functools.lru_cache(maxsize=4096)
def _ratio_text(numerator: int, denominator: int) -> str:
    x = Fraction(numerator, denominator)
    places = _places(x)
    if places > 8:
        return format_number(x)
    n = x.numerator * 10 ** places // x.denominator
    whole, frac = divmod(abs(n), 10 ** places)
    digits = f"{frac:0{places}d}".rstrip("0")
    grouped = f"{whole:,}" if whole >= 10000 else str(whole)    # as format_number groups
    return ("-" if n < 0 else "") + grouped + ("." + digits if digits else "")


def _plain(x):
    if x.__class__ is int:
        return x
    if x.__class__ is not Fraction:
        x = Fraction(x)
    return x.numerator if x.denominator == 1 else x
