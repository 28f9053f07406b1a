"""Evaluation time of `compliance check` on the shipped examples, excluding start-up.

Reports per example: load + validate the record, evaluate every rule with traces (what
`check` does), compute the remedies and CV contributors of the failures (`advice`, also
as a ratio to evaluation in the same run), and render the text and JSON reports.
Run: python benchmarks/bench_examples.py
"""
from __future__ import annotations

import time
from pathlib import Path

from compliance.engine import default_as_of, load_checker
from compliance.remedy import advise
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
    checkers = {}
    print(f"{'example':26} {'packs':10} {'schools':>7} {'read+validate':>14} {'evaluate':>9} {'advice':>9} "
          f"{'ratio':>6} {'reports':>8}  findings/fail")
    for path in sorted(EXAMPLES.glob("*.json")):
        t_read, (data, _) = best(lambda: read_record(path))
        packs = tuple(data.get("packs") or ["national"])
        if packs not in checkers:
            checkers[packs] = load_checker(list(packs))
        checker = checkers[packs]
        as_of = default_as_of(data)
        checker.check(data, as_of)  # compile once for this date
        t_eval, findings = best(lambda: checker.check(data, as_of))
        t_advice, advice = best(lambda: advise(checker, findings, data, as_of), runs=3)
        t_report, _ = best(lambda: (render_text(findings, "", as_of.isoformat(), advice=advice),
                                    render_json(build_report(findings, checker.packs, as_of, str(path), b"",
                                                             advice=advice))))
        fails = sum(1 for f in findings if f.status == "fail")
        print(f"{path.name:26} {','.join(packs):10} {len(data.get('schools', [])):>7} {1000 * t_read:>11.1f} ms "
              f"{1000 * t_eval:>6.1f} ms {1000 * t_advice:>6.1f} ms {t_advice / t_eval:>5.1f}× {1000 * t_report:>5.1f} ms"
              f"  {len(findings)}/{fails}")


if __name__ == "__main__":
    main()
