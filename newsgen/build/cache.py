"""What survives between builds (``.newsgen-cache/``), and how it is invalidated.

One SQLite file holds converted Markdown bodies keyed by the hash of their text; clean parses
of content files keyed by path, size and mtime; and, per output file, the fingerprint of the
inputs it was rendered from (with where the shared ticker block sits in it). Everything is
keyed by content, and the whole cache is dropped when newsgen's version, the cache format or
the markup settings change. A cache that SQLite cannot read, or whose rows do not unpickle
into the expected types, is deleted and the build goes on without it; a body row that is
missing or unreadable later is converted again from its file: a cache can cost time, never
correctness. Parsed files and the bodies' metadata, read back whole by every build, are kept
as a base in large chunks plus a row for each one since (see ``source_records.py``).

Bodies are also how a build streams: their HTML is written to the store as soon as it is
converted and read back by whichever process renders a page or feed that shows it, so no
process holds every article's HTML at once (see :class:`BodyStore`).
"""

from __future__ import annotations

import os
import pickle
import shutil
import sqlite3
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsgen import __version__
from newsgen.build.cache_meta import FORMAT, cache_path
from newsgen.build.page_records import (
    PageRecord,
    PageRecords,
    PagesState,
    pack_record,
    read_state,
    unpack_record,
    well_formed,
)
from newsgen.build.source_records import (
    RACY_NS,
    Content,
    SourceRecords,
    read_chunks,
    rewrite_due,
    write_chunks,
)
from newsgen.build.source_records import SCHEMA as SOURCES_SCHEMA
from newsgen.engine.digests import digest
from newsgen.render.markup import BodyMeta, RenderedBody

