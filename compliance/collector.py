"""How a checking process runs the garbage collector: the CLI's and each worker's of --jobs.

At Python's default thresholds (700, 10, 10) the cyclic collector took about a fifth of a
batch check: a check allocates millions of short-lived objects, few of them in cycles, and
every full collection walks all the records, findings and caches alive. Collecting the young
generation every 10,000 allocations, and older ones rarely, cut that by more than half for
40–55 MB more peak memory per process (benchmarks/README.md, issue 11, fourth session).
A module of its own so that a single-record check need not import multiprocessing for it.
"""
from __future__ import annotations

import gc

GC_THRESHOLDS = (10_000, 50, 100)


def tune_gc() -> None:
    gc.set_threshold(*GC_THRESHOLDS)
