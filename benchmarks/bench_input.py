"""Record input: parse + validate + exact, the way `compliance check` loaded a record before
(stdlib json with Fractions, jsonschema, a second walk for unknown fields) against now
(the standard parser with Decimals and a repeated-key check, the compiled validator, jsonschema only for invalid records).

Inputs: examples/county-fail.json (64 schools); a synthetic record of ≈2,000 schools made
by repeating its schools (ids made unique), written as a file would be (indented JSON); and
county-fail.json with one invalid value, where the new path pays for both validators.
Both pipelines start from the same bytes. Before timing, the script checks that they give the
same data (after exact) and the same diagnostics. Times are the best of 5 runs, the runs of
all variants interleaved round-robin, gc collected before each.

Run: python benchmarks/bench_input.py [--schools N]
"""
from __future__ import annotations

import argparse
import copy
import gc
import json
import time
from fractions import Fraction
from pathlib import Path

from compliance.record import exact, loads
from compliance.validate import _validate_with_jsonschema, validate_record

ROOT = Path(__file__).resolve().parents[1]


def old_exact(value):
    """record.exact as it was: floats to Fractions (loaded data already held Fractions)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return Fraction(repr(value))
    if isinstance(value, dict):
        return {k: old_exact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [old_exact(v) for v in value]
    return value


def old_parse(source: bytes):
    return json.loads(source.decode("utf-8"), parse_float=Fraction)


def old_validate(data):
    # The jsonschema path is the code validate_record ran for every record before.
    return _validate_with_jsonschema(data, "r.json")


def new_validate(data):
    return validate_record(data, "r.json")


def synthetic(source: bytes, schools: int) -> bytes:
    record = json.loads(source)
    base = record["schools"]
    record["schools"] = []
    for i in range(schools):
        school = copy.deepcopy(base[i % len(base)])
        school["id"] = f"{school.get('id', 'S')}-{i // len(base)}"
        record["schools"].append(school)
    return json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8")


def pipelines(source: bytes) -> dict:
    """name → zero-argument function; each returns its result for the equivalence check."""
    def old_all():
        data = old_parse(source)
        return old_exact(data), old_validate(data)

    def new_all():
        data = loads(source)
        return exact(data), new_validate(data)

    old_data, new_data = old_parse(source), loads(source)
    return {
        "old: parse (json, Fraction)": lambda: old_parse(source),
        "new: parse (json, Decimal, repeated keys refused)": lambda: loads(source),
        "old: validate (jsonschema + unknown-field walk)": lambda: old_validate(old_data),
        "new: validate (compiled)": lambda: new_validate(new_data),
        "old: exact": lambda: old_exact(old_data),
        "new: exact (Decimal → Fraction)": lambda: exact(new_data),
        "old: parse + validate + exact": old_all,
        "new: parse + validate + exact": new_all,
    }


def measure(fns: dict, runs: int = 5, least: float = 0.2) -> dict:
    counts = {}
    for name, fn in fns.items():
        fn()   # warm-up
        t = time.perf_counter()
        fn()
        once = time.perf_counter() - t
        counts[name] = max(1, int(least / once) if once > 0 else 1000)
    best = {name: float("inf") for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            gc.collect()
            n = counts[name]
            t = time.perf_counter()
            for _ in range(n):
                fn()
            best[name] = min(best[name], (time.perf_counter() - t) / n)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=2000)
    args = parser.parse_args()
    example = (ROOT / "examples" / "county-fail.json").read_bytes()
    broken = json.loads(example)
    broken["schools"][-1]["sections"] = {"primary": {"students": -1}}
    inputs = {"county-fail.json": example, f"synthetic ({args.schools} schools)": synthetic(example, args.schools),
              # not valid: the compiled validator says no, then jsonschema runs as before
              "county-fail.json with one negative count": json.dumps(broken, ensure_ascii=False, indent=2).encode()}
    for label, source in inputs.items():
        fns = pipelines(source)
        old_result, new_result = fns["old: parse + validate + exact"](), fns["new: parse + validate + exact"]()
        assert old_result[0] == new_result[0], "exact data differ"
        assert old_result[1] == new_result[1], "diagnostics differ"
        times = measure(fns)
        print(f"\n{label}: {len(source) / 1e6:.2f} MB, {len(json.loads(source).get('schools', []))} schools, "
              f"{len(new_result[1])} diagnostics (same both ways)")
        for name, seconds in times.items():
            print(f"  {name:50} {1000 * seconds:9.2f} ms")
        for stage in ("parse", "validate", "exact", "parse + validate + exact"):
            old = next(v for k, v in times.items() if k.startswith("old: " + stage))
            new = next(v for k, v in times.items() if k.startswith("new: " + stage))
            print(f"  old / new, {stage:25} {old / new:6.1f}×")


if __name__ == "__main__":
    main()
