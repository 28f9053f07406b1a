"""How a checking process runs the garbage collector: the CLI's and each worker's of --jobs.

At Python's default thresholds (700, 10, 10) the cyclic collector took about a fifth of a
batch check: a check allocates millions of short-lived objects, few of them in cycles, and
every full collection walks all the records, findings and caches alive. Collecting the young
generation every 10,000 allocations, and older ones rarely, cut that by more than half for
40–55 MB more peak memory per process (benchmarks/README.md, issue 11, fourth session).
A module of its own so that a single-record check need not import multiprocessing for it.

A batch chunk goes further (`paused`): its objects die by reference counting as soon as its
reports are written, so automatic collections in the middle of it only walk objects that are
about to go. The collector is off while a chunk is checked, and one collection of the young
generations at its end frees what the chunk left in cycles (≈ 8,500 objects per 16
counties). On 200 counties of the national set that took the collector's share of the time
from ≈ 9.5 % to ≈ 3.5 % and the peak memory from 104 to 84 MB (benchmarks/README.md).
"""
from __future__ import annotations

import gc
from contextlib import contextmanager

GC_THRESHOLDS = (10_000, 50, 100)


def tune_gc() -> None:
    gc.set_threshold(*GC_THRESHOLDS)


@contextmanager
def paused():
    """No automatic collection inside the block; the young generations are collected once
    at its end. For work whose objects all die with it, such as a batch chunk."""
    if not gc.isenabled():    # someone else decides (a caller that disabled it)
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(1)
