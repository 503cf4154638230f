"""The ticker outside the pages: ``ticker.json`` (which the live ticker script and other
sites read) and which pages must always carry the current ticker (``ticker.embed``)."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence

from newsgen.content.config import SiteConfig
from newsgen.content.models import Article, Site, TickerItem
from newsgen.content.publish import article_item, headline_items
from newsgen.content.times import iso
from newsgen.content.urls import output_path, section_url
from newsgen.render.specs import RenderedPage


def current_ticker_paths(site: Site) -> frozenset[str] | None:
    """The pages that always carry the current ticker: the front page and each section's
    first page (``ticker.embed: live``; every other page may keep the ticker of its last
    build, which ticker.js refreshes in the browser). None: every page (``inline``)."""
    config = site.config
    if config.ticker_embed != "live":
        return None
    prefix = config.page_prefix
    urls = [prefix + "/"] + [section_url(prefix, s.id) for s in site.sections]
    return frozenset(output_path(url, config.url_prefix) for url in urls)


def ticker_json(config: SiteConfig, ticker: Sequence[TickerItem]) -> RenderedPage:
    """Every ticker item with its time (ISO and HH:MM in the site zone), title, site path
    (for internal links) and absolute URL."""
    prefix = config.page_prefix
    items = [{"time": iso(item.time.astimezone(config.timezone)),
              "hhmm": item.time.astimezone(config.timezone).strftime("%H:%M"),
              "title": item.title,
              "path": item.url if item.url and not item.external else None,
              "url": (item.url if item.external or not item.url
                      else config.absolute(item.url)),
              **({"live": True} if item.live else {})}
             for item in ticker]
    text = json.dumps({"title": config.title, "timezone": config.timezone.key,
                       "items": items}, ensure_ascii=False, indent=1) + "\n"
    url = prefix + "/ticker.json"  # /fr/ticker.json in the French edition
    return RenderedPage(output_path(url, config.url_prefix), url, "ticker", text)


def item_key(item: TickerItem, edition: str) -> str:
    """What identifies a ticker item for withdrawal: its edition, its target and its words
    (a live blog's time and label move with its updates and are not part of it)."""
    return edition + "\t" + json.dumps([item.url, item.title] if item.url and not item.external
                                       else [item.time.isoformat(), item.title, item.url])


def withdrawn(seen: Collection[str] | None, site: Site) -> bool:
    """Whether an item that some page's older ticker may show (``seen``: every item of every
    ticker since the pages were last all brought up to date) is gone from the site: an
    article expired, unpublished, deleted or retitled, a headline removed or corrected. Then
    no page may keep an older ticker: a story taken down goes from every page. Each such
    item is looked for by its address, not among the items of every article."""
    language = site.config.language
    mine = [key for key in seen or () if key.startswith(language + "\t")]
    if not mine:
        return False
    by_slug = {a.slug: a for a in site.articles}
    items, covered = headline_items(site.headlines, lambda slug: by_slug[slug].url)
    available = {item_key(item, language) for item in items}
    by_url: dict[str, Article] | None = None
    for key in mine:
        if key in available:
            continue
        if by_url is None:
            by_url = {a.url: a for a in site.articles if a.slug not in covered}
        if keyed_article(key, by_url, language) is None:
            return True
    return False


def keyed_article(key: str, by_url: dict[str, Article], language: str) -> Article | None:
    """The article of ``by_url`` (articles by address) whose own ticker item has ``key``."""
    article = by_url.get(_article_key_url(key) or "")
    if article is None or item_key(article_item(article), language) != key:
        return None
    return article


def _article_key_url(key: str) -> str | None:
    """The address in an item key of the form an article's item has, else None."""
    try:
        value = json.loads(key.split("\t", 1)[1])
    except (ValueError, IndexError):
        return None
    return value[0] if isinstance(value, list) and len(value) == 2 and \
        isinstance(value[0], str) else None


def seen_after(seen: Collection[str] | None, site: Site, refreshed: bool) -> list[str]:
    """``seen`` for the next build: the current ticker's items, plus (unless every page now
    carries the current ticker) the items older tickers on kept pages may still show."""
    edition = site.config.language
    current = {item_key(item, edition) for item in site.ticker}
    others = {key for key in seen or () if not key.startswith(edition + "\t")}
    if site.config.ticker_embed != "live" or refreshed or seen is None:
        return sorted(current | others)
    return sorted(current | others | set(seen))
