"""Distance to compliance: for a failing finding, the smallest change of each input that
would make it pass, computed from the rule itself — never written per rule — and never
shown unless a probe confirmed it.

One `Advisor` per record: the record is converted once into one RecordView. A probe changes
inputs in place in the view's data, clears the derived-value caches of the entities they
affect, evaluates the one rule for the one subject with the compiled closures
(`probe_one`), and restores the values.

- a numeric input: the compared sides are evaluated at x0, x0+1 and x0+2. If value −
  threshold is affine in x (a count, an area, the numerator of a split share), or the
  value's reciprocal is (a denominator such as students), the threshold is solved for
  exactly, rounded to the record's units away from failing, and kept only if the rule
  passes there and fails one unit short of it. Otherwise a search with few probes.
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
import itertools
import math
from dataclasses import dataclass
from fractions import Fraction

from .dsl import ast
from .dsl.check import DerivedRef, FieldRef, check_derived
from .dsl.compile import Env
from .dsl.names import load_record_schema, schema_at
from .engine import Checker
from .evaluate import _judge, subjects
from .findings import Finding, format_number
from .logic import Unknown
from .program import compiler_for
from .record import RecordView, decimal_places, exact, get_at


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


def probe_one(compiled, view: RecordView, subject) -> Finding:
    """One rule for one subject on the view as it is now (no trace): the single-subject
    evaluation every probe goes through. `subject` is an entry of evaluate.subjects."""
    subj, school, section, level = subject
    return _judge(compiled, Env(view, school, section, level, compiled.slots, False), subj, view, (0, 0))


def advise(checker: Checker, findings: list[Finding], data: dict, as_of) -> dict:
    """For each failing finding: {"remedies": [...], "cv": CvBreakdown | None}, keyed by
    (rule, subject). Used by the reports; `explain` shows the same."""
    from .contributors import breakdown, cv_rows
    advisor = Advisor(checker, data, as_of)
    out = {}
    for f in findings:
        if f.status != "fail":
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
    if finding.status != "fail":
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
        self._subjects: dict[tuple, dict] = {}
        self._compilers: dict[int, object] = {}
        self._schema = load_record_schema()
        self._nodes: dict[str, dict] = {}
        # The entities whose caches a change under a pointer prefix invalidates.
        self._groups: dict[str, list] = {}
        for school in self.view.schools:
            self._groups[school.pointer] = [school, *self.view.school_sections[id(school)]]
        for h in self.view.history:
            self._groups[h.pointer] = [h]

    # ---- one failing finding -----------------------------------------------------------

    def remedies(self, finding: Finding, max_inputs: int = 6) -> list[Remedy]:
        if finding.status != "fail":
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
                                  f"change {pointer} to {str(not value).lower()}"))
        inputs = [(p, v) for p, v in dict.fromkeys(finding.inputs) if _numeric(v) and self.lever(p)]
        if not inputs and finding.subject.pointer and finding.value is not None:
            # Inputs read inside an aggregate are not traced one by one (e.g. a school's students
            # summed over its sections): the subject's own numbers that move the compared value.
            inputs = [(p, v) for p, v in _leaves(get_at(self.view.data, finding.subject.pointer),
                                                 finding.subject.pointer)
                      if p.endswith(shape.fields) and self.lever(p) and target.lever(p, v).at(v + 1)[0] != finding.value]
        for pointer, value in inputs:
            if len(out) >= max_inputs:
                break
            x = solve(target.lever(pointer, value), value, finding.op, self.whole(pointer, value))
            if x is not None:
                out.append(_describe(pointer, self.title(pointer), value, x))
        return out

    # ---- at_least(k, p, [indicators]) --------------------------------------------------

    def _indicators(self, target: "_Target", checked) -> list[Remedy]:
        node = checked.node
        compiler = self._compiler(target.analysis)
        subject = target.compiled.rule.applies_to
        part = lambda n: compiler.compile(dataclasses.replace(checked, node=n), subject)  # noqa: E731
        k, p = (target.evaluate(part(n))[0] for n in node.args[:2])
        if not (_numeric(k) and _numeric(p)):
            return []
        items = []
        for i, item in enumerate(node.args[2].items):
            left, right = part(item.left), part(item.right)
            value, reads = target.evaluate(left, trace=True)
            items.append(_Item(i + 1, self._indicator_title(target.analysis, checked, item), left, right,
                               item.op, reads, value, target.evaluate(right)[0]))
        if any(not _numeric(it.value) or not _numeric(it.required) for it in items):
            return []
        # An indicator's own lever: an input it reads that no other indicator reads (students
        # move every indicator at once; they are not one indicator's remedy).
        for it in items:
            others = {ptr for o in items if o is not it for ptr, _ in o.reads}
            it.levers = [(ptr, v) for ptr, v in dict.fromkeys(it.reads)
                         if ptr not in others and _numeric(v) and self.lever(ptr)]
        met = [it for it in items if _compare(it.op, it.value, it.required)]
        far = [it for it in items if it not in met and not it.value >= p * it.required]
        short = [it for it in items if it not in met]
        need = max(0, int(k) - len(met))
        by_number = {it.number: it for it in items}
        plans = []
        # Every way to pass: each far indicator raised to p of its requirement at least, and
        # `need` of the unmet ones raised to it in full; fewest changes first.
        for chosen in itertools.combinations(short, min(need, len(short))):
            plan = {it.number: Fraction(1) for it in chosen}
            for it in far:
                plan.setdefault(it.number, Fraction(p))
            plans.append(tuple(sorted(plan.items())))
            if len(plan) == 1 and Fraction(p) in plan.values():
                # one indicator alone: also what meeting it in full takes
                plans.append(((next(iter(plan)), Fraction(1)),))
        plans = sorted(dict.fromkeys(plans), key=len)
        out = []
        for plan in plans:
            if len(out) >= 4:
                break
            parts = [self._raise(target, by_number[n], share) for n, share in plan]
            if any(x is None for x in parts):
                continue
            if not target.passes({r.pointer: r.target for r in parts}):
                continue
            if len(parts) == 1:
                out.append(parts[0])
            else:
                out.append(Remedy("joint", None, "同时改动", None, None,
                                  "同时：" + "；".join(r.text_zh for r in parts),
                                  "together: " + "; ".join(r.text_en for r in parts), None, tuple(parts)))
        return out

    def _raise(self, target: "_Target", item: "_Item", share) -> Remedy | None:
        """The smallest change of the indicator's own lever that brings it to `share` of its
        requirement (p: at_least's `a >= p·b`, inclusive; 1: the indicator's own comparison)."""
        key = (item.number, share)
        if key in item.solved:
            return item.solved[key]
        op = item.op if share == 1 else ">="
        found = None
        for pointer, value in item.levers:
            lever = target.lever(pointer, item=(item.left, item.right, share, op))
            x = solve(lever, value, op, self.whole(pointer, value))
            if x is not None:
                title = self.title(pointer)
                level_zh = "达到要求" if share == 1 else f"达到要求的 {format_number(share, True)}"
                level_en = "meets its requirement" if share == 1 else f"reaches {format_number(share, True)} of its requirement"
                base = _describe(pointer, title, value, x)
                ratio = format_number(Fraction(item.value) / Fraction(item.required), True) if item.required else "—"
                found = Remedy("indicator", pointer, title, value, x,
                               f"第{item.number}项 {item.title}（现为要求的 {ratio}）{level_zh}：{base.text_zh}",
                               f"indicator {item.number} ({item.title}, now {ratio} of its requirement) {level_en}: "
                               f"{base.text_en}", (item.number, item.title, share))
                break
        item.solved[key] = found
        return found

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
        r = _classes(finding, self.view.data)
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
        """Each year that fell below the highest earlier year rises to it; shown only if
        all the rises together make the rule pass."""
        history = self.view.data.get("history") or []
        points = []
        for pointer, value in target.finding.inputs:
            parts = pointer.split("/")
            if pointer == f"/facts/{key}":
                year = self.view.year
            elif len(parts) == 4 and parts[1] == "history" and parts[3] == key and parts[2].isdigit():
                year = history[int(parts[2])].get("year")
            else:
                continue
            if _numeric(value):
                points.append((year is None, year or 0, pointer, value))
        points.sort(key=lambda t: t[:2])
        out, top = [], None
        for unknown_year, year, pointer, value in points:
            if top is not None and value < top:
                title = self.title(f"/facts/{key}")
                when = "" if unknown_year else f"{year} 年"
                zh = (f"{when}{title}需增加 {format_number(top - value)}（{format_number(value)} → "
                      f"{format_number(top)}），才不低于此前的最高值")
                en = f"{year}: raise {key} by {format_number(top - value)} ({format_number(value)} → {format_number(top)})"
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
            self._subjects[key] = {entry[0]: entry for entry in subjects(compiled.rule, self.view)}
        return self._subjects[key][subject]

    def _compiler(self, analysis):
        if id(analysis) not in self._compilers:
            self._compilers[id(analysis)] = compiler_for(analysis, self.as_of)
        return self._compilers[id(analysis)]

    def node(self, pointer: str) -> dict:
        if pointer not in self._nodes:
            self._nodes[pointer] = schema_at(self._schema, pointer)
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
        some other entity that aggregates over this one would be missed; none does.)"""
        out = [self.view.root]
        _, school, _, _ = subject
        if school is not None:
            out.extend(self._groups.get(school.pointer, ()))
        for p in pointers:
            out.extend(self._groups.get("/".join(p.split("/")[:3]), ()))
        return out

    def changed(self, changes: dict, entities, evaluate):
        """`evaluate()` with `changes` made in place in the view's data, then restored."""
        data = self.view.data
        saved = []
        try:
            for pointer, value in changes.items():
                head, _, last = pointer.rpartition("/")
                parent = get_at(data, head) if head else data
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
                e.cache.clear()
            self.probes += 1
            return evaluate()
        finally:
            for parent, key, existed, old in reversed(saved):
                if existed:
                    parent[key] = old
                else:
                    del parent[key]
            for e in entities:
                e.cache.clear()


