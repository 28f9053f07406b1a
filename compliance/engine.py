"""The stages wired together, for the command line and for programs that use compliance
as a library: packs → analysis → program (one backend) → findings."""
from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .cache import cached_analysis
from .diagnostics import CompilationFailed, Diagnostic, Location
from .findings import Finding
from .lint import Analysis
from .packs import Pack, Repository
from .record import RecordView
from .run.backend import RunResult, collect
from .run.closures import ClosureBackend, view_of


@dataclass
class Checker:
    """Packs analysed once; `check` then runs them over any number of records."""
    analyses: list[Analysis]
    backend: object = field(default_factory=ClosureBackend)
    programs: dict = field(default_factory=dict)
    batch_programs: dict = field(default_factory=dict)

    @property
    def packs(self) -> list[Pack]:
        return list({p.id: p for a in self.analyses for p in a.chain}.values())

    def analysis_of(self, finding: Finding) -> Analysis:
        """The analysis whose rules produced `finding`."""
        return next(a for a in self.analyses if any(r.qualified_id == finding.rule for r in a.rules))

    @classmethod
    def for_rule(cls, analysis: Analysis, rule) -> "Checker":
        """A checker of one rule alone (the others cannot change its findings)."""
        return cls([dataclasses.replace(analysis, rules=[rule])])

    def program(self, analysis: Analysis, as_of: datetime.date):
        key = (analysis.pack.id, as_of)
        if key not in self.programs:
            self.programs[key] = self.backend.prepare(analysis, as_of)
        return self.programs[key]

    def check(self, record: dict | RecordView, as_of: datetime.date | None = None, trace: bool = True) -> list[Finding]:
        """Every finding of every pack for one record (a plain record dict, or a view of one)."""
        view = record if isinstance(record, RecordView) else view_of(record)
        as_of = as_of or default_as_of(view.data)
        findings, seen = [], set()
        for analysis in self.analyses:
            (result,) = self.program(analysis, as_of).run([view], trace)
            for f in result.findings:
                key = (f.rule, f.subject)
                if key not in seen:
                    seen.add(key)
                    findings.append(f)
        return findings

    def check_many(self, records: Iterable[dict | RecordView], as_of: datetime.date | None = None,
                   trace: bool = False, chunk: int = 32) -> Iterator[list[Finding]]:
        """The findings of each record, one list per record, in order, as they are asked for:
        `chunk` records at a time through the columnar backend."""
        pending: list = []
        for record in records:
            pending.append(record)
            if len(pending) >= chunk:
                yield from (r.findings for r in self.run_many(pending, as_of, trace))
                pending = []
        if pending:
            yield from (r.findings for r in self.run_many(pending, as_of, trace))

    def run_many(self, records: list, as_of: datetime.date | None = None, trace: bool = False,
                 keep: frozenset[str] | None = None) -> list[RunResult]:
        """Many records at once through the columnar backend: per record, the findings kept
        (all, or those whose status is in `keep`) and the count of every status."""
        if len(self.analyses) > 1:
            # Rules shared by several packs are judged once per record.
            return [collect(self.check(r, as_of, trace), keep) for r in records]
        # The columns read decimals as parsed; the closures get exact views where they need them.
        views = [r if isinstance(r, RecordView) else RecordView(r) for r in records]
        from .run.batch import BatchBackend   # numpy: only when many records are checked
        analysis = self.analyses[0]
        by_date: dict = {}
        for i, view in enumerate(views):
            by_date.setdefault(as_of or default_as_of(view.data), []).append(i)
        out: list = [None] * len(views)
        for date, indexes in by_date.items():
            key = (analysis.pack.id, date)
            if key not in self.batch_programs:
                self.batch_programs[key] = BatchBackend().prepare(analysis, date)
            results = self.batch_programs[key].run([views[i] for i in indexes], trace, keep)
            for i, result in zip(indexes, results):
                out[i] = result
        return out

    def fallbacks(self) -> dict[str, str]:
        """Rules the columnar backend handed to the closures so far, and why."""
        return {rule: why for p in self.batch_programs.values() for rule, why in p.fallbacks.items()}


def default_as_of(data: dict) -> datetime.date:
    """The record's as_of; without one, the last day of its year."""
    if data.get("as_of"):
        return datetime.date.fromisoformat(str(data["as_of"]))
    return datetime.date(int(data.get("year", datetime.date.today().year)), 12, 31)


def load_checker(names: list[str], extra_dirs: list[Path] = (), where: Location | None = None) -> Checker:
    """Analyse the named packs (ids or folders), or take their analyses from the on-disk
    cache (compliance/cache.py). Raises CompilationFailed with diagnostics."""
    repository = Repository(list(extra_dirs))
    analyses = []
    for name in names:
        directory = Path(name) if Path(name).is_dir() else repository.directory(name)
        if directory is None:
            raise CompilationFailed([Diagnostic("E115", where or Location(), {"name": name, "available": repository.ids()})])
        analysis = cached_analysis(directory, repository)
        if analysis.errors:
            raise CompilationFailed(analysis.diagnostics)
        analyses.append(analysis)
    # A pack listed together with one that extends it adds nothing of its own.
    ancestors = {p.id for a in analyses for p in a.chain[:-1]}
    return Checker([a for a in analyses if a.pack.id not in ancestors])
