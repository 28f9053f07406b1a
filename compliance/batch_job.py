"""The records of a batch, start to finish: read, validate, check (many at once through the
columnar backend, `Judge.many`), and each report as one JSON
line plus the few numbers the batch table and totals need. Runs in the parent (`--jobs 1`)
or in a worker process; what it returns is small and picklable."""
from __future__ import annotations

import dataclasses
import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import CompilationFailed, Diagnostic, Localized, Location, has_errors
from .inputs import Source
from .record import MAX_RECORD_MB

INVALID = "invalid"
PROBLEMS = frozenset({"fail", "unknown", "pending"})   # --findings problems: what is not pass / not_applicable


@dataclass(frozen=True)
class Options:
    packs: tuple[str, ...] | None      # --pack: overrides every record's own `packs`
    rules: tuple[str, ...] = ()        # --rules: extra pack search folders
    as_of: datetime.date | None = None
    lang: str = "zh"
    problems_only: bool = False        # --findings problems
    advice: bool = False               # --advice: remedies (costly)
    allow_unknown: bool = False        # --allow-unknown-fields: W116 instead of E120
    max_record_mb: float = MAX_RECORD_MB   # --max-record-size
    strict: bool = False               # --strict: implausible figures are errors
    subjects: bool = False             # Outcome.subjects, for the writers that point at them (xlsx, SARIF, JUnit)


@dataclass(frozen=True)
class Outcome:
    name: str
    line: bytes                        # the §3 report, or the error entry, as one JSON line (UTF-8)
    verdict: str                       # pass | fail | unknown | invalid
    jurisdiction: str = ""
    counts: dict = field(default_factory=dict)          # the report's summary
    failed: tuple[tuple[str, str, int], ...] = ()       # (rule, title, findings) failing must/veto rules
    diagnostics: tuple[Diagnostic, ...] = ()            # for stderr, warnings included
    fatal: bool = False                # the --pack packs cannot be loaded: nothing can be checked
    internal: str | None = None        # a bug of ours met on this record
    fallbacks: tuple[tuple[str, str], ...] = ()   # rules the columnar backend left to the closures, why
    subjects: tuple[tuple[str, str], ...] = ()   # (JSON pointer, label) of each finding's subject in `line`


class Judge:
    """Checks records, several at a time, keeping one Checker per pack list: records may name
    different `packs`, and analysing a pack costs far more than checking a record."""

    def __init__(self, options: Options):
        self.options = options
        self._checkers: dict = {}

    def checker(self, names: tuple[str, ...], where: Location):
        from .engine import load_checker
        if names not in self._checkers:
            self._checkers[names] = load_checker(list(names), [Path(r) for r in self.options.rules], where)
        return self._checkers[names]

    def many(self, sources: list[Source]) -> list[Outcome]:
        """Several records at once: each read and validated, then those that share their packs
        and date judged together by the columnar backend."""
        from .collector import paused
        with paused():    # nothing the chunk makes outlives it but its outcomes (collector.py)
            return self._many(sources)

    def _many(self, sources: list[Source]) -> list[Outcome]:
        outcomes: list = [None] * len(sources)
        groups: dict = {}
        for i, source in enumerate(sources):
            try:
                ready = self._ready(source)
            except Exception as exc:  # a bug of ours on one record must not lose the others
                outcomes[i] = self._internal(source, exc)
                continue
            if isinstance(ready, Outcome):
                outcomes[i] = ready
            else:
                groups.setdefault((ready[4], ready[3]), []).append((i, ready))
        keep = PROBLEMS if self.options.problems_only else None
        for (names, as_of), items in groups.items():
            try:
                checker = items[0][1][5]
                runs = checker.run_many([ready[1] for _, ready in items], as_of, trace=True, keep=keep)
                fallbacks = tuple(sorted(checker.fallbacks().items()))
                for (i, (source, data, raw, _, _, _, problems)), run in zip(items, runs):
                    outcomes[i] = dataclasses.replace(
                        _outcome(source, data, raw, as_of, checker, run.findings, problems, self.options, run.counts),
                        fallbacks=fallbacks)
            except Exception as exc:
                for i, ready in items:
                    outcomes[i] = self._internal(ready[0], exc)
        return outcomes

    def _internal(self, source: Source, exc: Exception) -> Outcome:
        import os
        if os.environ.get("COMPLIANCE_DEBUG"):
            raise exc
        message = f"{type(exc).__name__}: {exc}"
        return Outcome(source.name, _error_line(source.name, [], self.options.lang, message), INVALID,
                       internal=message)

    def _ready(self, source: Source):
        """An Outcome when the record cannot be checked; else what checking it needs:
        (source, data, raw bytes, as_of, pack names, checker, problems)."""
        options = self.options
        if options.packs:
            try:
                self.checker(options.packs, Location("--pack"))
            except CompilationFailed as exc:
                return Outcome(source.name, b"", INVALID, diagnostics=tuple(exc.diagnostics), fatal=True)
        if source.empty_dir:
            return self._invalid(source, [Diagnostic("E117", Location(source.name), {"path": source.name})])
        data, raw, problems = _read(source, options.max_record_mb)
        if not options.allow_unknown:
            from .validate import unknown_as_errors
            problems = unknown_as_errors(problems)
        if has_errors(problems) or data is None:
            return self._invalid(source, problems)
        as_of, problem = _as_of(options.as_of, data, source.name)
        if problem is not None:
            return self._invalid(source, problems + [problem])
        from .plausibility import plausibility
        problems = problems + plausibility(data, source.name, options.strict)
        if has_errors(problems):
            return self._invalid(source, problems)
        names = tuple(options.packs or data.get("packs") or ["national"])
        try:
            checker = self.checker(names, Location(source.name, pointer="/packs"))
        except CompilationFailed as exc:
            return self._invalid(source, problems + exc.diagnostics)
        return source, data, raw, as_of, names, checker, problems

    def _invalid(self, source: Source, problems: list[Diagnostic]) -> Outcome:
        return Outcome(source.name, _error_line(source.name, problems, self.options.lang), INVALID,
                       diagnostics=tuple(problems))


