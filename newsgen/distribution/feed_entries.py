"""Feed entries: each article's RSS ``<item>`` and Atom ``<entry>``, made by feedgen and
serialized once, then shared by every feed the article is in (the site's, its section's, each
tag's and author's). feeds.py puts them into channels."""

from __future__ import annotations

import dataclasses
import hashlib
import html
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from feedgen.entry import FeedEntry  # type: ignore[import-untyped]
from feedgen.ext.base import BaseEntryExtension, BaseExtension  # type: ignore[import-untyped]
from feedgen.ext.dc import DcEntryExtension, DcExtension  # type: ignore[import-untyped]
from feedgen.ext.media import (  # type: ignore[import-untyped]
    MediaEntryExtension,
    MediaExtension,
)
from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]
from feedgen.util import xml_elem  # type: ignore[import-untyped]
from lxml import etree  # type: ignore[import-untyped]

from newsgen.content.config import SiteConfig
from newsgen.content.models import Article, Site
from newsgen.content.times import iso
from newsgen.distribution.weblinks import absolutize, xml_safe
from newsgen.engine.workers import Portable, parallel_map

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# How feedgen's pretty-printed documents end: entries go right before these bytes.
RSS_TAIL = b"  </channel>\n</rss>\n"
ATOM_TAIL = b"</feed>\n"
DCTERMS_NS = "http://purl.org/dc/terms/"
# Spawned entry workers (Windows, macOS) pay off from this many entries: an entry takes
# 0.45-0.75 ms (measured serially at 1,000 and 10,000 articles), a pool of two about 0.3 s
# to start, and the articles go to the workers pickled.
SPAWN_FROM = 1500


class _DctermsExtension(BaseExtension):  # type: ignore[misc,unused-ignore]
    def extend_ns(self) -> dict[str, str]:
        return {"dcterms": DCTERMS_NS}


class _DctermsEntryExtension(BaseEntryExtension):  # type: ignore[misc,unused-ignore]
    """``<dcterms:modified>`` on RSS items: RSS 2.0 has no update time of its own, and
    readers (feedparser among them) take this one as the item's ``updated``."""

    def __init__(self) -> None:
        self.modified: datetime | None = None

    def extend_rss(self, item: Any) -> Any:
        if self.modified is not None:
            xml_elem(f"{{{DCTERMS_NS}}}modified", item).text = iso(self.modified)
        return item

    def extend_atom(self, entry: Any) -> Any:
        return entry


def generator() -> FeedGenerator:
    """A feedgen generator with the extensions every feed uses."""
    fg = FeedGenerator()
    # load_extension("media") and ("dc") without their failed imports of a "*_entry" module
    # (thousands of path searches on a large site).
    fg.register_extension("media", MediaExtension, MediaEntryExtension, atom=True, rss=True)
    fg.register_extension("dc", DcExtension, DcEntryExtension, atom=False, rss=True)
    fg.register_extension("dcterms", _DctermsExtension, _DctermsEntryExtension,
                          atom=False, rss=True)
    return fg


def head(document: bytes, tail: bytes) -> bytes:
    """``document`` (a feed without entries) up to where feedgen puts the entries."""
    if not document.endswith(tail):
        raise ValueError(f"feedgen's feed does not end in {tail!r}: {document[-80:]!r}")
    return document[:-len(tail)]


class _EntryWriter:
    """Serializes one entry as feedgen does inside a feed: the entry's elements, from
    feedgen, are put in a channel of feedgen's (without entries) and serialized with it as
    ``rss_str``/``atom_str`` do, and the channel around them is cut off. The channel changes
    neither the entry's indentation (same depth) nor its namespace declarations (same
    extensions), so the bytes are those the entry has in any feed."""

    def __init__(self) -> None:
        fg = generator()
        fg.title("-")
        fg.description("-")
        fg.link(href="https://example.invalid/")
        fg.id("https://example.invalid/")
        fg.updated(EPOCH)
        # The element trees rss_str and atom_str serialize (feedgen has no public call for
        # them); the tests hold the feeds made from them to rss_str's and atom_str's bytes.
        self.rss, _ = fg._create_rss()
        self.atom, _ = fg._create_atom()
        self.channel = self.rss.find("channel")
        self.rss_head = head(_serialize(self.rss), RSS_TAIL)
        self.atom_head = head(_serialize(self.atom), ATOM_TAIL)

    def pieces(self, entry: FeedEntry) -> tuple[bytes, bytes]:
        """``entry``'s RSS ``<item>`` and Atom ``<entry>``, indented and ending in a newline."""
        return (self._cut(self.channel, entry.rss_entry(), self.rss, self.rss_head, RSS_TAIL),
                self._cut(self.atom, entry.atom_entry(), self.atom, self.atom_head, ATOM_TAIL))

    @staticmethod
    def _cut(parent: Any, element: Any, root: Any, head: bytes, tail: bytes) -> bytes:
        parent.append(element)
        try:
            document = _serialize(root)
        finally:
            parent.remove(element)
        if not document.startswith(head) or not document.endswith(tail):
            raise ValueError(f"the channel came out differently with an entry: {document[:300]!r}")
        return document[len(head):-len(tail)]


def _serialize(root: Any) -> bytes:
    """What ``rss_str(pretty=True)``/``atom_str(pretty=True)`` make of feedgen's ``root``."""
    return bytes(etree.tostring(etree.ElementTree(root), pretty_print=True, encoding="UTF-8",
                                xml_declaration=True))


