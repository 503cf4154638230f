"""What a build reads, fingerprinted before anything is loaded: the keys that tell the
next build that nothing changed, or only the headlines (builder.py, ticker_build.py)."""

from __future__ import annotations

import json
import os
import pickle
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from newsgen import __version__
from newsgen.build.cache import CACHE_DIR, FORMAT, RACY_NS
from newsgen.content.config import CONFIG_FILE, SiteConfig, static_roots
from newsgen.content.sources import file_content_digest
from newsgen.engine.digests import digest
from newsgen.engine.paths import replace_file
from newsgen.engine.stamps import Stamp, file_stamps
from newsgen.engine.writer import MANIFEST
from newsgen.render.templating import templates_digest

STATIC_MEMO = "static.json"
DIGESTS_MEMO = "digests.pickle"
DIGEST_KEYS = "digests.keys"
DIGEST_MAX = 1_000_000  # bytes: larger content and static files are known by size and mtime


def input_keys(config: SiteConfig, flags: tuple[bool, bool, bool], now: datetime
               ) -> tuple[str | None, str | None]:
    """Fingerprints of everything a build reads (and of the cache's format: a newsgen with
    another format must not take the last build as its own): without the headline files, and
    with them. Either is None when a file it covers was written so recently that its mtime
    cannot be trusted. The clock enters only as the local dates (front pages show them);
    crossing a scheduled change is checked separately. ``flags``: the build's drafts,
    future and strict options. Files enter by their bytes (:class:`_Digests`), so a fresh
    checkout of an unchanged site is the no-change build, and one with a new headline the
    headline-only build, as they are on the machine that built last."""
    root = os.path.join(config.site_dir, "content")
    rest, headlines = file_stamps(root, "headlines", time.time_ns() - RACY_NS)
    if rest is None:
        return None, None
    rest_files, headline_files = _Digests(config.site_dir / CACHE_DIR, root).fingerprints(
        [rest, headlines or []])
    today = local_dates(config, now)
    rest_key = digest(__version__, FORMAT, (config.site_dir / CONFIG_FILE).read_bytes(),
                      templates_digest(config), static_content_signature(config, True), today,
                      str(flags), rest_files)
    return rest_key, (digest(rest_key, headline_files) if headlines is not None else None)


def local_dates(config: SiteConfig, now: datetime) -> str:
    """Today in each edition's time zone: a French edition in Paris turns the day an hour
    before a Lisbon site does, and its front page shows the date."""
    zones = {config.timezone, *(e.timezone for e in config.editions if e.timezone)}
    return " ".join(sorted(f"{zone}={now.astimezone(zone).date().isoformat()}"
                           for zone in zones))


class _Digests:
    """Content files fingerprinted by their bytes. A deploy pipeline checks the site out
    afresh each run, so every file has a new mtime: with files known by their mtimes, no
    build there could be the no-change or the headline-only one (22 s instead of 2 for a
    headline at 100,000 articles).

    ``digests.pickle`` keeps each file's digest by its path, size and mtime, so only files
    whose stamp changed are read. It is read only when the stamps differ from the last
    build's: ``digests.keys`` maps the digest of the last stamps (the files' paths, sizes
    and mtimes) to their fingerprint, so the no-change build on the machine that built last
    costs what it did (reading the per-file memo was 0.3 s and 75 MB at 100,000 articles).
    A file over ``DIGEST_MAX`` (a page bundle's photo) is known by its mtime still, as in
    :func:`static_content_signature`."""

    def __init__(self, folder: Path, root: str) -> None:
        self.folder = folder
        self.root = root

    def fingerprints(self, groups: list[list[Stamp]]) -> list[str]:
        """The fingerprint of each group of files (the headlines apart from the rest).
        All are worked out from the per-file memo when any group's stamps changed, so that
        the memo saved covers every file."""
        stamped = [digest(*group) for group in groups]
        known = _load(self.folder / DIGEST_KEYS)
        if isinstance(known, dict) and all(type(known.get(key)) is str for key in stamped):
            return [known[key] for key in stamped]
        loaded = _load(self.folder / DIGESTS_MEMO)
        old: dict[str, Any] = loaded if isinstance(loaded, dict) else {}
        new: dict[str, tuple[int, int, str]] = {}
        found = [digest(*self._identities(group, old, new)) for group in groups]
        if new != old:
            _replace(self.folder / DIGESTS_MEMO, pickle.dumps(new, pickle.HIGHEST_PROTOCOL))
        _replace(self.folder / DIGEST_KEYS, pickle.dumps(dict(zip(stamped, found, strict=True)),
                                                         pickle.HIGHEST_PROTOCOL))
        return found

    def _identities(self, stamps: list[Stamp], old: dict[str, Any],
                    new: dict[str, tuple[int, int, str]]) -> list[str]:
        """``path|size|digest`` of each file (``path|size|mtime`` where it has none)."""
        found = []
        for stamp in stamps:
            relative, size_text, mtime_text = stamp.rsplit("|", 2)
            size, mtime = int(size_text), int(mtime_text)
            entry = old.get(relative)
            if type(entry) is tuple and len(entry) == 3 and entry[0] == size and \
                    entry[1] == mtime and type(entry[2]) is str:
                content = entry[2]
            elif size > DIGEST_MAX or (content := file_content_digest(
                    os.path.join(self.root, relative))) is None:
                found.append(stamp)
                continue
            new[relative] = (size, mtime, content)
            found.append(f"{relative}|{size}|{content}")
        return found