@dataclass
class _Item:
    """One comparison of at_least: its number, title, closures and current sides."""
    number: int
    title: str
    left: object
    right: object
    op: str
    reads: list
    value: object
    required: object
    levers: list = dataclasses.field(default_factory=list)
    solved: dict = dataclasses.field(default_factory=dict)


class _Target:
    """One failing finding: its rule, subject and the probes made for it."""

    def __init__(self, advisor: Advisor, analysis, compiled, subject, finding: Finding):
        self.advisor = advisor
        self.analysis = analysis
        self.compiled = compiled
        self.subject = subject
        self.finding = finding
        self._levers: dict = {}

    def probe(self, changes: dict) -> Finding:
        entities = self.advisor.affected(changes, self.subject)
        return self.advisor.changed(changes, entities, lambda: probe_one(self.compiled, self.advisor.view, self.subject))

    def passes(self, changes: dict) -> bool:
        return self.probe(changes).status == "pass"


    def lever(self, pointer: str, x0=None, item=None) -> "_Lever":
        """The input at `pointer` (now x0) as a lever of the whole rule, or of one indicator
        `item` = (left, right, share, op) of at_least."""
        key = (pointer, None if item is None else (id(item[0]), item[2], item[3]))
        if key not in self._levers:
            self._levers[key] = _Lever(self, pointer, item)
            if item is None and x0 is not None:
                # the finding is the rule at the current value: no need to probe it again
                self._levers[key].memo[x0] = (self.finding.value, self.finding.threshold, False)
        return self._levers[key]

    def evaluate(self, fn, trace: bool = False):
        """A compiled part of the rule for this subject on the view as it is: (value, reads)."""
        _, school, section, level = self.subject
        env = Env(self.advisor.view, school, section, level, self.compiled.slots, trace)
        return fn(env), env.reads


