"""Measurement child: run one build command, report its wall time and peak memory as JSON.

run.py starts a fresh copy of this script for every measurement, so that
``getrusage(RUSAGE_CHILDREN)`` covers exactly one build (its peak RSS and its CPU seconds,
user + system, of the build and the descendants it waited for). With psutil (installed in the
harness venv) it also samples the whole process tree every 250 ms and sums the proportional
set size (PSS) of every process, so a build that forks workers is charged for all of them
without counting pages they share twice. The peak reported is the larger of the two.

Sampling is not free: for PSS the kernel walks every page of every process, 23-28 ms for
the four processes of a newsgen build at 10,000 articles (measured). Every 50 ms, as this
script first did, that took 5 CPU-seconds during one such build: on two cores, time taken
from tools that use both (Hugo, newsgen) and not from Pelican, which leaves one idle. A
build's memory grows over seconds, so a quarter of a second still finds its peak.

    python measure.py TIMEOUT_SECONDS CWD -- COMMAND...
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import threading
import time

SAMPLE_SECONDS = 0.25

try:
    import psutil
except ImportError:  # the harness venv failed: fall back to ru_maxrss alone
    psutil = None


def tree_bytes(pid: int) -> int:
    """PSS (or RSS where PSS cannot be read) summed over ``pid`` and its descendants."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for proc in procs:
        try:
            try:
                total += proc.memory_full_info().pss
            except (psutil.AccessDenied, AttributeError):
                total += proc.memory_info().rss
        except psutil.Error:
            pass
    return total


def run(timeout: float, cwd: str, cmd: list[str]) -> dict[str, object]:
    peak = [0]
    done = threading.Event()
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        if psutil is not None:
            def sample() -> None:
                while not done.wait(SAMPLE_SECONDS):
                    peak[0] = max(peak[0], tree_bytes(proc.pid))
            threading.Thread(target=sample, daemon=True).start()
        try:
            rc: int | str = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            kill_tree(proc)
            rc = "timeout"
        seconds = time.perf_counter() - start
        done.set()
        err.seek(0)
        tail = err.read()[-4000:].decode("utf-8", "replace")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    maxrss = usage.ru_maxrss * 1024
    # user + system CPU of the build and every descendant it reaped (newsgen's forked
    # workers, Pagefind; Hugo's threads are its own): less load-dependent than wall time.
    # System time apart: creating files where many were just deleted costs the kernel
    # more each time (RESULTS.md, 2026-12-07 02:40 notes), whatever the tool.
    return {"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "sys_seconds": usage.ru_stime, "peak_mb": max(peak[0], maxrss) / 2**20, "rc": rc,
            "stderr": tail}


def kill_tree(proc: subprocess.Popen[bytes]) -> None:
    """Stop the build and whatever it started (only our own child's tree)."""
    if psutil is not None:
        try:
            for child in psutil.Process(proc.pid).children(recursive=True):
                child.kill()
        except psutil.Error:
            pass
    proc.kill()
    proc.wait()


def main(argv: list[str]) -> int:
    timeout, cwd, sep, *cmd = argv
    if sep != "--" or not cmd:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(run(float(timeout), cwd, cmd)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
