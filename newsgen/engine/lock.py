"""Guarding the output folder: where it may be, and one build at a time.

Writing it (staging, journal, write-only-changed) is ``writer.py``'s job.
"""

from __future__ import annotations

import contextlib
import fcntl
import time
from collections.abc import Iterator
from pathlib import Path

from newsgen.engine.writer import MARKER_DIR
from newsgen.errors import BuildFailed, Problem, SourceLocation


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
        return f"{out} exists and is not a folder"
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER_DIR).is_dir():
        return (f"{out} is not empty and was not written by newsgen; refusing to replace it "
                "(empty it or choose another output folder)")
    return None


@contextlib.contextmanager
def build_lock(out_dir: Path, wait_seconds: float = 120.0) -> Iterator[None]:
    """One build per output folder at a time: a second one waits, then gives up clearly."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    lock_path = out_dir.parent / f".{out_dir.name}.lock"
    handle = open(lock_path, "a+b")
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise BuildFailed([Problem(SourceLocation(str(out_dir)),
                                               "another newsgen build holds this output "
                                               "folder; try again when it has finished",
                                               "error", "locked")]) from None
                time.sleep(0.05)
        yield
    finally:
        handle.close()
