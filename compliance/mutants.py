"""The threshold-mutation gate (`compliance test --mutants`): move one numeric parameter value
of a pack by one step and see whether the pack's own test cases notice.

A step is one unit of the last decimal place of the value as written (91 → 1, 95.5 → 0.1,
0.45 → 0.01), or of the numerator of a ratio written p/q (2/3 → 1/3 and 3/3). Each value of a
per-level or dated parameter is mutated on its own, up and down. The mutant is a copy of the
pack's analysis with that one parameter replaced; nothing on disk changes. Only the rules that
read the parameter are run, over the cases that expect something of them: a rule that does
not mention it gives the same findings as in the unchanged pack (rules are evaluated
independently, see Checker.for_rule), and those cases are run unchanged by `compliance test`.
"""
from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from fractions import Fraction

from .engine import Checker
from .findings import format_number
from .lint import Analysis
from .packs import Param
from .paramreaders import own_params, reading_rules
from .record import decimal_places
from .testcases import Case, PackResult, run_cases

LEVELS_ZH = {"primary": "小学", "junior": "初中"}


@dataclass(frozen=True)
class Mutant:
    pack: str
    param: str
    level: str | None              # a key of a per-level parameter (primary, junior, …)
    start: datetime.date           # the date the mutated value takes effect
    old: Fraction | int
    new: Fraction | int

    @property
    def up(self) -> bool:
        return self.new > self.old

    def describe(self, lang: str = "zh") -> str:
        level = "" if self.level is None else " " + (LEVELS_ZH.get(self.level, self.level) if lang == "zh" else self.level)
        if lang == "zh":
            direction = "调高一步" if self.up else "调低一步"
            return (f"{self.pack}: params.{self.param}{level}（{self.start.isoformat()} 起）"
                    f"{format_number(self.old)} → {format_number(self.new)}，{direction}")
        direction = "one step up" if self.up else "one step down"
        return (f"{self.pack}: params.{self.param}{level} (from {self.start.isoformat()}) "
                f"{format_number(self.old)} → {format_number(self.new)}, {direction}")


@dataclass(frozen=True)
class GateResult:
    pack: str
    made: int
    survivors: tuple[Mutant, ...]


def step(value) -> Fraction:
    """One unit of the last decimal place; for a ratio written p/q (2/3), one unit of p."""
    places = decimal_places(value)
    return Fraction(1, 10 ** places) if places is not None else Fraction(1, Fraction(value).denominator)


def _numeric(v) -> bool:
    return isinstance(v, (int, Fraction)) and not isinstance(v, bool)


def mutants(param: Param) -> list[tuple[Mutant, Param]]:
    """Each numeric value of the parameter one step up and one step down, with the mutated Param."""
    out = []
    levels = param.by_level.items() if param.by_level is not None else [(None, param.values or ())]
    for level, series in levels:
        for i, (start, v) in enumerate(series):
            if not _numeric(v):
                continue
            for sign in (1, -1):
                new = v + sign * step(v)
                changed = series[:i] + ((start, new),) + series[i + 1:]
                replaced = (dataclasses.replace(param, by_level={**param.by_level, level: changed})
                            if level is not None else dataclasses.replace(param, values=changed))
                out.append((Mutant(param.pack, param.name, level, start, v, new), replaced))
    return out


def _restricted(analysis: Analysis, name: str, cases: list[Case]) -> tuple[Analysis, list[Case]]:
    """The pack cut down to the rules that read the parameter, and the cases' expectations
    of those rules (cases expecting nothing of them are left out)."""
    rules = reading_rules(analysis, name)
    kept = [dataclasses.replace(c, expectations=tuple(e for e in c.expectations if e.rule in rules))
            for c in cases if any(e.rule in rules for e in c.expectations)]
    return dataclasses.replace(analysis, rules=[r for r in analysis.rules if r.qualified_id in rules]), kept


def _killed(checker: Checker, analysis: Analysis, cases: list[Case]) -> bool:
    """Whether some case notices the mutant; stops at the first that does."""
    result = PackResult(analysis)
    for case in cases:
        run_cases(checker, [case], result)
        if result.failures:
            return True
    return False


def run_gate(analysis: Analysis, cases: list[Case]) -> GateResult:
    """Every mutant of every parameter the pack defines (its own and the inherited ones it
    redefines), and those no case kills."""
    made, alive = 0, []
    for name in own_params(analysis):
        reading, chosen = _restricted(analysis, name, cases)
        for mutant, mutated in mutants(analysis.params[name]):
            made += 1
            copy = dataclasses.replace(reading, params={**reading.params, name: mutated})
            if not _killed(Checker([copy]), copy, chosen):
                alive.append(mutant)
    return GateResult(analysis.pack.id, made, tuple(alive))


def render_gate(results: list[GateResult], lang: str = "zh") -> str:
    lines = ["阈值变异检验（每个参数值调高、调低一步，须有用例发现）" if lang == "zh"
             else "Threshold mutants (each parameter value one step up and down; some case must notice)"]
    for r in results:
        if lang == "zh":
            lines.append(f"  {r.pack}：变异 {r.made} 个，存活 {len(r.survivors)} 个")
        else:
            lines.append(f"  {r.pack}: {r.made} mutants, {len(r.survivors)} survive")
        for m in r.survivors:
            lines.append(("    存活：" if lang == "zh" else "    survives: ") + m.describe(lang))
    alive = sum(len(r.survivors) for r in results)
    if alive:
        lines.append(f"共 {alive} 个阈值变异未被任何用例发现：请在阈值处及其一步之外各写一个用例"
                     if lang == "zh" else
                     f"{alive} threshold mutants went unnoticed: write a case at the threshold and one a step beyond it")
    return "\n".join(lines) + "\n"