def _read(source: Source, max_mb: float) -> tuple[dict | None, bytes | None, list[Diagnostic]]:
    """The record, its bytes (the report carries their sha256) and the problems found."""
    from .validate import load_record, parse_record, too_large
    if source.path is not None:
        data, problems, raw = load_record(Path(source.path), max_mb)
        return data, (raw if data is not None else None), problems
    if len(source.data) > max_mb * 1_000_000:
        return None, None, [too_large(source.name, len(source.data), max_mb)]
    try:
        text = source.data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, None, [Diagnostic("E100", Location(source.name), {"reason": Localized(
            f"第 {exc.start + 1} 个字节起不是有效的 UTF-8 文本", f"not valid UTF-8 from byte {exc.start + 1} on")})]
    data, problems = parse_record(text, source.name)
    # A JSON syntax error is at a column of that stdin line: say so (<stdin>:12:40).
    problems = [Diagnostic(d.code, Location("<stdin>", source.line + d.location.line - 1, d.location.column),
                           d.args, d.severity) if d.location.line is not None else d for d in problems]
    return data, source.data, problems


def _as_of(option: datetime.date | None, data: dict, name: str):
    if option is not None:
        return option, None
    from .engine import default_as_of
    try:
        return default_as_of(data), None
    except (TypeError, ValueError):
        return None, Diagnostic("E114", Location(name, pointer="/as_of"), {"text": data.get("as_of")})


def _outcome(source, data, raw, as_of, checker, findings, problems, options: Options, tally=None) -> Outcome:
    """The outcome of a checked record. `findings` may be only the problems, when `tally`
    counts every finding by (status, severity)."""
    from .findings import DECISIVE, summary_of_counts, tally as count, verdict_of_counts
    from .report.json_report import build_report, render_json_line
    tally = tally if tally is not None else count(findings)
    advice = None
    if options.advice:
        from .remedy import advise
        advice = advise(checker, findings, data, as_of)
    kept = findings
    if options.problems_only:
        kept = [f for f in findings if f.status not in ("pass", "not_applicable")]
    from .plausibility import CODES, notices, summary
    quality = notices(problems)
    report = build_report(kept, checker.packs, as_of, source.name, raw, options.lang, advice, quality)
    counts = summary_of_counts(tally)
    report["verdict"], report["summary"] = verdict_of_counts(tally), counts   # of every finding, kept or not
    failed: dict[str, list] = {}
    for f in findings:
        if f.status == "fail" and f.severity in DECISIVE:
            failed.setdefault(f.rule, [f.title if options.lang == "zh" or not f.title_en else f.title_en, 0])[1] += 1
    jurisdiction = data.get("jurisdiction") if isinstance(data.get("jurisdiction"), dict) else {}
    # stderr gets one line for the record's notices; its report lists each of them.
    shown = [d for d in problems if d.code not in CODES] + ([summary(source.name, quality)] if quality else [])
    return Outcome(source.name, render_json_line(report), report["verdict"], str(jurisdiction.get("name", "")),
                   counts, tuple((rule, title, n) for rule, (title, n) in failed.items()), tuple(shown),
                   subjects=tuple((f.subject.pointer, f.subject.label(options.lang)) for f in kept)
                   if options.subjects else ())


def _error_line(name: str, problems: list[Diagnostic], lang: str, internal: str | None = None) -> bytes:
    errors = []
    for d in problems:
        if not d.is_error:
            continue
        entry = {"code": d.code, "message": d.message(lang), "pointer": d.location.pointer}
        if d.location.line is not None:
            entry["line"], entry["column"] = d.location.line, d.location.column
        errors.append(entry)
    if internal is not None:
        errors.append({"code": "internal", "message": internal, "pointer": None})
    return json.dumps({"input": {"path": name}, "error": errors}, ensure_ascii=False).encode()
