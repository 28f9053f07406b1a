"""Records checked by a pool of processes, results handed back in input order.

Workers receive sources (names and bytes, never parsed data), each keeps its own Judge (packs
analysed once per worker) and returns one small Outcome per record. At most `window` records
are in flight (in chunks of CHUNK, judged together by the columnar backend): stdin is read only as fast as records are checked, and a slow record holds back
only that many finished ones behind it.
"""
from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

from .batch_job import Judge, Options, Outcome
from .collector import tune_gc
from .inputs import Source

# The judge of this worker process, set once by the pool's initializer: the per-process cache
# of analysed packs, which must outlive a single task.
_worker_judge: Judge | None = None


CHUNK = 16   # records judged together by the columnar backend


def outcomes(sources: Iterable[Source], options: Options, jobs: int) -> Iterator[Outcome]:
    if jobs <= 1:
        judge = Judge(options)
        for chunk in _chunks(sources):
            yield from judge.many(chunk)
        return
    window = jobs * 2
    pool = ProcessPoolExecutor(jobs, mp_context=_context(), initializer=_start, initargs=(options,))
    try:
        pending: deque = deque()
        for chunk in _chunks(sources):
            pending.append(pool.submit(_judge_many, chunk))
            if len(pending) >= window:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _chunks(sources: Iterable[Source]) -> Iterator[list[Source]]:
    chunk: list = []
    for source in sources:
        chunk.append(source)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _context():
    # forkserver: workers start from a clean process, never a fork of one that holds threads
    # (the progress bar's) or locks; spawn where forkserver does not exist.
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["compliance.batch_job", "compliance.engine", "compliance.report.json_report"])
        return context
    return multiprocessing.get_context("spawn")


def _start(options: Options) -> None:
    global _worker_judge
    tune_gc()
    _worker_judge = Judge(options)


def _judge_many(sources: list[Source]) -> list[Outcome]:
    return _worker_judge.many(sources)