class _Lever:
    """One input of one target: (value, threshold, passes) at candidate values, each probed
    once. For an indicator of at_least, its own sides (the threshold scaled by `share`);
    otherwise the whole rule."""

    def __init__(self, target: _Target, pointer: str, item):
        self.target = target
        self.pointer = pointer
        self.item = item
        self.memo: dict = {}

    def at(self, x):
        if x not in self.memo:
            self.memo[x] = self._probe(x)
        return self.memo[x]

    def passes(self, x) -> bool:
        return self.at(x)[2]

    def _probe(self, x):
        t = self.target
        if self.item is None:
            f = t.probe({self.pointer: _plain(x)})
            return f.value, f.threshold, f.status == "pass"
        left, right, share, op = self.item

        def sides():
            return t.evaluate(left)[0], t.evaluate(right)[0]

        a, b = t.advisor.changed({self.pointer: _plain(x)}, t.advisor.affected([self.pointer], t.subject), sides)
        if not (_numeric(a) and _numeric(b)):
            return None, None, False
        return a, b * share, _compare(op, a, b * share)


# ---- solving one input -----------------------------------------------------------------

LIMIT = 10 ** 9


def solve(lever: _Lever, x0, op: str | None, whole: bool):
    """The value of the input nearest x0 at which the lever passes, one unit short of which
    it fails (units: 1 for whole numbers, else the record's decimals, hundredths at least);
    None if there is none. Closed form when the comparison is affine in the input (or its
    reciprocal is), a search otherwise."""
    unit = Fraction(1) if whole else Fraction(1, 10 ** max(2, _places(x0)))
    exact_x = _closed_form(lever, x0) if op in (">=", ">", "<=", "<") else None
    if exact_x is not None:
        if exact_x < 0:
            return None    # e.g. an area subtracted from the compared value: no amount passes
        x = _settle(lever, x0, exact_x, unit)
        if x is not None:
            return _plain(x)
    best = None
    for direction in (1, -1):
        x = _search(lever, x0, direction, unit)
        if x is not None and (best is None or abs(x - x0) < abs(best - x0)):
            best = x
    return None if best is None else _plain(best)


