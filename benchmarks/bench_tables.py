"""Records as tables, every shipped example: export to .xlsx and to CSV, import back, and check.

For each example it asserts what the tests check only for a few (too slow for the suite):
the record comes back identical (up to empty objects, table_record.canonical) and `check`
finds the same findings from the workbook as from the JSON. Times are given as ratios to
reading and validating the JSON record, and to checking it against its packs, in the same run
(the machine is shared and noisy).

    python benchmarks/bench_tables.py [--repeat 3]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compliance.csv_io import folder_texts  # noqa: E402
from compliance.engine import default_as_of, load_checker  # noqa: E402
from compliance.excel_io import workbook_bytes  # noqa: E402
from compliance.table_files import first_difference, load  # noqa: E402
from compliance.table_record import canonical  # noqa: E402
from compliance.validate import load_record  # noqa: E402


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    print(f"{'example':26} {'json ms':>8} {'→xlsx':>7} {'xlsx→':>7} {'→csv':>6} {'csv→':>6} {'check ms':>9} "
          f"{'xlsx→/check':>11}  same record / findings")
    totals = [0.0] * 6
    for path in sorted((ROOT / "examples").glob("*.json")):
        record, problems, _ = load_record(path)
        book, folder = tmp / f"{path.stem}.xlsx", tmp / path.stem
        folder.mkdir(exist_ok=True)

        def write_csv():
            for name, text in folder_texts(record).items():
                (folder / name).write_bytes(text.encode("utf-8-sig"))

        t_json = best(lambda: load_record(path), args.repeat)
        t_wx = best(lambda: book.write_bytes(workbook_bytes(record)), args.repeat)
        t_rx = best(lambda: load(book, book.name, 10), args.repeat)
        t_wc = best(write_csv, args.repeat)
        t_rc = best(lambda: load(folder, folder.name, 10), args.repeat)
        from_xlsx, _, _ = load(book, book.name, 10)
        from_csv, _, _ = load(folder, folder.name, 10)
        same_record = first_difference(canonical(record), from_xlsx) is None and \
            first_difference(canonical(record), from_csv) is None
        checker = load_checker(record.get("packs") or ["national"])
        as_of = default_as_of(record)
        same_findings = checker.check(from_xlsx, as_of) == checker.check(record, as_of)
        t_check = best(lambda: checker.check(record, as_of), args.repeat)
        for i, t in enumerate((t_json, t_wx, t_rx, t_wc, t_rc, t_check)):
            totals[i] += t
        print(f"{path.stem:26} {t_json * 1000:8.1f} {t_wx / t_json:6.0f}x {t_rx / t_json:6.0f}x "
              f"{t_wc / t_json:5.1f}x {t_rc / t_json:5.1f}x {t_check * 1000:9.1f} {t_rx / t_check:11.2f}  "
              f"{same_record} / {same_findings}")
        if not (same_record and same_findings):
            return 1
    print(f"{'all':26} {totals[0] * 1000:8.1f} {totals[1] / totals[0]:6.0f}x {totals[2] / totals[0]:6.0f}x "
          f"{totals[3] / totals[0]:5.1f}x {totals[4] / totals[0]:5.1f}x {totals[5] * 1000:9.1f} {totals[2] / totals[5]:11.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
