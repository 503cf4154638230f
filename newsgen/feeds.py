"""RSS 2.0 feeds built with feedgen: full content, absolute URLs, deterministic bytes.

``lastBuildDate`` comes from the newest content time, never the wall clock, so two builds of
the same content produce the same file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator

from newsgen.models import Article, Site

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_RELATIVE = re.compile(r'(\s(?:href|src))="(/[^"]*)"')
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (they would make the feed unparseable)."""
    return _CONTROL.sub("", text)


def absolutize(body_html: str, origin: str) -> str:
    """Make site-relative links and images absolute: feed readers have no base URL."""
    return _RELATIVE.sub(lambda m: f'{m.group(1)}="{origin}{m.group(2)}"', body_html)


def rss_feed(site: Site, articles: Sequence[Article], title: str, page_url: str,
             feed_url: str, description: str) -> bytes:
    """One RSS 2.0 document for ``articles`` (newest first, already limited)."""
    config = site.config
    fg = FeedGenerator()
    fg.load_extension("media", rss=True, atom=False)
    fg.load_extension("dc", rss=True, atom=False)
    fg.title(xml_safe(title))
    fg.link(href=config.absolute(page_url), rel="alternate")
    fg.link(href=config.absolute(feed_url), rel="self")
    fg.description(xml_safe(description or config.description or config.title))
    fg.language(config.language)
    fg.generator("newsgen", uri="https://pypi.org/project/newsgen/")
    newest = max((a.modified for a in articles), default=EPOCH)
    fg.lastBuildDate(newest)
    for article in reversed(articles):  # feedgen prepends; this keeps newest first
        entry = fg.add_entry()
        url = config.absolute(article.url)
        entry.title(xml_safe(article.title))
        entry.link(href=url)
        entry.guid(url, permalink=True)
        entry.pubDate(article.date)
        if article.updated or article.corrections:
            entry.updated(article.modified)
        entry.description(xml_safe(article.summary))
        entry.content(xml_safe(absolutize(article.html, config.origin)))
        for author in article.authors:
            entry.dc.dc_creator(xml_safe(author.name), replace=False)
        section = next((s for s in site.sections if s.id == article.section), None)
        if section:
            entry.category(term=xml_safe(section.title))
        for tag in article.tags:
            entry.category(term=xml_safe(tag.name))
        if article.image:
            image_url = article.image.src if article.image.src.startswith("http") \
                else config.absolute(article.image.src)
            media = {"url": image_url, "medium": "image"}
            if article.image.width and article.image.height:
                media.update(width=str(article.image.width), height=str(article.image.height))
            entry.media.content(**media)
    return fg.rss_str(pretty=True)
