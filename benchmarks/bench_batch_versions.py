"""The whole batch command of a baseline commit against the working tree, in the same run:

    compliance check DIR --format jsonl --findings problems --jobs N

Both run as subprocesses on the same directory; their rounds alternate (old, new, old, new …)
so that a burst of load from elsewhere hits both alike, and each figure is the best of
--rounds. The baseline is `git archive REV compliance rules grammar pyproject.toml` unpacked into a temporary
directory and run from there with `python -m compliance` (this interpreter, so the same
installed libraries). Before the times are reported, the two outputs must be the same
reports: the JSON of every line is compared (the bytes may differ: since orjson writes the
lines there are no spaces after separators).

    python benchmarks/bench_batch_versions.py                       # 200 counties, --jobs 1 and 2
    python benchmarks/bench_batch_versions.py --baseline HEAD~5 --rounds 5
    python benchmarks/bench_batch_versions.py --dir /path/to/records --jobs 2
"""
from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

# The start of the third session's work on issue 11 (traces written from the columns,
# orjson, the input stage).
BASELINE = "9595dc0"


def unpack(rev: str, into: Path) -> None:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev, "compliance", "rules", "grammar",
                              "pyproject.toml"],
                             check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def run(cwd: Path, directory: Path, jobs: int, out: Path) -> tuple[float, int]:
    command = [sys.executable, "-m", "compliance", "check", str(directory), "--format", "jsonl",
               "--findings", "problems", "--jobs", str(jobs)]
    env = dict(os.environ, PYTHONPATH=str(cwd))
    t0 = time.perf_counter()
    with open(out, "wb") as fh:
        code = subprocess.run(command, cwd=cwd, env=env, stdout=fh, stderr=subprocess.DEVNULL).returncode
    return time.perf_counter() - t0, code


def reports(path: Path) -> list:
    with open(path, "rb") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default=BASELINE, help=f"git revision to compare with (default {BASELINE})")
    parser.add_argument("--dir", type=Path, help="records to check (default: the national set's first --counties)")
    parser.add_argument("--counties", type=int, default=200)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    directory = args.dir
    if directory is None:
        import national
        directory = national.ensure(args.counties, log=lambda *a: None)
    with tempfile.TemporaryDirectory() as tmp:
        old, new = Path(tmp) / "old", Path(tmp) / "new"
        old.mkdir()
        new.mkdir()
        unpack(args.baseline, old)
        (new / "compliance").symlink_to(ROOT / "compliance")
        (new / "rules").symlink_to(ROOT / "rules")
        rows = []
        for jobs in args.jobs:
            times: dict = {"old": [], "new": []}
            for n in range(args.rounds):
                for name, where in (("old", old), ("new", new)):
                    seconds, code = run(where, directory, jobs, Path(tmp) / f"{name}.jsonl")
                    if code not in (0, 1):
                        raise SystemExit(f"{name} exited {code}")
                    times[name].append(seconds)
                if n == 0 and reports(Path(tmp) / "old.jsonl") != reports(Path(tmp) / "new.jsonl"):
                    raise SystemExit("the two versions wrote different reports")
            rows.append((jobs, min(times["old"]), min(times["new"])))
    records = len(list(Path(directory).glob("*.json")))
    print(f"{records} records in {directory}; baseline {args.baseline}; best of {args.rounds}; "
          f"load average {os.getloadavg()[0]:.1f} at the end; the reports are the same")
    print(f"{'--jobs':>6} {'baseline s':>11} {'now s':>8} {'baseline ÷ now':>15} {'now ms/record':>14}")
    for jobs, o, n in rows:
        print(f"{jobs:>6} {o:11.2f} {n:8.2f} {o / n:14.2f}× {1000 * n / records:14.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
