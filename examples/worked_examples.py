"""Build county records from the published worked examples (tests/data/*.csv).

- worked-example-cv.json: the five primary schools of the 差异系数 example. The example counts
  books; here each school's book count becomes its equipment value (books ÷ 10 万元, i.e.
  1000 元 per book), which leaves every per-student ratio proportional to books per student and
  so the coefficient of variation unchanged: R6-CV must come out at 0.5153 and fail for 小学.
- worked-example-split.json: the 九年一贯制 school of the split example, 166 primary and 210
  junior students sharing 23226 (here: 万元 of equipment), split 1 : 1.1.

Run: python examples/worked_examples.py
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "tests" / "data"


def rows(name: str) -> list[list[str]]:
    lines = [line for line in (DATA / name).read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return list(csv.reader(lines))[1:]


def base(name: str) -> dict:
    return {"format_version": "1", "jurisdiction": {"code": "000000", "name": name, "level": "county"},
            "year": 2024, "as_of": "2024-09-01", "packs": ["national"], "facts": {}, "schools": []}


def cv_example() -> dict:
    record = base("差异系数算例（五所小学）")
    for name, students, books, _ in rows("cv-worked-example-5-primary-schools-books.csv"):
        if name == "TOTAL":
            continue
        record["schools"].append({
            "id": f"cv-{len(record['schools']) + 1}", "name": name, "type": "primary",
            "sections": {"primary": {"students": int(students)}},
            "shared": {"equipment_value_wan_yuan": int(books) / 10},
        })
    return record


def split_example() -> dict:
    record = base("拆分算例（九年一贯制学校）")
    (name, primary, junior, total, *_rest) = rows("split-example-nine-year-school-books.csv")[0]
    record["schools"].append({
        "id": "split-1", "name": name.strip("*"), "type": "nine_year",
        "sections": {"primary": {"students": int(primary)}, "junior": {"students": int(junior)}},
        "shared": {"equipment_value_wan_yuan": int(total)},
    })
    return record


def main() -> None:
    for file, record in (("worked-example-cv.json", cv_example()), ("worked-example-split.json", split_example())):
        (HERE / file).write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print("wrote", file)


if __name__ == "__main__":
    main()
