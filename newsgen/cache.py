"""What survives between builds (``.newsgen-cache/``), and how it is invalidated.

One SQLite file holds three tables: converted Markdown bodies keyed by the hash of their text,
and, per output file, the fingerprint of the inputs it was rendered from (with where the
shared ticker block sits in it). Everything is keyed by content, and the whole cache is
dropped when newsgen's version, the cache format or the markup settings change. A cache that
SQLite cannot read, or whose rows do not unpickle into the expected types, is deleted and the
build goes on without it: a cache can cost time, never correctness.
"""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from newsgen import __version__
from newsgen.markup import RenderedBody

CACHE_DIR = ".newsgen-cache"
FORMAT = "3"
RACY_NS = 2_000_000_000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bodies (key TEXT PRIMARY KEY, record BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS pages (path TEXT PRIMARY KEY, fingerprint TEXT NOT NULL,
                                  digest TEXT NOT NULL, splices TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (path TEXT PRIMARY KEY, size INTEGER NOT NULL,
                                    mtime INTEGER NOT NULL, record BLOB NOT NULL);
"""


def digest(*parts: str | bytes) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


class PageRecord(NamedTuple):
    """What the last build produced for one output file."""

    fingerprint: str
    digest: str
    splices: tuple[int, ...]


class BuildCache:
    """Read once at the start of a build, written once at its end (only after success)."""

    def __init__(self, site_dir: Path, scope: str, source_scope: str,
                 enabled: bool = True) -> None:
        self.path = site_dir / CACHE_DIR / "cache.sqlite"
        self.scope = digest(__version__, FORMAT, scope)
        self.source_scope = digest(self.scope, source_scope)
        self.enabled = enabled
        self.bodies: dict[str, RenderedBody] = {}
        self.pages: dict[str, PageRecord] = {}
        self.new_bodies: dict[str, RenderedBody] = {}
        self.sources: dict[str, tuple[int, int, bytes]] = {}
        self.new_sources: dict[str, tuple[int, int, bytes]] = {}
        self.seen_sources: set[str] = set()
        if enabled:
            self._load()

    def _load(self) -> None:
        if not self.path.is_file():
            return
        try:
            with sqlite3.connect(self.path) as db:
                row = db.execute("SELECT value FROM meta WHERE key='scope'").fetchone()
                if not row or row[0] != self.scope:
                    raise _Stale
                for key, record in db.execute("SELECT key, record FROM bodies"):
                    body = pickle.loads(record)
                    if not isinstance(body, RenderedBody):
                        raise _Stale
                    self.bodies[key] = body
                for path, fp, out, splices in db.execute("SELECT * FROM pages"):
                    offsets = tuple(int(x) for x in splices.split(",") if x)
                    self.pages[path] = PageRecord(fp, out, offsets)
                row = db.execute("SELECT value FROM meta WHERE key='sources'").fetchone()
                if row and row[0] == self.source_scope:
                    for path, size, mtime, record in db.execute("SELECT * FROM sources"):
                        self.sources[path] = (size, mtime, record)
        except (_Stale, sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError,
                ImportError, TypeError, ValueError, IndexError):
            self.bodies.clear()
            self.pages.clear()
            self._drop()

    def _drop(self) -> None:
        for suffix in ("", "-journal", "-wal", "-shm"):
            try:
                Path(str(self.path) + suffix).unlink()
            except OSError:
                pass

    def get(self, relative: str, size: int, mtime_ns: int) -> object:
        """A file parsed by an earlier build (loader.SourceMemo), or None."""
        self.seen_sources.add(relative)
        entry = self.sources.get(relative)
        if entry is None or entry[0] != size or entry[1] != mtime_ns:
            return None
        try:
            return pickle.loads(entry[2])
        except Exception:  # a damaged row costs a re-parse, never a wrong page
            return None

    def put(self, relative: str, size: int, mtime_ns: int, parsed: object) -> None:
        self.seen_sources.add(relative)
        if time.time_ns() - mtime_ns < RACY_NS:
            return  # edited just now: the same mtime may hide another edit (as in git)
        entry = (size, mtime_ns, pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL))
        self.sources[relative] = entry
        self.new_sources[relative] = entry

    def body(self, key: str) -> RenderedBody | None:
        return self.bodies.get(key)

    def add_body(self, key: str, body: RenderedBody) -> None:
        self.bodies[key] = body
        self.new_bodies[key] = body

    def save(self, used_bodies: Iterable[str], pages: dict[str, PageRecord],
             meta: dict[str, str] | None = None) -> None:
        """Keep what this build used; rows no build needs any more are dropped."""
        if not self.enabled:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        gitignore = self.path.parent / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("*\n")
        used = set(used_bodies)
        try:
            self._write(used, pages, meta or {})
        except sqlite3.Error:
            self._drop()

    def _write(self, used: set[str], pages: dict[str, PageRecord], meta: dict[str, str]
               ) -> None:
        with sqlite3.connect(self.path) as db:
            db.executescript(_SCHEMA)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('scope', ?)", (self.scope,))
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                           sorted(meta.items()))
            stale = set(self.bodies) - used
            db.executemany("DELETE FROM bodies WHERE key=?", ((k,) for k in stale))
            db.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?)",
                           ((k, pickle.dumps(b, protocol=pickle.HIGHEST_PROTOCOL))
                            for k, b in self.new_bodies.items() if k in used))
            row = db.execute("SELECT value FROM meta WHERE key='sources'").fetchone()
            if not row or row[0] != self.source_scope:
                db.execute("DELETE FROM sources")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('sources', ?)",
                        (self.source_scope,))
            gone = set(self.sources) - self.seen_sources
            db.executemany("DELETE FROM sources WHERE path=?", ((p,) for p in gone))
            db.executemany("INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?)",
                           ((p, *entry) for p, entry in self.new_sources.items()))
            db.execute("DELETE FROM pages")
            db.executemany("INSERT INTO pages VALUES (?, ?, ?, ?)",
                           ((p, r.fingerprint, r.digest, ",".join(map(str, r.splices)))
                            for p, r in sorted(pages.items())))


def read_meta(site_dir: Path, key: str) -> str | None:
    """One value from the cache's meta table, without loading the rest (or None)."""
    path = site_dir / CACHE_DIR / "cache.sqlite"
    if not path.is_file():
        return None
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            row = db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


class _Stale(Exception):
    """The cache was written by another newsgen, format or markup setting."""
