"""Benchmark: the resource indicators (R1–R7 + R-SCHOOL) as compiled rules vs. hand-written Python.

    python benchmarks/bench_resources.py            # table
    python benchmarks/bench_resources.py --json     # the same figures as JSON
    python benchmarks/bench_resources.py --profile  # also cProfile the compiled side

What is timed, per record (a synthetic county of 82 schools / 93 school sections):

* compiled    — `evaluate(program, RecordView(record), trace=False)` with the national
                program restricted to R1–R7 and R-SCHOOL. RecordView construction is inside
                the timing (it is per record). Parsing, checking and compiling are not: they are
                reported once as the one-off cost.
* closures    — the same closures called directly (when / sides / require + status), i.e.
                `evaluate` without building Finding objects and their zh/en messages. A loop
                written in this benchmark, for the breakdown only.
* hand-written (Fraction) — benchmarks/handwritten.py, same statuses and values (asserted).
* hand-written (float)    — the same code on floats; context only, not asserted.
* resources.yaml — `Checker.check(record, as_of, trace=True|False)` with the program
                restricted to the rules of rules/national/resources.yaml (R1–R7, R-SCHOOL and the
                seven CVs), with `exact()` and RecordView, as `compliance check` runs it
                (trace=True is its default).
* whole pack  — the same over every rule of the national pack as shipped at the time of the run
                (other rule files are being added; the rule count is printed).

Each figure is the best of 5 runs of N records, N chosen so one run takes ≥ 0.2 s.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime
import gc
import io
import json
import math
import os
import platform
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import county  # noqa: E402
import handwritten  # noqa: E402

AS_OF = datetime.date(2024, 9, 1)
RULE_IDS = ("R1", "R2", "R3", "R4", "R5", "R6", "R7", "R-SCHOOL")
TARGET = 5.0          # compiled within 5× of hand-written
MIN_RUN_SECONDS = 0.2
REPEATS = 5


# ---- timing ---------------------------------------------------------------------------

def calibrate(fn, min_seconds: float = MIN_RUN_SECONDS) -> int:
    """N such that N calls take ≥ min_seconds (after a warm-up call)."""
    fn()                                   # warm up (caches, first-call costs)
    t0 = time.perf_counter()
    fn()
    once = time.perf_counter() - t0
    return max(1, math.ceil(min_seconds / max(once, 1e-9)))


def bench_all(fns: dict, repeats: int = REPEATS) -> dict:
    """Best of `repeats` runs of N calls for every function, runs interleaved round-robin so
    that a burst of load on the machine hits all of them alike (the ratios are what matter)."""
    ns = {name: calibrate(fn) for name, fn in fns.items()}
    runs: dict = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            n = ns[name]
            gc.collect()
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            runs[name].append((time.perf_counter() - t0) / n)
    return {name: {"n": ns[name], "runs": repeats, "best_us": min(r) * 1e6,
                   "median_us": sorted(r)[len(r) // 2] * 1e6} for name, r in runs.items()}


def messages_stubbed(program, record_fn):
    """What-if: `evaluate` with the zh/en message formatting replaced by a stub (monkeypatched
    in this process only; compliance/ is not modified). None if evaluate has no `_messages`."""
    import compliance.evaluate as ev
    if not hasattr(ev, "_messages"):
        return None

    def run():
        original = ev._messages
        ev._messages = _no_messages
        try:
            return ev.evaluate(program, record_fn(), trace=False)
        finally:
            ev._messages = original
    return run


def _no_messages(*args):
    return "", ""


# ---- the compiled side ----------------------------------------------------------------

def setup_compiled():
    """Load, check and compile the national pack once; return the pieces and the one-off costs."""
    t0 = time.perf_counter()
    from compliance.engine import load_checker   # imports lark, yaml, jsonschema …
    t1 = time.perf_counter()
    checker = load_checker(["national"])          # parse + check every rule file
    t2 = time.perf_counter()
    analysis = checker.analyses[0]
    full = checker.program(analysis, AS_OF)       # compile every rule in force to closures
    t3 = time.perf_counter()
    from compliance.program import Program
    rules = [r for r in full.rules if r.rule.id in RULE_IDS]
    assert [r.rule.id for r in rules] == list(RULE_IDS), [r.rule.id for r in rules]
    program = Program(full.analysis, full.as_of, rules)
    # The rules of resources.yaml only, run through the real Checker.check path.
    from compliance.engine import Checker
    resources = Program(full.analysis, full.as_of,
                        [r for r in full.rules if Path(r.rule.location.file or "").name == "resources.yaml"])
    resources_checker = Checker(checker.analyses, {(analysis.pack.id, AS_OF): resources})
    one_off = {"import_s": t1 - t0, "load_and_check_s": t2 - t1, "compile_s": t3 - t2,
               "rules_in_pack": len(full.rules), "rules_in_resources_yaml": len(resources.rules)}
    return checker, resources_checker, program, one_off


def compiled_results(program, record) -> list:
    from compliance.evaluate import evaluate
    from compliance.record import RecordView
    out = []
    for f in evaluate(program, RecordView(record), trace=False):
        out.append((f.rule.split("/", 1)[1], f.subject.school, f.subject.section, f.status, f.value))
    return out


def closures_only(program):
    """`evaluate` minus Finding/message construction: the closures and the subject loop."""
    from compliance.dsl.compile import Env, compare_values
    from compliance.evaluate import subjects
    from compliance.logic import NOT_APPLICABLE, UNKNOWN, status_of
    from compliance.record import RecordView
    rules = program.rules

    def run(record):
        view = RecordView(record)
        out = []
        for compiled in rules:
            for subject, school, section, level, _ in subjects(compiled.rule, view):
                env = Env(view, school, section, level, compiled.slots, False)
                if compiled.when is not None:
                    applicable = compiled.when(env)
                    if applicable is not True:
                        out.append(NOT_APPLICABLE if applicable is False else UNKNOWN)
                        continue
                if compiled.sides is not None:
                    left, right, op = compiled.sides
                    result = compare_values(op, left(env), right(env))
                else:
                    result = compiled.require(env)
                out.append(status_of(result))
        view.clear_caches()
        return out
    return run


def profile_compiled(program, record, top: int = 18) -> str:
    from compliance.evaluate import evaluate
    from compliance.record import RecordView
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(30):
        evaluate(program, RecordView(record), trace=False)
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("tottime").print_stats(top)
    buf.write("\n")
    stats.sort_stats("cumulative").print_stats(r"compliance[/\\]", top)
    return buf.getvalue()


# ---- checks ---------------------------------------------------------------------------

def _key(row):
    rule, school, level, _, _ = row
    return (school, level, rule)


def compare(program, exact_record, label: str) -> dict:
    compiled = sorted(compiled_results(program, exact_record), key=_key)
    manual = sorted(handwritten.evaluate_exact(exact_record), key=_key)
    assert len(compiled) == len(manual), (label, len(compiled), len(manual))
    for c, m in zip(compiled, manual):
        assert c == m, f"{label}: compiled {c} != hand-written {m}"
    statuses: dict = {}
    for row in compiled:
        statuses[row[3]] = statuses.get(row[3], 0) + 1
    return {"results": len(compiled), "statuses": statuses}


def float_mismatches(float_record, exact_record) -> int:
    exact_rows = {(_key(r)): r[3] for r in handwritten.evaluate_exact(exact_record)}
    return sum(1 for r in handwritten.evaluate_float(float_record) if exact_rows[_key(r)] != r[3])


# ---- main -----------------------------------------------------------------------------

def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"python": platform.python_version(), "implementation": platform.python_implementation(),
            "platform": platform.platform(), "cpu": cpu or platform.processor(), "cores": cores}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--profile", action="store_true", help="cProfile the compiled side even within target")
    ap.add_argument("--seed", type=int, default=20240901)
    args = ap.parse_args(argv)
    started = time.perf_counter()

    from compliance.record import exact
    checker, resources_checker, program, one_off = setup_compiled()
    # Qualitative clauses of the whole pack attested as met, so those rules judge rather than
    # report missing data (irrelevant to R1–R7 / R-SCHOOL).
    attested = [r.id for a in checker.analyses for r in a.rules]
    float_record = county.county_record(args.seed, attestations=attested)
    exact_record = exact(float_record)          # decimals as Fractions, as `compliance check` loads them

    # Same statuses and values, on the benchmark record and on a copy with holes.
    check = compare(program, exact_record, "benchmark record")
    holes = compare(program, exact(county.with_holes(float_record, args.seed)), "record with holes")
    mismatches = float_mismatches(float_record, exact_record)

    from compliance.evaluate import evaluate
    from compliance.record import RecordView
    schools = len(exact_record["schools"])
    sections = sum(len(s["sections"]) for s in exact_record["schools"])
    evaluations = check["results"]                       # rule × subject
    closures = closures_only(program)

    fns = {
        "compiled": lambda: evaluate(program, RecordView(exact_record), trace=False),
        "closures": lambda: closures(exact_record),
        "no_messages": messages_stubbed(program, lambda: RecordView(exact_record)),
        "hand_fraction": lambda: handwritten.evaluate_exact(exact_record),
        "hand_float": lambda: handwritten.evaluate_float(float_record),
        "resources_trace_false": lambda: resources_checker.check(exact_record, AS_OF, trace=False),
        "resources_trace_true": lambda: resources_checker.check(exact_record, AS_OF, trace=True),
        "pack_trace_false": lambda: checker.check(exact_record, AS_OF, trace=False),
        "pack_trace_true": lambda: checker.check(exact_record, AS_OF, trace=True),
    }
    timings = bench_all({k: v for k, v in fns.items() if v is not None})
    resources_findings = len(resources_checker.check(exact_record, AS_OF, trace=False))
    pack_findings = checker.check(exact_record, AS_OF, trace=False)
    pack_statuses: dict = {}
    for f in pack_findings:
        pack_statuses[f.status] = pack_statuses.get(f.status, 0) + 1
    for name, t in timings.items():
        per = {"resources": resources_findings, "pack": len(pack_findings)}.get(name.split("_")[0], evaluations)
        t["evaluations"] = per
        t["us_per_evaluation"] = t["best_us"] / per
    hand = timings["hand_fraction"]["best_us"]
    ratios = {
        "compiled_vs_hand_fraction": timings["compiled"]["best_us"] / hand,
        "closures_vs_hand_fraction": timings["closures"]["best_us"] / hand,
        "no_messages_vs_hand_fraction": timings["no_messages"]["best_us"] / hand if "no_messages" in timings else None,
        "hand_fraction_vs_hand_float": hand / timings["hand_float"]["best_us"],
        "resources_trace_true_vs_false":
            timings["resources_trace_true"]["best_us"] / timings["resources_trace_false"]["best_us"],
        "pack_trace_true_vs_false": timings["pack_trace_true"]["best_us"] / timings["pack_trace_false"]["best_us"],
    }
    within = ratios["compiled_vs_hand_fraction"] <= TARGET
    profile = profile_compiled(program, exact_record) if (args.profile or not within) else None

    report = {
        "machine": machine(),
        "record": {"seed": args.seed, "schools": schools, "sections": sections,
                   "rules": list(RULE_IDS), "evaluations": evaluations, "statuses": check["statuses"],
                   "holes_statuses": holes["statuses"], "float_status_mismatches": mismatches,
                   "resources_findings": resources_findings, "pack_findings": len(pack_findings),
                   "pack_statuses": pack_statuses},
        "one_off": one_off,
        "timings": timings,
        "ratios": ratios,
        "target": TARGET,
        "within_target": within,
        "wall_s": None,
    }
    report["wall_s"] = time.perf_counter() - started
    if args.json:
        if profile:
            report["profile"] = profile
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print_table(report)
        if profile:
            print("\ncProfile of the compiled side (30 records, trace=False):\n")
            print(profile)
    return 0


def print_table(r: dict) -> None:
    m, rec, t, one = r["machine"], r["record"], r["timings"], r["one_off"]
    print(f"Python {m['python']} ({m['implementation']}), {m['cores']} core(s), {m['cpu']}")
    print(f"record: {rec['schools']} schools, {rec['sections']} school sections; "
          f"{len(rec['rules'])} rules × {rec['sections']} sections = {rec['evaluations']} evaluations; "
          f"statuses {rec['statuses']}")
    print(f"statuses and values identical to the hand-written Fraction code "
          f"(also on a copy with holes: {rec['holes_statuses']})")
    print(f"one-off: import {one['import_s'] * 1e3:.0f} ms, load+check {one['load_and_check_s'] * 1e3:.0f} ms, "
          f"compile {one['compile_s'] * 1e3:.1f} ms ({one['rules_in_pack']} rules)")
    print()
    rows = [
        ("compiled: evaluate(R1–R7, R-SCHOOL) + RecordView", "compiled"),
        ("  what-if: messages stubbed out", "no_messages"),
        ("  closures only (no Finding, no messages)", "closures"),
        ("hand-written, Fraction", "hand_fraction"),
        ("hand-written, float (context)", "hand_float"),
        (f"resources.yaml ({one['rules_in_resources_yaml']} rules), trace=False", "resources_trace_false"),
        (f"resources.yaml ({one['rules_in_resources_yaml']} rules), trace=True", "resources_trace_true"),
        (f"whole national pack ({one['rules_in_pack']} rules), trace=False", "pack_trace_false"),
        (f"whole national pack ({one['rules_in_pack']} rules), trace=True", "pack_trace_true"),
    ]
    head = f"{'what (per record)':52} {'µs/record':>11} {'µs/eval':>9} {'evals':>6} {'N':>5}"
    print(head)
    print("-" * len(head))
    for label, key in rows:
        if key not in t:
            continue
        x = t[key]
        print(f"{label:52} {x['best_us']:11.0f} {x['us_per_evaluation']:9.2f} {x['evaluations']:6d} {x['n']:5d}")
    print("(best of 5 interleaved runs of N records each; µs/eval = per rule × subject finding)")
    print()
    ra = r["ratios"]
    verdict = "within" if r["within_target"] else "OUTSIDE"
    print(f"compiled / hand-written (Fraction): {ra['compiled_vs_hand_fraction']:.2f}×  "
          f"({verdict} the {r['target']:.0f}× target)")
    if ra.get("no_messages_vs_hand_fraction"):
        print(f"  what-if messages stubbed / hand-written (Fraction): {ra['no_messages_vs_hand_fraction']:.2f}×")
    print(f"  closures only / hand-written (Fraction): {ra['closures_vs_hand_fraction']:.2f}×")
    print(f"hand-written Fraction / float: {ra['hand_fraction_vs_hand_float']:.2f}×  "
          f"(float statuses differing from exact: {rec['float_status_mismatches']})")
    print(f"trace=True / trace=False: resources.yaml {ra['resources_trace_true_vs_false']:.2f}×, "
          f"whole pack {ra['pack_trace_true_vs_false']:.2f}× (whole-pack statuses {rec['pack_statuses']})")
    print(f"wall time {r['wall_s']:.1f} s")


if __name__ == "__main__":
    raise SystemExit(main())
