"""A seeded national-scale set of synthetic county records: one JSON file per county.

    python benchmarks/national.py                       # ≈ 2,900 counties, ≈ 200k schools
    python benchmarks/national.py --counties 100        # a quick set
    python benchmarks/national.py --out DIR --seed 7    # somewhere else, another draw

Each county draws its school count from a lognormal with a median of 60, clipped to 8 … 260
(about 69 on average, so ≈ 200k schools in 2,900 counties), and its school types from the mix
of `county.py` (primary, teaching points — about a quarter of them under 50 students —,
junior, nine-year, twelve-year, complete middle and special schools). Schools, sections and
county facts come from `county.py`, so every field the national pack reads is there and the
jurisdiction rules (G*, Q*, S1, V*) evaluate too. About one school in 400 has a field missing
(a section count, a whole-school quantity or a high-school count) so that `unknown` occurs.

Every county has its own `random.Random(seed, index)`: the same seed and index give the same
file whatever the size of the set. The set is written once into a cache directory keyed by
seed, size and generator version (`$COMPLIANCE_BENCH_CACHE`, default under the system temp
directory) and reused afterwards; it is built in a sibling directory and renamed into place,
so a half-written set is never reused.
"""
from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import county  # noqa: E402

try:
    import orjson

    def _dumps(data) -> bytes:
        return orjson.dumps(data)
except ImportError:  # the generator works without the bench extra, only slower
    import json

    def _dumps(data) -> bytes:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

GENERATOR_VERSION = 2          # bump when the output changes, so stale caches are not reused
DEFAULT_SEED = 20240901
DEFAULT_COUNTIES = 2900
MEDIAN_SCHOOLS, SIGMA, MIN_SCHOOLS, MAX_SCHOOLS = 60, 0.55, 8, 260
HOLE_RATE = 1 / 400

_KINDS = [m[0] for m in county._MIX]
_KIND_WEIGHTS = [m[1] for m in county._MIX]
_MIX = {m[0]: m for m in county._MIX}


def county_code(index: int) -> str:
    """A unique 6-digit code: 90 counties per synthetic province, 15 per city."""
    province, rest = divmod(index, 90)
    city, n = divmod(rest, 15)
    return f"{11 + province:02d}{1 + city:02d}{1 + n:02d}"


def _holes(rng: random.Random, school: dict) -> None:
    """Remove one field, as a real statistics table sometimes lacks one."""
    r = rng.random()
    if r < 0.5:
        section = school["sections"][rng.choice(sorted(school["sections"]))]
        del section[rng.choice(("students", "teachers_above_required_degree", "backbone_teachers",
                                "pe_art_teachers", "multimedia_classrooms"))]
    elif r < 0.9 or school["type"] not in ("twelve_year", "complete_middle"):
        del school["shared"][rng.choice(("teaching_aux_area_m2", "indoor_sports_area_m2",
                                         "sports_ground_area_m2", "equipment_value_wan_yuan"))]
    else:
        del school["high_school_students"]


def county_record(index: int, seed: int = DEFAULT_SEED, hole_rate: float = HOLE_RATE) -> dict:
    """The record of county number `index` of the set drawn with `seed`; `hole_rate`: the share
    of schools with a field missing."""
    rng = random.Random(seed * 1_000_003 + index)
    code = county_code(index)
    n = min(MAX_SCHOOLS, max(MIN_SCHOOLS, round(rng.lognormvariate(math.log(MEDIAN_SCHOOLS), SIGMA))))
    kinds = rng.choices(_KINDS, weights=_KIND_WEIGHTS, k=n)
    if "junior" not in kinds and "nine_year" not in kinds:
        kinds[0] = "junior"   # every county has junior sections somewhere
    schools = []
    for i, kind in enumerate(kinds, start=1):
        _, _, levels, students_range, high_range = _MIX[kind]
        school = county._school(rng, i, kind, levels, students_range, high_range)
        school["id"] = f"{code}{i:05d}"
        school["name"] = f"合成{code}县第{i}学校"
        if rng.random() < hole_rate:
            _holes(rng, school)
        schools.append(school)
    students = sum(s.get("students", 0) for school in schools for s in school["sections"].values())
    teachers = sum(s["teachers"] for school in schools for s in school["sections"].values())
    facts = county.county_facts(rng, students, teachers)
    base = facts["education_expenditure_wan_yuan"]
    history = [{"year": year, "students_total": students - (2024 - year) * 5 * n,
                "education_expenditure_wan_yuan": round(base * f, 1),
                "public_budget_education_expenditure_wan_yuan": round(facts["public_budget_education_expenditure_wan_yuan"] * f, 1),
                "per_student_expenditure_yuan": round(facts["per_student_expenditure_yuan"] * f, 1)}
               for year, f in ((2022, 0.93), (2023, 0.97))]
    return {
        "format_version": "1",
        "jurisdiction": {"code": code, "name": f"合成{code}县", "level": "county",
                         "parent": {"code": code[:4] + "00", "name": f"合成{code[:4]}市"}},
        "year": 2024,
        "as_of": "2024-09-01",
        "packs": ["national"],
        "facts": facts,
        "schools": schools,
        "history": history,
    }


def cache_root() -> Path:
    return Path(os.environ.get("COMPLIANCE_BENCH_CACHE") or Path(tempfile.gettempdir()) / "compliance-bench")


def set_directory(counties: int, seed: int = DEFAULT_SEED, root: Path | None = None) -> Path:
    return (root or cache_root()) / f"national-v{GENERATOR_VERSION}-seed{seed}-n{counties}"


def file_name(index: int) -> str:
    return f"{index:04d}-{county_code(index)}.json"


def generate(directory: Path, counties: int, seed: int = DEFAULT_SEED) -> dict:
    """Write the set into `directory` (built beside it, then renamed). Returns its statistics."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    t0 = time.perf_counter()
    schools = size = 0
    try:
        for index in range(counties):
            record = county_record(index, seed)
            data = _dumps(record)
            (building / file_name(index)).write_bytes(data)
            schools += len(record["schools"])
            size += len(data)
        os.rename(building, directory)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return {"counties": counties, "schools": schools, "bytes": size, "seconds": time.perf_counter() - t0}


def ensure(counties: int, seed: int = DEFAULT_SEED, root: Path | None = None, log=print) -> Path:
    """The cached set's directory, generated first if it is not there."""
    directory = set_directory(counties, seed, root)
    if directory.is_dir():
        log(f"using cached set {directory}")
        return directory
    log(f"generating {counties} counties (seed {seed}) into {directory} …")
    stats = generate(directory, counties, seed)
    log(f"  {stats['schools']} schools, {stats['bytes'] / 1e6:.1f} MB, {stats['seconds']:.1f} s")
    return directory


def files(directory: Path) -> list[Path]:
    return sorted(Path(directory).glob("*.json"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--counties", type=int, default=DEFAULT_COUNTIES)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, help="write here instead of the cache (must not exist)")
    args = parser.parse_args(argv)
    if args.out:
        if args.out.exists():
            parser.error(f"{args.out} exists")
        stats = generate(args.out, args.counties, args.seed)
        print(f"{args.out}: {stats['schools']} schools, {stats['bytes'] / 1e6:.1f} MB, {stats['seconds']:.1f} s")
    else:
        print(ensure(args.counties, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
