"""Broken rule files and the diagnostics `compliance lint` must give for them.

Each file in tests/lint_cases/ holds one mistake. Its first lines state what is expected:

    # expect: E210 7:14 未知字段 'section.studens'，是否指 'section.students'？
    # expect-en: E210 7:14 unknown field 'section.studens'
    # about: 字段名拼错

`expect` names one diagnostic: its code, its line:column in the file (1-based; the column
is the first character of the offending token, counted in characters) and a piece of its
Chinese message. `expect-en` adds a piece of the English message (`--lang en`) of the same
diagnostic. The errors the linter reports for the file must be exactly the expected ones —
no more, no fewer (warnings are only checked when expected). The positions were worked out by
reading the files, not copied from the tool: where the tool is wrong, the case is listed in
KNOWN_PROBLEMS and marked as a strict xfail, so fixing the tool makes it pass (then delete the
entry).

To add a case: write the file, count the line and column yourself, run
`python -m pytest tests/test_lint_cases.py -k NAME`.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

from compliance.diagnostics import Diagnostic
from compliance.lint import lint_paths
from compliance.packs import Repository

CASES_DIR = Path(__file__).parent / "lint_cases"
REPO = Path(__file__).resolve().parent.parent

# Cases where the tool is wrong today (position, wording, crash or missed error): the case keeps
# the correct expectation and is marked xfail. Strict:
# an entry whose case starts passing fails the suite until it is removed here.
KNOWN_PROBLEMS: dict[str, str] = {}

_HEADER = re.compile(r"#\s*(expect|expect-en):\s*([EW]\d{3})\s+(\d+):(\d+)\s+(.+?)\s*$")


@dataclass
class Expectation:
    code: str
    line: int
    column: int
    zh: list[str]
    en: list[str]

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.code, self.line, self.column)


def read_expectations(path: Path) -> list[Expectation]:
    """The `# expect:` / `# expect-en:` lines at the top of a case file."""
    out: dict[tuple[str, int, int], Expectation] = {}
    order: list[tuple[str, int, int]] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.startswith("#"):
            break
        m = _HEADER.match(raw)
        if m is None:
            continue
        kind, code, line, column, text = m.groups()
        key = (code, int(line), int(column))
        if key not in out:
            out[key] = Expectation(code, int(line), int(column), [], [])
            order.append(key)
        (out[key].zh if kind == "expect" else out[key].en).append(text)
    return [out[k] for k in order]


def _same_file(name: str | None, path: Path) -> bool:
    if not name:
        return True  # a diagnostic without a file cannot be blamed on another file
    p = Path(name)
    if not p.is_absolute():
        p = Path.cwd() / p
    return p.resolve() == path.resolve()


_repository: Repository | None = None


def _shared_repository() -> Repository:
    # What lint_paths builds for a loose file in CASES_DIR; shared so that the national pack
    # every case extends is loaded once, not once per case.
    global _repository
    if _repository is None:
        _repository = Repository([CASES_DIR])
    return _repository


def diagnostics_for(path: Path) -> list[Diagnostic]:
    """Every diagnostic lint gives for one loose rule file, minus those inside the shipped
    packs it extends (those packs have their own tests)."""
    analyses, loose = lint_paths([path], _shared_repository())
    found = list(loose)
    for a in analyses:
        found.extend(a.diagnostics)
    return [d for d in dict.fromkeys(found) if _same_file(d.location.file, path)]


def _case_params():
    files = sorted(CASES_DIR.glob("*.yaml"))
    out = []
    for f in files:
        marks = []
        if f.stem in KNOWN_PROBLEMS:
            marks.append(pytest.mark.xfail(reason=KNOWN_PROBLEMS[f.stem], strict=True))
        out.append(pytest.param(f, id=f.stem, marks=marks))
    return out


def test_case_files_are_well_formed():
    files = sorted(CASES_DIR.glob("*.yaml"))
    assert len(files) >= 36
    for f in files:
        assert read_expectations(f), f"{f.name}: no '# expect:' line at the top"
    assert not set(KNOWN_PROBLEMS) - {f.stem for f in files}, "KNOWN_PROBLEMS names a missing case"


def _describe(d: Diagnostic) -> str:
    loc = d.location
    return f"{d.code} {loc.line}:{loc.column} {d.message('zh')}"


@pytest.mark.parametrize("path", _case_params())
def test_lint_case(path: Path):
    expected = read_expectations(path)
    found = diagnostics_for(path)
    errors = [d for d in found if d.is_error]
    expected_codes = {e.code for e in expected}
    # Errors must match exactly; a warning counts only when the case expects its code.
    relevant = errors + [d for d in found if not d.is_error and d.code in expected_codes]
    got = sorted((d.code, d.location.line, d.location.column) for d in relevant)
    want = sorted(e.key for e in expected)
    assert got == want, (f"{path.name}: diagnostics differ\n  expected: {want}\n  got:\n    "
                         + "\n    ".join(_describe(d) for d in relevant))
    by_key = {(d.code, d.location.line, d.location.column): d for d in relevant}
    for e in expected:
        d = by_key[e.key]
        for text in e.zh:
            assert text in d.message("zh"), f"{path.name}: zh message {d.message('zh')!r} lacks {text!r}"
        for text in e.en:
            assert text in d.message("en"), f"{path.name}: en message {d.message('en')!r} lacks {text!r}"


# ---- the real command ------------------------------------------------------------------

def _display_width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


# Cases the tool gets right, run through the real command (in parallel, to stay fast).
CLI_CASES = ["yaml_duplicate_key", "unknown_field_typo", "block_folded_unknown_field", "unit_area_vs_money",
             "chinese_columns"]


@pytest.fixture(scope="module")
def cli_runs() -> dict[str, subprocess.CompletedProcess]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("COMPLIANCE_DEBUG", None)
    env.pop("COMPLIANCE_LANG", None)
    procs = {}
    for name in CLI_CASES:
        shown = (CASES_DIR / f"{name}.yaml").relative_to(REPO).as_posix()
        args = [sys.executable, "-m", "compliance", "lint", shown]
        procs[name] = (args, subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.PIPE,
                                              stderr=subprocess.PIPE, text=True, encoding="utf-8"))
    out = {}
    for name, (args, proc) in procs.items():
        stdout, stderr = proc.communicate(timeout=60)
        out[name] = subprocess.CompletedProcess(args, proc.returncode, stdout, stderr)
    return out


@pytest.mark.parametrize("name", CLI_CASES)
def test_lint_command(name: str, cli_runs):
    """`python -m compliance lint FILE`: exit 2, `file:line:col`, the source line with a caret
    under the offending token, no traceback."""
    assert name not in KNOWN_PROBLEMS
    path = CASES_DIR / f"{name}.yaml"
    (e,) = read_expectations(path)
    shown = path.relative_to(REPO).as_posix()
    proc = cli_runs[name]
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output, output
    assert proc.returncode == 2, output
    lines = output.splitlines()
    head = f"{shown}:{e.line}:{e.column}: 错误 {e.code}: "
    at = next((i for i, l in enumerate(lines) if l.startswith(head)), None)
    assert at is not None, f"no line starting with {head!r} in:\n{output}"
    assert all(t in lines[at] for t in e.zh), lines[at]
    source_line = path.read_text(encoding="utf-8").splitlines()[e.line - 1]
    quoted, caret = lines[at + 1], lines[at + 2]
    assert quoted.endswith(f" | {source_line}"), quoted
    assert re.fullmatch(r"\s*\| *\^+", caret), caret
    # The caret sits under the offending token (CJK characters are two columns wide).
    pad = caret.split("| ", 1)[1].index("^")
    assert pad == _display_width(source_line[: e.column - 1]), (quoted, caret)
