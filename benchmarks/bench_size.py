"""Large records: is `compliance check` linear in the size of the record?

Issue 13: "a 50 MB record is checked in a time proportional to its size, or refused at once".
By default a record above `--max-record-size` (10 MB) is refused before it is read (E122); this
script raises the limit and times the whole command, `compliance check REC --format json
--findings problems -o FILE`, in a fresh process, on records of 1×, 4× and 16× a base size made
by repeating the schools of examples/county-fail.json (ids made unique). Each size runs
`--runs` times, sizes interleaved; the best time counts. It prints seconds per MB for each size
and the ratio of the largest to the smallest: near 1 means linear.

Run: python benchmarks/bench_size.py [--base-mb 2] [--runs 2]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def synthetic(schools: int) -> bytes:
    record = json.loads((ROOT / "examples" / "county-fail.json").read_text(encoding="utf-8"))
    base = record["schools"]
    record["schools"] = []
    for i in range(schools):
        school = dict(base[i % len(base)])
        school["id"] = f"S{i:07d}"
        record["schools"].append(school)
    return json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-mb", type=float, default=2.0)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    per_school = len(synthetic(640)) / 640
    sizes = {}
    with tempfile.TemporaryDirectory() as tmp:
        for factor in (1, 4, 16):
            raw = synthetic(int(args.base_mb * factor * 1e6 / per_school))
            path = Path(tmp) / f"r{factor}.json"
            path.write_bytes(raw)
            sizes[factor] = (path, len(raw) / 1e6)
        best = {factor: float("inf") for factor in sizes}
        for _ in range(args.runs):
            for factor, (path, mb) in sizes.items():
                start = time.perf_counter()
                done = subprocess.run([sys.executable, "-m", "compliance", "check", str(path), "--format", "json",
                                       "--findings", "problems", "--max-record-size", str(mb * 2),
                                       "-o", str(Path(tmp) / "out.json")], capture_output=True)
                elapsed = time.perf_counter() - start
                if done.returncode not in (0, 1):
                    sys.exit(f"check failed ({done.returncode}): {done.stderr.decode()[:500]}")
                best[factor] = min(best[factor], elapsed)
    print(f"{'size':>10} {'MB':>8} {'seconds':>9} {'s per MB':>9}")
    for factor, (_, mb) in sizes.items():
        print(f"{factor:>9}× {mb:>8.1f} {best[factor]:>9.2f} {best[factor] / mb:>9.3f}")
    small, large = (best[f] / sizes[f][1] for f in (1, 16))
    print(f"s/MB at 16× ÷ s/MB at 1×: {large / small:.2f} (1.00 = linear)")


if __name__ == "__main__":
    main()
