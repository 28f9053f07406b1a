"""Wall time of a cold `compliance check` in a fresh process, with and without the on-disk
cache of analysed packs, and the share of start-up (interpreter, imports, packs) in it.

Each variant is a subprocess; the variants run round-robin (so a burst of load from other
processes hits them alike) and the best of N runs is reported, with ratios taken within
the same run. `--baseline DIR` runs the same commands on another checkout too (e.g. a
`git worktree` of an older commit), for before/after figures in one run.

`--phases` instead breaks one cold run down (in a fresh interpreter, best of N per phase):
imports of the libraries and of compliance, the record, the packs fresh (Lark parser, YAML,
analysis) and from the cache, compiling, evaluating, remedies, rendering.

Run: python benchmarks/bench_startup.py [--runs 5] [--record examples/county-fail.json] [--baseline DIR]
     python benchmarks/bench_startup.py --phases [--runs 5]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Start-up alone: what `check` imports, plus the record's packs loaded and analysed (or read from the cache).
STARTUP = ("import json, sys; from compliance import cli, engine, remedy, validate; "
           "from compliance.report import json_report; "
           "engine.load_checker(json.load(open(sys.argv[1], encoding='utf-8')).get('packs') or ['national'])")


def variants(record: str) -> list[tuple[str, list[str], str]]:
    """(name, argv, cache mode): `off` COMPLIANCE_NO_CACHE=1, `warm` a filled cache, `cold`
    an empty cache folder each run (a miss that also writes the entry)."""
    check = [sys.executable, "-m", "compliance", "check", record]
    return [
        ("python -c pass", [sys.executable, "-c", "pass"], "off"),
        ("start-up, no cache", [sys.executable, "-c", STARTUP, record], "off"),
        ("start-up, warm cache", [sys.executable, "-c", STARTUP, record], "warm"),
        ("check text, no cache", check, "off"),
        ("check text, cold cache", check, "cold"),
        ("check text, warm cache", check, "warm"),
        ("check json, no cache", check + ["--format", "json"], "off"),
        ("check json, warm cache", check + ["--format", "json"], "warm"),
    ]


def run_once(argv: list[str], cwd: Path, mode: str, cache_root: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child): on a loaded machine the wall time also
    counts waiting for a core, the CPU time (user + system) much less so."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPLIANCE_")}
    env["PYTHONPATH"] = str(cwd)
    folder = cache_root / mode
    if mode == "off":
        env["COMPLIANCE_NO_CACHE"] = "1"
    elif mode == "cold":
        shutil.rmtree(folder, ignore_errors=True)
    env["COMPLIANCE_CACHE_DIR"] = str(folder)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed in {cwd}: {result.stderr.decode(errors='replace')}")
    return elapsed, cpu


def measure(checkouts: list[Path], record: str, runs: int) -> list[dict[str, tuple[float, float]]]:
    """Best (wall, CPU) time per variant per checkout, all of them interleaved round-robin."""
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        roots = [Path(tmp) / str(i) for i in range(len(checkouts))]
        chosen = variants(record)
        for cwd, cache_root in zip(checkouts, roots):
            run_once(chosen[3][1], cwd, "warm", cache_root)   # fills the warm cache (and the OS file cache)
        best = [{name: (float("inf"), float("inf")) for name, _, _ in chosen} for _ in checkouts]
        for _ in range(runs):
            for name, argv, mode in chosen:
                for i, (cwd, cache_root) in enumerate(zip(checkouts, roots)):
                    wall, cpu = run_once(argv, cwd, mode, cache_root)
                    best[i][name] = (min(best[i][name][0], wall), min(best[i][name][1], cpu))
    return best


def report(title: str, best: dict[str, tuple[float, float]]) -> None:
    print(f"\n{title}\n  {'':26} {'wall':>8} {'CPU':>8}")
    for name, (wall, cpu) in best.items():
        print(f"  {name:26} {wall * 1000:5.0f} ms {cpu * 1000:5.0f} ms")
    for k, kind in enumerate(("wall", "CPU")):
        t = {name: times[k] for name, times in best.items()}
        print(f"  {kind}:")
        for fmt in ("text", "json"):
            off, warm = t[f"check {fmt}, no cache"], t[f"check {fmt}, warm cache"]
            print(f"    check {fmt}: warm cache / no cache = {warm / off:.2f}; start-up share "
                  f"{t['start-up, no cache'] / off:.0%} without cache, {t['start-up, warm cache'] / warm:.0%} with")
        print(f"    start-up: warm cache / no cache = {t['start-up, warm cache'] / t['start-up, no cache']:.2f}; "
              f"check text, cold cache (miss + write) / no cache = "
              f"{t['check text, cold cache'] / t['check text, no cache']:.2f}")


PHASES = r"""
import json, os, sys, time
marks = []
t = time.perf_counter()
def mark(name):
    global t
    now = time.perf_counter()
    marks.append((name, now - t))
    t = now
