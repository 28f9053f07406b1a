"""The impact of a rule change (`compliance diff`): the same records judged by two rule
folders, and every finding whose status differs, with the parameters and rule definitions
that changed between them.

Packs are looked up in each rules folder first (then in the shipped rules, as `--rules`
does), so the old and the new side each see their own `extends` chain. Records that share
their packs and date are judged together through `Checker.run_many`, the columnar batch
path. Nothing here prints; compliance/report/diff_report.py renders the result.
"""
from __future__ import annotations

import datetime
import io
import re
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import CompilationFailed, Diagnostic, Localized, Location, has_errors
from .findings import Finding, Subject, summary_key, verdict
from .inputs import sources
from .record import MAX_RECORD_MB

BATCH_MIN = 8        # records sharing packs and date from which the columnar batch path pays
ABSENT = "absent"    # the rule gives no finding for this subject on that side (rule added or removed)


@dataclass(frozen=True)
class ParamChange:
    pack: str
    name: str
    title: str
    level: str | None                      # primary | junior, or None for a single series
    old: tuple | None                      # ((date, value), …) or None when the side lacks it
    new: tuple | None
    file: str | None                       # where the new value is written (old, when removed)
    line: int | None


@dataclass(frozen=True)
class Change:
    """One finding whose status differs between the old and the new rules."""
    rule: str
    title: str
    subject: Subject
    old: str                               # summary key (pass, fail, target_missed …) or ABSENT
    new: str
    old_value: object = None
    new_value: object = None
    old_threshold: object = None
    new_threshold: object = None


@dataclass(frozen=True)
class RecordDiff:
    name: str
    jurisdiction: str
    level: str | None
    old_verdict: str
    new_verdict: str
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class DiffResult:
    params: tuple[ParamChange, ...]
    rules_changed: tuple[str, ...]         # qualified ids whose definition (not parameters) differs
    rules_added: tuple[str, ...]
    rules_removed: tuple[str, ...]
    rule_params: dict                      # qualified rule id → names of the parameters it reads
    records: tuple[RecordDiff, ...]        # every record judged, changed or not

    @property
    def changed(self) -> bool:
        """True when some finding or verdict of some record changes."""
        return any(r.changes or r.old_verdict != r.new_verdict for r in self.records)


@dataclass(frozen=True)
class _Ready:
    name: str
    data: dict
    as_of: datetime.date
    packs: tuple[str, ...]


def read_records(paths: list[str], as_of: datetime.date | None, max_mb: float = MAX_RECORD_MB,
                 allow_unknown: bool = False) -> tuple[list[_Ready], list[Diagnostic]]:
    """Every record of the paths, validated; the diagnostics of those that are not."""
    from .batch_job import _as_of, _read
    from .validate import unknown_as_errors
    ready, problems = [], []
    for source in sources(paths):
        if source.empty_dir:
            problems.append(Diagnostic("E117", Location(source.name), {"path": source.name}))
            continue
        data, _, found = _read(source, max_mb)
        if not allow_unknown:
            found = unknown_as_errors(found)
        problems.extend(found)
        if has_errors(found) or data is None:
            continue
        date, problem = _as_of(as_of, data, source.name)
        if problem is not None:
            problems.append(problem)
            continue
        ready.append(_Ready(source.name, data, date, tuple(data.get("packs") or ["national"])))
    return ready, problems


