"""Soak run: the suite's Hypothesis properties with fresh random seeds, and the properties
declared in the shipped packs with many more examples than the test suite gives them.

The test suite is derandomized (profile "ci" in tests/conftest.py): every run draws the same
examples, so it is fast and repeatable but never looks anywhere new. This script looks
elsewhere each round; run it before a release or after changing the evaluator or a pack.

    python benchmarks/soak.py                    # 3 rounds, 300 examples per pack property
    python benchmarks/soak.py --rounds 10 --examples 1000

A failure prints Hypothesis' falsifying example and the seed to replay it with
(`HYPOTHESIS_PROFILE=dev python -m pytest -n 0 TEST --hypothesis-seed=SEED`); exit status 1.
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from compliance.lint import analyze  # noqa: E402
from compliance.packs import Repository, find_pack_dirs  # noqa: E402
from compliance.properties import check_properties  # noqa: E402

# The test files whose properties draw their examples with Hypothesis. (test_properties.py
# calls check_properties, which draws its own: see pack_properties below.)
PROPERTY_TESTS = ["tests/test_differential.py", "tests/test_fuzz.py", "tests/test_remedy.py"]


def suite_round(seed: int) -> bool:
    """The property tests once, with the dev profile (not derandomized) and this seed."""
    env = {**os.environ, "HYPOTHESIS_PROFILE": "dev"}
    args = [sys.executable, "-m", "pytest", *PROPERTY_TESTS, "-p", "no:cacheprovider", f"--hypothesis-seed={seed}"]
    return subprocess.run(args, cwd=ROOT, env=env).returncode == 0


def pack_properties(examples: int) -> bool:
    """Every property every shipped pack declares, over `examples` random records."""
    repository = Repository()
    ok = True
    for pack_dir in find_pack_dirs([ROOT / "rules"]):
        pack = repository.load(pack_dir)
        if not any(r.properties for r in pack.rules):
            continue
        results = check_properties(analyze(pack, repository), max_examples=examples, derandomize=False)
        failed = [r for r in results if not r.ok]
        print(f"{pack_dir.name}: {len(results)} properties, {len(failed)} fail")
        for r in failed:
            print(f"  {r.rule} {r.name}: {r.detail}")
        ok = ok and not failed
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="runs of the property tests, each with a new seed")
    parser.add_argument("--examples", type=int, default=300, help="examples per declared pack property")
    args = parser.parse_args(argv)
    ok = True
    for n in range(args.rounds):
        seed = random.SystemRandom().randrange(2 ** 32)
        start = time.perf_counter()
        passed = suite_round(seed)
        print(f"round {n + 1}/{args.rounds}, seed {seed}: {'ok' if passed else 'FAILED'} "
              f"({time.perf_counter() - start:.0f} s)", flush=True)
        ok = ok and passed
    ok = pack_properties(args.examples) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
