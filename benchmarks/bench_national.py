"""National-scale benchmark: `compliance check` over ≈ 2,900 county records vs a numpy baseline.

    python benchmarks/bench_national.py --counties 200      # a quick run
    python benchmarks/bench_national.py                     # the national set (≈ 200k schools)
    python benchmarks/bench_national.py --json              # the figures as JSON too

In one run, on one generated directory (benchmarks/national.py, cached by seed and size):

1. baseline, end to end — `python benchmarks/numpy_baseline.py DIR` as a subprocess: start-up,
   reading, orjson, flattening, numpy; wall time (best of 3), then peak memory of the process
   in one more run (memory sampling slows what it samples, so timed runs are not sampled).
2. tool, end to end — `compliance check DIR --format jsonl --findings problems --jobs 2` as a
   subprocess: wall time, then in a second run the peak memory of its process tree
   (benchmarks/proctree.py), and a
   check that every record got exactly one report line with a verdict. If this command
   line is not available (a version of `compliance check` that takes one record only), the
   row says so, and a second row runs the single-record path of the CLI in this process
   (`read_record` + `Checker.check` + JSON report) over a sample, so that some tool figure
   exists; its whole-set figure is an extrapolation and is marked so.
   Then the floor of the design (benchmarks/floor.py, same pool and chunks): the records
   read, validated and checked for plausibility only; and that plus every rule evaluated by
   the columnar backend with no trace and no finding kept. Even with findings and reports
   free, the command could not be faster than the second.
3. evaluation only — records already in memory: the tool's evaluation (`checker.check_many`
   if the Checker has it, else `checker.check(record, trace=False)` per record; the path used
   is printed) against the baseline's flattening + numpy compute, and numpy compute alone.
   The tool runs the whole national pack and, separately, only the 15 rules of
   resources.yaml (the same work as the baseline).
4. agreement — the baseline's statuses against the tool's R1–R7, R-SCHOOL and R1-CV … R7-CV
   findings on a sample of counties. The baseline is float code and the tool exact, so they may
   disagree on a value that sits exactly on a threshold; any disagreement is listed.

The targets of issue 11: the national set within 5× of the numpy baseline end to end, with
peak RSS ≤ 1 GB. Timings on a shared machine are noisy; the ratios are measured in the same run.
"""
from __future__ import annotations

import argparse
import datetime
import gc
import inspect
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import national  # noqa: E402
import numpy_baseline as nb  # noqa: E402
import proctree  # noqa: E402

TARGET_RATIO = 5.0
TARGET_RSS_MB = 1024
WANTED = frozenset(nb.SECTION_RULES + nb.CV_RULES)


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def spread(items: list, k: int) -> list:
    """k items evenly spaced through `items` (all of them if k ≥ len)."""
    if k >= len(items):
        return list(items)
    return [items[round(i * (len(items) - 1) / max(1, k - 1))] for i in range(k)]


def compliance_command() -> list[str]:
    exe = Path(sys.executable).with_name("compliance")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("compliance")
    return [found] if found else [sys.executable, "-m", "compliance"]


# ---- 1. baseline end to end -----------------------------------------------------------

def baseline_end_to_end(directory: Path, repeats: int) -> dict:
    """Timed runs with no memory sampling, then one sampled run for the peak memory."""
    runs = []
    for n in range(repeats + 1):
        with tempfile.TemporaryFile() as out:
            r = proctree.run([sys.executable, str(HERE / "numpy_baseline.py"), str(directory)],
                             stdout=out, stderr=subprocess.STDOUT, sample_memory=n == repeats)
            out.seek(0)
            text = out.read().decode("utf-8", "replace")
        if r.returncode != 0:
            raise SystemExit(f"numpy_baseline.py failed ({r.returncode}):\n{text}")
        runs.append(r)
    timed, sampled = runs[:-1], runs[-1]
    best = min(timed, key=lambda r: r.seconds)
    return {"seconds": best.seconds, "runs": [round(r.seconds, 3) for r in timed],
            "peak_rss_mb": sampled.peak_rss_mb, "peak_pss_mb": sampled.peak_pss_mb,
            "sampled_seconds": sampled.seconds, "output": text.strip()}


