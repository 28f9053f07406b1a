"""The input stage of a batch check — parse (record.loads), validate (validate.validate_record)
and plausibility (plausibility.plausibility) — as the package was at a baseline commit
against the working tree, on the same national-set files in the same run.

The baseline is the `compliance` package of commit BASELINE (or --baseline REV), taken out of
git into a temporary directory and imported beside the current one as `compliance_baseline`
(its imports are all relative). Before anything is timed, both versions read every file and
must give the same data (every value with its type: int, Decimal with its own digits, key
order) and the same diagnostics (code, severity, location, Chinese and English message, the
pointers named); the script stops at the first difference.

Times are per county, the best of --rounds rounds; the rounds of old and new alternate, with
gc collected before each. A second table times one pass over the files, as a batch reads them
(old and new alternating file by file). Ratios are old / new in this run (the machine is shared: absolute
times vary from run to run, the ratios much less).

    python benchmarks/bench_input_stage.py                  # 100 counties of the national set
    python benchmarks/bench_input_stage.py --counties 200 --rounds 7
    python benchmarks/bench_input_stage.py --dir /path/to/records --baseline HEAD~3
"""
from __future__ import annotations

import argparse
import gc
import importlib
import io
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "tests"))
from helpers import typed  # noqa: E402  (the tests' own comparison of parsed values)

# The commit before the input stage was made faster (msgspec parsing, specialised validator
# closures, one-pass plausibility).
BASELINE = "9595dc0"


def baseline_package(rev: str, into: Path):
    """The compliance package of `rev`, importable as compliance_baseline."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev, "compliance"],
                             check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    (into / "compliance").rename(into / "compliance_baseline")
    sys.path.insert(0, str(into))
    return importlib.import_module("compliance_baseline")


def stages(package: str):
    record = importlib.import_module(f"{package}.record")
    validate = importlib.import_module(f"{package}.validate")
    plausibility = importlib.import_module(f"{package}.plausibility")
    return record.loads, validate.validate_record, plausibility.plausibility


def shown(diagnostics) -> list:
    return [(d.code, d.severity, d.location.file, d.location.line, d.location.column, d.location.pointer,
             d.message("zh"), d.message("en"), tuple(d.args.get("pointers", ()))) for d in diagnostics]


def check_equal(old, new, files: list[Path]) -> None:
    for path in files:
        raw, name = path.read_bytes(), str(path)
        a, b = old[0](raw), new[0](raw)
        if typed(a) != typed(b):
            sys.exit(f"{path}: the data differ")
        if shown(old[1](a, name)) != shown(new[1](b, name)):
            sys.exit(f"{path}: validation differs")
        for strict in (False, True):
            if shown(old[2](a, name, strict)) != shown(new[2](b, name, strict)):
                sys.exit(f"{path}: plausibility differs (strict={strict})")


def timed(fn, inputs) -> float:
    gc.collect()
    start = time.perf_counter()
    for args in inputs:
        fn(*args)
    return time.perf_counter() - start


STAGES = ("parse", "validate", "plausibility")


def compare(old, new, files: list[Path], rounds: int) -> dict:
    """Best time of each stage, old and new: {(stage, "old" | "new"): seconds for all files}."""
    raws = [(path.read_bytes(),) for path in files]
    datas = [(new[0](raw), str(path)) for (raw,), path in zip(raws, files)]
    inputs = (raws, datas, datas)
    best = {(name, which): float("inf") for name in STAGES for which in ("old", "new")}
    for _ in range(rounds):
        for i, name in enumerate(STAGES):
            best[name, "old"] = min(best[name, "old"], timed(old[i], inputs[i]))
            best[name, "new"] = min(best[name, "new"], timed(new[i], inputs[i]))
    return best


def one_pass(old, new, files: list[Path]) -> dict:
    """Each file once, as a batch reads it (garbage collection and cold data included), old and
    new alternating file by file: {(stage, "old" | "new"): seconds for all files}."""
    total = {(name, which): 0.0 for name in STAGES for which in ("old", "new")}
    for path in files:
        raw, name = path.read_bytes(), str(path)
        for which, (loads, validate, plausibility) in (("old", old), ("new", new)):
            start = time.perf_counter()
            data = loads(raw)
            parsed = time.perf_counter()
            validate(data, name)
            validated = time.perf_counter()
            plausibility(data, name)
            done = time.perf_counter()
            total["parse", which] += parsed - start
            total["validate", which] += validated - parsed
            total["plausibility", which] += done - validated
    return total


def table(title: str, times: dict, n: int) -> None:
    print(f"\n{title}, ms per record\n")
    print("| stage | old | new | old / new |")
    print("|---|---:|---:|---:|")
    totals = {"old": 0.0, "new": 0.0}
    for name in STAGES:
        o, w = times[name, "old"] * 1000 / n, times[name, "new"] * 1000 / n
        totals["old"] += o
        totals["new"] += w
        print(f"| {name} | {o:.2f} | {w:.2f} | {o / w:.1f}× |")
    print(f"| all three | {totals['old']:.2f} | {totals['new']:.2f} | {totals['old'] / totals['new']:.1f}× |")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--counties", type=int, default=100, help="size of the national set (national.py)")
    parser.add_argument("--dir", type=Path, help="a directory of records instead of the national set")
    parser.add_argument("--baseline", default=BASELINE, help=f"git revision to compare with (default {BASELINE})")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    if args.dir:
        directory = args.dir
    else:
        import national
        directory = national.ensure(args.counties, log=lambda text: print(text, file=sys.stderr))
    files = sorted(directory.glob("*.json"))
    if not files:
        sys.exit(f"no *.json in {directory}")

    with tempfile.TemporaryDirectory() as tmp:      # the baseline reads its schema files lazily
        baseline_package(args.baseline, Path(tmp))
        old, new = stages("compliance_baseline"), stages("compliance")
        check_equal(old, new, files)
        print(f"{len(files)} records from {directory}: data and diagnostics equal, old and new")
        best = compare(old, new, files, args.rounds)
        single = one_pass(old, new, files)
    table(f"baseline {args.baseline}; best of {args.rounds} rounds", best, len(files))
    table("one pass over the files, old and new alternating file by file", single, len(files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
