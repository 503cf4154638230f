"""Applying a finished build to the output folder: only changed files, through a journal.

Changed files are first written to a staging folder beside the output; nothing in the output
is touched until the whole build has succeeded. Then a journal listing every move and
deletion is written with one atomic rename (the commit point) and applied: each file arrives
by ``os.replace``, so no reader ever sees a half-written file, and unchanged files keep their
bytes, inode and mtime (rsync and object-store deploys upload only the delta). A build killed
before the commit point leaves the old output exactly; one killed after it is completed by the
next newsgen command (``recover``) before anything else happens. When the output folder does
not exist yet, the staging folder simply becomes the output with one rename.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import struct
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from newsgen.urls import check_relative

MARKER_DIR = ".newsgen"
MOVE_THREADS = 4
MANIFEST = ".newsgen/manifest.json"
# The manifest inside the output holds only what the build determines (digest, size), so the
# output stays byte-identical across builds; file mtimes, which let a rebuild trust a file
# without reading it, live beside the output folder.


def file_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass
class WriteStats:
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    changed: list[str] = field(default_factory=list)


def _sibling(out_dir: Path, kind: str) -> Path:
    return out_dir.parent / f".{out_dir.name}.{kind}"


_DUMP_CHUNK = 4096
_SIZES = struct.Struct("<qq")  # size, mtime (-1: unknown, never equal to a file's)


class PreviousOutput:
    """The last build's manifest and file mtimes, one packed ``bytes`` per file.

    Read at the start of every build and looked up once per page, also by forked render
    workers; as JSON-loaded lists and ints, with the paths twice, it was 65 MB at 100,000
    articles, and each lookup touched (so copied, in a worker) three small objects."""

    def __init__(self, manifest: dict[str, list], mtimes: dict[str, int]) -> None:
        self._packed: dict[str, bytes] = {}
        for relative in list(manifest):
            digest, size = manifest.pop(relative)
            self._packed[relative] = _SIZES.pack(_count(size), _count(mtimes.get(relative))) \
                + (digest.encode("utf-8", "surrogatepass") if isinstance(digest, str) else b"")

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __contains__(self, relative: object) -> bool:
        return relative in self._packed

    def get(self, relative: str) -> tuple[str, int] | None:
        """(digest, size) of the last build's file, or None."""
        packed = self._packed.get(relative)
        if packed is None:
            return None
        return packed[_SIZES.size:].decode("utf-8", "surrogatepass"), _SIZES.unpack_from(packed)[0]

    def mtime(self, relative: str) -> int | None:
        """The mtime (ns) the last build left the file with, or None."""
        packed = self._packed.get(relative)
        if packed is None:
            return None
        mtime = _SIZES.unpack_from(packed)[1]
        return None if mtime < 0 else mtime


def _count(value: object) -> int:
    """A size or mtime from the JSON files as stored, or -1 if it is not one."""
    return value if type(value) is int and 0 <= value < 2**63 else -1


