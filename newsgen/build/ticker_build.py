"""A build of the ticker alone, for the change a newsroom makes most: a new headline.

When the only inputs that changed since the last full build into an output folder are
headline files (or only the clock passed a held-back headline's time), nothing but the ticker
can differ: ``ticker.html`` and ``ticker.json`` of each edition, and the pages that always
carry the current ticker (``ticker.embed: live``: the front page and the section fronts),
which get it spliced in at the recorded offsets, exactly as a full build splices it. Every
other file is kept. This costs the same at 100,000 articles as at 100 (issue #18: a headline
live in seconds).

What the rest of the site contributes is taken from a snapshot the last full build left in the
cache (:class:`TickerSnapshot`): the newest article items of each edition's ticker, every
article's slug (headlines link to them), the scheduled changes and warnings not from
headlines, and each edition's template view. Whenever the result might differ from a full
build's (a headline error, an item some page's older ticker shows withdrawn, a scheduled change
passed, an edited page, ``ticker.embed: inline``...), :func:`build_ticker` returns None and the
caller builds in full: this path may only ever be a faster way to the same output.
"""

from __future__ import annotations

import base64
import json
import pickle
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from newsgen.build.cache import read_records, update_records
from newsgen.build.cache_meta import read_meta
from newsgen.build.inputs import Request
from newsgen.build.page_records import PageRecord
from newsgen.build.page_work import cut_tickers, join_tickers
from newsgen.content.config import SiteConfig
from newsgen.content.editions import edition_config
from newsgen.content.loader import load_headlines
from newsgen.content.models import Article, Headline, Site, TickerItem
from newsgen.content.publish import (
    Selection,
    Story,
    Visibility,
    headline_items,
    item_order,
    newest_article_items,
    shown_headlines,
    stories,
)
from newsgen.content.times import earliest, iso
from newsgen.content.translations import cross_edition_headlines
from newsgen.content.urls import output_path
from newsgen.distribution.sitemaps import news_window_change
from newsgen.engine.digests import file_digest
from newsgen.engine.writer import MARKER_DIR, OutputWriter, WriteStats
from newsgen.errors import Problem, ProblemList
from newsgen.render.renderer import SiteView, render_ticker
from newsgen.render.templating import make_environment
from newsgen.render.ticker import current_ticker_paths, item_key, keyed_article, ticker_json

# Article items kept beyond the ticker's size: headlines standing in for that many of the
# newest articles still leave a full ticker (more, and the build is a full one).
SPARE_ITEMS = 64
HEADLINES = "content/headlines/"


@dataclass(frozen=True)
class EditionTicker:
    """One edition's part of the snapshot."""

    lang: str
    view: SiteView  # what the ticker template sees as ``site``
    items: tuple[tuple[str, TickerItem], ...]  # (slug, item): the newest article items
    complete: bool  # ``items`` are all of the edition's article items
    known: dict[str, str]  # item key -> slug: article items older tickers may show
    paths: tuple[str, ...]  # the pages that always carry the current ticker


@dataclass(frozen=True)
class TickerSnapshot:
    editions: tuple[EditionTicker, ...]  # the default edition first
    stories: dict[str, Story]  # every article by slug
    next_change: datetime | None  # the earliest scheduled change not from a headline
    warnings: tuple[Problem, ...]  # the last build's, less those of headline files
    articles: int
    files: int = 0  # set when the build is saved (snapshot_meta)


@dataclass(frozen=True)
class TickerKeys:
    """Where a build into one output folder keeps its snapshot in the cache's meta table."""

    rest: str  # the inputs fingerprint without headline files the snapshot is valid for
    snapshot: str
    stories: str  # apart: read only for headlines that link to a story

    @classmethod
    def of(cls, out_dir: Path) -> TickerKeys:
        where = str(out_dir.resolve())
        return cls(f"ticker-rest:{where}", f"ticker-snapshot:{where}",
                   f"ticker-stories:{where}")


@dataclass
class Outcome:
    stats: WriteStats
    files: int
    articles: int
    warnings: list[Problem]
    next_change: datetime | None


