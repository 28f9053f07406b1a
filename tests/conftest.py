import atexit
import os
import shutil
import tempfile
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))

# Fixed, derandomized profile for CI; `HYPOTHESIS_PROFILE=dev` explores more.
settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The suite (and the commands it starts) keeps analysed packs in a folder of its own, never
# in the user's ~/.cache; tests of the cache itself point COMPLIANCE_CACHE_DIR at tmp_path.
_CACHE = tempfile.mkdtemp(prefix="compliance-test-cache-")
os.environ["COMPLIANCE_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, True)
