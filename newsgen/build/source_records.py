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

A record is used when the file's size and mtime are the ones it was parsed at; a row is
newer than the base's record of its file. Chunks are a few thousand records so that neither
pickling them (the pickler remembers every object it wrote) nor reading them back holds more
than a chunk's bytes at once.
"""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Iterator
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (path TEXT PRIMARY KEY, size INTEGER NOT NULL,
                                    mtime INTEGER NOT NULL, record BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS source_chunks (chunk INTEGER PRIMARY KEY, records BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS meta_chunks (chunk INTEGER PRIMARY KEY, records BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS meta_gone (key TEXT PRIMARY KEY);
"""
CHUNK = 4_000  # records a base chunk
REWRITE_FROM = 500  # rows (and files gone) that have the base written again, at least

Record = tuple[int, int, Any]  # size, mtime (ns), the parse


class SourceRecords:
    """The records read at the start of a build, handed out once each (:meth:`get`), and
    those of files parsed in it (:meth:`put`), saved at its end (:meth:`save`)."""

    def __init__(self) -> None:
        self.base: dict[str, Record] = {}
        self.rows: dict[str, tuple[int, int, bytes]] = {}
        self.based = 0  # records the base held when read
        self.row_paths: frozenset[str] = frozenset()  # the rows read
        self.used: dict[str, Record] = {}  # handed out: the next base, with ``new``
        self.new: dict[str, Record] = {}

    def read(self, db: sqlite3.Connection) -> None:
        """Raises pickle's and SQLite's errors, or TypeError, for a damaged cache."""
        self.base = read_chunks(db, "source_chunks")
        self.based = len(self.base)
        for path, size, mtime, record in db.execute("SELECT * FROM sources"):
            self.rows[path] = (size, mtime, record)
        self.row_paths = frozenset(self.rows)

    def clear(self) -> None:
        self.base.clear()
        self.rows.clear()
        self.based = 0
        self.row_paths = frozenset()

    def get(self, relative: str, size: int, mtime_ns: int) -> Any:
        """The parse of a file at this size and mtime, or None; each file is asked for
        once, and what is left at the end are files that are gone."""
        row = self.rows.pop(relative, None)
        record = self.base.pop(relative, None)
        if row is not None:
            if row[0] != size or row[1] != mtime_ns:
                return None
            try:
                parsed = pickle.loads(row[2])
            except Exception:  # a damaged row costs a re-parse, never a wrong page
                return None
            self.used[relative] = (size, mtime_ns, parsed)
            return parsed
        if not (isinstance(record, tuple) and len(record) == 3) or record[0] != size or \
                record[1] != mtime_ns:  # a damaged record costs a re-parse as well
            return None
        self.used[relative] = record  # the base's own tuple: kept, not copied
        return record[2]

    def put(self, relative: str, size: int, mtime_ns: int, parsed: Any) -> None:
        self.new[relative] = (size, mtime_ns, parsed)

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
        db.executemany("INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?)",
                       ((path, size, mtime, pickle.dumps(parsed, pickle.HIGHEST_PROTOCOL))
                        for path, (size, mtime, parsed) in self.new.items()))
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
