"""A realistic failing county: how long `compliance check county.json` takes, cold.

    python benchmarks/bench_county.py
    python benchmarks/bench_county.py --json OUT.json

The county (benchmarks/county.py, seed 20240901, the school mix scaled to 65 schools, 23 % of
indicator values drawn below their threshold, every qualitative clause the pack asks about
attested as met) has about 250 failing findings under the national pack; the script checks
that count with the tool and prints it.

Timed, each as a new process (`compliance` from this Python's environment), best of 3 and the
first run apart (a first run may fill caches):

* `compliance check county.json`                — the text report, every failure with its remedies
* `compliance check county.json --format json`  — the JSON report, with remedies and steps

and in this process, best of 11, the two taking turns: the evaluation
(`checker.check(record, as_of)`, traces on as the CLI runs it) and the remedies
(`compliance.remedy.advise` over its failures), and their ratio. This process sets the
garbage collector's thresholds as the CLI does (collector.tune_gc), so that both sides pay
for collections as they would in `compliance check`.

Targets of issue 11: text ≤ 1.5 s, JSON ≤ 2 s, remedies ≤ 2× the evaluation.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import county  # noqa: E402

SEED = 20240901
SCHOOLS = 64          # county.scaled_mix rounds each type: 65 schools
BELOW = 0.23
REPEATS = 3
# In process, each side of remedies ÷ evaluation is the best of more runs: a run takes ≈ 0.1 s,
# and on a shared machine whose speed drifts the minimum of 11 estimates each side's own cost
# better than the minimum of 3. The two sides take turns (see alternating), so that a slow
# stretch of the machine falls on both rather than on one.
IN_PROCESS_REPEATS = 11
TARGETS = {"text_s": 1.5, "json_s": 2.0, "remedies_ratio": 2.0}


def failing_county(checker) -> tuple[dict, Counter]:
    """The record, with every attestation the pack asks for set to met; and its status counts."""
    from compliance.record import exact
    attested: set[str] = set()
    while True:
        record = county.county_record(SEED, sorted(attested), schools=SCHOOLS, below=BELOW)
        findings = checker.check(exact(record), trace=False)
        asked = {m.rsplit("/", 1)[1] for f in findings if f.status == "unknown"
                 for m in f.missing if m.startswith("/facts/attestations/")}
        if asked <= attested:
            return record, Counter(f.status for f in findings)
        attested |= asked


def compliance_command() -> list[str]:
    exe = Path(sys.executable).with_name("compliance")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "compliance"]


def cold(args: list[str]) -> dict:
    """Wall time of a new `compliance` process, REPEATS times; its output checked once."""
    runs, out = [], b""
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        done = subprocess.run(compliance_command() + args, capture_output=True)
        runs.append(time.perf_counter() - t0)
        if done.returncode not in (0, 1):
            raise SystemExit(f"compliance {' '.join(args)} exited {done.returncode}:\n"
                             f"{done.stderr.decode('utf-8', 'replace')[-2000:]}")
        out = done.stdout
    return {"first_s": runs[0], "best_s": min(runs), "runs": [round(r, 3) for r in runs], "output": out}


def best(fn, repeats: int = REPEATS):
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def alternating(first, second, repeats: int):
    """best() of two functions run by turns: first, second, first, second … Each run starts
    after a full collection: without it, the evaluation run after the remedies paid for
    collecting their garbage (measured ≈ 20 % slower), which flattered the ratio."""
    times: tuple[list, list] = ([], [])
    results = [None, None]
    for _ in range(repeats):
        for side, fn in enumerate((first, second)):
            gc.collect()
            t0 = time.perf_counter()
            results[side] = fn()
            times[side].append(time.perf_counter() - t0)
    return (min(times[0]), results[0]), (min(times[1]), results[1])


def report_times(checker, findings, advice, data, as_of, path: Path) -> dict:
    """The reports `compliance check` writes, built once each in this process: the text report
    with the remedies, and the JSON report with the steps of every failing or unknown finding.
    None where this version's report functions differ from the ones expected here."""
    out = {"text_report_s": None, "json_steps_s": None, "json_report_s": None}
    try:
        from compliance.report.text import render_text
        t0 = time.perf_counter()
        render_text(findings, "county", as_of.isoformat(), "zh", False, color=False, advice=advice)
        out["text_report_s"] = time.perf_counter() - t0
    except (ImportError, TypeError):
        pass
    try:
        from compliance.explain import Tracer, steps_as_data
        from compliance.report.json_report import build_report, render_json
        t0 = time.perf_counter()
        advice = {k: dict(v) for k, v in advice.items()}
        tracers = {id(a): Tracer(a, data, as_of) for a in checker.analyses}
        for f in findings:
            if f.status in ("fail", "unknown"):
                tracer = tracers[id(checker.analysis_of(f))]
                advice.setdefault((f.rule, f.subject), {})["steps"] = steps_as_data(tracer, f)
        t1 = time.perf_counter()
        render_json(build_report(findings, checker.packs, as_of, str(path), path.read_bytes(), "zh", advice))
        out["json_steps_s"], out["json_report_s"] = t1 - t0, time.perf_counter() - t1
    except (ImportError, TypeError):
        pass
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="realistic failing county benchmark")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--keep", type=Path, help="also write the county record here")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    from compliance.collector import tune_gc
    from compliance.engine import default_as_of, load_checker
    from compliance.remedy import advise
    from compliance.validate import read_record
    t1 = time.perf_counter()
    tune_gc()       # as cli.main does
    checker = load_checker(["national"])
    t2 = time.perf_counter()
    startup = {"import_s": t1 - t0, "load_checker_s": t2 - t1}
    record, statuses = failing_county(checker)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "county.json"
        path.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        if args.keep:
            args.keep.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        data, problems = read_record(path)
        if data is None or any(d.is_error for d in problems):
            raise SystemExit(f"the synthetic county does not validate: {problems[:3]}")
        as_of = default_as_of(data)

        text = cold(["check", str(path)])
        js = cold(["check", str(path), "--format", "json"])
        report = json.loads(js["output"])
        failing = [f for f in report["findings"] if f["status"] == "fail"]
        with_remedy = sum(1 for f in failing if f.get("remedy"))
        with_steps = sum(1 for f in failing if f.get("steps"))

        read_s, _ = best(lambda: read_record(path))
        findings = checker.check(data, as_of)
        (evaluation_s, findings), (remedies_s, advice) = alternating(
            lambda: checker.check(data, as_of), lambda: advise(checker, findings, data, as_of), IN_PROCESS_REPEATS)
        reports = report_times(checker, findings, advice, data, as_of, path)

    schools = len(record["schools"])
    sections = sum(len(s["sections"]) for s in record["schools"])
    ratio = remedies_s / evaluation_s
    result = {
        "county": {"schools": schools, "sections": sections, "findings": sum(statuses.values()),
                   "statuses": dict(statuses)},
        "text": {k: v for k, v in text.items() if k != "output"},
        "json": {k: v for k, v in js.items() if k != "output"},
        "json_failing": len(failing), "json_failing_with_remedy": with_remedy, "json_failing_with_steps": with_steps,
        "evaluation_s": evaluation_s, "remedies_s": remedies_s, "remedies_ratio": ratio,
        "in_process": {**startup, "read_validate_s": read_s, **reports},
        "advised": len(advice),
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}, "
                   f"load average {os.getloadavg()[0]:.1f} at the end",
    }
    met = {"text_s": text["best_s"] <= TARGETS["text_s"], "json_s": js["best_s"] <= TARGETS["json_s"],
           "remedies_ratio": ratio <= TARGETS["remedies_ratio"]}
    print(f"county: {schools} schools, {sections} sections, {result['county']['findings']} findings "
          f"{dict(statuses)} (national pack); {result['machine']}")
    print()
    print(f"{'what':52} {'first':>8} {'best of 3':>10} {'target':>8}")
    print("-" * 82)
    print(f"{'compliance check county.json (text, remedies)':52} {text['first_s']:7.2f}s {text['best_s']:9.2f}s "
          f"{'≤ 1.5 s':>8}  {'met' if met['text_s'] else 'NOT met'}")
    print(f"{'compliance check county.json --format json':52} {js['first_s']:7.2f}s {js['best_s']:9.2f}s "
          f"{'≤ 2 s':>8}  {'met' if met['json_s'] else 'NOT met'}")
    print(f"  JSON report: {len(failing)} failing findings, {with_remedy} with a remedy, {with_steps} with steps")
    print(f"{'in process: checker.check (traces on)':52} {'':>8} {evaluation_s:9.3f}s")
    print(f"{'in process: remedy.advise over the failures':52} {'':>8} {remedies_s:9.3f}s")
    print(f"{'remedies ÷ evaluation':52} {'':>8} {ratio:9.1f}× {'≤ 2×':>8}  {'met' if met['remedies_ratio'] else 'NOT met'}")
    parts = result["in_process"]
    print("in process, once (the pieces of the command): " + ", ".join(
        f"{k[:-2].replace('_', ' ')} {v:.3f}s" if v is not None else f"{k[:-2].replace('_', ' ')} n/a"
        for k, v in parts.items()))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
