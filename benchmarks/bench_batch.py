"""Batch checking from the command line: `compliance check DIR --format jsonl --findings problems`.

In one run, on the same generated folder of synthetic counties (`county.county_record`, one seed
per county, 82 schools each):
- library loop: one process, packs analysed once, then per record read + validate + check +
  report line, sequentially — what the batch command does per record, without the command;
- the command with --jobs 1 (in-process) and --jobs 2 (a pool of two workers), wall time and the
  peak resident memory of the whole process tree (sampled from /proc every 20 ms);
- the command with --jobs 2 over a folder four times as large: memory must not grow with it.
Rounds are interleaved; the best of each is reported, with ratios of the same run. Besides wall
time, the CPU time (user + system) of the whole process tree, sampled from /proc: on a machine
shared with other work, CPU seconds move far less than wall seconds.

    python benchmarks/bench_batch.py               # 24 and 96 counties, 3 rounds
    python benchmarks/bench_batch.py --counties 8 --rounds 1
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import county  # noqa: E402


def make_folder(root: Path, n: int) -> Path:
    folder = root / f"counties-{n}"
    folder.mkdir()
    for i in range(n):
        record = county.county_record(seed=20240901 + i)
        record["jurisdiction"]["name"] = f"合成县{i:04d}"
        (folder / f"county-{i:04d}.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return folder


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
            except (OSError, IndexError):
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def sample(pids: list[int], cpu: dict[int, float]) -> int:
    """Resident memory (KiB) of `pids` now; each one's CPU seconds so far are noted in `cpu`."""
    rss = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            cpu[p] = max(cpu.get(p, 0.0), (int(fields[11]) + int(fields[12])) / TICKS)
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
        except (OSError, IndexError, ValueError):
            pass
    return rss


TICKS = os.sysconf("SC_CLK_TCK")


def run(argv: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and peak resident memory (KiB) of the process tree, sampled
    every 20 ms from /proc (worker processes are not reaped by the command, so their CPU time
    never reaches getrusage)."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=HERE.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, cpu = 0, {}
    while process.poll() is None:
        peak = max(peak, sample(tree(process.pid), cpu))
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    if process.returncode not in (0, 1):
        raise SystemExit(f"{argv[2:4]} failed ({process.returncode}): {process.stderr.read().decode()}")
    return elapsed, sum(cpu.values()), peak


def run_command(folder: Path, jobs: int, out: Path) -> tuple[float, float, int]:
    return run([sys.executable, "-m", "compliance", "check", str(folder), "--format", "jsonl",
                "--findings", "problems", "--jobs", str(jobs), "--output", str(out)])


def run_library(folder: Path, out: Path) -> tuple[float, float, int]:
    """The same work in one process through the library, sequentially, start-up included."""
    code = (
        "import sys, pathlib\n"
        "from compliance.batch_job import Judge, Options\n"
        "from compliance.inputs import sources\n"
        "judge = Judge(Options(None, problems_only=True))\n"
        "with open(sys.argv[2], 'w', encoding='utf-8') as out:\n"
        "    for s in sources([sys.argv[1]]):\n"
        "        out.write(judge.many([s])[0].line + '\\n')\n"
    )
    return run([sys.executable, "-c", code, str(folder), str(out)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=24)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        small, large = make_folder(root, args.counties), make_folder(root, 4 * args.counties)
        best: dict[str, list[float]] = {}
        cpus: dict[str, list[float]] = {}
        peaks: dict[str, int] = {}
        outputs: dict[str, bytes] = {}
        for _ in range(args.rounds):
            for name, run in (
                ("library loop", lambda o: run_library(small, o)),
                ("check --jobs 1", lambda o: run_command(small, 1, o)),
                ("check --jobs 2", lambda o: run_command(small, 2, o)),
                ("check --jobs 2, 4× records", lambda o: run_command(large, 2, o)),
            ):
                out = root / "out.jsonl"
                seconds, cpu, peak = run(out)
                best.setdefault(name, []).append(seconds)
                cpus.setdefault(name, []).append(cpu)
                peaks[name] = max(peaks.get(name, 0), peak)
                if name != "check --jobs 2, 4× records":
                    outputs[name] = out.read_bytes()
        assert outputs["library loop"] == outputs["check --jobs 1"] == outputs["check --jobs 2"], "outputs differ"
        n = {"check --jobs 2, 4× records": 4 * args.counties}
        print(f"{args.counties} synthetic counties (82 schools each), best of {args.rounds}; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"{'what':32} {'records':>7} {'wall s':>8} {'CPU s':>8} {'CPU ms/record':>14} {'peak RSS MiB':>13}")
        for name, times in best.items():
            records = n.get(name, args.counties)
            t, cpu = min(times), min(cpus[name])
            rss = f"{peaks[name] / 1024:.0f}"
            print(f"{name:32} {records:>7} {t:>8.2f} {cpu:>8.2f} {1000 * cpu / records:>14.1f} {rss:>13}")
        t = {k: min(v) for k, v in best.items()}
        c = {k: min(v) for k, v in cpus.items()}
        print(f"check --jobs 1 / library loop: wall {t['check --jobs 1'] / t['library loop']:.2f}×, "
              f"CPU {c['check --jobs 1'] / c['library loop']:.2f}×")
        print(f"check --jobs 1 / check --jobs 2: wall {t['check --jobs 1'] / t['check --jobs 2']:.2f}× (speed-up), "
              f"CPU {c['check --jobs 1'] / c['check --jobs 2']:.2f}×")
        print(f"CPU per record, --jobs 2, 4× records / 1×: "
              f"{c['check --jobs 2, 4× records'] / (4 * c['check --jobs 2']):.2f}× (start-up amortised)")
        print(f"peak RSS, 4× records / 1×, --jobs 2: "
              f"{peaks['check --jobs 2, 4× records'] / peaks['check --jobs 2']:.2f}×")
        print("output of the library loop, --jobs 1 and --jobs 2: byte-identical")


if __name__ == "__main__":
    main()