# ---- 2. tool end to end ---------------------------------------------------------------

def tool_end_to_end(directory: Path, paths: list[Path], jobs: int, timeout: float) -> dict:
    command = compliance_command() + ["check", str(directory), "--format", "jsonl",
                                      "--findings", "problems", "--jobs", str(jobs)]
    with tempfile.TemporaryDirectory() as tmp:
        out_path, err_path = Path(tmp) / "out.jsonl", Path(tmp) / "err.txt"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            # From a neutral directory: a source tree in the current directory would otherwise
            # shadow the installed package in spawned worker processes.
            r = proctree.run(command, stdout=out, stderr=err, timeout=timeout, cwd=tmp, sample_memory=False)
        stderr = err_path.read_text(encoding="utf-8", errors="replace")
        # The peak memory of the process tree in a run of its own: sampling slows what it samples.
        with open(os.devnull, "wb") as sink:
            m = proctree.run(command, stdout=sink, stderr=sink, timeout=timeout, cwd=tmp)
        result = {"command": " ".join(["compliance"] + command[len(compliance_command()):]),
                  "returncode": r.returncode, "seconds": r.seconds, "peak_rss_mb": m.peak_rss_mb,
                  "peak_pss_mb": m.peak_pss_mb, "peak_processes": m.peak_processes, "samples": m.samples,
                  "sampled_seconds": m.seconds}
        size = out_path.stat().st_size
        if r.returncode not in (0, 1) and size == 0:
            result["available"] = False
            lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
            # exit 2: this version does not take a directory or these options (usage error,
            # "Is a directory"); anything else is a failure of the run itself.
            result["state"] = "not available" if r.returncode == 2 else "FAILED"
            result["reason"] = " | ".join(lines[-3:]) if lines else "no output"
            result["stderr_tail"] = lines[-20:]
            return result
        result["available"] = True
        result["timed_out"] = timeout is not None and r.returncode < 0 and r.seconds >= timeout
        result["output_mb"] = size / 1e6
        result.update(verify_jsonl(out_path, paths))
        if stderr.strip():
            result["stderr_tail"] = stderr.strip().splitlines()[-3:]
        return result


