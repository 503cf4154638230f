"""Writing the output folder so that a reader or a deploy never sees a half-built site.

A build fills a staging folder beside the output and swaps it in with one atomic rename
(``renameat2(RENAME_EXCHANGE)`` on Linux). Files whose bytes did not change are hard-linked
from the previous output, so their mtime survives and rsync-style deploys upload only the
delta. A folder newsgen did not write is never emptied, and two builds never interleave.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from newsgen.errors import BuildFailed, Problem, SourceLocation
from newsgen.urls import safe_join

MARKER_DIR = ".newsgen"
MANIFEST = ".newsgen/manifest.json"
_RENAME_EXCHANGE = 2


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


def file_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass
class WriteStats:
    written: int = 0
    linked: int = 0
    removed: int = 0
    changed: list[str] = field(default_factory=list)


class Staging:
    """A fresh tree beside the output; ``commit()`` swaps it in, ``discard()`` drops it."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.path = out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"
        self.old = _read_manifest(out_dir)
        self.manifest: dict[str, list[object]] = {}
        self.stats = WriteStats()
        self._dirs: set[Path] = set()
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        (self.path / MARKER_DIR).mkdir()

    def write(self, relative: str, data: bytes) -> None:
        """Place ``data`` at ``relative``: a hard link to the old file when bytes are equal."""
        target = safe_join(self.path, relative)
        parent = target.parent
        if parent not in self._dirs:
            parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(parent)
        digest = file_digest(data)
        old = self._unchanged_old(relative, digest, len(data))
        if old is not None:
            os.link(old, target)
            self.stats.linked += 1
        else:
            with open(target, "wb") as handle:
                handle.write(data)
            self.stats.written += 1
            self.stats.changed.append(relative)
        self.manifest[relative] = [digest, len(data)]

    def _unchanged_old(self, relative: str, digest: str, size: int) -> Path | None:
        entry = self.old.get(relative)
        if not entry or entry[0] != digest or entry[1] != size:
            return None
        candidate = self.out_dir.joinpath(*relative.split("/"))
        try:
            info = candidate.lstat()
        except OSError:
            return None
        if not candidate.is_file() or info.st_size != size or info.st_mtime_ns != entry[2]:
            return None  # edited by hand since: do not trust the manifest
        return candidate

    def commit(self, extra: dict[str, bytes] | None = None) -> WriteStats:
        """Record the manifest, then swap the staging tree in with one rename."""
        for relative, data in (extra or {}).items():
            self.write(relative, data)
        entries = {}
        for relative, (digest, size) in sorted(self.manifest.items()):
            info = self.path.joinpath(*relative.split("/")).stat()
            entries[relative] = [digest, size, info.st_mtime_ns]
        self.stats.removed = len(set(self.old) - set(entries))
        manifest = self.path / MANIFEST
        manifest.write_text(json.dumps(entries, separators=(",", ":"), sort_keys=True))
        _swap(self.path, self.out_dir)
        return self.stats

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _read_manifest(out_dir: Path) -> dict[str, list]:
    try:
        data = json.loads((out_dir / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items()
            if isinstance(v, list) and len(v) == 3 and isinstance(k, str)}


def _swap(staging: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    if _exchange(staging, out_dir):
        shutil.rmtree(staging, ignore_errors=True)
        return
    retired = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
    os.rename(out_dir, retired)
    os.rename(staging, out_dir)
    shutil.rmtree(retired, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(b))


def recover(out_dir: Path) -> None:
    """Undo what a killed build left: stale staging trees and a half-done fallback swap."""
    parent = out_dir.parent
    if not parent.is_dir():
        return
    for leftover in sorted(parent.glob(f".{out_dir.name}.old-*")):
        if not out_dir.exists():
            os.rename(leftover, out_dir)
        else:
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in parent.glob(f".{out_dir.name}.staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)


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
