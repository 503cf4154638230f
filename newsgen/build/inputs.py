"""What a build reads, fingerprinted before anything is loaded: the keys that tell the
next build that nothing changed, or only the headlines (builder.py, ticker_build.py)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from newsgen import __version__
from newsgen.build.cache_meta import CACHE_DIR, FORMAT
from newsgen.build.source_records import RACY_NS
from newsgen.content.config import CONFIG_FILE, SiteConfig, static_roots
from newsgen.content.sources import file_content_digest
from newsgen.content.theme import templates_digest
from newsgen.engine.digests import digest
from newsgen.engine.git_index import clean_blobs
from newsgen.engine.paths import read_memo, write_memo
from newsgen.engine.stamps import Stamp, file_stamps
from newsgen.engine.writer import MANIFEST

STATIC_MEMO = "static.pickle"
DIGESTS_MEMO = "digests.pickle"
DIGEST_KEYS = "digests.keys"
DIGEST_MAX = 1_000_000  # bytes: larger content and static files are known by size and mtime
# Content files unknown to the digest memo from which git's index is asked for their ids
# (engine/git_index.py): a checkout has them all; an editor's few edits are read.
GIT_FROM = 200


@dataclass(frozen=True)
class Request:
    """What a build is asked, with the fingerprints of its inputs: the no-change build
    (builder.py) and the headline-only build (ticker_build.py) compare them with the last
    build's."""

    config: SiteConfig
    out_dir: Path
    now: datetime
    drafts: bool  # the build's options
    future: bool
    strict: bool
    cache_scope: str  # as BuildCache takes it
    rest_key: str  # this build's inputs fingerprint without headline files
    inputs_key: str  # the whole fingerprint ("" when a file was written just now)
    meta_keys: tuple[str, str]  # where the inputs key and the summary are kept
    seen_key: str  # where the ticker items older tickers may show are kept
    blobs: dict[str, str] = field(default_factory=dict)  # InputKeys.blobs


class InputKeys(NamedTuple):
    rest: str | None  # the fingerprint without the headline files
    whole: str | None  # with them
    blobs: dict[str, str]  # git's ids of clean content files, when asked for (_Digests)