class OutputWriter:
    """Collects a build's files against the previous output; ``commit()`` applies them."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.staging = _sibling(out_dir, "staging")
        self.old = PreviousOutput(read_manifest(out_dir), _read_mtimes(out_dir))
        self.cold = not out_dir.exists()
        self.manifest: dict[str, list[object]] = {}
        self.puts: list[str] = []
        self.new_mtimes: dict[str, int] = {}
        self.stats = WriteStats()
        self._dirs: set[str] = set()
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir(parents=True)

    def old_bytes(self, relative: str, expected_digest: str) -> bytes | None:
        """The previous output's bytes for ``relative`` if they are what newsgen wrote."""
        entry = self.old.get(relative)
        if not entry or entry[0] != expected_digest:
            return None
        try:
            data = self.out_dir.joinpath(*relative.split("/")).read_bytes()
        except OSError:
            return None
        return data if file_digest(data) == expected_digest else None

    def is_unchanged(self, relative: str, digest: str) -> bool:
        """True when the live file already holds these bytes (checked by size and mtime
        against the manifest, so a file edited by hand is rewritten)."""
        entry = self.old.get(relative)
        if not entry or entry[0] != digest:
            return False
        try:
            info = os.lstat(os.path.join(self.out_dir, relative))
        except OSError:
            return False
        if info.st_size != entry[1] or not stat.S_ISREG(info.st_mode):
            return False
        if info.st_mtime_ns == self.old.mtime(relative):
            return True
        return self.old_bytes(relative, digest) is not None

    def put(self, relative: str, data: bytes, digest: str | None = None) -> None:
        """Stage ``data`` for ``relative``; if the live file already holds these bytes (the
        caller may then pass empty ``data`` with the digest), it is kept untouched."""
        digest = digest or file_digest(data)
        self.record(relative, digest, len(data), self.stage(relative, data, digest))

    def stage(self, relative: str, data: bytes, digest: str) -> int | None:
        """Write ``data`` to the staging folder unless the live file already holds it.

        Touches only the file system, so forked render workers call it for their own pages;
        the parent then calls :meth:`record`. Returns the staged file's mtime (which the
        rename into the output keeps), or None when nothing was staged."""
        if not self.cold and self.is_unchanged(relative, digest):
            return None
        target = _staged(self.staging, check_relative(relative), self.cold)
        parent = os.path.dirname(target)
        if parent not in self._dirs:
            os.makedirs(parent, exist_ok=True)
            self._dirs.add(parent)
        with open(target, "wb") as handle:
            handle.write(data)
            handle.flush()
            return os.fstat(handle.fileno()).st_mtime_ns

    def record(self, relative: str, digest: str, size: int, staged: int | None) -> None:
        """Account for one output file; ``staged`` is :meth:`stage`'s result."""
        if staged is not None:
            self.manifest[relative] = [digest, size]
            self.new_mtimes[relative] = staged
            self.puts.append(relative)
            self.stats.written += 1
            self.stats.changed.append(relative)
        else:
            old = self.old.get(relative)
            assert old is not None, "only a file of the last build is kept"
            self.manifest[relative] = [digest, old[1]]
            mtime = self.old.mtime(relative)
            if mtime is not None:
                self.new_mtimes[relative] = mtime
            self.stats.unchanged += 1

    def commit(self) -> WriteStats:
        deletes = sorted(path for path in self.old if path not in self.manifest)
        self.stats.removed = len(deletes)
        target = _staged(self.staging, MANIFEST, self.cold)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        _dump_sorted(target, self.manifest)
        if self.cold:
            os.rename(self.staging, self.out_dir)
        else:
            journal = {"puts": self.puts + [MANIFEST], "deletes": deletes}
            pending = _sibling(self.out_dir, "journal.tmp")
            pending.write_text(json.dumps(journal))
            os.replace(pending, _sibling(self.out_dir, "journal"))  # the commit point
            _apply(self.out_dir, journal)
        state = _sibling(self.out_dir, "state.tmp")
        _dump_sorted(str(state), self.new_mtimes)
        os.replace(state, _sibling(self.out_dir, "state"))
        return self.stats

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def _dump_sorted(target: str, mapping: dict[str, list[object]] | dict[str, int]) -> None:
    """``json.dumps(mapping, separators=(",", ":"), sort_keys=True)`` into ``target``, byte
    for byte, a few thousand entries at a time: at 140,000 files the whole text and the
    pieces ``json`` joins it from were 70 MB at once, at the end of the build."""
    keys = sorted(mapping)
    with open(target, "wb") as handle:
        handle.write(b"{")
        for start in range(0, len(keys), _DUMP_CHUNK):
            chunk = {key: mapping[key] for key in keys[start:start + _DUMP_CHUNK]}
            text = json.dumps(chunk, separators=(",", ":"))[1:-1]
            handle.write((text if start == 0 else "," + text).encode())
        handle.write(b"}")


