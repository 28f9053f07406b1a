"""`compliance diff` (compliance/diff.py): the records judged by the columnar batch path
(`Checker.run_many`) against one by one (`Checker.check`), for folders of 2 to 32 synthetic
counties (`county.county_record`, 82 schools each), old = shipped rules, new = a copy with r1's
primary threshold raised. Packs are analysed once before timing (the on-disk cache); each
timing is the best of the rounds, rounds interleaved, and the ratio is of the same run. It is
what BATCH_MIN in compliance/diff.py is chosen from.

    python benchmarks/bench_diff.py                 # 2, 4, 8, 16, 32 counties, 3 rounds
    python benchmarks/bench_diff.py --sizes 8 --rounds 1
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import county  # noqa: E402

from compliance.diff import _Ready, compare  # noqa: E402
from compliance.engine import default_as_of  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[2, 4, 8, 16, 32])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    root = HERE.parent / "rules"
    with tempfile.TemporaryDirectory() as tmp:
        new = Path(tmp) / "rules"
        shutil.copytree(root, new)
        params = new / "national" / "params.yaml"
        params.write_text(params.read_text(encoding="utf-8").replace("primary: {2017-05-12: 4.2}",
                                                                     "primary: {2017-05-12: 5.2}", 1), encoding="utf-8")
        records = []
        for i in range(max(args.sizes)):
            data = county.county_record(seed=20240901 + i)
            data["packs"] = ["national"]
            records.append(_Ready(f"county-{i}", data, default_as_of(data), ("national",)))
        compare(root, new, records[:1])      # analyse both sides once (cache), import numpy
        print(f"{'records':>8} {'one by one s':>13} {'batch s':>9} {'batch / one by one':>19} {'changes':>8}")
        for n in args.sizes:
            best = {"one": float("inf"), "batch": float("inf")}
            changes = set()
            for _ in range(args.rounds):
                for mode, batch_min in (("one", 10 ** 9), ("batch", 1)):
                    start = time.perf_counter()
                    result = compare(root, new, records[:n], batch_min=batch_min)
                    best[mode] = min(best[mode], time.perf_counter() - start)
                    changes.add(sum(len(r.changes) for r in result.records))
            assert len(changes) == 1, "both paths must find the same changes"
            print(f"{n:>8} {best['one']:>13.2f} {best['batch']:>9.2f} {best['batch'] / best['one']:>19.2f} {changes.pop():>8}")


if __name__ == "__main__":
    main()
