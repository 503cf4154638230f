"""Articles whose address changed since the last build into this output folder.

Every address an article had is kept in the build cache, by source file (the last few); an
article whose page moved, with no alias and no page left at an old address, gets a warning at
the line that decides its address, naming the ``aliases:`` entry that keeps the old one
working. A warning, not a silent redirect: the fix lives in the content, where a clean
build (and a review) sees it, so an incremental build still equals a clean one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from newsgen.build.cache import read_meta
from newsgen.content.models import Article, Site
from newsgen.content.urls import output_path
from newsgen.engine.paths import UnsafePath
from newsgen.errors import Problem, SourceLocation


def urls_key(out_dir: Path) -> str:
    """The cache meta key of the article addresses last built into ``out_dir``."""
    return f"urls:{out_dir.resolve()}"


KEPT = 5  # old addresses remembered per article


def previous_urls(site_dir: Path, key: str) -> dict[str, list[str]]:
    """{source file: addresses, newest first} (empty when unknown or unreadable)."""
    try:
        found = json.loads(read_meta(site_dir, key) or "{}")
    except ValueError:
        return {}
    if not isinstance(found, dict):
        return {}
    return {k: [u for u in v if isinstance(u, str)] for k, v in found.items()
            if isinstance(k, str) and isinstance(v, list)}


def current_urls(site: Site, previous: Mapping[str, list[str]], files: Mapping[str, str]
                 ) -> str:
    """What :func:`previous_urls` reads back next time: each article's address, then the
    old ones still left without a page."""
    urls = {a.source: [a.url, *_lost(a, previous, site, files)][:KEPT] for a in site.articles}
    return json.dumps(urls, sort_keys=True, separators=(",", ":"))


def moved_warnings(previous: Mapping[str, list[str]], site: Site, files: Mapping[str, str]
                   ) -> list[Problem]:
    prefix = site.config.url_prefix
    return [Problem(SourceLocation(article.source, article.url_line),
                    f"this article moved from {old} to {article.url}; add "
                    f"'aliases: [{old[len(prefix):]}]' to keep the old address working",
                    "warning", "moved")
            for article in site.articles for old in _lost(article, previous, site, files)]


def _lost(article: Article, previous: Mapping[str, list[str]], site: Site,
          files: Mapping[str, str]) -> list[str]:
    """Old addresses of ``article`` that no alias and no page answers now."""
    prefix = site.config.url_prefix
    lost = []
    for old in previous.get(article.source, ()):
        if old == article.url or not old.startswith(prefix + "/") or old in lost:
            continue
        try:
            if output_path(old, prefix) in files:
                continue  # an alias's redirect page, or another page, lives there now
        except UnsafePath:
            continue
        lost.append(old)
    return lost