def read_manifest(out_dir: Path) -> dict[str, list]:
    try:
        data = json.loads((out_dir / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items()
            if isinstance(k, str) and isinstance(v, list) and len(v) == 2}


def output_intact(out_dir: Path) -> bool:
    """Every file of the last build is there, with the size and mtime newsgen left it."""
    manifest, mtimes = read_manifest(out_dir), _read_mtimes(out_dir)
    if not manifest:
        return False
    for relative, (_digest, size) in manifest.items():
        try:
            info = out_dir.joinpath(*relative.split("/")).lstat()
        except OSError:
            return False
        if info.st_size != size or info.st_mtime_ns != mtimes.get(relative):
            return False
    return True


def _read_mtimes(out_dir: Path) -> dict[str, int]:
    try:
        data = json.loads(_sibling(out_dir, "state").read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _staged(staging: Path, relative: str, cold: bool) -> str:
    """Where a file waits: in its place in a tree that will become the output (cold build),
    or under a flat name derived from its path, so that staging needs no folders and
    leaves none to remove."""
    if cold:
        return os.path.join(staging, *relative.split("/"))
    return os.path.join(staging, hashlib.blake2b(relative.encode(), digest_size=16).hexdigest())


def _apply(out_dir: Path, journal: dict[str, list[str]]) -> None:
    """Carry out a committed journal; safe to run again after a crash (idempotent)."""
    staging = _sibling(out_dir, "staging")
    *files, last = journal["puts"] or [""]
    if len(files) < MOVE_THREADS * 64:
        _move(out_dir, staging, files)
    else:
        # A rename is a system call that lets go of the GIL and spends about half of its
        # time waiting for the disk: a new headline moves every page of the site, and a
        # few at a time take half as long (measured). The manifest still moves last.
        shares = [files[k::MOVE_THREADS] for k in range(MOVE_THREADS)]
        with ThreadPoolExecutor(MOVE_THREADS) as pool:
            list(pool.map(lambda share: _move(out_dir, staging, share), shares))
    _move(out_dir, staging, [last] if last else [])
    for relative in journal["deletes"]:
        target = out_dir.joinpath(*relative.split("/"))
        try:
            target.unlink()
        except FileNotFoundError:
            pass
        except IsADirectoryError:
            shutil.rmtree(target, ignore_errors=True)
        _prune(target.parent, out_dir)
    _sibling(out_dir, "journal").unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)


def _move(out_dir: Path, staging: Path, puts: list[str]) -> None:
    """Move staged files into the output (those already moved before a crash are gone from
    staging and skipped)."""
    made: set[str] = set()
    for relative in puts:
        source = _staged(staging, relative, cold=False)
        target = os.path.join(out_dir, *relative.split("/"))
        if not os.path.exists(source):
            continue  # moved before a crash
        parent = os.path.dirname(target)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        if os.path.isdir(target) and not os.path.islink(target):
            shutil.rmtree(target)
        os.replace(source, target)


def _prune(folder: Path, root: Path) -> None:
    """Remove folders a deletion left empty, up to (not including) the output root."""
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def recover(out_dir: Path) -> None:
    """Finish a committed journal, or drop an uncommitted staging folder."""
    journal_path = _sibling(out_dir, "journal")
    try:
        journal = json.loads(journal_path.read_text())
    except (OSError, ValueError):
        journal = None
    if isinstance(journal, dict) and out_dir.is_dir():
        _apply(out_dir, journal)
    else:
        journal_path.unlink(missing_ok=True)
    _sibling(out_dir, "journal.tmp").unlink(missing_ok=True)
    shutil.rmtree(_sibling(out_dir, "staging"), ignore_errors=True)
    for leftover in out_dir.parent.glob(f".{out_dir.name}.staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)  # from earlier newsgen versions