def take_snapshot(sites: tuple[Site, ...], whole: Site, articles: Iterable[Article],
                  selection: Selection, views: dict[str, SiteView], warnings: list[Problem],
                  seen: list[str] | None) -> TickerSnapshot | None:
    """What a headline-only build needs of this full build (None: it cannot have one);
    ``whole``: every edition's site in one, as the build summary counts it."""
    editions = []
    for site in sites:
        paths = current_ticker_paths(site)
        view = views.get(site.config.language)
        if paths is None or view is None:
            return None
        editions.append(_edition(site, view, sorted(paths), seen or []))
    changes = [selection.next_change, news_window_change(whole),
               *(s.breaking.expires for s in sites if s.breaking)]
    return TickerSnapshot(
        tuple(editions), stories(articles, selection), earliest(*changes),
        tuple(w for w in warnings if not w.location.path.startswith(HEADLINES)),
        len(whole.articles))


def _edition(site: Site, view: SiteView, paths: list[str], seen: list[str]) -> EditionTicker:
    lang = site.config.language
    keep = site.config.ticker_size + SPARE_ITEMS
    items = newest_article_items(site.articles, keep)
    known = {item_key(item, lang): slug for slug, item in items}
    wanted = [key for key in seen if key.startswith(lang + "\t") and key not in known]
    if wanted:  # the older tickers' article items, found by their address
        by_url = {a.url: a for a in site.articles}
        for key in wanted:
            if (article := keyed_article(key, by_url, lang)) is not None:
                known[key] = article.slug
    return EditionTicker(lang, view, tuple(items), len(site.articles) <= keep, known,
                         tuple(paths))


def snapshot_meta(keys: TickerKeys, rest_key: str | None, snapshot: TickerSnapshot | None,
                  files: int) -> dict[str, str]:
    """The cache meta entries that keep ``snapshot`` of a build of ``files`` files (emptied
    when there is none)."""
    if not rest_key or snapshot is None:
        return {keys.rest: "", keys.snapshot: "", keys.stories: ""}
    return {keys.rest: rest_key,
            keys.snapshot: _encode(replace(snapshot, stories={}, files=files)),
            keys.stories: _encode(snapshot.stories)}


def _encode(value: object) -> str:
    return base64.b64encode(pickle.dumps(value, pickle.HIGHEST_PROTOCOL)).decode("ascii")


def _decode(request: Request, key: str) -> object:
    try:
        return pickle.loads(base64.b64decode(read_meta(request.config.site_dir, key) or ""))
    except Exception:  # a damaged row costs a full build, never a wrong page
        return None


def _load_snapshot(request: Request, headlines: list[Headline]) -> TickerSnapshot | None:
    """The last full build's snapshot, with its stories (100,000 at 100,000 articles) only
    when a headline links to one."""
    keys = TickerKeys.of(request.out_dir)
    if not request.rest_key or read_meta(request.config.site_dir, keys.rest) != \
            request.rest_key:
        return None
    snapshot = _decode(request, keys.snapshot)
    if not isinstance(snapshot, TickerSnapshot):
        return None
    if any(h.link and not h.link.startswith(("http://", "https://")) for h in headlines):
        stories = _decode(request, keys.stories)
        if not isinstance(stories, dict):
            return None
        snapshot = replace(snapshot, stories=stories)
    return snapshot


def build_ticker(request: Request, seen: list[str] | None, intact: Callable[[], bool]
                 ) -> Outcome | None:
    """Apply a headline-only change, or return None for a full build (module docstring)."""
    config = request.config
    if config.ticker_embed != "live" or seen is None:
        return None
    problems = ProblemList()
    headlines = load_headlines(config, problems)
    snapshot = _load_snapshot(request, headlines)
    if snapshot is None or (snapshot.next_change is not None
                            and request.now >= snapshot.next_change):
        return None
    if config.editions:
        headlines = cross_edition_headlines(config, headlines, snapshot.stories, problems)
    if problems.errors or (request.strict and problems.items):
        return None  # the full build reports them, exactly as always
    tickers, future = [], []
    for edition in snapshot.editions:
        mine = [h for h in headlines if h.lang == edition.lang] if config.editions \
            else headlines
        ticker = _ticker(config, edition, snapshot.stories, mine, request, seen, future,
                         problems)
        if ticker is None or problems.errors:
            return None
        tickers.append(ticker)
    writer = OutputWriter(request.out_dir, few=True)
    if writer.cold:
        return None
    return _apply(request, writer, snapshot, tickers, seen, future, problems, intact)


