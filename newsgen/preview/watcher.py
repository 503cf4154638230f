"""Beside the pipeline: file changes under a site's sources -> debounced batches of paths.

Polls with ``os.scandir``/``stat`` rather than using an OS notification API (``watchfiles``,
inotify). Polling costs no dependency, sees every way an editor saves (write in place, write a
temp file and rename, ``git checkout``), works on network and container mounts where inotify
is silent, and its cost is bounded: the interval grows with the time one scan takes, so a
large ``content/`` never uses more than about a tenth of one core. A batch is yielded once
the tree has been quiet for ``settle`` seconds, so a burst of saves causes one rebuild.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

# What a file looked like: (mtime_ns, size, inode). Any difference counts as a change.
Stamp = tuple[int, int, int]

_EDITOR_LITTER = ("~", ".swp", ".swx", ".tmp")


def _ignored(name: str) -> bool:
    """Editor backup and lock files, and dot files, which no build reads."""
    return name.startswith((".", "#")) or name.endswith(_EDITOR_LITTER) or name == "4913"


def snapshot(roots: Sequence[Path]) -> dict[str, Stamp]:
    """Every watched file under ``roots`` (files or folders; missing ones are empty)."""
    stamps: dict[str, Stamp] = {}
    pending = []
    for root in roots:
        try:
            info = os.stat(root)
        except OSError:
            continue
        if os.path.isdir(root):
            pending.append(str(root))
        else:
            stamps[str(root)] = (info.st_mtime_ns, info.st_size, info.st_ino)
    while pending:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue  # vanished or unreadable between two scans
        for entry in entries:
            if _ignored(entry.name):
                continue
            try:
                if entry.is_dir():
                    pending.append(entry.path)
                    continue
                info = entry.stat()
            except OSError:
                continue
            stamps[entry.path] = (info.st_mtime_ns, info.st_size, info.st_ino)
    return stamps


def changed(before: dict[str, Stamp], after: dict[str, Stamp]) -> set[str]:
    """Paths added, removed or modified between two snapshots."""
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


class Watcher:
    """Yields one set of changed paths per burst of edits, until ``stop`` is set.

    ``interval`` is the polling period while idle; ``settle`` is how long the tree must stay
    unchanged before a batch is handed out; ``max_wait`` caps that wait so a file rewritten
    continuously (a log, a sync client) still triggers rebuilds.
    """

    def __init__(self, roots: Sequence[Path], interval: float = 0.25, settle: float = 0.15,
                 max_wait: float = 2.0) -> None:
        self.roots = list(roots)
        self.interval = interval
        self.settle = settle
        self.max_wait = max_wait
        self._stamps = snapshot(self.roots)

    def _scan(self) -> tuple[dict[str, Stamp], float]:
        started = time.monotonic()
        stamps = snapshot(self.roots)
        return stamps, time.monotonic() - started

    def batches(self, stop: threading.Event) -> Iterator[frozenset[str]]:
        """Block between bursts; each item lists every path changed in one burst."""
        while not stop.is_set():
            stamps, cost = self._scan()
            pending = changed(self._stamps, stamps)
            self._stamps = stamps
            if pending:
                pending |= self._settle(stop)
                yield frozenset(pending)
                continue
            stop.wait(max(self.interval, cost * 10))

    def _settle(self, stop: threading.Event) -> set[str]:
        """Keep scanning quickly until nothing changed for ``settle`` seconds."""
        extra: set[str] = set()
        quiet_since = started = time.monotonic()
        step = self.settle / 3
        while not stop.is_set():
            stop.wait(step)
            stamps, _cost = self._scan()
            more = changed(self._stamps, stamps)
            self._stamps = stamps
            now = time.monotonic()
            if more:
                extra |= more
                quiet_since = now
            if now - quiet_since >= self.settle or now - started >= self.max_wait:
                break
        return extra


def site_sources(site_dir: Path, config_name: str = "newsgen.yaml") -> list[Path]:
    """What a site's build reads: ``content/``, ``templates/``, ``static/`` and its config."""
    return [site_dir / "content", site_dir / "templates", site_dir / "static",
            site_dir / config_name]
