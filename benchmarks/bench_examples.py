"""Evaluation time of `compliance check` on the shipped examples and on the realistic
synthetic county (benchmarks/county.py, 82 schools), excluding start-up.

Reports per record: load + validate, evaluate every rule with traces (what `check` does),
compute the remedies and CV contributors of the failures (`advice`) and the ratio
advice ÷ evaluate in the same run, the probes the remedies made, and render the text and
JSON reports. Times are CPU time of this process (time.process_time), best of several
runs interleaved, because wall time on a shared machine measures the neighbours.

Then the whole command, start-up included, on the realistic county: CPU time of the child
process (user + sys), best of 3, bytecode cached, for the text and the JSON report, next to
`compliance check` of the passing example (no advice) in the same run.

Run: python benchmarks/bench_examples.py
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from compliance.engine import default_as_of, load_checker
from compliance.remedy import Advisor, advise
from compliance.report.json_report import build_report, render_json
from compliance.report.text import render_text
from compliance.validate import read_record

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
sys.path.insert(0, str(Path(__file__).resolve().parent))
import county  # noqa: E402


def best(fn, runs=5):
    times = []
    for _ in range(runs):
        t = time.process_time()
        result = fn()
        times.append(time.process_time() - t)
    return min(times), result


def interleaved(a, b, runs=7):
    """Best CPU time of a and of b, run alternately so both see the same machine."""
    ta = tb = float("inf")
    for _ in range(runs):
        t = time.process_time()
        a()
        ta = min(ta, time.process_time() - t)
        t = time.process_time()
        b()
        tb = min(tb, time.process_time() - t)
    return ta, tb


def probes(checker, findings, data, as_of) -> int:
    advisor = Advisor(checker, data, as_of)
    for f in findings:
        advisor.remedies(f)
    return advisor.probes


def cold(args, runs=3) -> float:
    """Best CPU time (user + sys) of `python -m compliance <args>` as a child process, with
    bytecode cached as after an install (a first run writes it)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    command = [sys.executable, "-m", "compliance", *args]
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env)
    times = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(times)


def main() -> None:
    realistic = Path(tempfile.mkdtemp()) / "realistic-county.json"
    realistic.write_text(json.dumps(county.county_record(seed=20240901), ensure_ascii=False), encoding="utf-8")
    checkers = {}
    print(f"{'record':26} {'packs':10} {'schools':>7} {'read+validate':>14} {'evaluate':>9} {'advice':>9} "
          f"{'ratio':>6} {'probes':>7} {'reports':>8}  findings/fail")
    for path in [*sorted(EXAMPLES.glob("*.json")), realistic]:
        t_read, (data, _) = best(lambda: read_record(path))
        packs = tuple(data.get("packs") or ["national"])
        if packs not in checkers:
            checkers[packs] = load_checker(list(packs))
        checker = checkers[packs]
        as_of = default_as_of(data)
        findings = checker.check(data, as_of)  # compile once for this date
        advise(checker, findings, data, as_of)  # and the parts remedies compile
        t_eval, t_advice = interleaved(lambda: checker.check(data, as_of), lambda: advise(checker, findings, data, as_of))
        advice = advise(checker, findings, data, as_of)
        t_report, _ = best(lambda: (render_text(findings, "", as_of.isoformat(), advice=advice),
                                    render_json(build_report(findings, checker.packs, as_of, str(path), b"",
                                                             advice=advice))))
        fails = sum(1 for f in findings if f.status == "fail")
        print(f"{path.name:26} {','.join(packs):10} {len(data.get('schools', [])):>7} {1000 * t_read:>11.1f} ms "
              f"{1000 * t_eval:>6.1f} ms {1000 * t_advice:>6.1f} ms {t_advice / t_eval:>5.2f}× "
              f"{probes(checker, findings, data, as_of):>7} {1000 * t_report:>5.1f} ms  {len(findings)}/{fails}")
    print()
    base = cold(["check", str(EXAMPLES / "county-pass.json")])
    text = cold(["check", str(realistic)])
    as_json = cold(["check", "--format", "json", str(realistic)])
    print(f"whole command, CPU s (best of 3): county-pass.json {base:.2f} s · realistic county text {text:.2f} s "
          f"({text / base:.2f}×) · --format json {as_json:.2f} s ({as_json / base:.2f}×)")


if __name__ == "__main__":
    main()
