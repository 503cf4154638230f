"""Clean parses of content files kept between builds (the build cache's ``SourceMemo``): a
base of every file's record, pickled in large chunks, and a row per file parsed since. The
bodies' metadata is kept the same way (``read_chunks``, ``write_chunks``; see cache.py).

A row a file, each its own pickle, cost a rebuild at 100,000 articles 2.2 s to read back
(100,000 ``pickle.loads`` and the sharing of each article's tags and bylines afterwards). A
chunk of thousands of records is one ``pickle.loads``, and the tags and bylines its articles
share are pickled once (measured: 0.65 s for the whole base). Rebuilding the base costs a
pickle of every record (1.2 s at 100,000), so a rebuild adds rows for the files it parsed
and the base is written again only when those rows (or files gone since) pass a twentieth
of it: after a first build, and then after every few thousand files changed.

A record is used when the file's size and mtime are the ones it was parsed at, or when
only the mtime differs and the bytes' digest is the one parsed: a fresh clone of the site's
repository (a deploy pipeline's checkout) gives every file a new mtime, which re-parsed the
whole site. A row is newer than the base's record of its file. Chunks are a few thousand
records so that neither pickling them (the pickler remembers every object it wrote) nor
reading them back holds more than a chunk's bytes at once.
"""

from __future__ import annotations

import pickle
import sqlite3
import time
from collections.abc import Callable, Iterator
from typing import Any

RACY_NS = 2_000_000_000  # as the build cache's: an mtime this recent may hide a second edit

SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (path TEXT PRIMARY KEY, size INTEGER NOT NULL,
                                    mtime INTEGER NOT NULL, record BLOB NOT NULL,
                                    content TEXT);
CREATE TABLE IF NOT EXISTS source_chunks (chunk INTEGER PRIMARY KEY, records BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS meta_chunks (chunk INTEGER PRIMARY KEY, records BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS meta_gone (key TEXT PRIMARY KEY);
"""
CHUNK = 4_000  # records a base chunk
REWRITE_FROM = 500  # rows (and files gone) that have the base written again, at least

Record = tuple[int, int, Any, str | None]  # size, mtime (ns), the parse, the bytes' digest
Content = Callable[[], str | None]  # the digest of the file's bytes now, or None


class SourceRecords:
    """The records read at the start of a build, handed out once each (:meth:`get`), and
    those of files parsed in it (:meth:`put`), saved at its end (:meth:`save`)."""

    def __init__(self) -> None:
        self.base: dict[str, Record] = {}
        self.rows: dict[str, tuple[int, int, bytes, str | None]] = {}
        self.based = 0  # records the base held when read
        self.row_paths: frozenset[str] = frozenset()  # the rows read
        self.used: dict[str, Record] = {}  # handed out: the next base, with ``new``
        self.new: dict[str, Record] = {}

    def read(self, db: sqlite3.Connection) -> None:
        """Raises pickle's and SQLite's errors, or TypeError, for a damaged cache."""
        self.base = read_chunks(db, "source_chunks")
        self.based = len(self.base)
        for path, size, mtime, record, content in db.execute(
                "SELECT path, size, mtime, record, content FROM sources"):
            self.rows[path] = (size, mtime, record, content)
        self.row_paths = frozenset(self.rows)

    def clear(self) -> None:
        self.base.clear()
        self.rows.clear()
        self.based = 0
        self.row_paths = frozenset()

    def get(self, relative: str, size: int, mtime_ns: int, content: Content) -> Any:
        """The parse of a file at this size and mtime (or of these bytes: ``content``, asked
        only when just the mtime differs), or None; each file is asked for once, and what
        is left at the end are files that are gone."""
        row = self.rows.pop(relative, None)
        record = self.base.pop(relative, None)
        if row is not None:
            if not self._same(row, size, mtime_ns, content):
                return None
            try:
                parsed = pickle.loads(row[2])
            except Exception:  # a damaged row costs a re-parse, never a wrong page
                return None
            self._use(relative, (size, row[1], parsed, row[3]), mtime_ns)
            return parsed
        if not (isinstance(record, tuple) and len(record) == 4) or \
                not self._same(record, size, mtime_ns, content):  # damaged: a re-parse too
            return None
        self._use(relative, record, mtime_ns)
        return record[2]

    @staticmethod
    def _same(record: tuple[Any, ...], size: int, mtime_ns: int, content: Content) -> bool:
        if record[0] != size:
            return False
        return record[1] == mtime_ns or (record[3] is not None and content() == record[3])

    def _use(self, relative: str, record: Record, mtime_ns: int) -> None:
        if record[1] == mtime_ns:
            self.used[relative] = record  # the base's own tuple: kept, not copied
        elif time.time_ns() - mtime_ns >= RACY_NS:
            # the same bytes at a new mtime: remembered at it, so the next build reads no file
            self.new[relative] = (record[0], mtime_ns, record[2], record[3])
        else:
            self.used[relative] = record

    def put(self, relative: str, size: int, mtime_ns: int, parsed: Any,
            content: str | None) -> None:
        self.new[relative] = (size, mtime_ns, parsed, content)

    def save(self, db: sqlite3.Connection, fresh: bool) -> None:
        """Keep what this build read and parsed; ``fresh``: the tables hold another
        scope's records (or none)."""
        gone = [*self.rows, *self.base]
        # rows after this save, and base records of files gone (kept until a rewrite)
        pending = len(self.row_paths | self.new.keys()) + len(self.base)
        if fresh or rewrite_due(pending, self.based):
            self._rewrite(db)
            return
        db.executemany("DELETE FROM sources WHERE path=?", ((path,) for path in gone))
        db.executemany("INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?)",
                       ((path, size, mtime, pickle.dumps(parsed, pickle.HIGHEST_PROTOCOL),
                         content)
                        for path, (size, mtime, parsed, content) in self.new.items()))
        # a file gone from the base stays in it until the next rewrite: its record is only
        # used for a file at that path, size and mtime, parsed as it was

    def _rewrite(self, db: sqlite3.Connection) -> None:
        db.execute("DELETE FROM sources")
        write_chunks(db, "source_chunks", {**self.used, **self.new})


def read_chunks(db: sqlite3.Connection, table: str) -> dict[str, Any]:
    """Every record of a base (``source_chunks``, or the cache's ``meta_chunks``)."""
    found: dict[str, Any] = {}
    for (data,) in db.execute(f"SELECT records FROM {table} ORDER BY chunk"):
        chunk = pickle.loads(data)
        if not isinstance(chunk, dict):
            raise TypeError("not a chunk of records")
        found.update(chunk)
    return found


def write_chunks(db: sqlite3.Connection, table: str, records: dict[str, Any]) -> None:
    """Write a base again: ``records`` in key order, CHUNK to a pickle."""
    db.execute(f"DELETE FROM {table}")
    db.executemany(f"INSERT INTO {table} VALUES (?, ?)", _chunks(records))


def rewrite_due(pending: int, based: int) -> bool:
    """Whether rows (and records of what is gone) are enough to write the base again."""
    return not based or pending >= max(REWRITE_FROM, based // 20)


def _chunks(records: dict[str, Any]) -> Iterator[tuple[int, bytes]]:
    keys = sorted(records)
    for number, start in enumerate(range(0, len(keys), CHUNK)):
        chunk = {key: records[key] for key in keys[start:start + CHUNK]}
        yield number, pickle.dumps(chunk, pickle.HIGHEST_PROTOCOL)
