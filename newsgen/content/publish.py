"""Publication rules: what readers may see at ``now``, and the site-wide lists built from it.

Drafts, embargoed (future) and expired articles are dropped here, once, so that no page,
listing, ticker, feed or sitemap can show them by accident.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import NamedTuple

from newsgen.content.config import SiteConfig
from newsgen.content.live import held_body_key, hold_back
from newsgen.content.loader import Content
from newsgen.content.models import (
    Article,
    Author,
    BreakingNews,
    Headline,
    Section,
    Site,
    Tag,
    TickerItem,
)
from newsgen.content.urls import section_url
from newsgen.engine.digests import digest
from newsgen.errors import ProblemList, SourceLocation


@dataclass(frozen=True)
class Visibility:
    """Options that widen what a build shows (editors' previews)."""

    drafts: bool = False
    future: bool = False


@dataclass(frozen=True)
class Selection:
    visible: tuple[Article, ...]
    hidden: tuple[Article, ...]
    next_change: datetime | None


def select(articles: list[Article], now: datetime, options: Visibility) -> Selection:
    """Split articles into visible and hidden, and find when that split next changes."""
    visible, hidden, changes = [], [], []
    for article in articles:
        if article.date > now:
            changes.append(article.date)
        if article.expires and article.expires > now:
            changes.append(article.expires)
        if article.coverage is not None:  # the LIVE label comes and goes with coverage
            changes += [t for t in (article.coverage.start, article.coverage.end)
                        if t is not None and t > now]
        shown = ((options.drafts or not article.draft)
                 and (options.future or article.date <= now)
                 and not (article.expires and article.expires <= now))
        if article.updates:
            article = _live_updates(article, now, options.future)
            changes += [u.time for u in article.held]
        (visible if shown else hidden).append(article)
    visible.sort(key=_newest_first)
    return Selection(tuple(visible), tuple(hidden), min(changes) if changes else None)


def _live_updates(article: Article, now: datetime, future: bool) -> Article:
    """A live blog as readers see it at ``now``: updates timed later are held back like an
    embargoed article (``--future`` shows them), and it counts as updated at its latest
    shown update."""
    shown, held = (article.updates, ()) if future else hold_back(article.updates, now)
    times = [u.time for u in shown] + ([article.updated] if article.updated else [])
    updated = max(times) if times else None
    if not held and updated == article.updated:
        return article
    return article.evolve(updates=shown, held=held, updated=updated,
                          body_key=held_body_key(article.body_key, held),
                          front_key=digest(article.front_key, *(u.anchor for u in held)))


class Story(NamedTuple):
    """What a headline's link needs to know of the article it names."""

    lang: str
    url: str
    visible: bool


def stories(articles: Iterable[Article], selection: Selection) -> dict[str, Story]:
    """Every article by slug (drafts and embargoed ones too: a headline may wait for them)."""
    visible = {a.slug for a in selection.visible}
    return {a.slug: Story(a.lang, a.url, a.slug in visible) for a in articles}


def _newest_first(article: Article) -> tuple[float, str]:
    return (-article.date.timestamp(), article.slug)


def assemble(config: SiteConfig, now: datetime, content: Content, selection: Selection,
             articles: tuple[Article, ...], options: Visibility,
             problems: ProblemList) -> Site:
    """The Site a build renders: visible articles (bodies converted), ticker and taxonomies."""
    articles = tuple(_with_live_state(a, now) if a.live else a for a in articles)
    headlines, headline_change = _headlines(content, selection, articles, now, options,
                                            problems)
    breaking, breaking_change = _breaking(config.language, content, selection, articles, now,
                                          problems)
    changes = [t for t in (selection.next_change, headline_change, breaking_change)
               if t is not None]
    return Site(
        config=config, now=now, articles=articles, headlines=headlines,
        pages=tuple(sorted(content.pages, key=lambda p: p.slug)),
        sections=_sections(config, articles), tags=_tags(articles),
        authors=_authors(articles),
        ticker=_ticker(config, articles, headlines),
        next_change=min(changes) if changes else None,
        hidden=selection.hidden, breaking=breaking,
    )


def _breaking(lang: str, content: Content, selection: Selection,
              articles: tuple[Article, ...], now: datetime, problems: ProblemList
              ) -> tuple[BreakingNews | None, datetime | None]:
    """The banner readers see at ``now`` and when that ends: at its expiry, the next build
    must take it down. A banner linking to an unpublished article waits for it (the
    article's date is already a next-change time). Each edition shows its own banner."""
    banner = next((b for b in content.breaking if b.lang == lang), None)
    if banner is None:
        return None, None
    link, external = banner.link, banner.link.startswith(("http://", "https://"))
    if link and not external:
        target = next((a for a in articles if a.slug == link), None)
        if target is None:
            if not any(a.slug == link for a in selection.hidden):
                problems.error(SourceLocation(banner.source, banner.link_line),
                               f"breaking news links to '{link}', which is no article's "
                               "slug", "breaking-link")
            return None, None
        link = target.url
    if banner.expires <= now:
        return None, None
    return BreakingNews(banner.title, banner.expires, link, external), banner.expires


def _with_live_state(article: Article, now: datetime) -> Article:
    """A live blog with its state at ``now`` ("upcoming", "open", "ended"): pages show it
    (the LIVE label), so it is part of the article's keys."""
    coverage = article.coverage
    state = "ended" if coverage is None else "upcoming" if now < coverage.start else \
        "open" if coverage.is_open(now) else "ended"
    return article.evolve(live_state=state, front_key=digest(article.front_key, state),
                          digest=digest(article.digest, state))


def _headlines(content: Content, selection: Selection, articles: tuple[Article, ...],
               now: datetime, options: Visibility,
               problems: ProblemList) -> tuple[tuple[Headline, ...], datetime | None]:
    visible_slugs = {a.slug for a in articles}
    known_slugs = visible_slugs | {a.slug for a in selection.hidden}
    return shown_headlines(content.headlines, visible_slugs, known_slugs, now, options,
                           problems)


def shown_headlines(headlines: Iterable[Headline], visible_slugs: Container[str],
                    known_slugs: Container[str], now: datetime, options: Visibility,
                    problems: ProblemList) -> tuple[tuple[Headline, ...], datetime | None]:
    """The headlines readers see at ``now``, newest first, and the time the next one held
    back is due. A headline-only rebuild (build/ticker_build.py) calls this with the slugs
    of the last full build, so both decide alike."""
    shown, future = [], []
    for headline in headlines:
        link = headline.link
        if link and not link.startswith(("http://", "https://")):
            if link not in known_slugs:
                problems.error(SourceLocation(headline.source, headline.line),
                               f"headline links to '{link}', which is no article's slug",
                               "headline-link")
                continue
            if link not in visible_slugs:
                continue  # stays hidden until its article is published
        if headline.time > now and not options.future:
            future.append(headline.time)
            continue
        shown.append(headline)
    shown.sort(key=lambda h: (-h.time.timestamp(), h.title, h.source, h.line))
    return tuple(shown), min(future) if future else None


def _ticker(config: SiteConfig, articles: tuple[Article, ...],
            headlines: tuple[Headline, ...]) -> tuple[TickerItem, ...]:
    """Latest items of articles and headlines together; a headline stands in for its article
    (what sorting every item would give, without an item for every article of the archive)."""
    by_slug = {a.slug: a for a in articles}
    items, covered = headline_items(headlines, lambda slug: by_slug[slug].url)
    size = config.ticker_size
    items += [item for _slug, item in newest_article_items(articles, size, covered)]
    items.sort(key=item_order)
    return tuple(items[:size])


def newest_article_items(articles: Sequence[Article], count: int,
                         skip: Container[str] = ()) -> list[tuple[str, TickerItem]]:
    """(slug, item) of the ``count`` first article items in ticker order, articles whose
    slug is in ``skip`` left out: what sorting every article's item would give, from the
    newest articles and the live blogs alone. Articles come newest first (``select``);
    an item is at its article's date but a live blog's, at its latest update."""
    if any(a.date < b.date for a, b in pairwise(articles)):  # not newest first
        pairs = [(a.slug, article_item(a)) for a in articles if a.slug not in skip]
        return heapq.nsmallest(count, pairs, key=lambda pair: item_order(pair[1]))
    pairs, plain, boundary = [], 0, None
    for article in articles:
        if article.slug in skip:
            continue
        if article.live:
            pairs.append((article.slug, article_item(article)))
        elif plain < count or article.date == boundary:
            pairs.append((article.slug, article_item(article)))
            plain += 1
            boundary = article.date  # items tied with the last one taken come too
    return heapq.nsmallest(count, pairs, key=lambda pair: item_order(pair[1]))


def headline_items(headlines: Iterable[Headline], url_of: Callable[[str], str]
                   ) -> tuple[list[TickerItem], set[str]]:
    """The ticker items of ``headlines`` and the slugs of the articles they stand in for."""
    items: list[TickerItem] = []
    covered: set[str] = set()
    for headline in headlines:
        if headline.link.startswith(("http://", "https://")):
            items.append(TickerItem(headline.time, headline.title, headline.link, True))
        elif headline.link:
            covered.add(headline.link)
            items.append(TickerItem(headline.time, headline.title, url_of(headline.link)))
        else:
            items.append(TickerItem(headline.time, headline.title))
    return items, covered


def article_item(article: Article) -> TickerItem:
    """An article's own ticker item; a live blog's is at its latest update, labelled while
    coverage is open."""
    if article.live:
        latest = max([u.time for u in article.updates], default=article.date)
        return TickerItem(latest, article.title, article.url,
                          live=article.live_state == "open")
    return TickerItem(article.date, article.title, article.url)


def item_order(item: TickerItem) -> tuple[float, str, str]:
    """Newest first; a sort keeps headlines before articles, and articles in site order,
    where this ties."""
    return (-item.time.timestamp(), item.title, item.url)


def _sections(config: SiteConfig, articles: tuple[Article, ...]) -> tuple[Section, ...]:
    prefix = config.page_prefix
    if config.sections:
        return tuple(Section(s.id, s.title, section_url(prefix, s.id)) for s in config.sections)
    ids = sorted({a.section for a in articles})
    return tuple(Section(i, i.replace("-", " ").title(), section_url(prefix, i)) for i in ids)


def _tags(articles: tuple[Article, ...]) -> tuple[Tag, ...]:
    """One Tag per slug; its name is the spelling most articles use (ties: alphabetical)."""
    spellings: dict[str, Counter[str]] = {}
    first: dict[str, Tag] = {}
    for article in articles:
        for tag in article.tags:
            spellings.setdefault(tag.slug, Counter())[tag.name] += 1
            first.setdefault(tag.slug, tag)
    result = []
    for slug in sorted(spellings):
        name = sorted(spellings[slug].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        result.append(Tag(slug, name, first[slug].url))
    return tuple(result)


def _authors(articles: tuple[Article, ...]) -> tuple[Author, ...]:
    found: dict[str, Author] = {}
    for article in articles:
        for author in article.authors:
            if author.id:
                found.setdefault(author.id, author)
    return tuple(found[k] for k in sorted(found))
