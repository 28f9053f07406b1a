"""What the batch check would cost if findings cost nothing: the floor of this design.

    python benchmarks/floor.py DIR [--jobs 2] [--stage input|columns]

The same work as `compliance check DIR --format jsonl --findings problems --jobs N`, in the
same chunks of records and the same kind of worker pool, minus everything a finding costs:

- `--stage input`: each record read, validated and checked for plausibility (what
  `batch_job.Judge` does before judging), and nothing else;
- `--stage columns` (default): that, then every rule evaluated by the columnar backend with
  no trace and no finding kept (`Checker.run_many(keep=frozenset())`); each record's verdict
  comes from the status counts, as in the real command.

Nothing is written but the number of records per verdict, on stdout. Its time against the
numpy baseline's says how far the target of issue 11 (≤ 5×) is out of reach for a design
that reads and evaluates records in Python, however cheap its findings and reports become.
It uses batch_job's private steps on purpose: it measures them, it is not a way to check
records.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

NOTHING = frozenset()
_judge = None      # the worker's Judge and stage, set by _start
_stage = "columns"


def _start(stage: str) -> None:
    global _judge, _stage
    from compliance.batch_job import Judge, Options
    from compliance.collector import tune_gc
    tune_gc()
    _judge, _stage = Judge(Options(None, problems_only=True)), stage


def _chunk(paths: list[str]) -> Counter:
    from compliance.collector import paused
    from compliance.findings import verdict_of_counts
    from compliance.inputs import Source
    verdicts: Counter = Counter()
    with paused():
        groups: dict = {}
        for path in paths:
            ready = _judge._ready(Source(path, path=path))
            if not isinstance(ready, tuple):
                verdicts["invalid"] += 1
                continue
            source, data, raw, as_of, names, checker, problems = ready
            groups.setdefault((names, as_of), (checker, []))[1].append(data)
        for (_, as_of), (checker, records) in groups.items():
            if _stage == "input":
                verdicts["read"] += len(records)
                continue
            for run in checker.run_many(records, as_of, trace=False, keep=NOTHING):
                verdicts[verdict_of_counts(run.counts)] += 1
    return verdicts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--stage", choices=("input", "columns"), default="columns")
    args = parser.parse_args(argv)
    from compliance.parallel import CHUNK, _context
    paths = sorted(str(p) for p in args.directory.glob("*.json"))
    chunks = [paths[i:i + CHUNK] for i in range(0, len(paths), CHUNK)]
    start = time.perf_counter()
    total: Counter = Counter()
    with ProcessPoolExecutor(args.jobs, mp_context=_context(), initializer=_start, initargs=(args.stage,)) as pool:
        for verdicts in pool.map(_chunk, chunks):
            total.update(verdicts)
    seconds = time.perf_counter() - start
    print(json.dumps({"stage": args.stage, "records": len(paths), "jobs": args.jobs, "seconds": round(seconds, 3),
                      "verdicts": dict(total)}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
