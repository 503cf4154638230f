"""Forked helpers: a task computed aside in another process, with a fallback in place."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from newsgen.engine.workers import Aside, all_parts, worth_forking


def test_an_aside_task_runs_in_another_process_and_returns_its_value() -> None:
    parent = os.getpid()
    with Aside(lambda: (os.getpid(), {"keys": ["a" * 32] * 5_000})) as aside:
        pid, value = aside.result()
    assert pid != parent
    assert value == {"keys": ["a" * 32] * 5_000}, "more than a pipe holds comes back whole"


def test_a_failed_aside_task_runs_again_here() -> None:
    """A child that dies (here: raises) costs time, never a result: the task runs again in
    this process, where its exception is the caller's to see."""
    parent = os.getpid()

    def task() -> int:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return 42

    with Aside(task) as aside:
        assert aside.result() == 42
    with Aside(lambda: 1 // 0) as failing, pytest.raises(ZeroDivisionError):
        failing.result()


def test_an_aside_no_longer_wanted_is_stopped() -> None:
    started = time.perf_counter()
    with Aside(lambda: time.sleep(30)) as aside:
        pid = aside._pid
        assert pid
    assert time.perf_counter() - started < 10
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: no zombie left behind


def test_disabled_or_single_worker_runs_in_place() -> None:
    parent = os.getpid()
    with Aside(os.getpid, enabled=False) as aside:
        assert aside.result() == parent
    assert not worth_forking(10_000, workers=1)
    assert not worth_forking(10, workers=2)
    assert worth_forking(10_000, workers=2)
    assert not worth_forking(50_000, workers=2, most=30_000)


def test_a_check_in_parts_holds_only_when_every_part_holds() -> None:
    """The slices after the first are checked in forked children; every slice is seen,
    and a false slice anywhere makes the answer false."""
    parent = os.getpid()
    seen: list[tuple[int, int]] = []

    def check(start: int, stop: int) -> bool:
        if os.getpid() == parent:
            seen.append((start, stop))
        return not (start <= 2_999 < stop)

    assert all_parts(lambda start, stop: True, 10_000, 4)
    assert not all_parts(check, 10_000, 4), "the slice holding 2,999 is a child's"
    assert seen[0] == (0, 2_500)
    assert all_parts(check, 2_000, 4), "2,999 is outside"


def test_a_part_whose_child_dies_is_checked_here() -> None:
    parent = os.getpid()
    checked: list[tuple[int, int]] = []

    def check(start: int, stop: int) -> bool:
        if os.getpid() != parent:
            os._exit(9)  # killed, not an answer
        checked.append((start, stop))
        return True

    assert all_parts(check, 1_000, 2)
    assert checked == [(0, 500), (500, 1_000)]
    assert all_parts(check, 10, 2), "too few to share: checked here whole"


def test_a_check_in_parts_interrupted_here_leaves_no_child_behind() -> None:
    parent = os.getpid()

    def check(start: int, stop: int) -> bool:
        if os.getpid() == parent:
            raise KeyboardInterrupt
        time.sleep(30)
        return True

    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        all_parts(check, 1_000, 3)
    assert time.perf_counter() - started < 10, "the children were stopped, not waited for"
    assert _forked_children() == [], "every child reaped"


def _forked_children() -> list[int]:
    """This process's children that are copies of it (forked; Linux's /proc), running or
    not yet reaped; other tests' servers run other programs."""
    own = Path("/proc/self/cmdline").read_bytes()
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "cmdline").read_bytes() in (own, b"") and \
                    int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == \
                    os.getpid():
                found.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return found