import yaml; mark("import yaml")
import jsonschema; mark("import jsonschema")
import lark; mark("import lark (only when packs are parsed)")
import rich.console, rich.table, rich.text; mark("import rich (only for text output)")
from compliance import cli, engine, remedy, validate, cache, lint; from compliance.report import json_report; mark("import compliance (check path)")
import compliance.explain, compliance.report.text; mark("import compliance (explain, text report)")
from pathlib import Path
data, _ = validate.read_record(Path(sys.argv[1])); mark("read + validate record")
from compliance.packs import Repository
repository = Repository(); directory = repository.directory("national"); mark("Repository() (pack ids)")
from compliance.dsl.parse import _parser
_parser(); mark("build Lark parser")
pack = repository.load(directory); mark("load pack: YAML, schema, parse")
analysis = lint.analyze(pack, repository); mark("analyze (names, types, units)")
chain = cache._chain_dirs(directory, Repository()); key = cache._key(chain); mark("cache key (hash files)")
folder = Path(os.environ["COMPLIANCE_CACHE_DIR"])
cache._write(folder, directory, key, analysis); mark("cache write (pickle, rename)")
analysis = cache._read(folder, directory, key); assert analysis is not None; mark("cache read (unpickle)")
checker = engine.Checker([analysis]); as_of = engine.default_as_of(data)
checker.program(analysis, as_of); mark("compile")
findings = checker.check(data, as_of); mark("evaluate")
advice = remedy.advise(checker, findings, data, as_of); mark("remedies (advise)")
compliance.report.text.render_text(findings, "", as_of.isoformat(), "zh", False, color=False, advice=advice); mark("render text")
print(json.dumps(marks))
"""


def phases(record: str, runs: int) -> None:
    best: dict[str, float] = {}
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
            env = {**os.environ, "COMPLIANCE_CACHE_DIR": tmp, "PYTHONPATH": str(ROOT)}
            out = subprocess.run([sys.executable, "-c", PHASES, record], cwd=ROOT, env=env, check=True,
                                 capture_output=True, text=True).stdout
        for name, seconds in json.loads(out):
            best[name] = min(best.get(name, float("inf")), seconds)
    print(f"phases of one cold run, best of {runs} each, {record}, load average {os.getloadavg()[0]:.1f}")
    for name, seconds in best.items():
        print(f"  {name:42} {seconds * 1000:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--record", default="examples/county-fail.json")
    parser.add_argument("--baseline", type=Path, help="another checkout to measure in the same run")
    parser.add_argument("--phases", action="store_true", help="break one cold run down by phase")
    args = parser.parse_args()
    if args.phases:
        phases(args.record, args.runs)
        return
    print(f"best of {args.runs}, {args.record}, {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f}")
    checkouts = [ROOT] + ([args.baseline.resolve()] if args.baseline else [])
    results = measure(checkouts, args.record, args.runs)
    here = results[0]
    report(f"this checkout ({ROOT})", here)
    if args.baseline:
        before = results[1]
        report(f"baseline ({args.baseline})", before)
        for k, kind in enumerate(("wall", "CPU")):
            ratios = [f"check {fmt} {here[f'check {fmt}, warm cache'][k] / before[f'check {fmt}, no cache'][k]:.2f}"
                      for fmt in ("text", "json")]
            ratios.append(f"start-up {here['start-up, warm cache'][k] / before['start-up, no cache'][k]:.2f}")
            print(f"this checkout (warm cache) / baseline, {kind}: " + ", ".join(ratios))

if __name__ == "__main__":
    main()
