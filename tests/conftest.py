import atexit
import os
import shutil
import tempfile
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))

# Fixed, derandomized profile for CI; `HYPOTHESIS_PROFILE=dev` explores more.
# No example database: a run depends on nothing but the code, on any worker of pytest-xdist.
settings.register_profile("ci", derandomize=True, max_examples=30, deadline=None, print_blob=True,
                          database=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

def work_unit(nodeid: str) -> str:
    """The tests pytest-xdist must run on one worker, together: those sharing an expensive
    fixture. Every other test is a unit of its own."""
    path, _, rest = nodeid.partition("::")
    if path == "tests/test_rule_cases.py" and rest.endswith("]"):
        return path + "[" + rest.rsplit("[", 1)[1]      # one pack: its test cases are loaded once
    if path == "tests/test_lint_cases.py" and rest.startswith("test_lint_command["):
        return path + "::test_lint_command"              # one batch of `compliance lint` processes
    return nodeid


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadscope` with the scopes of work_unit. (`--dist loadgroup` with xdist_group
    marks would say the same, but it silently stops grouping on pytest 9.2:
    pytest-dev/pytest-xdist#1386.)"""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByWorkUnit(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return ByWorkUnit(config, log)

# The suite (and the commands it starts) keeps analysed packs in a folder of its own, never
# in the user's ~/.cache; tests of the cache itself point COMPLIANCE_CACHE_DIR at tmp_path.
_CACHE = tempfile.mkdtemp(prefix="compliance-test-cache-")
os.environ["COMPLIANCE_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, True)
