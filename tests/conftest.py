import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))

# Fixed, derandomized profile for CI; `HYPOTHESIS_PROFILE=dev` explores more.
# No example database: a run depends on nothing but the code, on any worker of pytest-xdist.
settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None, print_blob=True,
                          database=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Test files whose tests share an expensive session fixture per parameter (a pack's test
# cases, loaded and validated once): under pytest-xdist each parameter's tests go to one worker.
SHARED_PER_PARAM = ("tests/test_rule_cases.py",)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadscope` as this suite means it: every test is its own unit, except that the
    tests of one parameter of a SHARED_PER_PARAM file run together. (`--dist loadgroup` with
    xdist_group marks would say the same, but it silently stops grouping on pytest 9.2:
    pytest-dev/pytest-xdist#1386.)"""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class PerParam(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path, _, rest = nodeid.partition("::")
            if path in SHARED_PER_PARAM and rest.endswith("]"):
                return path + "[" + rest.rsplit("[", 1)[1]
            return nodeid

    return PerParam(config, log)
