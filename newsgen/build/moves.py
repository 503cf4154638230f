"""Articles whose address changed since the last build into this output folder.

Every address an article had is kept in the build cache, by source file (the last few). An
article whose page moved, with no alias, ledger entry or page left at an old address, gets
that address recorded in the moves ledger (``content/moved.yaml``, see content/moved.py),
which every build reads: the old address then gets a redirect page like an alias, in this
build and in any clean build of the same checkout, so an incremental build still equals a
clean one. Where the ledger cannot be written (a read-only checkout) the article gets a
warning at the line that decides its address instead, naming the ``aliases:`` entry to add.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import jinja2

from newsgen.build.cache_meta import read_meta
from newsgen.build.pages import PagePlan
from newsgen.build.redirects import add_redirects
from newsgen.content.aliases import alias_file, alias_problem
from newsgen.content.models import Article, Site
from newsgen.content.moved import MOVED_FILE, Ledger, Moved, moved_yaml
from newsgen.content.urls import output_path
from newsgen.engine.paths import UnsafePath
from newsgen.errors import Problem, SourceLocation


def urls_key(out_dir: Path) -> str:
    """The cache meta key of the article addresses last built into ``out_dir``."""
    return f"urls:{out_dir.resolve()}"


KEPT = 5  # old addresses remembered per article


def previous_urls(site_dir: Path, key: str, articles: Sequence[Article]
                  ) -> dict[str, list[str]]:
    """{source file: addresses, newest first} of the ``articles`` that had an address other
    than their own (empty when unknown or unreadable). Only those can have lost one, and
    keeping every article's entry held 58 MB to the end of a build at 100,000 articles."""
    try:
        found = json.loads(read_meta(site_dir, key) or "{}")
    except ValueError:
        return {}
    if not isinstance(found, dict):
        return {}
    moved = {}
    for article in articles:
        urls = found.get(article.source)
        if isinstance(urls, list) and any(u != article.url for u in urls):
            moved[article.source] = [u for u in urls if isinstance(u, str)]
    return moved


def current_urls(site: Site, previous: Mapping[str, list[str]], files: Mapping[str, str]
                 ) -> str:
    """What :func:`previous_urls` reads back next time: each article's address, then the
    old ones still left without a page."""
    urls = {a.source: [a.url, *_lost(a, previous, site, files)][:KEPT] for a in site.articles}
    return json.dumps(urls, sort_keys=True, separators=(",", ":"))


def add_moves(env: jinja2.Environment, site: Site, plan: PagePlan,
              previous: Mapping[str, list[str]], moved: list[Moved], recordable: bool
              ) -> Ledger:
    """Record the addresses that moved articles left unanswered, then plan every redirect
    (aliases and ledger). The ledger is rewritten only when its entries change."""
    published = {a.source for a in site.articles}
    answered = {alias_file(e.path) for e in moved if e.source in published}
    answered |= {alias_file(a.path) for article in site.articles for a in article.aliases}
    # the redirect pages of aliases and entries are planned after the moves are found
    files = {**plan.files, **dict.fromkeys(answered, "redirect")}
    prefix = site.config.url_prefix
    found = [Moved(old[len(prefix):], article.source) for article in site.articles
             for old in _lost(article, previous, site, files)]
    if found and not recordable:
        plan.problems.extend(moved_warnings(previous, site, files))
        found = []
    # a new move takes over an old path whose entry names a deleted or unpublished file
    entries = {e.path: e for e in moved if e.path not in {f.path for f in found}}
    entries.update((e.path, e) for e in found)
    dropped = {(d.path, d.source) for d in add_redirects(env, site, plan,
                                                         list(entries.values()))}
    if not (found or dropped):
        return Ledger()  # a hand-edited ledger keeps its comments and layout
    kept = [e for e in entries.values() if (e.path, e.source) not in dropped]
    return Ledger(moved_yaml(kept), len(found))


def moved_warnings(previous: Mapping[str, list[str]], site: Site, files: Mapping[str, str]
                   ) -> list[Problem]:
    """Today's fallback where the ledger cannot be written: a warning naming the alias."""
    prefix = site.config.url_prefix
    return [Problem(SourceLocation(article.source, article.url_line),
                    f"this article moved from {old} to {article.url}; add "
                    f"'aliases: [{old[len(prefix):]}]' to keep the old address working "
                    f"({MOVED_FILE} cannot be written)", "warning", "moved")
            for article in site.articles for old in _lost(article, previous, site, files)]


def _lost(article: Article, previous: Mapping[str, list[str]], site: Site,
          files: Mapping[str, str]) -> list[str]:
    """Old addresses of ``article`` that no alias and no page answers now."""
    prefix = site.config.url_prefix
    lost = []
    for old in previous.get(article.source, ()):
        if old == article.url or not old.startswith(prefix + "/") or old in lost:
            continue
        if alias_problem(old[len(prefix):]):
            continue  # a query, non-ASCII or generated path: no redirect page can answer it
        try:
            if output_path(old, prefix) in files:
                continue  # an alias's redirect page, or another page, lives there now
        except UnsafePath:
            continue
        lost.append(old)
    return lost
