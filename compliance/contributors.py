"""Who makes a 差异系数 high: for a rule over `weighted_cv(x, p for s in … where …)`, each
school section's share of the weighted variance, P_i (X_i − X̄)² / Σ P, ranked; the CV if that
school were brought to the county mean; and the smallest single-school change of X that
brings the CV within the limit (solved exactly: CV ≤ L is a quadratic inequality in X_i).

The members are evaluated with the tracing interpreter, so the figures come from the same
reading of the rule as everything else and can be checked against a direct computation.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .dsl import ast
from .dsl.builtins import exact_sqrt, weighted_mean_and_cv
from .logic import Unknown
from .record import RecordView
from .run.backend import params_on
from .run.closures import view_of
from .run.interpreter import Interpreter, Scope


@dataclass(frozen=True)
class Contributor:
    school: str
    school_name: str
    pointer: str
    value: Fraction             # X_i
    weight: Fraction            # P_i (students)
    contribution: Fraction      # P_i (X_i − X̄)² / Σ P
    share: Fraction             # of the variance
    cv_at_mean: Fraction        # the CV if X_i were X̄


@dataclass(frozen=True)
class CvBreakdown:
    mean: Fraction
    cv: Fraction
    limit: Fraction | None
    ranked: tuple[Contributor, ...]
    fix: tuple[str, Fraction, Fraction] | None   # (school id, from X, to X): smallest single change

    def as_dict(self, top: int = 5) -> dict:
        return {"mean": self.mean, "cv": self.cv, "limit": self.limit, "members": len(self.ranked),
                "top": [{"school": c.school, "school_name": c.school_name, "value": c.value, "weight": c.weight,
                         "contribution": c.contribution, "share": c.share, "cv_at_mean": c.cv_at_mean}
                        for c in self.ranked[:top]],
                "smallest_fix": None if self.fix is None else
                {"school": self.fix[0], "from": self.fix[1], "to": self.fix[2]}}


def cv_rows(analysis, rule, record: dict | RecordView, as_of, level: str):
    """[(x, p, section entity)] of the rule's weighted_cv for one section level, or None.
    `record` is best given as the RecordView the caller already has (one per record)."""
    checked = analysis.checked[(rule.qualified_id, "require")]
    # Only a rule that compares the CV itself (rounded or not) against a limit: a recheck of a
    # published figure also computes a CV, but its threshold is a printed precision, no limit.
    node = checked.node.left if isinstance(checked.node, ast.Compare) else None
    if isinstance(node, ast.Call) and node.name == "round_to":
        node = node.args[0]
    if not (isinstance(node, ast.Aggregate) and node.name == "weighted_cv"):
        return None
    view = record if isinstance(record, RecordView) else view_of(record)
    interp = Interpreter(analysis, params_on(analysis, as_of))
    scope = Scope(view, None, None, level, rule.applies_to, checked.resolutions, {})
    items = interp.eval(node.collection, scope)
    if isinstance(items, Unknown):
        return None
    slot = checked.resolutions[id(node)].slot
    rows = []
    for item in items:
        inner = Scope(view, None, None, level, rule.applies_to, checked.resolutions, {slot: item})
        if node.where is not None and interp.eval(node.where, inner) is not True:
            continue
        x, p = (interp.eval(a, inner) for a in node.args)
        if isinstance(x, Unknown) or isinstance(p, Unknown):
            return None
        rows.append((Fraction(x), Fraction(p), item))
    return rows


def breakdown(rows, limit=None) -> CvBreakdown | None:
    pairs = [(x, p) for x, p, _ in rows]
    result = weighted_mean_and_cv(pairs)
    if isinstance(result, Unknown):
        return None
    mean, cv = result
    sums = _Sums(pairs)
    variance = sum(p * (x - mean) ** 2 for x, p in pairs) / sums.p
    ranked = []
    for x, p, entity in rows:
        contribution = p * (x - mean) ** 2 / sums.p
        moved = sums.moved(x, p, mean)
        school = entity.school
        ranked.append(Contributor(str(school.data.get("id", school.pointer)), str(school.data.get("name", "")),
                                  entity.pointer, x, p, contribution,
                                  contribution / variance if variance else Fraction(0),
                                  moved[1] if moved is not None else cv))
    ranked.sort(key=lambda c: (-c.contribution, c.school))
    fix = smallest_fix(rows, Fraction(limit)) if limit is not None and cv > limit else None
    return CvBreakdown(mean, cv, None if limit is None else Fraction(limit), tuple(ranked), fix)


def smallest_fix(rows, limit: Fraction):
    """The single school change X_i → x with the smallest |x − X_i| that gives CV ≤ limit.

    With P = Σp, S and Q the sums of p·x and p·x² over the other schools, CV ≤ L is
    P(Q + p x²) ≤ (1 + L²)(S + p x)², i.e. a x² + b x + c ≤ 0 with
    a = P p − (1+L²) p², b = −2(1+L²) S p, c = P Q − (1+L²) S² (and the mean must stay > 0).
    """
    best = None
    k = 1 + limit * limit
    sums = _Sums([(x, p) for x, p, _ in rows])
    total = sums.p
    for xi, pi, entity in rows:
        s, q = sums.px - pi * xi, sums.pxx - pi * xi * xi      # over the other schools
        a, b, c = total * pi - k * pi * pi, -2 * k * s * pi, total * q - k * s * s
        for x in _feasible_points(a, b, c, xi):
            result = sums.moved(xi, pi, x)
            if result is None or result[0] <= 0 or result[1] > limit:
                continue
            if best is None or abs(x - xi) < abs(best[2] - best[1]):
                school = entity.school
                best = (str(school.data.get("id", school.pointer)), xi, x)
    return best


class _Sums:
    """Σp, Σp·x and Σp·x² of (x, p) rows, so that the mean and CV with one member moved cost
    O(1) instead of a pass over all members. Exact: Σp(x − X̄)²/Σp = Σp·x²/Σp − X̄² holds in
    rationals, so the figures equal weighted_mean_and_cv on the changed rows."""

    def __init__(self, pairs):
        self.p = sum((p for _, p in pairs), Fraction(0))
        self.px = sum((p * x for x, p in pairs), Fraction(0))
        self.pxx = sum((p * x * x for x, p in pairs), Fraction(0))

    def moved(self, x_old, p, x_new):
        """(mean, CV) with one member's x changed from x_old to x_new; None if the mean is 0."""
        mean = (self.px + p * (x_new - x_old)) / self.p
        if mean == 0:
            return None
        variance = (self.pxx + p * (x_new * x_new - x_old * x_old)) / self.p - mean * mean
        return mean, exact_sqrt(variance) / abs(mean)


def _feasible_points(a, b, c, current):
    """Points of {x ≥ 0 : a x² + b x + c ≤ 0} nearest `current` (the interval ends), nudged
    inwards by 10⁻⁶ so a truncated square root cannot put them outside."""
    if a == 0:
        if b == 0:
            return []
        root = -c / b
        return [max(Fraction(0), root + (Fraction(1, 10 ** 6) if b < 0 else -Fraction(1, 10 ** 6)))]
    disc = b * b - 4 * a * c
    if disc < 0:
        return []
    r = exact_sqrt(disc)
    roots = sorted(((-b - r) / (2 * a), (-b + r) / (2 * a)))
    nudge = Fraction(1, 10 ** 6)
    if a > 0:   # inside the roots
        lo, hi = roots[0] + nudge, roots[1] - nudge
        if lo > hi:
            return []
        return [min(max(current, lo), hi)] if hi >= 0 else []
    # a < 0: outside the roots
    return [p for p in (roots[0] - nudge, roots[1] + nudge) if p >= 0]
