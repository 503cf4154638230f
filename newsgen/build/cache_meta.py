"""Where the build cache lives, its format, and its meta table read one value at a time:
what a build reads before it knows whether it has work to do (``builder.py``,
``inputs.py``), without importing the cache's stages (``cache.py``)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

CACHE_DIR = ".newsgen-cache"
# 9: a live blog's ``updated`` is set at publication (publish.py);
# 10: converted bodies list their images (markup.BodyMeta.images);
# 11: articles and body metadata have slots (an article pickles as its values);
# 12: a one-language site not in English writes its dates with Babel (pages rendered again);
#     parsed files are kept in chunks (source_records.py);
# 13: parsed files are also known by their bytes' digest (since 2026-12-08 the id git gives
#     the bytes, engine/git_index.py: a record with the SHA-256 of an older newsgen matches
#     no file, so a file whose mtime changed is parsed again once; no new format needed)
FORMAT = "13"


def cache_path(site_dir: Path) -> Path:
    """The cache's SQLite file."""
    return site_dir / CACHE_DIR / "cache.sqlite"


def read_meta(site_dir: Path, key: str) -> str | None:
    """One value from the cache's meta table, without loading the rest (or None)."""
    path = cache_path(site_dir)
    if not path.is_file():
        return None
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            row = db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None