def compare(old_rules: Path, new_rules: Path, records: list[_Ready], packs: tuple[str, ...] | None = None,
            old_is_temporary: bool = False, batch_min: int = BATCH_MIN) -> DiffResult:
    """Judge `records` by both rule folders. Raises CompilationFailed when a side's packs do
    not load (the diagnostics name that side's files). A temporary old folder (from git) is
    analysed without the on-disk cache, whose entries are per folder and would pile up."""
    groups: dict = {}
    for i, r in enumerate(records):
        groups.setdefault((packs or r.packs, r.as_of), []).append(i)
    old_findings: list = [None] * len(records)
    new_findings: list = [None] * len(records)
    checkers: dict = {}
    for (names, as_of), indexes in groups.items():
        for side, folder, out in (("old", old_rules, old_findings), ("new", new_rules, new_findings)):
            key = (side, names)
            if key not in checkers:
                checkers[key] = _checker(names, folder, Location(records[indexes[0]].name, pointer="/packs"),
                                         cached=not (side == "old" and old_is_temporary))
            checker = checkers[key]
            if len(indexes) >= batch_min:
                runs = checker.run_many([records[i].data for i in indexes], as_of, trace=False)
                for i, run in zip(indexes, runs):
                    out[i] = run.findings
            else:   # preparing the columnar program costs more than a few records take one by one
                for i in indexes:
                    out[i] = checker.check(records[i].data, as_of, trace=False)
    diffs = tuple(_record_diff(r, old, new) for r, old, new in zip(records, old_findings, new_findings))
    old_analyses = [a for (side, _), c in checkers.items() if side == "old" for a in c.analyses]
    new_analyses = [a for (side, _), c in checkers.items() if side == "new" for a in c.analyses]
    params = _param_changes(old_analyses, new_analyses)
    old_rules_by_id = {r.qualified_id: r for a in old_analyses for r in a.rules}
    new_rules_by_id = {r.qualified_id: r for a in new_analyses for r in a.rules}
    changed = tuple(sorted(q for q in old_rules_by_id.keys() & new_rules_by_id.keys()
                           if _definition(old_rules_by_id[q]) != _definition(new_rules_by_id[q])))
    rule_params = {}
    for a in [*new_analyses, *old_analyses]:
        for rule in a.rules:
            rule_params.setdefault(rule.qualified_id, _params_read(rule, a))
    return DiffResult(params, changed, tuple(sorted(new_rules_by_id.keys() - old_rules_by_id.keys())),
                      tuple(sorted(old_rules_by_id.keys() - new_rules_by_id.keys())), rule_params, diffs)


def _checker(names: tuple[str, ...], folder: Path, where: Location, cached: bool):
    from .engine import Checker, load_checker
    if cached:
        return load_checker(list(names), [folder], where)
    from .lint import analyze
    from .packs import Repository
    repository = Repository([folder])
    analyses = []
    for name in names:
        directory = repository.directory(name)
        if directory is None:
            raise CompilationFailed([Diagnostic("E115", where, {"name": name, "available": repository.ids()})])
        analysis = analyze(repository.load(directory), repository)
        if analysis.errors:
            raise CompilationFailed(analysis.diagnostics)
        analyses.append(analysis)
    ancestors = {p.id for a in analyses for p in a.chain[:-1]}   # as load_checker: a listed ancestor adds nothing
    return Checker([a for a in analyses if a.pack.id not in ancestors])


def _record_diff(record: _Ready, old: list[Finding], new: list[Finding]) -> RecordDiff:
    before = {(f.rule, f.subject): f for f in old}
    after = {(f.rule, f.subject): f for f in new}
    changes = []
    # Old order first, then what only the new rules find: deterministic, as the findings are.
    for key in [*before, *(k for k in after if k not in before)]:
        b, a = before.get(key), after.get(key)
        old_status = summary_key(b.status, b.severity) if b else ABSENT
        new_status = summary_key(a.status, a.severity) if a else ABSENT
        if old_status != new_status:
            f = a or b
            changes.append(Change(f.rule, f.title, f.subject, old_status, new_status,
                                  b.value if b else None, a.value if a else None,
                                  b.threshold if b else None, a.threshold if a else None))
    jurisdiction = record.data.get("jurisdiction") if isinstance(record.data.get("jurisdiction"), dict) else {}
    return RecordDiff(record.name, str(jurisdiction.get("name", "")), jurisdiction.get("level"),
                      verdict(old), verdict(new), tuple(changes))


