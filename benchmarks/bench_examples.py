"""Evaluation time of `compliance check` on the shipped examples, excluding start-up.

Reports per example: load + validate the record, evaluate every rule with traces (what
`check` does), and render the text and JSON reports. Run: python benchmarks/bench_examples.py
"""
from __future__ import annotations

import time
from pathlib import Path

from compliance.engine import default_as_of, load_checker
from compliance.report.json_report import build_report, render_json
from compliance.report.text import render_text
from compliance.validate import read_record

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def best(fn, runs=5):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def main() -> None:
    t = time.perf_counter()
    checker = load_checker(["national"])
    print(f"load + check the national pack: {1000 * (time.perf_counter() - t):.0f} ms (once)")
    print(f"{'example':32} {'schools':>7} {'read+validate':>14} {'evaluate':>9} {'reports':>8}  findings")
    for path in sorted(EXAMPLES.glob("*.json")):
        t_read, (data, _) = best(lambda: read_record(path))
        as_of = default_as_of(data)
        checker.check(data, as_of)  # compile once for this date
        t_eval, findings = best(lambda: checker.check(data, as_of))
        t_report, _ = best(lambda: (render_text(findings, "", as_of.isoformat()),
                                    render_json(build_report(findings, checker.packs, as_of, str(path), b""))))
        print(f"{path.name:32} {len(data.get('schools', [])):>7} {1000 * t_read:>11.1f} ms {1000 * t_eval:>6.1f} ms "
              f"{1000 * t_report:>5.1f} ms  {len(findings)}")


if __name__ == "__main__":
    main()
