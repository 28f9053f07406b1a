"""Soak the record reader and `check` with mutated records (tests/mutations.py): fields deleted,
retyped, duplicated, wrapped or nested deep, other encodings, damaged bytes.

    python benchmarks/soak_inputs.py                  # 10,000 records
    python benchmarks/soak_inputs.py --records 500    # a quick run

Reports the exit statuses seen, the internal errors (must be 0; each is saved with its input
under --out), the error codes, and the slowest record with its time. Every record is checked
in this process through `compliance.cli.main`, exactly as `compliance check FILE --format json`.
"""
from __future__ import annotations

import argparse
import collections
import contextlib
import io
import re
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from compliance.cli import main as cli_main  # noqa: E402
from mutations import mutated_record  # noqa: E402

CODE = re.compile(r"\b([EW]\d{3})\b")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "compliance-soak")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="soak-"))
    exits, codes, internal = collections.Counter(), collections.Counter(), []
    slowest = (0.0, b"")
    started = time.perf_counter()

    @settings(max_examples=args.records, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(raw=mutated_record())
    def soak(raw):
        nonlocal slowest
        path = work / "r.json"
        path.write_bytes(raw)
        err = io.StringIO()
        begin = time.perf_counter()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = cli_main(["check", str(path), "--format", "json"])
        took = time.perf_counter() - begin
        exits[code] += 1
        codes.update(set(CODE.findall(err.getvalue())))
        if code == 3 or "内部错误" in err.getvalue():
            saved = args.out / f"internal-{len(internal):04d}.json"
            saved.write_bytes(raw)
            internal.append((saved, err.getvalue().splitlines()[0]))
        if took > slowest[0]:
            slowest = (took, raw)

    soak()
    total = time.perf_counter() - started
    (args.out / "slowest.json").write_bytes(slowest[1])
    count = sum(exits.values())
    print(f"records: {count} in {total:.1f} s ({total / max(count, 1) * 1000:.1f} ms each)")
    print("exit statuses:", dict(sorted(exits.items())))
    print("codes seen:", ", ".join(f"{c} {n}" for c, n in codes.most_common()))
    print(f"slowest: {slowest[0] * 1000:.0f} ms ({len(slowest[1]):,} bytes), saved as {args.out / 'slowest.json'}")
    print(f"internal errors: {len(internal)}")
    for saved, line in internal[:20]:
        print(f"  {saved}: {line}")
    return 1 if internal else 0


if __name__ == "__main__":
    sys.exit(main())