def input_keys(config: SiteConfig, flags: tuple[bool, bool, bool], now: datetime
               ) -> InputKeys:
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
        return InputKeys(None, None, {})
    digests = _Digests(config.site_dir / CACHE_DIR, root)
    rest_files, headline_files = digests.fingerprints(
        [("content", rest), ("headlines", headlines or [])])
    today = local_dates(config, now)
    rest_key = digest(__version__, FORMAT, (config.site_dir / CONFIG_FILE).read_bytes(),
                      templates_digest(config), static_content_signature(config, True), today,
                      str(flags), rest_files)
    return InputKeys(rest_key, digest(rest_key, headline_files) if headlines is not None
                     else None, digests.blobs.known or {})


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
    whose stamp changed are read (the headlines' in a memo of their own). It is read only
    when the stamps differ from the last build's: ``digests.keys`` maps the digest of the
    last stamps (the files' paths, sizes and mtimes) to their fingerprint, so the no-change
    build on the machine that built last costs what it did (reading the per-file memo was
    0.3 s and 75 MB at 100,000 articles).
    A file over ``DIGEST_MAX`` (a page bundle's photo) is known by its mtime still
    (:class:`_DigestMemo`)."""

    def __init__(self, folder: Path, root: str) -> None:
        self.folder = folder
        self.root = root
        self.blobs = _Blobs(root)

    def fingerprints(self, groups: list[tuple[str, list[Stamp]]]) -> list[str]:
        """The fingerprint of each named group of files (the headlines apart from the
        rest): the last build's where the group's stamps are the same, else worked out from
        the group's own per-file memo (``digests.pickle``, ``digests-headlines.pickle``). A
        new headline thus reads the headlines' memo alone: the rest's 100,000 files took
        0.6 s of a headline build at 100,000 articles."""
        stamped = [digest(*group) for _name, group in groups]
        loaded = read_memo(self.folder / DIGEST_KEYS)
        known = loaded if isinstance(loaded, dict) else {}
        found = []
        for (name, group), key in zip(groups, stamped, strict=True):
            value = known.get(key)
            if type(value) is not str:
                memo = _DigestMemo(self.folder / (DIGESTS_MEMO if name == "content" else
                                                  f"digests-{name}.pickle"))
                value = digest(*(self._identity(stamp, memo) for stamp in group))
                memo.save()
            found.append(value)
        mapping = dict(zip(stamped, found, strict=True))
        if mapping != known:
            write_memo(self.folder / DIGEST_KEYS, mapping)
        return found

    def _identity(self, stamp: Stamp, memo: _DigestMemo) -> str:
        """``path|size|digest`` of a file (``path|size|mtime`` where it has none)."""
        relative, size, mtime = stamp.rsplit("|", 2)
        known = memo.identity(relative, os.path.join(self.root, relative), int(size),
                              int(mtime), self.blobs)
        return stamp if known is None else f"{relative}|{known}"


class _Blobs:
    """Git's ids of the content files it vouches for (engine/git_index.py), asked for once
    ``GIT_FROM`` files were not in the digest memo (a fresh checkout: every mtime is new);
    an editor's few edits are read rather than have git list the whole archive."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.misses = 0
        self.known: dict[str, str] | None = None

    def get(self, relative: str) -> str | None:
        """The id of a file the memo did not know, or None."""
        self.misses += 1
        if self.known is None:
            if self.misses < GIT_FROM:
                return None
            self.known = clean_blobs(self.root)
        return self.known.get(relative)


class _DigestMemo:
    """Files' digests remembered by path, size and mtime in one pickle of the cache
    (``digests.pickle`` for content files, ``static.pickle`` for static ones), so that a
    build reads only the files whose stamp changed. A file over ``DIGEST_MAX`` (a camera
    photo, in ``static/`` or a page bundle) is known by its size and mtime instead: a
    checkout would otherwise read every photo of the archive (5 GB of them: 13 s at the
    380 MB/s SHA-256 measured on an earlier benchmark machine; the SHA-1 of git's ids,
    which files now take, ran as fast as SHA-256 on a later one), and the photo stage reads
    them again. A memo saved afresh keeps only the files asked for."""

    def __init__(self, path: Path) -> None:
        self.path = path
        loaded = read_memo(path)
        self.old: dict[str, Any] = loaded if isinstance(loaded, dict) else {}
        self.new: dict[str, tuple[int, int, str]] = {}
        self.recent = time.time_ns() - RACY_NS

    def identity(self, name: str, location: str, size: int, mtime: int,
                 blobs: _Blobs | None = None) -> str | None:
        """``size|digest`` of the file, ``size|mtime`` when it is over ``DIGEST_MAX``, or
        None when it cannot be read. ``blobs``: git's ids, taken for a file not in the memo
        instead of reading it (the id ``file_content_digest`` gives files)."""
        if size > DIGEST_MAX:
            return f"{size}|{mtime}"
        entry = self.old.get(name)
        if type(entry) is tuple and len(entry) == 3 and entry[0] == size and \
                entry[1] == mtime and type(entry[2]) is str:
            content = entry[2]
        elif blobs is not None and (blob := blobs.get(name)) is not None:
            content = blob
        elif (content := file_content_digest(location)) is None:
            return None
        if mtime <= self.recent:  # a later edit could leave a recent mtime as it is
            self.new[name] = (size, mtime, content)
        return f"{size}|{content}"

    def save(self) -> None:
        if self.new != self.old:
            write_memo(self.path, self.new)


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
    is remembered by its size and mtime in ``.newsgen-cache/static.pickle`` (``keep``: saved
    there), so a build reads only the static files that changed since the last
    (:class:`_DigestMemo`)."""
    memo = _DigestMemo(config.site_dir / CACHE_DIR / STATIC_MEMO)
    parts = []
    for prefix, relative, path in _static_files(config):
        name = f"{prefix}|{relative}"
        try:
            info = os.stat(path)
        except OSError:
            continue
        known = memo.identity(name, path, info.st_size, info.st_mtime_ns)
        if known is not None:
            parts.append(f"{name}|{known}")
    if keep:
        memo.save()
    return digest(*sorted(parts))


def _static_files(config: SiteConfig) -> Iterator[tuple[str, str, str]]:
    """(output prefix, path relative to its folder, path) of every static file."""
    for root, prefix in static_roots(config):
        for current, _dirs, names in os.walk(root):
            for name in names:
                path = os.path.join(current, name)
                yield prefix, os.path.relpath(path, root).replace(os.sep, "/"), path