if TYPE_CHECKING:
    from newsgen.content.models import Article

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bodies (key TEXT PRIMARY KEY, html TEXT NOT NULL,
                                   record BLOB NOT NULL, folded INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS bodies_unfolded ON bodies (key) WHERE folded = 0;
CREATE TABLE IF NOT EXISTS pages (path TEXT PRIMARY KEY, record BLOB NOT NULL);
""" + SOURCES_SCHEMA


class BuildCache:
    """Read at the start of a build and written at its end, only after success; converted
    bodies are the exception (:meth:`add_bodies`): keyed by their text, they are correct
    whatever happens to the build."""

    def __init__(self, site_dir: Path, scope: str, source_scope: str,
                 enabled: bool = True, blobs: dict[str, str] | None = None) -> None:
        """``blobs``: git's ids of content files it vouches for, by their path in
        ``content/`` (``inputs.InputKeys``): a file whose mtime alone changed (a clone's) is
        then known without being read."""
        self.path = cache_path(site_dir)
        self.blobs = blobs or {}
        self.scope = digest(__version__, FORMAT, scope)
        self.source_scope = digest(self.scope, source_scope)
        self.enabled = enabled
        self.metas: dict[str, BodyMeta] = {}
        self._metas_based = self._meta_rows = 0  # metadata in the base, in rows
        self.pages = PageRecords()
        self.pages_state: PagesState | None = None
        self.sources = SourceRecords()
        if enabled:
            self._load()
        self.store = BodyStore(self.path if enabled else None)

    def _load(self) -> None:
        if not self.path.is_file():
            return
        try:
            with sqlite3.connect(self.path) as db:
                row = db.execute("SELECT value FROM meta WHERE key='scope'").fetchone()
                if not row or row[0] != self.scope:
                    raise _Stale
                self._read_metas(db)
                for path, record in db.execute("SELECT path, record FROM pages"):
                    if not isinstance(path, str) or not well_formed(record):
                        raise _Stale
                    self.pages.put_packed(path, record)
                row = db.execute("SELECT value FROM meta WHERE key='pages'").fetchone()
                self.pages_state = read_state(str(row[0])) if row else None
                row = db.execute("SELECT value FROM meta WHERE key='sources'").fetchone()
                if row and row[0] == self.source_scope:
                    self.sources.read(db)
        except (_Stale, sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError,
                ImportError, TypeError, ValueError, IndexError):
            self.metas.clear()
            self._metas_based = self._meta_rows = 0
            self.pages.clear()
            self.pages_state = None
            self.sources.clear()
            self._drop()

    def _read_metas(self, db: sqlite3.Connection) -> None:
        """Body metadata: a base in chunks (as parsed files are, ``source_records``) and
        the rows of bodies converted since (``folded`` 0). Reading 100,000 rows and
        unpickling each was a second of every rebuild at 100,000 articles."""
        self.metas.update(read_chunks(db, "meta_chunks"))
        if any(type(meta) is not BodyMeta for meta in self.metas.values()):
            raise _Stale
        self._metas_based = len(self.metas)
        for (key,) in db.execute("SELECT key FROM meta_gone"):  # their HTML is gone
            self.metas.pop(key, None)
            self._meta_rows += 1
        for key, record in db.execute("SELECT key, record FROM bodies WHERE folded = 0"):
            meta = pickle.loads(record)
            if not isinstance(meta, BodyMeta):
                raise _Stale
            self.metas[key] = meta
            self._meta_rows += 1

    def _drop(self) -> None:
        _drop_files(self.path)

    def get(self, relative: str, size: int, mtime_ns: int, content: Content) -> object:
        """A file parsed by an earlier build (loader.SourceMemo), or None."""
        blob = self.blobs.get(relative.partition("|")[0].removeprefix("content/"))
        return self.sources.get(relative, size, mtime_ns,
                                content if blob is None else lambda: blob)

    def put(self, relative: str, size: int, mtime_ns: int, parsed: object,
            content: str | None) -> None:
        if time.time_ns() - mtime_ns < RACY_NS:
            return  # edited just now: the same mtime may hide another edit (as in git)
        # Pickled when the cache is saved: the parsed objects are mostly shared with the
        # build's own, their pickles would not be (120 MB at 100,000 articles).
        self.sources.put(relative, size, mtime_ns, parsed, content)

    def add_bodies(self, bodies: Iterable[tuple[str, RenderedBody]]) -> None:
        """Keep newly converted bodies: the metadata here, the HTML in the store."""
        bodies = list(bodies)
        for key, body in bodies:
            self.metas[key] = body.meta
        self._meta_rows += len(bodies)
        self.store.put(bodies, self.scope)

    def save(self, used_bodies: Iterable[str], pages: PageRecords,
             meta: dict[str, str] | None = None, pages_state: str = "") -> None:
        """Keep what this build used; rows no build needs any more are dropped.
        ``pages_state``: the pages state as :func:`state_text` wrote it."""
        self.store.close()
        if not self.enabled:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        used = set(used_bodies)
        meta = dict(meta or {})
        meta["pages"] = pages_state
        try:
            self._write(used, pages, meta)
        except sqlite3.Error:
            self._drop()

    def _write(self, used: set[str], pages: PageRecords, meta: dict[str, str]
               ) -> None:
        with sqlite3.connect(self.path, timeout=30) as db:
            _prepare(db, self.scope)
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                           sorted(meta.items()))
            stale = set(self.metas) - used
            db.executemany("DELETE FROM bodies WHERE key=?", ((k,) for k in stale))
            if rewrite_due(self._meta_rows + len(stale), self._metas_based):
                write_chunks(db, "meta_chunks", {key: self.metas[key] for key in used
                                                 if key in self.metas})
                db.execute("UPDATE bodies SET folded = 1 WHERE folded = 0")
                db.execute("DELETE FROM meta_gone")
            else:  # the base keeps their metadata until it is written again
                db.executemany("INSERT OR REPLACE INTO meta_gone VALUES (?)",
                               ((key,) for key in stale))
            row = db.execute("SELECT value FROM meta WHERE key='sources'").fetchone()
            db.execute("INSERT OR REPLACE INTO meta VALUES ('sources', ?)",
                        (self.source_scope,))
            self.sources.save(db, fresh=not row or row[0] != self.source_scope)
            # Only rows that changed: a one-article rebuild of a large site keeps nearly all
            # of its 18,000 records, and rewriting them all was most of saving the cache.
            old = self.pages
            db.executemany("DELETE FROM pages WHERE path=?",
                           ((path,) for path in old if path not in pages))
            db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?)",
                           ((path, record) for path in sorted(pages)
                            if (record := pages.packed(path)) != old.packed(path)))


def _prepare(db: sqlite3.Connection, scope: str) -> None:
    """Create the tables and claim the file for this scope (a stale file was dropped)."""
    db.executescript(_SCHEMA)
    db.execute("INSERT OR REPLACE INTO meta VALUES ('scope', ?)", (scope,))


class BodyStore:
    """Converted article bodies on disk, read back one at a time by whichever process needs
    one: the cache's SQLite file, or a temporary one for a build without cache.

    Each process opens its own connection (a SQLite connection must not cross a fork); the
    parent writes and commits every new body before it forks render workers (or, when the
    file cannot be written, keeps the bodies in memory instead). ``resolve``
    turns internal-link tokens into this build's URLs, and ``fallback`` converts a body
    again from its file when its row is missing or unreadable."""

    def __init__(self, path: Path | None) -> None:
        self._temporary = path is None
        if path is None:
            folder = tempfile.mkdtemp(prefix="newsgen-bodies-")
            weakref.finalize(self, shutil.rmtree, folder, True)
            path = Path(folder) / "bodies.sqlite"
        self.path = path
        self.resolve: Callable[[str, str], str] = lambda html, url: html
        self.fallback: Callable[[Article], RenderedBody] | None = None
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        self._memory: dict[str, str] = {}
        self._inherited: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        with self._lock:
            return self._connection()

    def _connection(self) -> sqlite3.Connection:
        if self._db is not None and self._pid != os.getpid():
            # a forked worker must neither use nor close its parent's connection: keep it
            # referenced (and idle) for the life of the process
            self._inherited.append(self._db)
            self._db = None
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            gitignore = self.path.parent / ".gitignore"
            if not self._temporary and not gitignore.exists():
                gitignore.write_text("*\n")
            # shared by threads (the search indexers read bodies; reads hold the lock): a
            # refused cross-thread read would silently convert the body again from its
            # Markdown
            self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            if self._temporary:  # thrown away after the build: no need to wait for the disk
                self._db.execute("PRAGMA synchronous=OFF")
            self._pid = os.getpid()
        return self._db

    def put(self, bodies: Iterable[tuple[str, RenderedBody]], scope: str) -> None:
        rows = [(key, body.html, pickle.dumps(body.meta, protocol=pickle.HIGHEST_PROTOCOL))
                for key, body in bodies]
        if not rows:
            return
        try:
            db = self._connect()
            with db:
                _prepare(db, scope)
                db.executemany("INSERT OR REPLACE INTO bodies (key, html, record) "
                               "VALUES (?, ?, ?)", rows)
        except (sqlite3.Error, OSError):  # full disk, read-only site: hold them instead
            self._memory.update((key, body_html) for key, body_html, _meta in rows)

    def raw(self, key: str) -> str | None:
        """The stored HTML of ``key`` with its link tokens, or None."""
        if key in self._memory:
            return self._memory[key]
        try:
            with self._lock:  # one reader at a time: safe whatever threading mode SQLite has
                row = self._connection().execute("SELECT html FROM bodies WHERE key=?",
                                                 (key,)).fetchone()
        except sqlite3.Error:
            return None
        return row[0] if row and isinstance(row[0], str) else None

    def html(self, article: Article) -> str:
        raw = self.raw(article.body_key)
        if raw is None:
            if self.fallback is None:
                raise LookupError(f"no converted body for {article.source}")
            raw = self.fallback(article).html
        return self.resolve(raw, article.url)

    def close(self) -> None:
        """Close this process's connection (the file stays: articles may still be read)."""
        if self._db is not None:
            if self._pid == os.getpid():
                self._db.close()
            else:
                self._inherited.append(self._db)
        self._db = None

    def __getstate__(self) -> dict[str, object]:
        """A spawned render or feed worker (Windows, macOS) receives the store as a reader
        of the same file: no connection (it opens its own) and no clean-up of a temporary
        folder, which stays the parent's to remove."""
        return {"path": self.path, "resolve": self.resolve, "fallback": self.fallback,
                "memory": self._memory}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._temporary = True  # not this process's to keep: write no .gitignore
        self.path = state["path"]
        self.resolve = state["resolve"]
        self.fallback = state["fallback"]
        self._memory = state["memory"]
        self._db, self._pid, self._inherited = None, 0, []
        self._lock = threading.Lock()


def read_records(site_dir: Path, scope: str, paths: Iterable[str]
                 ) -> dict[str, PageRecord] | None:
    """The last build's records of ``paths`` alone (a headline-only build needs a dozen of
    140,000, see ticker_build.py); None when the cache is missing or not this scope's
    (``scope`` as BuildCache takes it)."""
    path = cache_path(site_dir)
    found = {}
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            row = db.execute("SELECT value FROM meta WHERE key='scope'").fetchone()
            if not row or row[0] != digest(__version__, FORMAT, scope):
                return None
            for page in paths:
                row = db.execute("SELECT record FROM pages WHERE path=?", (page,)).fetchone()
                if row and well_formed(row[0]):
                    found[page] = unpack_record(row[0])
    except sqlite3.Error:
        return None
    return found


def update_records(site_dir: Path, scope: str, records: dict[str, PageRecord],
                   meta: dict[str, str]) -> None:
    """Save a headline-only build's changed records and meta in one transaction. A cache
    that cannot take them is dropped, as a full build's would be: the next build is then
    slower, never wrong."""
    path = cache_path(site_dir)
    try:
        with sqlite3.connect(path, timeout=30) as db:
            row = db.execute("SELECT value FROM meta WHERE key='scope'").fetchone()
            if not row or row[0] != digest(__version__, FORMAT, scope):
                raise sqlite3.DatabaseError("another scope")
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", sorted(meta.items()))
            db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?)",
                           ((page, pack_record(r)) for page, r in sorted(records.items())))
    except sqlite3.Error:
        _drop_files(path)


def _drop_files(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        try:
            Path(str(path) + suffix).unlink()
        except OSError:
            pass


class _Stale(Exception):
    """The cache was written by another newsgen, format or markup setting."""
