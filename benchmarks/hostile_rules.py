"""Hostile rule files: how long `compliance lint` takes to answer each (issue 13: < 2 s).

The cases are the suite's own (tests/test_hostile_rules.py: alias bomb, recursive alias,
!!python tag, NUL byte, 5,000 nested brackets, a 200 KB scalar, a 2 MB file, comments only).
Each is linted in a fresh process, like a user's run, best of `--runs`; the baseline in the
same run is linting an ordinary rule file (rules/national/vetoes.yaml copied alone), so the
ratio column says what the hostile part costs beyond starting up and loading the catalog.

Run: python benchmarks/hostile_rules.py [--runs 3]
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.test_hostile_rules import CASES  # noqa: E402  (the same files the suite checks)


def lint_seconds(path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "compliance", "lint", str(path)], capture_output=True)
    return time.perf_counter() - start, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = {"(baseline) vetoes.yaml": Path(tmp) / "vetoes.yaml"}
        shutil.copy(ROOT / "rules" / "national" / "vetoes.yaml", files["(baseline) vetoes.yaml"])
        for i, (name, (text, *_)) in enumerate(sorted(CASES.items())):
            files[name] = Path(tmp) / f"hostile{i}.yaml"
            files[name].write_text(text, encoding="utf-8")
        best = {name: float("inf") for name in files}
        codes = {}
        for _ in range(args.runs):
            for name, path in files.items():
                seconds, codes[name] = lint_seconds(path)
                best[name] = min(best[name], seconds)
    base = best["(baseline) vetoes.yaml"]
    print(f"{'file':<26} {'exit':>4} {'seconds':>8} {'÷ baseline':>10}")
    for name in files:
        print(f"{name:<26} {codes[name]:>4} {best[name]:>8.2f} {best[name] / base:>10.2f}")
    print(f"slowest: {max(best.values()):.2f} s (limit 2 s)")


if __name__ == "__main__":
    main()