class Entries:
    """Each article's RSS ``<item>`` and Atom ``<entry>``, made by feedgen and serialized
    once, shared by every feed it appears in: most of a feed's cost."""

    def __init__(self, site: Site | None = None, names: tuple[SiteConfig, dict[str, str],
                 dict[str, str]] | None = None) -> None:
        """From the ``site``, or (in a spawned worker) from its settings and ``names`` of
        sections and tags."""
        if site is not None:
            names = (site.config, {s.id: s.title for s in site.sections},
                     {t.slug: t.name for t in site.tags})
        assert names is not None
        self.config, self.sections, self.tag_names = names
        self.made: dict[str, tuple[bytes, bytes]] = {}
        self.keys: dict[str, bytes] = {}
        self.writer: _EntryWriter | None = None

    def key(self, article: Article) -> bytes:
        """A digest of everything of ``article`` that its feed entry shows."""
        found = self.keys.get(article.url)
        if found is None:
            image = dataclasses.astuple(article.image) if article.image else None
            shown = (article.url, article.title, article.summary, iso(article.date),
                     iso(article.modified), article.section,
                     [self.tag_names.get(t.slug, t.name) for t in article.tags],
                     [(a.id, a.name, a.url, a.link) for a in article.authors], image)
            # the body's HTML follows from its text and resolved links (``digest``) and the
            # markup settings (in the salt): reading 10,000 bodies back would cost seconds
            found = self.keys[article.url] = hashlib.blake2b(
                repr((shown, article.digest, article.body_key)).encode(),
                digest_size=16).digest()
        return found

    def get(self, article: Article) -> tuple[bytes, bytes]:
        """``article``'s RSS ``<item>`` and Atom ``<entry>`` bytes, made on first use."""
        pieces = self.made.get(article.url)
        if pieces is None:
            pieces = self.made[article.url] = self._pieces(article)
        return pieces

    def prepare(self, articles: Sequence[Article], workers: int | None = None) -> None:
        """Make the entries of ``articles`` that are not made yet, spread over ``workers``
        (forked ones share this object; spawned ones receive the articles and names)."""
        todo = list({a.url: a for a in articles if a.url not in self.made}.values())
        task = Portable(_making, (self.config, self.sections, self.tag_names, todo),
                        SPAWN_FROM, here=lambda index: self._pieces(todo[index]))
        made = parallel_map(task, len(todo), workers)
        self.made.update(zip((a.url for a in todo), made, strict=True))

    def _pieces(self, article: Article) -> tuple[bytes, bytes]:
        if self.writer is None:
            self.writer = _EntryWriter()
        return self.writer.pieces(self._make(article))

    def _make(self, article: Article) -> FeedEntry:
        config = self.config
        url = config.absolute(article.url)
        entry = FeedEntry()
        entry.register_extension("media", MediaEntryExtension, atom=True, rss=True)
        entry.register_extension("dc", DcEntryExtension, atom=False, rss=True)
        entry.register_extension("dcterms", _DctermsEntryExtension, atom=False, rss=True)
        entry.guid(url, permalink=True)
        entry.title(xml_safe(article.title))
        entry.link(href=url, rel="alternate", type="text/html")
        entry.published(seconds(article.date))
        entry.pubDate(seconds(article.date))
        entry.updated(seconds(article.modified))
        if article.modified > article.date:
            entry.dcterms.modified = seconds(article.modified)
        # RSS readers render <description> as HTML: the plain-text dek is escaped for it.
        # Atom's <summary> is typed text, so it carries the text as it is.
        entry.description(html.escape(xml_safe(article.summary or article.title)))
        entry.summary(xml_safe(article.summary or article.title))
        entry.content(absolutize(article.html, url), type="html")
        for author in article.authors:
            entry.dc.dc_creator(xml_safe(author.name), replace=False)
            person = {"name": xml_safe(author.name)}
            if author.url or author.link:
                person["uri"] = absolute(config, author.url or author.link)
            entry.author(person)
        section = self.sections.get(article.section)
        terms = ([section] if section else []) + [self.tag_names.get(t.slug, t.name)
                                                  for t in article.tags]
        for term in terms:
            entry.category(term=xml_safe(term))
        if article.image:
            media = {"url": absolute(config, article.image.src), "medium": "image"}
            renditions = article.image.renditions
            if renditions is not None:  # a rendition near 1200 px, as readers' apps show it
                shown = [r for r in renditions.fallback if r.width <= 1200] or \
                    [renditions.fallback[0]]
                media = {"url": absolute(config, shown[-1].url), "medium": "image",
                         "type": shown[-1].mime, "width": str(shown[-1].width),
                         "height": str(shown[-1].height)}
            elif article.image.width and article.image.height:
                media.update(width=str(article.image.width), height=str(article.image.height))
            entry.media.content(media, group=None)
        return entry


def _making(state: tuple[SiteConfig, dict[str, str], dict[str, str], list[Article]]
            ) -> Callable[[int], tuple[bytes, bytes]]:
    """The function making entry ``index`` of ``state`` in a spawned worker: an
    :class:`Entries` of its own over the same settings and names."""
    config, sections, tag_names, todo = state
    entries = Entries(names=(config, sections, tag_names))
    return lambda index: entries._pieces(todo[index])


def absolute(config: SiteConfig, path_or_url: str) -> str:
    if path_or_url.startswith(("http://", "https://")):
        return xml_safe(path_or_url)
    return config.absolute(path_or_url)


def seconds(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)
