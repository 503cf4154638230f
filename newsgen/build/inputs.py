"""What a build reads, fingerprinted before anything is loaded: the keys that tell the
next build that nothing changed, or only the headlines (builder.py, ticker_build.py)."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from newsgen import __version__
from newsgen.build.cache import CACHE_DIR, FORMAT, RACY_NS
from newsgen.content.config import CONFIG_FILE, SiteConfig, static_roots
from newsgen.content.theme import THEME_PREFIX
from newsgen.engine.digests import digest, file_digest
from newsgen.engine.stamps import file_stamps
from newsgen.engine.writer import MANIFEST
from newsgen.render.templating import templates_digest

STATIC_MEMO = "static.json"


def input_keys(config: SiteConfig, flags: tuple[bool, bool, bool], now: datetime
               ) -> tuple[str | None, str | None]:
    """Fingerprints of everything a build reads (and of the cache's format: a newsgen with
    another format must not take the last build as its own): without the headline files, and
    with them. Either is None when a file it covers was written so recently that its mtime
    cannot be trusted. The clock enters only as the local date (the front page shows it);
    crossing a scheduled change is checked separately. ``flags``: the build's drafts,
    future and strict options."""
    rest, headlines = file_stamps(os.path.join(config.site_dir, "content"), "headlines",
                                  time.time_ns() - RACY_NS)
    if rest is None:
        return None, None
    today = now.astimezone(config.timezone).date().isoformat()
    rest_key = digest(__version__, FORMAT, (config.site_dir / CONFIG_FILE).read_bytes(),
                      templates_digest(config), static_signature(config), today,
                      str(flags), *rest)
    return rest_key, (digest(rest_key, *headlines) if headlines is not None else None)


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


def static_signature(config: SiteConfig) -> str:
    """Names, sizes and mtimes of static files, for the keys that tell a build nothing
    changed. Names are relative to their folder, and the theme's few files are signed by
    their bytes, not their mtimes: a fresh install of newsgen (a CI runner's new
    virtualenv) gives the theme new mtimes and a new folder."""
    parts = []
    for prefix, relative, path in _static_files(config):
        try:
            if prefix == THEME_PREFIX:
                with open(path, "rb") as handle:
                    parts.append(f"{prefix}|{relative}|{file_digest(handle.read())}")
            else:
                info = os.stat(path)
                parts.append(f"{prefix}|{relative}|{info.st_size}|{info.st_mtime_ns}")
        except OSError:
            continue
    return digest(*sorted(parts))


def static_content_signature(config: SiteConfig, keep: bool) -> str:
    """Names and digests of the static files: what parsed articles depend on (they carry
    their images' sizes), so the parse cache's scope. Signed by bytes, not mtimes: a fresh
    clone of the site's repository (every deploy pipeline's checkout) gives every file a new
    mtime, which threw the whole parse cache away. A file's digest is remembered by its
    size and mtime in ``.newsgen-cache/static.json`` (``keep``: saved there), so a build
    reads only the static files that changed since the last."""
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
            if isinstance(entry, list) and len(entry) == 3 and isinstance(entry[2], str) \
                    and entry[:2] == [info.st_size, info.st_mtime_ns]:
                content = entry[2]
            else:
                with open(path, "rb") as handle:
                    content = hashlib.file_digest(handle, "sha256").hexdigest()[:32]
        except OSError:
            continue
        if info.st_mtime_ns <= recent:
            new[name] = [info.st_size, info.st_mtime_ns, content]
        parts.append(f"{name}|{content}")
    if keep and new != old:
        _save_memo(memo_path, new)
    return digest(*sorted(parts))


def _static_files(config: SiteConfig) -> Iterator[tuple[str, str, str]]:
    """(output prefix, path relative to its folder, path) of every static file."""
    for root, prefix in static_roots(config):
        for current, _dirs, names in os.walk(root):
            for name in names:
                path = os.path.join(current, name)
                yield prefix, os.path.relpath(path, root).replace(os.sep, "/"), path


def _save_memo(path: Path, memo: dict[str, list[object]]) -> None:
    """Written whole and renamed into place: two builds of one site into two folders may
    save it at once. A memo that cannot be saved costs the next build a re-read."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(memo, sort_keys=True), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass
