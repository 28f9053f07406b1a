#!/usr/bin/env python3
"""Example records carrying the county's own published resource figures (facts.reported).

    python examples/reported_examples.py            # (re)writes the two files
    python examples/reported_examples.py --check    # regenerate in memory, compare with the files

- reported-recheck.json: county-pass.json with the figures of its self-evaluation report. Every
  mean and CV is the schools' value printed to two decimals, except two designed misprints:
  the primary CV of 生均教学仪器设备值 (indicator 6) printed 0.05 too low, and the junior mean
  of 骨干教师 (indicator 2) printed 0.2 too high. The national pack rechecks all 28 figures;
  exactly those two differ beyond their printed precision (R6-RECHECK-CV, R2-RECHECK-MEAN).
- reported-only.json: the same county's facts with no school data, only the CVs of a
  monitoring notice printed to six decimals. The CV rules judge them as reported; the primary
  CV of 骨干教师 is 0.501787, over the 0.50 limit compared exactly (R2-CV-REPORTED fails).

The figures are computed here independently of the tool (examples/generate.py's own
re-computation of the indicators and CVs); the self-check below stops the script if a
designed figure does not land on its intended side. All figures are invented.
"""
from __future__ import annotations

import argparse
import json
import sys
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402  (the seeded generator's independent re-computation)

INDICATORS = generate.INDICATORS
LEVELS = ("primary", "junior")
# (level, indicator, figure) → what is added to the schools' value before printing.
MISPRINTS = {("primary", "r6", "cv"): -0.05, ("junior", "r2", "mean"): 0.2}


def figures(record: dict) -> dict:
    """{(level, indicator): (weighted mean, CV)} of the schools in the resource scope."""
    rows = {(lv, ind): [] for lv in LEVELS for ind in INDICATORS}
    for school in record["schools"]:
        for lv, values in generate.indicator_values(school).items():
            if generate.in_scope(school, lv):
                for ind in INDICATORS:
                    rows[(lv, ind)].append((values[ind], school["sections"][lv]["students"]))
    out = {}
    for key, rs in rows.items():
        total = sum(p for _, p in rs)
        out[key] = (sum(x * p for x, p in rs) / total, generate.weighted_cv(rs))
    return out


def printed(x: float, decimals: int) -> str:
    return f"{x:.{decimals}f}"


def recheck_record(base: dict) -> dict:
    record = json.loads(json.dumps(base))
    record["jurisdiction"] = {"code": "990101", "name": "示例县（复核公布值）", "level": "county"}
    values = figures(record)
    reported = {"source": "示例县义务教育优质均衡发展自评报告（2024年，虚构）"}
    for lv in LEVELS:
        level = {}
        for ind in INDICATORS:
            mean, cv = values[(lv, ind)]
            level[f"{ind}_mean"] = printed(mean + MISPRINTS.get((lv, ind, "mean"), 0), 2)
            level[f"{ind}_cv"] = printed(cv + MISPRINTS.get((lv, ind, "cv"), 0), 2)
        reported[lv] = level
    record["facts"]["reported"] = reported
    return record


def only_record(base: dict) -> dict:
    record = json.loads(json.dumps(base))
    record["jurisdiction"] = {"code": "990102", "name": "示例县（仅有公布值）", "level": "county"}
    values = figures(record)
    del record["schools"]
    reported = {"source": "示例市教育局关于县域义务教育优质均衡发展监测结果的通报（2024年，虚构）"}
    for lv in LEVELS:
        reported[lv] = {f"{ind}_cv": printed(values[(lv, ind)][1], 6) for ind in INDICATORS}
    # The published figure of the real case: 0.501787 against the 0.50 limit.
    reported["primary"]["r2_cv"] = "0.501787"
    record["facts"]["reported"] = reported
    return record


def self_check(files: dict) -> None:
    """Each printed figure is within half a unit of its last place of the schools' value,
    except the designed misprints, which are beyond it."""
    record = files["reported-recheck.json"]
    values = figures(record)
    for lv in LEVELS:
        for ind in INDICATORS:
            for i, fig in enumerate(("mean", "cv")):
                text = record["facts"]["reported"][lv][f"{ind}_{fig}"]
                gap = abs(Fraction(values[(lv, ind)][i]) - Fraction(text))
                differs = gap > Fraction(1, 200)
                if differs != ((lv, ind, fig) in MISPRINTS):
                    sys.exit(f"self-check: {lv} {ind} {fig} printed {text}, gap {float(gap)}")
    only = files["reported-only.json"]["facts"]["reported"]
    over = [(lv, k) for lv, limit in (("primary", Fraction(1, 2)), ("junior", Fraction(9, 20)))
            for k, v in only[lv].items() if Fraction(v) > limit]
    if over != [("primary", "r2_cv")]:
        sys.exit(f"self-check: CVs over the limit {over}")


def build_all() -> dict:
    base = json.loads((HERE / "county-pass.json").read_text(encoding="utf-8"))
    files = {"reported-recheck.json": recheck_record(base), "reported-only.json": only_record(base)}
    self_check(files)
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the files on disk")
    args = parser.parse_args()
    stale = []
    for name, record in build_all().items():
        text = json.dumps(record, ensure_ascii=False, indent=1) + "\n"
        path = HERE / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