def _load(path: Path) -> object:
    """A pickled memo, or None when it is missing or damaged (reading the files again)."""
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    except Exception:  # noqa: BLE001 - a damaged memo costs reading the files again
        return None


def meta_keys(out_dir: Path) -> tuple[str, str]:
    """Cache meta keys of the last build into this output folder (serve and ``-o`` builds
    into other folders must not make this one look up to date)."""
    where = str(out_dir.resolve())
    return f"inputs:{where}", f"summary:{where}"


def large_output(out_dir: Path) -> bool:
    """Whether checking the output is worth a process of its own (from 20,000 files or so,
    by the size of its manifest)."""
    try:
        return (out_dir / MANIFEST).stat().st_size > 2_000_000
    except OSError:
        return False


def cache_scope(config: SiteConfig) -> str:
    """What converted bodies depend on besides their text (BuildCache's ``scope``)."""
    return digest(str(config.unsafe_html), config.url_prefix)


def static_content_signature(config: SiteConfig, keep: bool) -> str:
    """Names and digests of the static files: part of the inputs' fingerprint, and what
    parsed articles depend on (they carry their images' sizes), so the parse cache's scope.
    Signed by bytes, not mtimes: a fresh clone of the site's repository (every deploy
    pipeline's checkout) gives every file a new mtime, which threw the whole parse cache
    away, and a fresh install of newsgen gives the theme's files new ones. A file's digest
    is remembered by its size and mtime in ``.newsgen-cache/static.json`` (``keep``: saved
    there), so a build reads only the static files that changed since the last. A file
    over ``DIGEST_MAX`` (a camera photo) is signed by its size and mtime, as in content/:
    a checkout would otherwise read every photo of the archive (5 GB of them: 13 s at the
    380 MB/s SHA-256 measured on the benchmark machine), and the photo stage reads them
    again."""
    memo_path = config.site_dir / CACHE_DIR / STATIC_MEMO
    try:
        old = json.loads(memo_path.read_text(encoding="utf-8"))
        if not isinstance(old, dict):
            old = {}
    except (OSError, ValueError):
        old = {}
    new: dict[str, list[object]] = {}
    parts = []
    recent = time.time_ns() - RACY_NS
    for prefix, relative, path in _static_files(config):
        name = f"{prefix}|{relative}"
        try:
            info = os.stat(path)
            entry = old.get(name)
            if info.st_size > DIGEST_MAX:  # a photo: by its stamp, as in content/
                content = f"{info.st_size}|{info.st_mtime_ns}"
            elif isinstance(entry, list) and len(entry) == 3 and isinstance(entry[2], str) \
                    and entry[:2] == [info.st_size, info.st_mtime_ns]:
                content = entry[2]
            else:
                content = file_content_digest(path)
        except OSError:
            continue
        if content is None:
            continue
        if info.st_mtime_ns <= recent and info.st_size <= DIGEST_MAX:
            new[name] = [info.st_size, info.st_mtime_ns, content]
        parts.append(f"{name}|{content}")
    if keep and new != old:
        _replace(memo_path, json.dumps(new, sort_keys=True).encode())
    return digest(*sorted(parts))


def _static_files(config: SiteConfig) -> Iterator[tuple[str, str, str]]:
    """(output prefix, path relative to its folder, path) of every static file."""
    for root, prefix in static_roots(config):
        for current, _dirs, names in os.walk(root):
            for name in names:
                path = os.path.join(current, name)
                yield prefix, os.path.relpath(path, root).replace(os.sep, "/"), path


def _replace(path: Path, data: bytes) -> None:
    """Save a memo (two builds of one site into two folders may save it at once). One that
    cannot be saved costs the next build a read of the files."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, data)
    except OSError:
        pass
