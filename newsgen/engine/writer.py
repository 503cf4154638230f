"""Applying a finished build to the output folder: only changed files, through a journal.

Changed files are first written beside the output; nothing in the output is touched until the
whole build has succeeded. Then a journal listing every move and deletion is written with one
atomic rename (the commit point) and applied: each file arrives by one rename, so no reader
ever sees a half-written file, and unchanged files keep their bytes, inode and mtime (rsync and
object-store deploys upload only the delta). A build killed before the commit point leaves the
old output exactly; one killed after it is completed by the next newsgen command
(``recover``) before anything else happens.

When the output folder does not exist yet, a staging tree simply becomes the output with one
rename. Later builds write into the *spare* folder, one file per output path, and swap each
file with the one it replaces (``renameat2(RENAME_EXCHANGE)`` on Linux): the previous version
stays behind as that path's spare, and the next build writes into it. A new headline changes
every page of the site; creating 14,000 files and freeing as many cost more than all of the
page work (ext4 scans recently freed inodes on every create, and allocates a file's blocks
when it is renamed over another), while rewriting existing files does not (measured on the
14,431 pages of a 10,000-article site: moves 1.7-1.9 s -> 0.13 s).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsgen.engine import journal as journal_module
from newsgen.engine.digests import file_digest
from newsgen.engine.journal import remove, sibling, staged, write_changes
from newsgen.engine.paths import check_relative
from newsgen.engine.previous import (
    MANIFEST,
    LoadedOutput,
    PreviousOutput,
    TextOutput,
    read_manifest,
    read_mtimes,
    state_entry,
)

MARKER_DIR = ".newsgen"
# The manifest inside the output holds only what the build determines (digest, size), so the
# output stays byte-identical across builds; file mtimes, which let a rebuild trust a file
# without reading it, live beside the output folder.


@dataclass
class WriteStats:
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    changed: list[str] = field(default_factory=list)
    # The deploy delta (files under .newsgen/ left out): what .newsgen/changes lists.
    added: int = 0
    modified: int = 0
    deleted: int = 0


def _write_spare(path: str, data: bytes) -> int:
    """Write ``data`` into the file at ``path`` and return its mtime. The spare there is
    overwritten, then cut to length: emptying it first would free its blocks only to
    allocate them again (1.5 s of the 3 s that writing 14,000 pages took)."""
    handle, size = _open_spare(path)
    try:
        with memoryview(data) as view:
            written = 0
            while written < len(view):
                written += os.write(handle, view[written:])
        if size > len(data):
            os.ftruncate(handle, len(data))
        return os.fstat(handle).st_mtime_ns
    finally:
        os.close(handle)


# Windows has neither O_NOFOLLOW nor O_NONBLOCK (nor FIFOs), and without O_BINARY it would
# write every "\n" as "\r\n".
_WRITE_FLAGS = os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def _open_spare(path: str) -> tuple[int, int]:
    """A handle to write ``path`` from its start, and the size of what it holds: the spare
    there when it is a plain file only newsgen links to (a file also linked elsewhere, by a
    backup made with hard links, is left alone and a new one is created)."""
    flags = _WRITE_FLAGS
    try:
        handle = os.open(path, flags | _NONBLOCK)  # a FIFO put there must not block
    except FileNotFoundError:
        return os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o644), 0
    except OSError:  # a symbolic link, a folder or a FIFO swapped out of the output
        remove(path)
        return os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o644), 0
    info = os.fstat(handle)
    if info.st_nlink == 1 and stat.S_ISREG(info.st_mode):
        return handle, info.st_size
    os.close(handle)
    os.unlink(path)
    return os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o644), 0


_DUMP_CHUNK = 4096


class OutputWriter:
    """Collects a build's files against the previous output; ``commit()`` applies them."""

    def __init__(self, out_dir: Path, few: bool = False) -> None:
        """``few``: this build changes a few files and keeps the rest (:meth:`keep_rest`)."""
        self.out_dir = out_dir
        self._root = os.path.join(out_dir, "")
        self.cold = not out_dir.exists()
        self.staging = sibling(out_dir, "staging" if self.cold else "spare")
        self.old: PreviousOutput = (few and not self.cold and TextOutput.read(out_dir)) or \
            (LoadedOutput if few else PreviousOutput)(read_manifest(out_dir),
                                                      read_mtimes(out_dir))
        self.manifest: dict[str, list[object]] = {}
        self.puts: list[str] = []
        self.new_mtimes: dict[str, int] = {}
        self.stats = WriteStats()
        self._dirs: set[str] = set()
        self.trusted = False  # the old output was found intact as a whole (builder.py)
        # the manifest and mtimes texts when keep_rest kept every other file in them
        self._texts: tuple[str, str] | None = None
        if self.cold:
            for kind in ("staging", "spare"):  # spares of an output that is gone
                shutil.rmtree(sibling(out_dir, kind), ignore_errors=True)
        self.staging.mkdir(parents=True, exist_ok=True)

    def __getstate__(self) -> dict[str, Any]:
        """What a spawned render or feed worker (Windows, macOS) needs: where to stage and
        what the previous output holds. What it stages the parent records (:meth:`record`),
        so the worker's copy starts with nothing recorded."""
        state = dict(self.__dict__)
        state.update(manifest={}, puts=[], new_mtimes={}, stats=WriteStats(), _dirs=set())
        return state

    def old_bytes(self, relative: str, expected_digest: str) -> bytes | None:
        """The previous output's bytes for ``relative`` if they are what newsgen wrote: the
        size and mtime it left are trusted, as in :meth:`is_unchanged`; a file touched since
        is digested."""
        entry = self.old.entry(relative)
        if not entry or entry[0] != expected_digest:
            return None
        try:
            with open(self._root + relative, "rb") as handle:
                data = handle.read()
                info = os.fstat(handle.fileno())
        except OSError:
            return None
        if info.st_size == entry[1] == len(data) and info.st_mtime_ns == entry[2] and \
                stat.S_ISREG(info.st_mode):
            return data
        return data if file_digest(data) == expected_digest else None

    def is_unchanged(self, relative: str, digest: str) -> bool:
        """True when the live file already holds these bytes (checked by size and mtime
        against the manifest, so a file edited by hand is rewritten)."""
        entry = self.old.entry(relative)
        if not entry or entry[0] != digest:
            return False
        if self.trusted:
            return True
        try:
            info = os.lstat(self._root + relative)
        except OSError:
            return False
        if info.st_size != entry[1] or not stat.S_ISREG(info.st_mode):
            return False
        if info.st_mtime_ns == entry[2]:
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
        target = staged(self.staging, check_relative(relative), self.cold)
        parent = os.path.dirname(target)
        if parent not in self._dirs:
            os.makedirs(parent, exist_ok=True)
            self._dirs.add(parent)
        if not self.cold:
            return _write_spare(target, data)
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
            if mtime is None:  # kept by its digest: known from now on
                with contextlib.suppress(OSError):
                    mtime = os.lstat(self._root + relative).st_mtime_ns
            if mtime is not None:
                self.new_mtimes[relative] = mtime
            self.stats.unchanged += 1

    def keep_rest(self) -> None:
        """Keep every file of the previous output not accounted for yet as it is (a
        headline-only build changes a dozen of a large site's 240,000 files): for a ``few``
        writer, whose output is then checked intact, the last call before :meth:`commit`.
        Their entries stay in the previous text, this build's replaced in it; a new file
        (which has its place in the sorted order) has the text parsed instead."""
        old = self.old
        if isinstance(old, TextOutput):
            texts = (old.manifest_text.replaced(self.manifest),
                     old.mtimes_text.replaced(self._state()))
            if texts[0] is not None and texts[1] is not None:
                self._texts = (texts[0], texts[1])
                self.stats.unchanged += len(old) - len(self.manifest)
                return
            old = self.old = old.loaded()  # a new file: its place in the sorted order
        assert isinstance(old, LoadedOutput), "a writer made with few=True"
        accounted = len(self.manifest)
        self.manifest, self.new_mtimes = old.merged(self.manifest, self.new_mtimes)
        self.stats.unchanged += len(self.manifest) - accounted

    def commit(self) -> WriteStats:
        texts = self._texts
        deletes = [] if texts else sorted(path for path in self.old if path not in self.manifest)
        self.stats.removed = len(deletes)
        target = staged(self.staging, MANIFEST, self.cold)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if texts:
            with open(target, "w", encoding="ascii") as handle:
                handle.write(texts[0])
        else:
            _dump_sorted(target, self.manifest)
        changes = self._changes(deletes)
        if self.cold:
            write_changes(self.staging, changes)
            os.rename(self.staging, self.out_dir)
        else:
            journal = {"puts": self.puts + [MANIFEST], "deletes": deletes, "changes": changes}
            pending = sibling(self.out_dir, "journal.tmp")
            pending.write_text(json.dumps(journal))
            os.replace(pending, sibling(self.out_dir, "journal"))  # the commit point
            journal_module.apply_journal(self.out_dir, journal)
        state = sibling(self.out_dir, "state.tmp")
        if texts:
            state.write_text(texts[1], encoding="ascii")
        else:
            _dump_sorted(str(state), self._state())
        os.replace(state, sibling(self.out_dir, "state"))
        self._release()
        return self.stats

    def _release(self) -> None:
        """Let go of the previous output's entries and of this build's manifest once both
        are on disk: a build goes on to save its cache, its peak, and at 100,000 articles
        these were 75 MB of it (tracemalloc)."""
        self.old = PreviousOutput({}, {})
        self.manifest, self.new_mtimes, self.puts, self._texts = {}, {}, [], None

    def _state(self) -> dict[str, list[object]]:
        """What the state beside the output records of each file: its size and mtime."""
        manifest = self.manifest
        return {relative: state_entry(manifest[relative][1], mtime)
                for relative, mtime in self.new_mtimes.items()}

    def _changes(self, deletes: list[str]) -> str:
        """The text of ``.newsgen/changes``: ``A``, ``M`` or ``D``, a tab and the path, one
        file a line in path order; newsgen's own ``.newsgen/`` files are not listed."""
        own = MARKER_DIR + "/"
        lines = [("M\t" if relative in self.old else "A\t") + relative
                 for relative in self.puts if not relative.startswith(own)]
        lines += ["D\t" + relative for relative in deletes if not relative.startswith(own)]
        lines.sort(key=lambda line: line[2:])
        kinds = [line[0] for line in lines]
        self.stats.added, self.stats.modified = kinds.count("A"), kinds.count("M")
        self.stats.deleted = kinds.count("D")
        return "".join(line + "\n" for line in lines)

    def discard(self) -> None:
        """Forget a failed build: a staging tree is removed; spares stay, the files written
        into them are overwritten before they are ever used."""
        if self.cold:
            shutil.rmtree(self.staging, ignore_errors=True)


def _dump_sorted(target: str, mapping: dict[str, list[object]] | dict[str, int]) -> None:
    """``json.dumps(mapping, separators=(",", ":"), sort_keys=True)`` into ``target``, byte
    for byte, a few thousand entries at a time: at 140,000 files the whole text and the
    pieces ``json`` joins it from were 70 MB at once, at the end of the build."""
    keys = sorted(mapping)
    if keys == list(mapping):  # kept in order (a headline-only build): at once, in C
        with open(target, "wb") as handle:
            handle.write(json.dumps(mapping, separators=(",", ":")).encode())
        return
    with open(target, "wb") as handle:
        handle.write(b"{")
        for start in range(0, len(keys), _DUMP_CHUNK):
            chunk = {key: mapping[key] for key in keys[start:start + _DUMP_CHUNK]}
            text = json.dumps(chunk, separators=(",", ":"))[1:-1]
            handle.write((text if start == 0 else "," + text).encode())
        handle.write(b"}")
