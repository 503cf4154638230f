"""The journal: how a committed build reaches the output folder, and how a build killed
after its commit point is finished by the next newsgen command.

A journal lists every file to move in (from the spare folder beside the output) and every
file to delete. It is written with one atomic rename, the commit point, then applied; each
file arrives by one rename (an exchange with its previous version where the system has
``renameat2(RENAME_EXCHANGE)``), so no reader ever sees a half-written file.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from newsgen.engine.digests import file_digest

R = TypeVar("R")
MOVE_THREADS = 4
CHANGES = ".newsgen/changes"  # the last build's deploy delta (see write_changes)
RETRY_SECONDS = 2.0  # how long a file open elsewhere may hold up its replacement
# Move an old file aside before the new one goes in (Windows: see _swap_in).
ASIDE_FIRST = sys.platform == "win32"
SWAPPED, NEW, REPLACED, SET_ASIDE = "swapped", "new", "replaced", "set aside"


def sibling(out_dir: Path, kind: str) -> Path:
    return out_dir.parent / f".{out_dir.name}.{kind}"


def _load_renameat2() -> object | None:
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError, TypeError):  # not glibc/Linux: moved by os.replace
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]
    return function


_RENAMEAT2 = _load_renameat2()
_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


class FileLocked(OSError):
    """An output file another program keeps open (Windows), still so after every retry."""

    def __init__(self, target: str) -> None:
        super().__init__(errno.EACCES, "the file is open in another program, which keeps "
                         f"newsgen from replacing it (tried for {RETRY_SECONDS:g} s)", target)
        self.target = target


def _retrying(action: Callable[[str, str], R], source: str, target: str) -> R:
    """``action(source, target)``, tried again with a growing pause while Windows refuses
    it because a file is open elsewhere (a preview server or an editor reading it)."""
    deadline = time.monotonic() + RETRY_SECONDS
    pause = 0.005
    while True:
        try:
            return action(source, target)
        except PermissionError as exc:
            if time.monotonic() + pause > deadline:
                raise FileLocked(exc.filename or target) from exc
            time.sleep(pause)
            pause = min(pause * 2, 0.25)


def _exchange(source: str, target: str) -> bool:
    """Swap two files in one step where the system can (Linux); False where it cannot, or
    when there is nothing at ``target`` to swap with."""
    global _RENAMEAT2
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target),
                  _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        _RENAMEAT2 = None  # a file system without exchange: replace from now on
    elif code != errno.ENOENT:  # nothing to swap with: a new file, or a new folder
        raise OSError(code, os.strerror(code), target)
    return False


def _swap_in(source: str, target: str) -> str:
    """Put ``source`` at ``target``; the file it replaces, if any, is left at ``source`` (a
    spare for the next build) instead of being deleted. Returns how to undo it: SWAPPED
    (swap again), NEW (move it back) or REPLACED (the old file is gone: no undo)."""
    if _retrying(_exchange, source, target):
        return SWAPPED
    if ASIDE_FIRST and os.path.isfile(target):
        # Windows refuses to move a file that is open elsewhere: moving the old file aside
        # is the step that fails, before anything is lost; then the new one goes in.
        _retrying(os.replace, target, source + ".old")
        os.replace(source, target)
        os.replace(source + ".old", source)
        return SWAPPED
    new = not os.path.lexists(target)
    try:
        _retrying(os.replace, source, target)
    except IsADirectoryError:  # a folder of the last build where this file goes
        shutil.rmtree(target)
        os.replace(source, target)
    return NEW if new else REPLACED


def _undo(out_dir: Path, moves: list[tuple[str, str, str]]) -> None:
    """Take back what a journal moved, last first: the previous output returns (and the
    folders made for new files go again)."""
    for how, source, target in reversed(moves):
        with contextlib.suppress(OSError):
            if how == SWAPPED:
                _swap_in(source, target)
            elif how == NEW:
                os.replace(target, source)
                _prune(Path(target).parent, out_dir)
            elif how == SET_ASIDE:
                os.replace(source, target)


def remove(path: str) -> None:
    try:
        os.unlink(path)
    except (FileNotFoundError, NotADirectoryError):
        pass
    except IsADirectoryError:
        shutil.rmtree(path, ignore_errors=True)


def staged(staging: Path, relative: str, cold: bool) -> str:
    """Where a file waits: in its place in a tree that will become the output (cold build),
    or under a flat name derived from its path, so that staging needs no folders and
    leaves none to remove."""
    if cold:
        return os.path.join(staging, *relative.split("/"))
    return os.path.join(staging, hashlib.blake2b(relative.encode(), digest_size=16).hexdigest())


def apply_journal(out_dir: Path, journal: dict[str, Any], resumed: bool = False) -> None:
    """Carry out a committed journal. ``resumed``: after a crash, when some files may have
    been swapped in already; they are recognised by their bytes (see :func:`_done`).

    A file another program keeps open (Windows) is tried again for a while; if it stays
    locked, every move is taken back, the journal is dropped (the build did not happen)
    and FileLocked is raised. A resumed journal is kept instead, for the next command."""
    spare = sibling(out_dir, "spare")
    *files, last = journal["puts"] or [""]
    done = None
    if resumed:
        done = _done(out_dir, spare, last)
        if done is None:  # the manifest moved last: every file is in place, swap none again
            files = []
    moves: list[tuple[str, str, str]] = []
    try:
        if len(files) < MOVE_THREADS * 64:
            _move(out_dir, spare, files, done, moves)
        else:
            # A rename is a system call that lets go of the GIL: a new headline moves every
            # page of the site, and a few at a time are faster (14,431 swaps at 10,000
            # articles: 0.18-0.19 s in 4 threads, 0.21-0.25 s in one). The manifest
            # still moves last.
            shares = [files[k::MOVE_THREADS] for k in range(MOVE_THREADS)]
            with ThreadPoolExecutor(MOVE_THREADS) as pool:
                list(pool.map(lambda share: _move(out_dir, spare, share, done, moves),
                              shares))
        _set_aside(out_dir, spare, journal["deletes"], moves)
    except FileLocked:
        if not resumed:
            _undo(out_dir, moves)
            sibling(out_dir, "journal").unlink(missing_ok=True)
        raise
    if last and os.path.exists(source := staged(spare, last, cold=False)):
        os.replace(source, os.path.join(out_dir, *last.split("/")))  # no spare: see _done
    for relative in journal["deletes"]:
        remove(staged(spare, relative, cold=False))
        _prune(out_dir.joinpath(*relative.split("/")).parent, out_dir)
    if isinstance(journal.get("changes"), str):  # last: only a build that landed lists its
        write_changes(out_dir, journal["changes"])  # delta, a resumed one included
    sibling(out_dir, "journal").unlink(missing_ok=True)


def _set_aside(out_dir: Path, spare: Path, deletes: list[str],
               moves: list[tuple[str, str, str]]) -> None:
    """Move the files the journal deletes out of the output, to their spare places (so
    that a file locked further on can bring them back); they are removed at the end."""
    for relative in deletes:
        target = os.path.join(out_dir, *relative.split("/"))
        if not os.path.lexists(target) or (os.path.isdir(target)
                                           and not os.path.islink(target)):
            continue  # gone, or a folder there now holds new files of this journal
        source = staged(spare, relative, cold=False)
        remove(source)
        _retrying(os.replace, target, source)
        moves.append((SET_ASIDE, source, target))


def _move(out_dir: Path, spare: Path, puts: list[str], done: dict[str, list] | None,
          moves: list[tuple[str, str, str]]) -> None:
    """Swap staged files into the output, noting each move in ``moves``. With ``done`` (a
    resumed journal) a file whose place already holds its new bytes is skipped: swapping
    again would bring back the old."""
    for relative in puts:
        source = staged(spare, relative, cold=False)
        target = os.path.join(out_dir, relative)
        if done is not None:
            if not os.path.exists(source):
                continue  # moved by a plain rename before the crash
            if done.get(relative, [None])[0] == _digest_of(target):
                continue
        try:
            how = _swap_in(source, target)
        except (FileNotFoundError, NotADirectoryError):  # its folder is new: make it
            _make_folder(out_dir, os.path.dirname(relative))
            how = _swap_in(source, target)
        moves.append((how, source, target))


def _done(out_dir: Path, spare: Path, manifest: str) -> dict[str, list] | None:
    """The new manifest while it still waits among the spares, else None: it moves last
    (by a plain rename, leaving no spare), so once it is gone every file is in place."""
    try:
        with open(staged(spare, manifest, cold=False), "rb") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return None


def _make_folder(out_dir: Path, relative: str) -> None:
    """Make the output folder ``relative``; a file of the last build in its way (it is
    among the journal's deletions) goes first."""
    folder = str(out_dir)
    for part in relative.split("/"):
        folder = os.path.join(folder, part)
        if os.path.lexists(folder) and not os.path.isdir(folder):
            os.unlink(folder)
    os.makedirs(os.path.join(out_dir, relative), exist_ok=True)


def _digest_of(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return file_digest(handle.read())
    except OSError:
        return None


def _prune(folder: Path, root: Path) -> None:
    """Remove folders a deletion left empty, up to (not including) the output root."""
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def write_changes(root: Path, text: str) -> None:
    """Replace ``.newsgen/changes`` below ``root``: the files the last build added, changed
    and removed, for a deploy that uploads only those. It is not in the manifest: it is a
    record of the last build, not output made from the content, so a clean and an
    incremental build of the same site differ in it and nowhere else."""
    target = os.path.join(root, *CHANGES.split("/"))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target + ".tmp", "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    os.replace(target + ".tmp", target)


def recover(out_dir: Path) -> None:
    """Finish a committed journal, or drop an uncommitted staging folder."""
    journal_path = sibling(out_dir, "journal")
    try:
        journal = json.loads(journal_path.read_text())
    except (OSError, ValueError):
        journal = None
    if isinstance(journal, dict) and out_dir.is_dir():
        apply_journal(out_dir, journal, resumed=True)
    else:
        journal_path.unlink(missing_ok=True)
    sibling(out_dir, "journal.tmp").unlink(missing_ok=True)
    shutil.rmtree(sibling(out_dir, "staging"), ignore_errors=True)
    for leftover in out_dir.parent.glob(f".{out_dir.name}.staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)  # from earlier newsgen versions
