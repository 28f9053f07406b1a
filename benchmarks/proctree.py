"""Run a command and measure its wall time and the peak memory of its whole process tree.

The tree (the process and every descendant, found through the parent ids in /proc/*/stat)
is sampled every ~50 ms; at each sample the RSS of its members is summed (VmRSS), and so is
their PSS (/proc/PID/smaps_rollup) where the kernel offers it. Summed RSS counts pages that
forked workers share with their parent once per process, so it overstates; summed PSS divides
shared pages between the processes that map them. A peak between two samples can be missed.
Linux only.
"""
from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass

INTERVAL = 0.05


@dataclass(frozen=True)
class Run:
    returncode: int
    seconds: float
    peak_rss_mb: float
    peak_pss_mb: float | None
    peak_processes: int
    samples: int


def _parents() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # the command name (field 2) may hold spaces and parentheses: split after the last ')'
        fields = stat[stat.rfind(b")") + 2:].split()
        children.setdefault(int(fields[1]), []).append(int(name))
    return children


def tree(root: int) -> list[int]:
    children = _parents()
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def _field_kb(path: str, key: bytes) -> int | None:
    try:
        with open(path, "rb") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def run(command: list[str], stdout=None, stderr=None, timeout: float | None = None, env=None, cwd=None,
        sample_memory: bool = True) -> Run:
    """Run `command` to the end (killing it after `timeout` seconds) while sampling its tree.

    Sampling is not free: every 50 ms it lists /proc and reads each process's smaps_rollup,
    which takes the memory lock of a busy process. On 2 cores that slowed a 6 s run of the
    tool to 10 s; time with `sample_memory=False` and measure memory in a run of its own."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=env, cwd=cwd)
    peak = {"rss": 0, "pss": 0, "pss_seen": False, "n": 0, "samples": 0}
    done = threading.Event()

    def sample():
        while not done.is_set():
            rss = pss = 0
            pids = tree(proc.pid)
            for pid in pids:
                rss += _field_kb(f"/proc/{pid}/status", b"VmRSS:") or 0
                p = _field_kb(f"/proc/{pid}/smaps_rollup", b"Pss:")
                if p is not None:
                    pss += p
                    peak["pss_seen"] = True
            peak["rss"] = max(peak["rss"], rss)
            peak["pss"] = max(peak["pss"], pss)
            peak["n"] = max(peak["n"], len(pids))
            peak["samples"] += 1
            done.wait(INTERVAL)

    sampler = threading.Thread(target=sample, daemon=True)
    if sample_memory:
        sampler.start()
    try:
        returncode = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        for pid in reversed(tree(proc.pid)):   # only the tree we started
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        returncode = proc.wait()
    seconds = time.perf_counter() - t0
    done.set()
    if sample_memory:
        sampler.join()
    return Run(returncode, seconds, peak["rss"] / 1024, peak["pss"] / 1024 if peak["pss_seen"] else None,
               peak["n"], peak["samples"])
