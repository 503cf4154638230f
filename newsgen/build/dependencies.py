"""Stage 4b, before any page is looked at: which pages the change since the last build can
have touched, so that planning costs in proportion to the change, not to the site.

The last build's :class:`~newsgen.build.cache.PagesState` keeps a key of everything pages
share (settings, templates, the local date, sections, tags, authors, static pages) and one
entry per article: its slug, its *placement* (section, tags, authors, date, URL: where it
appears), its front matter key and its body digest. Comparing the two states gives:

- only bodies or front matter changed: the pages that show those articles (each page record
  lists them as ``refs``) are fingerprinted again, every other page keeps its record;
- articles were added: besides the pages showing changed articles, the new articles' own
  pages, the article pages whose related list or previous/next link can include them (the
  ``RELATED_WINDOW`` neighbours on each side in each of their sections and tags), the
  pages of the listings they enter (their section, tags, authors and month) that can change:
  with ``pagination.order: oldest`` the listing's own URL, the archive pages from the one a
  back-dated article falls in, and when a page appears, the pages whose "Newer" and numbered
  links see it (``content.pagination.changed_pages``); with ``newest`` every page of each,
  as later pages shift; and the site-wide pages (front page, indexes, 404, search);
- anything else (the shared key, an article removed, moved or re-tagged): ``None``, and every
  page is fingerprinted, as on the first build.

Article refs are stable ids (``render.fingerprint.article_ids``), not positions in the site's
list, so a new article does not make every older page's refs stale.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import tzinfo

from newsgen.build.page_records import PagesState
from newsgen.content.models import Article, Site
from newsgen.content.pagination import changed_pages
from newsgen.engine.digests import digest
from newsgen.render.fingerprint import Fingerprinter, article_ids
from newsgen.render.renderer import RELATED_WINDOW, Renderer

# Site-wide pages that show the newest articles or counts of them: fingerprinted again
# whenever an article is added (a handful of pages).
SITE_WIDE_SOURCES = frozenset({"content/", "tags", "authors", "archive", "404", "search"})
LISTING_KINDS = ("sections/", "tags/", "authors/", "archive/")
# In the shared key: a state saved by a newsgen whose refs were positions never matches.
KEY_KIND = "refs-by-id"
_PAGE = re.compile(r"/page/(\d+)/$")  # a listing page past its own URL


@dataclass(frozen=True)
class Changes:
    """What changed since the last build: ``ids`` of articles whose pages and listings'
    contexts may differ (page records whose refs meet them are fingerprinted again), and
    ``forced`` output paths that are fingerprinted again whatever their refs say."""

    ids: frozenset[int]
    forced: frozenset[str]


def pages_state(fingerprints: Fingerprinter, site: Site, salt: str) -> PagesState:
    """This build's state: the shared key and one entry per article, in the site's order."""
    today = site.now.astimezone(site.config.timezone).date().isoformat()
    shared = repr(fingerprints.canonical((site.sections, site.tags, site.authors, site.pages)))
    return PagesState(digest(KEY_KIND, salt, today, shared),
                      tuple(f"{a.slug}\t{_placement(a, site)}\t{a.front_key}\t{a.body_digest}"
                            for a in site.articles))


def _placement(article: Article, site: Site) -> str:
    """Where an article appears: a change here moves it between listings and neighbours."""
    tags = ",".join(t.slug for t in article.tags)
    authors = ",".join(a.id for a in article.authors)
    return f"{article.section} {tags} {authors} {article.date.isoformat()} {article.url} " \
           f"{article.date > site.now} {article.featured}"  # the front page's lead


def changes(old: PagesState | None, new: PagesState, renderer: Renderer,
            targets: list[tuple[str, str, str]]) -> Changes | None:
    """The pages to look at again (see the module's docstring), or None for all of them.
    ``targets`` are (path, url, source) of every page, the articles' first, in site order."""
    if old is None or old.site_key != new.site_key:
        return None
    articles = renderer.site.articles
    ids = article_ids(articles)
    if len(old.entries) == len(new.entries):
        if old.entries == new.entries:
            return Changes(frozenset(), frozenset())
        changed = [i for i, (was, now) in enumerate(zip(old.entries, new.entries, strict=True))
                   if was != now]
        if all(_slug_place(old.entries[i]) == _slug_place(new.entries[i]) for i in changed):
            return Changes(frozenset(ids[articles[i].slug] for i in changed), frozenset())
    before = {_slug_place(entry) for entry in old.entries}
    fronts = {entry.split("\t", 1)[0]: entry for entry in old.entries}
    added: list[Article] = []
    edited: set[int] = set()
    for article, entry in zip(articles, new.entries, strict=True):
        slug = article.slug
        if _slug_place(entry) in before:
            if fronts[slug] != entry:
                edited.add(ids[slug])
        elif slug in fronts:
            return None  # moved, re-tagged or re-dated: its old neighbours are not known here
        else:
            added.append(article)
    if len(new.entries) - len(added) != len(old.entries):
        return None  # an article was removed
    return _added(renderer, targets, ids, added, edited)


def _slug_place(entry: str) -> str:
    slug, _, rest = entry.partition("\t")
    return slug + "\t" + rest.partition("\t")[0]


def _added(renderer: Renderer, targets: list[tuple[str, str, str]], ids: dict[str, int],
           added: list[Article], edited: set[int]) -> Changes:
    """Pages a few new articles can change: see the module's docstring."""
    articles = renderer.site.articles
    near: set[str] = set()
    for article in added:
        groups = [renderer.by_section.get(article.section, [])]
        groups += [renderer.by_tag.get(t.slug, []) for t in article.tags]
        for group in groups:
            here = _index(renderer, group, article)
            near.update(a.slug for a in group[max(0, here - RELATED_WINDOW):
                                              here + RELATED_WINDOW + 1])
    forced = {targets[renderer.position[slug]][0] for slug in near}
    listings = _listing_pages(renderer, added)
    for path, url, source in targets[len(articles):]:
        if source in SITE_WIDE_SOURCES or not source.startswith(("content/", *LISTING_KINDS)):
            forced.add(path)
        elif source in listings:
            numbers = listings[source]
            match = _PAGE.search(url)
            if numbers is None or (int(match[1]) if match else 0) in numbers:
                forced.add(path)
    return Changes(frozenset(edited), frozenset(forced))


def _listing_pages(renderer: Renderer, added: list[Article]) -> dict[str, frozenset[int] | None]:
    """For each listing the new articles enter (their section, tags, authors and month), the
    numbers of its pages that can change (``content.pagination.changed_pages``), or None for
    all of them (the ``newest`` order, where every later page shifts)."""
    site = renderer.site
    zone = site.config.timezone
    entered: dict[str, tuple[int, list[int]]] = {}

    def enter(source: str, group: list[Article], here: int) -> None:
        entered.setdefault(source, (len(group), []))[1].append(here)

    for article in added:
        enter(f"sections/{article.section}", group := renderer.by_section[article.section],
              _index(renderer, group, article))
        for tag in article.tags:
            group = renderer.by_tag[tag.slug]
            enter(f"tags/{tag.slug}", group, _index(renderer, group, article))
        for author in article.authors:
            if author.id:
                group = renderer.by_author[author.id]
                enter(f"authors/{author.id}", group, _index(renderer, group, article))
        local = article.date.astimezone(zone)
        month = local.year * 12 + local.month  # the site is newest first: a month is a run
        low = bisect.bisect_left(site.articles, -month, key=lambda a: _month(a, zone))
        high = bisect.bisect_right(site.articles, -month, key=lambda a: _month(a, zone))
        entered.setdefault(f"archive/{local.year:04d}-{local.month:02d}",
                           (high - low, []))[1].append(renderer.position[article.slug] - low)
    config = site.config
    return {source: changed_pages(count, config.per_page, config.pagination_order, indexes)
            for source, (count, indexes) in entered.items()}


def _index(renderer: Renderer, group: list[Article], article: Article) -> int:
    """Where ``article`` sits in ``group`` (a listing, newest first)."""
    return bisect.bisect_left(group, renderer.position[article.slug],
                              key=lambda a: renderer.position[a.slug])


def _month(article: Article, zone: tzinfo) -> int:
    """Minus the article's local month, so that the site's order (newest first) ascends."""
    local = article.date.astimezone(zone)
    return -(local.year * 12 + local.month)
