"""Guarding the output folder: where it may be, and one build at a time.

Writing it (staging, journal, write-only-changed) is ``writer.py``'s job.

The lock is a file beside the output folder. Where ``fcntl`` exists (Linux, macOS) the
system holds the lock and drops it when its process ends. Elsewhere (Windows) the lock file
itself is the lock: created with ``O_CREAT | O_EXCL``, removed when the build ends, and taken
over when the process it names is gone, so a build that was killed never wedges the folder.
Either way the file names the holding process, and a waiting build says which one it is.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from newsgen.engine.writer import MARKER_DIR
from newsgen.errors import BuildFailed, Problem, SourceLocation

_POLL = 0.05
_BREAK_STALE_SECONDS = 10.0  # a takeover that has not finished by then was itself killed
_EMPTY_STALE_SECONDS = 2.0  # a lock's creator names itself microseconds after creating it


def output_problem(site_dir: Path, out_dir: Path) -> str | None:
    """Why ``out_dir`` may not be the output folder of ``site_dir``, or None."""
    site, out = site_dir.resolve(), out_dir.resolve()
    if out == site:
        return "the output folder cannot be the site folder itself"
    if out in site.parents:
        return "the output folder cannot contain the site folder"
    for name in ("content", "templates", "static"):
        inner = (site / name).resolve()
        if out == inner or inner in out.parents:
            return f"the output folder cannot lie inside {name}/"
    if out.exists() and not out.is_dir():
        return f"{out.as_posix()} exists and is not a folder"
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER_DIR).is_dir():
        return (f"{out.as_posix()} is not empty and was not written by newsgen; refusing to "
                "replace it (empty it or choose another output folder)")
    return None


def lock_path(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.lock"


def _fcntl() -> ModuleType | None:
    """``fcntl`` where the system has it; imported here, not at module level, so that
    newsgen imports on Windows."""
    try:
        return importlib.import_module("fcntl")
    except ImportError:
        return None


def _owner_text() -> bytes:
    return f"{os.getpid()} {socket.gethostname()}\n".encode()


def _holder(path: Path) -> str:
    """Who holds the lock, as its file says: 'process 123 on host', or a vaguer phrase."""
    try:
        pid, host = path.read_text(encoding="utf-8", errors="replace").split()[:2]
    except (OSError, ValueError):
        return "another newsgen build"
    return f"another newsgen build (process {pid} on {host})"


def _locked(out_dir: Path, path: Path) -> BuildFailed:
    return BuildFailed([Problem(SourceLocation(out_dir.as_posix()),
                                f"{_holder(path)} holds this output folder; try again when "
                                f"it has finished (lock file: {path.as_posix()})",
                                "error", "locked")])


@contextlib.contextmanager
def build_lock(out_dir: Path, wait_seconds: float = 120.0) -> Iterator[None]:
    """One build per output folder at a time: a second one waits, then gives up clearly."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    fcntl = _fcntl()
    locker = _flock if fcntl is not None else _exclusive_file
    with locker(out_dir, lock_path(out_dir), time.monotonic() + wait_seconds):
        yield


@contextlib.contextmanager
def _flock(out_dir: Path, path: Path, deadline: float) -> Iterator[None]:
    fcntl = _fcntl()
    assert fcntl is not None
    handle = open(path, "a+b")  # noqa: SIM115 - held for the whole build
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise _locked(out_dir, path) from None
                time.sleep(_POLL)
        handle.seek(0)
        handle.truncate()
        handle.write(_owner_text())
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()  # released: no owner named (see _break_if_stale)
    finally:
        handle.close()


@contextlib.contextmanager
def _exclusive_file(out_dir: Path, path: Path, deadline: float) -> Iterator[None]:
    """The lock file is the lock: whoever creates it holds it. Its file handle is closed at
    once (Windows cannot delete or replace a file that is open)."""
    while True:
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            if _break_if_stale(path):
                continue
            if time.monotonic() > deadline:
                raise _locked(out_dir, path) from None
            time.sleep(_POLL)
            continue
        try:
            os.write(handle, _owner_text())
        finally:
            os.close(handle)
        break
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()


def _break_if_stale(path: Path) -> bool:
    """Remove a lock file whose process is gone; True if it was removed. Only one build may
    break a lock at a time (a second ``O_EXCL`` file), so two builds that both find the
    same stale lock cannot each remove the other's fresh one."""
    owner = _owner_of(path)
    if owner is None:  # being written this instant, or left empty by a released flock
        if not _older_than(path, _EMPTY_STALE_SECONDS):
            return False
    elif owner[1] != socket.gethostname() or _alive(owner[0]):
        return False  # running, or on another machine (a network folder): wait for it
    breaker = path.with_name(path.name + ".break")
    try:
        os.close(os.open(breaker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    except FileExistsError:
        if _older_than(breaker, _BREAK_STALE_SECONDS):
            with contextlib.suppress(OSError):
                breaker.unlink()
        return False
    try:
        if _owner_of(path) != owner:
            return False  # taken over meanwhile: a live lock now
        path.unlink()
        return True
    except OSError:
        return False
    finally:
        with contextlib.suppress(OSError):
            breaker.unlink()


def _older_than(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime > seconds
    except OSError:
        return False


def _owner_of(path: Path) -> tuple[int, str] | None:
    """(process id, host) written in the lock file, or None while it is being written."""
    try:
        pid, host = path.read_text(encoding="utf-8").split()[:2]
        return int(pid), host
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs on this machine."""
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        return _alive_windows(pid)
    try:
        os.kill(pid, 0)  # signal 0: a check only (never on Windows, where it would kill)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _alive_windows(pid: int) -> bool:  # pragma: no cover - runs on Windows only
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    query_limited_information, still_active = 0x1000, 259
    handle = kernel32.OpenProcess(query_limited_information, False, pid)
    if not handle:
        return ctypes.get_last_error() == 5  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == still_active
    finally:
        kernel32.CloseHandle(handle)
