"""The seam every evaluator plugs into.

`Backend.prepare(analysis, as_of)` turns a checked pack into a `Program` for one date;
`Program.run(views, trace, keep)` judges every rule in force for every subject of each
record and returns one `RunResult` per record: the findings kept (all, or only the
statuses in `keep`) and the count of every status, kept or not.

What all backends share is prepared here once: which rules are in force, their citations,
severities and display facts (`RuleMeta`), and the parameter values on the date."""
from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol, Sequence

from ..diagnostics import CompilationFailed
from ..dsl import ast
from ..dsl import types as T
from ..findings import Finding, tally
from ..logic import undefined
from ..record import RecordView


@dataclass(frozen=True)
class RuleMeta:
    """One rule in force on the program's date, with what every backend needs to judge it."""
    rule: object                   # packs.Rule
    when: object | None            # Checked expression, or None
    require: object | None         # Checked expression, or None (an attestation)
    op: str | None                 # the top-level comparison's operator, if any
    percent: bool                  # show value and threshold as percentages
    citation: dict
    deadline: str | None
    severity: str                  # `target` while a deadline is still ahead, else the rule's own
    overridden_citation: dict | None = None
    ahead: bool = False            # the deadline is after the date judged: a miss is `pending`
    threshold_source: dict | None = None  # the threshold parameter and its reference (lint_quote)

    @property
    def sides(self):
        """(left, right) nodes when `require` is a top-level comparison, else None."""
        node = self.require.node if self.require is not None else None
        return (node.left, node.right) if isinstance(node, ast.Compare) else None


@dataclass(frozen=True)
class Prepared:
    analysis: object               # lint.Analysis
    as_of: datetime.date
    params: dict                   # name → value in force (or an Unknown naming the parameter)
    rules: tuple[RuleMeta, ...]


@dataclass
class RunResult:
    findings: list[Finding]
    counts: Counter = field(default_factory=Counter)   # (status, severity) → number of findings


class Program(Protocol):
    prepared: Prepared

    def run(self, views: Sequence[RecordView], trace: bool = False,
            keep: frozenset[str] | None = None) -> list[RunResult]: ...


class Backend(Protocol):
    name: str

    def prepare(self, analysis, as_of: datetime.date) -> Program: ...


def prepare(analysis, as_of: datetime.date) -> Prepared:
    if analysis.errors:
        raise CompilationFailed(analysis.errors)
    params = params_on(analysis, as_of)
    metas = []
    for rule in analysis.rules:
        if not rule.in_force(as_of):
            continue
        when = analysis.checked.get((rule.qualified_id, "when")) if rule.when is not None else None
        require = analysis.checked.get((rule.qualified_id, "require")) if rule.require is not None else None
        op, percent = None, False
        if require is not None and isinstance(require.node, ast.Compare):
            op = require.node.op
            right_type = require.types.get(id(require.node.right))
            percent = isinstance(right_type, T.NumberT) and right_type.unit is not None \
                and right_type.unit.label == "%"
        # A rule whose deadline has not come yet is progress to report (`pending`), not a
        # failure; while ahead it is a target, so even its missing data decides nothing.
        ahead = bool(rule.deadline and as_of < rule.deadline)
        severity = "target" if ahead else rule.severity
        replaced = analysis.overridden.get(rule.id)
        metas.append(RuleMeta(rule, when, require if not rule.attestation else None, op, percent,
                              rule.citation.as_dict() if rule.citation else {},
                              rule.deadline.isoformat() if rule.deadline else None, severity,
                              replaced.citation.as_dict() if replaced and replaced.citation else None, ahead,
                              threshold_source(analysis, require)))
    return Prepared(analysis, as_of, params, tuple(metas))


def threshold_source(analysis, require) -> dict | None:
    """Where the threshold of a top-level `value OP params.x` comes from: the parameter, its pack and
    reference, so a finding can say which text set the number it was held to."""
    node = require.node if require is not None else None
    if not isinstance(node, ast.Compare):
        return None
    for side in (node.right, node.left):
        if isinstance(side, ast.Path) and side.parts[0] == "params" and len(side.parts) > 1 \
                and side.parts[1] in analysis.params:
            param = analysis.params[side.parts[1]]
            out = {"parameter": param.name, "pack": param.pack}
            if param.reference:
                out["reference"] = param.reference
            return out
    return None


def params_on(analysis, as_of: datetime.date) -> dict:
    """Every parameter's value in force on `as_of`, or an Unknown naming the parameter."""
    params = {}
    for name, param in analysis.params.items():
        v = param.value_at(as_of)
        params[name] = undefined("no_parameter_value", f"params.{name}") if v is None or v == {} else v
    return params


def collect(findings: list[Finding], keep: frozenset[str] | None) -> RunResult:
    """A RunResult from all of one record's findings: counted, then filtered."""
    counts = Counter(tally(findings))
    if keep is not None:
        findings = [f for f in findings if f.status in keep]
    return RunResult(findings, counts)