def floor(directory: Path, jobs: int, stage: str) -> dict:
    """benchmarks/floor.py in a subprocess: the batch check without what findings cost."""
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([sys.executable, str(HERE / "floor.py"), str(directory), "--jobs", str(jobs),
                               "--stage", stage], capture_output=True, text=True, cwd=tmp)
    if done.returncode != 0:
        raise SystemExit(f"floor.py --stage {stage} failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout)


def verify_jsonl(out_path: Path, paths: list[Path]) -> dict:
    """One report line per record, in input order, each with a verdict."""
    lines = bad = 0
    verdicts: Counter = Counter()
    seen: list[str] = []
    with open(out_path, "rb") as fh:
        for raw in fh:
            if not raw.strip():
                continue
            lines += 1
            try:
                report = json.loads(raw)
            except ValueError:
                bad += 1
                continue
            verdict = report.get("verdict")
            if verdict is None:
                bad += 1
            verdicts[str(verdict)] += 1
            seen.append(Path(str((report.get("input") or {}).get("path"))).name)
    expected = [p.name for p in paths]
    missing = sorted(set(expected) - set(seen))
    return {"lines": lines, "records": len(expected), "lines_without_verdict": bad,
            "records_without_line": len(missing), "missing_examples": missing[:5],
            "in_input_order": seen == expected, "verdicts": dict(verdicts),
            "every_record_has_a_verdict": not missing and bad == 0 and lines == len(expected)}


def single_record_path(paths: list[Path], checker, n_all: int) -> dict:
    """The CLI's single-record work, in this process: read + validate, check (with traces,
    as the CLI does), JSON report of the problems. Per record over the sample."""
    from compliance.engine import default_as_of
    from compliance.report.json_report import build_report, render_json
    from compliance.validate import read_record
    times = {"read_validate": 0.0, "check": 0.0, "report": 0.0}
    for path in paths:
        t0 = time.perf_counter()
        data, problems = read_record(path)
        t1 = time.perf_counter()
        if data is None or any(d.is_error for d in problems):
            raise SystemExit(f"{path}: invalid record: {problems[:3]}")
        as_of = default_as_of(data)
        findings = checker.check(data, as_of)
        t2 = time.perf_counter()
        shown = [f for f in findings if f.status not in ("pass", "not_applicable")]
        render_json(build_report(shown, checker.packs, as_of, str(path), path.read_bytes()))
        t3 = time.perf_counter()
        times["read_validate"] += t1 - t0
        times["check"] += t2 - t1
        times["report"] += t3 - t2
    per = {k: v / len(paths) for k, v in times.items()}
    total = sum(per.values())
    return {"sample": len(paths), "per_record_ms": {k: v * 1e3 for k, v in per.items()},
            "per_record_total_ms": total * 1e3, "extrapolated_serial_s": total * n_all}


# ---- 3. evaluation only ---------------------------------------------------------------

def resources_checker(checker, as_of):
    """A Checker whose program holds only the rules of resources.yaml (as bench_resources)."""
    import dataclasses

    from compliance.engine import Checker
    analysis = checker.analyses[0]
    rules = [r for r in analysis.rules if Path(r.location.file or "").name == "resources.yaml"]
    return Checker([dataclasses.replace(analysis, rules=rules)]), len(rules)


def evaluate_with(checker, records: list):
    """(findings per record, how): `check_many` if this version has it, else `check` per record."""
    many = getattr(checker, "check_many", None)
    if many is not None:
        params = inspect.signature(many).parameters
        kwargs = {}
        if "trace" in params:
            kwargs["trace"] = False
        if "jobs" in params:
            kwargs["jobs"] = 1
        how = "checker.check_many(records" + "".join(f", {k}={v!r}" for k, v in kwargs.items()) + ")"
        return list(many(records, **kwargs)), how
    return [checker.check(r, trace=False) for r in records], "checker.check(record, trace=False) per record"


def evaluation_only(paths: list[Path], checker, chunk: int = 40) -> dict:
    """Tool evaluation of loaded records vs the baseline's flatten + compute on the same records."""
    import orjson

    from compliance.record import loads
    as_of = datetime.date(2024, 9, 1)
    resources, n_resource_rules = resources_checker(checker, as_of)
    n_rules = len(checker.program(checker.analyses[0], as_of).prepared.rules)
    tool_all = tool_res = flatten = 0.0
    columns = nb.Columns()
    how = None
    for start in range(0, len(paths), chunk):
        part = paths[start:start + chunk]
        texts = [p.read_bytes() for p in part]
        records = [loads(t.decode("utf-8")) for t in texts]
        gc.collect()
        t0 = time.perf_counter()
        _, how = evaluate_with(checker, records)
        t1 = time.perf_counter()
        evaluate_with(resources, records)
        t2 = time.perf_counter()
        tool_all += t1 - t0
        tool_res += t2 - t1
        plain = [orjson.loads(t) for t in texts]
        t3 = time.perf_counter()
        for record, p in zip(plain, part):
            columns.add(record, p.name)
        flatten += time.perf_counter() - t3
        del records, plain
    t0 = time.perf_counter()
    sections = columns.arrays()
    flatten += time.perf_counter() - t0
    computes = []
    for _ in range(3):
        t0 = time.perf_counter()
        nb.compute(sections)
        computes.append(time.perf_counter() - t0)
    compute = min(computes)
    return {"counties": len(paths), "sections": int(len(sections.county)), "tool_path": how,
            "rules_in_pack": n_rules, "rules_in_resources_yaml": n_resource_rules,
            "tool_whole_pack_s": tool_all, "tool_resources_s": tool_res,
            "baseline_flatten_s": flatten, "baseline_compute_s": compute,
            "ratio_resources_vs_flatten_compute": tool_res / (flatten + compute),
            "ratio_resources_vs_compute": tool_res / compute,
            "ratio_whole_pack_vs_flatten_compute": tool_all / (flatten + compute)}


# ---- 4. agreement ---------------------------------------------------------------------

def agreement(paths: list[Path], checker) -> dict:
    from compliance.record import loads
    result = nb.run(paths)
    s = result.sections
    base = {}
    values = {}
    for i in range(len(s.county)):
        level = nb.LEVELS[s.level[i]]
        for k, rule in enumerate(nb.SECTION_RULES):
            key = (int(s.county[i]), rule, s.school_ids[i], level)
            base[key] = nb.STATUS_NAMES[result.status[i, k]]
            if k < 7:
                values[key] = result.values[i, k]
    for c in range(s.n_counties):
        for lv, level in enumerate(nb.LEVELS):
            for k, rule in enumerate(nb.CV_RULES):
                key = (c, rule, None, level)
                base[key] = nb.STATUS_NAMES[result.cv_status[c, lv, k]]
                values[key] = result.cv_values[c, lv, k]
    tool = {}
    tool_values = {}
    for c, path in enumerate(paths):
        for f in checker.check(loads(path.read_text(encoding="utf-8")), trace=False):
            rule = f.rule.split("/", 1)[1]
            if rule in WANTED:
                key = (c, rule, f.subject.school, f.subject.section)
                tool[key] = f.status
                tool_values[key] = f.value
    disagreements = [{"county": paths[k[0]].name, "rule": k[1], "school": k[2], "section": k[3],
                      "baseline": base[k], "tool": tool[k], "baseline_value": float(values.get(k, float("nan"))),
                      "tool_value": str(tool_values.get(k))}
                     for k in sorted(base.keys() & tool.keys(), key=str) if base[k] != tool[k]]
    return {"counties": len(paths), "compared": len(base.keys() & tool.keys()),
            "only_baseline": len(base.keys() - tool.keys()), "only_tool": len(tool.keys() - base.keys()),
            "disagreements": len(disagreements), "examples": disagreements[:10],
            "statuses": dict(Counter(base.values()))}


def agreement_with_holes(checker, counties: int = 15, hole_rate: float = 0.15) -> dict:
    """The agreement check on records with many holes: counties where one school in seven
    lacks a field, and `county.with_holes` (zero-student sections, unknown scopes and splits)."""
    import county
    import orjson
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for index in range(counties):
            paths.append(Path(tmp) / f"holes-{index:04d}.json")
            paths[-1].write_bytes(orjson.dumps(national.county_record(index, 5, hole_rate)))
        for seed, holes in ((20240901, 7), (3, 9)):
            paths.append(Path(tmp) / f"with-holes-{seed}.json")
            paths[-1].write_bytes(orjson.dumps(county.with_holes(county.county_record(seed), holes)))
        return agreement(paths, checker)


# ---- report ---------------------------------------------------------------------------

def table(r: dict) -> str:
    b, t, e, a = r["baseline"], r["tool"], r["evaluation"], r["agreement"]
    out = [f"national set: {r['counties']} counties, {r['schools']} schools, {r['size_mb']:.1f} MB "
           f"(seed {r['seed']}); {r['machine']}", ""]
    out.append(f"{'what':58} {'wall s':>9} {'peak RSS MB':>12} {'÷ baseline':>11}")
    out.append("-" * 93)
    out.append(f"{'numpy baseline, end to end (subprocess, best of ' + str(len(b['runs'])) + ')':58} "
               f"{b['seconds']:9.2f} {b['peak_rss_mb']:12.0f} {1.0:10.2f}×")
    if t.get("available"):
        out.append(f"{'compliance check DIR --format jsonl --findings problems':58} {t['seconds']:9.2f} "
                   f"{t['peak_rss_mb']:12.0f} {t['seconds'] / b['seconds']:10.2f}×")
        if t.get("timed_out"):
            out.append(f"  STOPPED after {t['seconds']:.0f} s (--timeout): the figures above are of a partial run")
        pss = f"{t['peak_pss_mb']:.0f} MB" if t.get("peak_pss_mb") else "n/a"
        out.append(f"  --jobs {r['jobs']}: up to {t['peak_processes']} processes, summed PSS peak {pss}; "
                   f"exit {t['returncode']}; {t['lines']} lines for {t['records']} records, "
                   f"every record has its verdict line: {'yes' if t['every_record_has_a_verdict'] else 'NO'}"
                   f"{'' if t['in_input_order'] else ' (not in input order)'}; verdicts {t['verdicts']}")
        out.append(f"  wall times are of runs without memory sampling; the sampled runs took "
                   f"{b['sampled_seconds']:.2f} s (baseline) and {t['sampled_seconds']:.2f} s (tool)")
        for stage, label in (("input", "floor: read + validate + plausibility only"),
                             ("columns", "floor: that + every rule, no finding kept")):
            f = r.get("floor", {}).get(stage)
            if f:
                out.append(f"{label + ' (floor.py)':58} {f['seconds']:9.2f} {'':>12} {f['seconds'] / b['seconds']:10.2f}×")
    else:
        out.append(f"{'compliance check DIR --format jsonl … --jobs ' + str(r['jobs']):58} {t['state']:>9}")
        out.append(f"  (exit {t['returncode']}: {t['reason']})")
    s = r.get("single")
    if s:
        per = s["per_record_ms"]
        out.append(f"{'single-record CLI path in-process, ' + str(s['sample']) + ' records, × ' + str(r['counties']):58} "
                   f"{s['extrapolated_serial_s']:9.2f} {'':>12} {s['extrapolated_serial_s'] / b['seconds']:10.2f}×  (extrapolated, 1 core)")
        out.append(f"  per record: read+validate {per['read_validate']:.1f} ms, check (trace) {per['check']:.1f} ms, "
                   f"JSON report {per['report']:.1f} ms = {s['per_record_total_ms']:.1f} ms")
    out.append("")
    out.append(f"evaluation only, records in memory ({e['counties']} counties, {e['sections']} sections), "
               f"tool path: {e['tool_path']}")
    out.append(f"{'what':58} {'s':>9} {'÷ flatten+compute':>18} {'÷ compute':>10}")
    out.append("-" * 98)
    fc = e["baseline_flatten_s"] + e["baseline_compute_s"]
    out.append(f"{'baseline: flatten dicts → arrays':58} {e['baseline_flatten_s']:9.3f}")
    out.append(f"{'baseline: numpy compute (best of 3)':58} {e['baseline_compute_s']:9.3f}")
    for label, key in ((f"tool: resources.yaml only ({e['rules_in_resources_yaml']} rules), trace=False", "tool_resources_s"),
                       (f"tool: whole national pack ({e['rules_in_pack']} rules), trace=False", "tool_whole_pack_s")):
        out.append(f"{label:58} {e[key]:9.3f} {e[key] / fc:17.1f}× {e[key] / e['baseline_compute_s']:9.0f}×")
    out.append("")
    out.append(f"agreement on {a['counties']} counties: {a['compared']} findings compared "
               f"(R1–R7, R-SCHOOL per section, R1-CV … R7-CV per level), {a['disagreements']} disagreements; "
               f"only in baseline {a['only_baseline']}, only in tool {a['only_tool']}")
    out.append("  (the baseline is float and the tool exact: a value exactly at a threshold may be judged differently)")
    for d in a["examples"]:
        out.append(f"  {d}")
    h = r.get("agreement_holes")
    if h:
        out.append(f"agreement on {h['counties']} records with many holes: {h['compared']} findings compared "
                   f"{h['statuses']}, {h['disagreements']} disagreements; only in baseline {h['only_baseline']}, "
                   f"only in tool {h['only_tool']}")
        for d in h["examples"]:
            out.append(f"  {d}")
    out.append("")
    verdict = []
    if t.get("available"):
        ratio = t["seconds"] / b["seconds"]
        verdict.append(f"end to end {ratio:.1f}× the baseline (target ≤ {TARGET_RATIO:g}×: "
                       f"{'met' if ratio <= TARGET_RATIO else 'NOT met'})")
        verdict.append(f"peak RSS {t['peak_rss_mb']:.0f} MB (target ≤ {TARGET_RSS_MB} MB: "
                       f"{'met' if t['peak_rss_mb'] <= TARGET_RSS_MB else 'NOT met'})")
    else:
        verdict.append(f"end-to-end target not measurable: the directory run is {t['state']}")
    out.append("; ".join(verdict))
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="national-scale benchmark (see the module docstring)")
    parser.add_argument("--counties", type=int, default=national.DEFAULT_COUNTIES)
    parser.add_argument("--seed", type=int, default=national.DEFAULT_SEED)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sample", type=int, default=30, help="counties for the agreement check")
    parser.add_argument("--cli-sample", type=int, default=30, help="counties for the single-record CLI row")
    parser.add_argument("--eval-counties", type=int, default=300,
                        help="counties (evenly spaced) for the evaluation-only rows; 0 = all (default 300)")
    parser.add_argument("--baseline-repeats", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=3600, help="seconds before the tool run is stopped")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)

    directory = national.ensure(args.counties, args.seed, log=log)
    paths = national.files(directory)
    if len(paths) != args.counties:
        raise SystemExit(f"{directory}: {len(paths)} files, expected {args.counties}")
    import orjson
    schools = sum(len(orjson.loads(p.read_bytes())["schools"]) for p in paths)
    size_mb = sum(p.stat().st_size for p in paths) / 1e6

    log("validating a sample against record.schema.json …")
    from compliance.validate import validate_record
    for p in spread(paths, 5):
        problems = validate_record(orjson.loads(p.read_bytes()), str(p))
        if problems:
            raise SystemExit(f"{p}: does not validate: {problems[:3]}")

    log("1. numpy baseline end to end …")
    baseline = baseline_end_to_end(directory, args.baseline_repeats)
    log(f"   {baseline['seconds']:.2f} s, {baseline['peak_rss_mb']:.0f} MB")
    log(f"2. compliance check DIR --jobs {args.jobs} …")
    tool = tool_end_to_end(directory, paths, args.jobs, args.timeout)
    log(f"   {'%.2f s' % tool['seconds'] if tool['available'] else tool['state'] + ': ' + tool['reason']}")

    floors = {}
    if tool["available"]:
        for stage in ("input", "columns"):
            log(f"   floor.py --stage {stage} …")
            floors[stage] = floor(directory, args.jobs, stage)
            log(f"   {floors[stage]['seconds']:.2f} s")

    from compliance.engine import load_checker
    checker = load_checker(["national"])
    single = None
    if not tool["available"]:
        log("   single-record CLI path in-process over a sample …")
        single = single_record_path(spread(paths, args.cli_sample), checker, len(paths))
    log("3. evaluation only …")
    evaluation = evaluation_only(spread(paths, args.eval_counties or len(paths)), checker)
    log("4. agreement …")
    agree = agreement(spread(paths, args.sample), checker)
    agree_holes = agreement_with_holes(checker)

    machine = (f"{os.cpu_count()} cores, Python {platform.python_version()}, "
               f"load average {os.getloadavg()[0]:.1f} at the end")
    result = {"counties": len(paths), "schools": schools, "size_mb": size_mb, "seed": args.seed,
              "jobs": args.jobs, "machine": machine, "directory": str(directory), "baseline": baseline,
              "tool": tool, "floor": floors, "single": single, "evaluation": evaluation, "agreement": agree, "agreement_holes": agree_holes,
              "when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
    sys.stdout.write(table(result))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