def _ticker(config: SiteConfig, edition: EditionTicker, by_slug: dict[str, Story],
            headlines: list[Headline], request: Request, seen: list[str],
            future: list[datetime], problems: ProblemList) -> list[TickerItem] | None:
    """The edition's ticker as a full build would make it, or None when that is not sure
    (too few spare article items, or an item some older ticker shows is gone)."""
    visible = {slug for slug in {h.link for h in headlines}
               if slug in by_slug and by_slug[slug].visible}
    shown, due = shown_headlines(headlines, visible, by_slug, request.now,
                                 Visibility(request.drafts, request.future), problems)
    if due is not None:
        future.append(due)
    items, covered = headline_items(shown, lambda slug: by_slug[slug].url)
    rest = [item for slug, item in edition.items if slug not in covered]
    size = config.ticker_size
    if len(rest) < size and not edition.complete:
        return None
    mine = {item_key(item, edition.lang) for item in items}
    for key in seen:
        if not key.startswith(edition.lang + "\t") or key in mine:
            continue
        slug = edition.known.get(key)
        if slug is None or slug in covered:
            return None  # withdrawn, or not known to be there: every page must be redone
    return sorted(items + rest, key=item_order)[:size]


# long: one straight sequence (write, splice, keep, commit, cache) that reads best unbroken
def _apply(request: Request, writer: OutputWriter, snapshot: TickerSnapshot,
           tickers: list[list[TickerItem]], seen: list[str], future: list[datetime],
           problems: ProblemList, intact: Callable[[], bool]) -> Outcome | None:
    config = request.config
    records: dict[str, PageRecord] = {}
    current = set(seen)
    for edition, ticker in zip(snapshot.editions, tickers, strict=True):
        edition_conf = edition_config(config, edition.lang)
        env = make_environment(edition_conf)
        view = replace(edition.view, now=request.now)
        env.globals["site"] = view
        html = render_ticker(env, view, ticker).encode()
        current |= {item_key(item, edition.lang) for item in ticker}
        fragment = output_path(edition_conf.page_prefix + "/ticker.html", config.url_prefix)
        old = writer.old.get(fragment)
        if old is None:
            return None
        if old[0] != file_digest(html):
            spliced = _splice(request, writer, edition.paths, html, old[1])
            if spliced is None:
                return None
            records.update(spliced)
            writer.put(fragment, html)
        page = ticker_json(edition_conf, ticker)
        writer.put(page.path, page.text.encode())
    next_change = earliest(snapshot.next_change, *future)
    text = iso(next_change) + "\n" if next_change else "none\n"
    writer.put(f"{MARKER_DIR}/next-change", text.encode())
    writer.keep_rest()
    # Asked last: the check runs in another process meanwhile, and nothing above touched
    # the output (files are staged beside it).
    if not intact():
        return None  # a file edited or removed by hand: the full build puts it right
    stats = writer.commit()
    warnings = [*snapshot.warnings, *problems.warnings]
    summary = {"articles": snapshot.articles, "files": snapshot.files,
               "next_change": iso(next_change) if next_change else "",
               "warnings": [p.as_dict() for p in warnings]}
    update_records(config.site_dir, request.cache_scope, records,
                   {request.meta_keys[0]: request.inputs_key,
                    request.meta_keys[1]: json.dumps(summary),
                    request.seen_key: json.dumps(sorted(current))})
    return Outcome(stats, snapshot.files, snapshot.articles, warnings, next_change)


def _splice(request: Request, writer: OutputWriter, paths: tuple[str, ...], html: bytes,
            old_size: int) -> dict[str, PageRecord] | None:
    """The new ticker in each page that always carries the current one."""
    records = read_records(request.config.site_dir, request.cache_scope, paths)
    if records is None or set(records) != set(paths):
        return None
    done = {}
    for path, record in records.items():
        if not record.splices:
            continue  # a site template without the ticker: nothing to do
        previous = writer.old_bytes(path, record.digest)
        if previous is None:
            return None
        data, new = join_tickers(html, record.fingerprint, record.refs,
                                 cut_tickers(previous, record.splices, old_size))
        writer.put(path, data, new.digest)
        done[path] = new
    return done