def _definition(rule) -> tuple:
    """What makes a rule judge differently, parameters aside."""
    return (rule.require.text if rule.require else None, rule.when.text if rule.when else None,
            rule.severity, rule.applies_to, rule.levels, rule.attestation, rule.effective, rule.until,
            rule.deadline)


_PARAM = re.compile(r"params\.([A-Za-z_][A-Za-z0-9_]*)")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _params_read(rule, analysis) -> tuple[str, ...]:
    """The parameters a rule's condition reads, through the derived fields it uses."""
    derived: dict[str, list[str]] = {}
    for (_, name), d in analysis.derived.items():
        derived.setdefault(name, []).append(d.value.text)
    texts = [e.text for e in (rule.when, rule.require) if e is not None]
    seen_derived: set[str] = set()
    found: set[str] = set()
    while texts:
        text = texts.pop()
        found.update(_PARAM.findall(text))
        for name in _NAME.findall(_PARAM.sub(" ", text)):
            if name in derived and name not in seen_derived:
                seen_derived.add(name)
                texts.extend(derived[name])
    return tuple(sorted(found))


def _param_changes(old_analyses, new_analyses) -> tuple[ParamChange, ...]:
    old = {name: p for a in old_analyses for name, p in a.params.items()}
    new = {name: p for a in new_analyses for name, p in a.params.items()}
    out = []
    for name in sorted(old.keys() | new.keys()):
        o, n = old.get(name), new.get(name)
        shown = n or o
        levels = sorted({*(o.by_level or {} if o else {}), *(n.by_level or {} if n else {})})
        for level in levels or [None]:
            before = _series(o, level)
            after = _series(n, level)
            if before != after:
                out.append(ParamChange(shown.pack, name, shown.title, level, before, after,
                                       shown.location.file, shown.location.line))
    return tuple(out)


def _series(param, level):
    if param is None:
        return None
    if level is None:
        return param.values
    return (param.by_level or {}).get(level)


# ---- the old rules from git ------------------------------------------------------------------

def rules_at_revision(revision: str, rules: Path, into: Path) -> tuple[Path | None, Diagnostic | None]:
    """The rules folder as it was at a git revision, written under `into` (from `git archive`;
    no work tree is touched). Returns the folder, or a diagnostic saying why not."""
    rules = Path(rules)
    if not rules.is_dir():
        return None, Diagnostic("E290", Location(str(rules)), {"reason": Localized("目录不存在", "no such folder")})
    top = _git(["rev-parse", "--show-toplevel"], rules.resolve())
    if isinstance(top, Localized):
        return None, Diagnostic("E290", Location(str(rules)), {"reason": top})
    root = Path(top.decode("utf-8").strip())
    relative = rules.resolve().relative_to(root.resolve()).as_posix() or "."
    archive = _git(["archive", "--format=tar", revision, "--", relative], root)
    if isinstance(archive, Localized):
        return None, Diagnostic("E291", Location("--old-rev"), {"revision": revision, "path": relative, "reason": archive})
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        # The "data" filter (Python ≥ 3.11.4) refuses links and paths that leave `into`.
        if hasattr(tarfile, "data_filter"):
            tar.extractall(into, filter="data")
        else:
            tar.extractall(into)
    folder = into / relative
    if not folder.is_dir():
        return None, Diagnostic("E291", Location("--old-rev"), {"revision": revision, "path": relative,
                                                                "reason": Localized("该版本中没有此目录",
                                                                                    "the folder is not in that revision")})
    return folder, None


def _git(arguments: list[str], cwd: Path) -> bytes | Localized:
    try:
        done = subprocess.run(["git", *arguments], cwd=cwd, capture_output=True, timeout=120)
    except FileNotFoundError:
        return Localized("找不到 git 命令", "the git command is not installed")
    except subprocess.TimeoutExpired:
        return Localized("git 超时", "git timed out")
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        text = message[-1] if message else f"git exit {done.returncode}"
        return Localized(text, text)
    return done.stdout