def _closed_form(lever: _Lever, x0):
    """Where value − threshold crosses zero, if it is affine in the input over x0, x0+1, x0+2;
    else where value = threshold if 1/value is affine and the threshold constant."""
    points = [lever.at(x0 + i) for i in range(3)]
    if not all(_numeric(v) and _numeric(t) for v, t, _ in points):
        return None
    d = [Fraction(v) - Fraction(t) for v, t, _ in points]
    if d[1] != d[0] and d[2] - d[1] == d[1] - d[0]:
        return x0 - d[0] / (d[1] - d[0])
    t = points[0][1]
    if t != 0 and all(pt[1] == t and pt[0] != 0 for pt in points):
        r = [1 / Fraction(v) for v, _, _ in points]
        if r[1] != r[0] and r[2] - r[1] == r[1] - r[0]:
            return x0 + (1 / Fraction(t) - r[0]) / (r[1] - r[0])
    return None


def _settle(lever: _Lever, x0, exact_x: Fraction, unit: Fraction):
    """The solved point rounded to whole units away from failing (ceil going up, floor going
    down), one unit further if the comparison is strict and the point exact; verified: it
    passes and one unit nearer x0 fails."""
    up = exact_x > x0
    k = math.ceil(exact_x / unit) if up else math.floor(exact_x / unit)
    step = 1 if up else -1
    for _ in range(2):
        x = k * unit
        if x < 0 or (x - x0) * step <= 0:
            k += step
            continue
        if lever.passes(x):
            short = x - step * unit
            return x if short == x0 or not lever.passes(short) else None
        k += step
    return None


def _search(lever: _Lever, x0, direction: int, unit: Fraction):
    """Smallest whole number of units in `direction` after which the lever passes: doubling,
    then bisection (the rule is taken to be monotone in the input)."""
    step, last_fail = 1, 0
    while True:
        if x0 + direction * step * unit < 0:
            # Overshot below zero: the smallest positive value, then zero, are the last candidates
            # (zero may be undefined, e.g. a denominator).
            n = int(x0 / unit)
            ends = [e for e in (n - 1, n) if e > last_fail]
            step = next((e for e in ends if lever.passes(x0 - e * unit)), None) if direction < 0 else None
            if step is None:
                return None
            break
        if step > LIMIT:
            return None
        if lever.passes(x0 + direction * step * unit):
            break
        last_fail = step
        step *= 2
    low, high = last_fail, step      # fails at low (or is the current value), passes at high
    while high - low > 1:
        mid = (low + high) // 2
        if lever.passes(x0 + direction * mid * unit):
            high = mid
        else:
            low = mid
    return x0 + direction * high * unit


def _describe(pointer, title, current, target) -> Remedy:
    change = target - current
    amount = format_number(abs(change))
    verb_zh, verb_en = ("增加", "increase") if change > 0 else ("减少", "decrease")
    zh = f"{title}需{verb_zh} {amount}（{format_number(current)} → {format_number(target)}）"
    en = f"{verb_en} {pointer} by {amount} ({format_number(current)} → {format_number(target)})"
    return Remedy("input", pointer, title, current, target, zh, en)


# ---- class sizes -----------------------------------------------------------------------

def _classes(finding: Finding, data: dict) -> Remedy | None:
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
            if isinstance(n, ast.Call) and n.name == "series" and n.args:
                arg = checked.resolutions.get(id(n.args[0]))
                if isinstance(arg, FieldRef) and len(arg.keys) >= 2:
                    series = arg.keys[1]
    return _Shape(class_sizes, series, tuple(sorted(fields)))


def _at_least(node) -> bool:
    return (isinstance(node, ast.Call) and node.name == "at_least" and len(node.args) == 3
            and isinstance(node.args[2], ast.ListLit) and all(isinstance(i, ast.Compare) for i in node.args[2].items))


# ---- helpers ---------------------------------------------------------------------------

_OPS = {">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, "<": lambda a, b: a < b,
        "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


def _compare(op: str, a, b) -> bool:
    return a.__class__ is not Unknown and b.__class__ is not Unknown and _OPS[op](a, b) is True


def _numeric(v) -> bool:
    return isinstance(v, (int, Fraction)) and not isinstance(v, bool)


def _leaves(node, pointer: str):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, f"{pointer}/{k}")
    elif _numeric(node):
        yield pointer, node


def _places(x) -> int:
    """Decimal places of x as a record would write it (9 when it has no short decimal form)."""
    places = decimal_places(x)
    return 9 if places is None else places


def _plain(x):
    x = Fraction(x)
    return int(x) if x.denominator == 1 else x


def field_title(pointer: str) -> str:
    return schema_at(load_record_schema(), pointer).get("title") or pointer.rsplit("/", 1)[-1]
