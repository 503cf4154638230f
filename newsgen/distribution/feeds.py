"""RSS 2.0 and Atom feeds built with feedgen: full content, absolute URLs, deterministic bytes.

One pair of feeds for the whole site and one for each section, tag and author. Every time in a
feed comes from the content (newest update, correction or publication), never the wall clock,
and nothing version- or clock-dependent that feedgen adds by default is left in, so two builds
of the same content produce the same bytes.

feedgen writes every channel and every entry, but an entry is serialized once and its bytes
go into each feed it belongs to (the site's, its section's, each tag's and author's), so a
large site does not build and serialize an article's full content half a dozen times.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from feedgen.entry import FeedEntry  # type: ignore[import-untyped]
from feedgen.version import version_str as feedgen_version  # type: ignore[import-untyped]

from newsgen import __version__
from newsgen.content.config import SiteConfig
from newsgen.content.models import Article, Site
from newsgen.content.times import iso
from newsgen.content.urls import output_path
from newsgen.distribution.feed_entries import (
    ATOM_TAIL,
    EPOCH,
    RSS_TAIL,
    Entries,
    absolute,
    generator,
    head,
    seconds,
)
from newsgen.distribution.weblinks import xml_safe
from newsgen.engine.workers import parallel_map

RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"
_RSS_IMAGE_TYPES = (".png", ".gif", ".jpg", ".jpeg")
FORMAT = "1"  # bump when the feeds' layout changes: last build's files are then rewritten
GENERATOR = ("newsgen", "https://pypi.org/project/newsgen/")


def feed_urls(page_url: str) -> tuple[str, str]:
    """(RSS, Atom) site paths of the feeds that belong to the listing at ``page_url``.

    A listing lives in a folder (``/world/``, ``/tags/ports/``, ``/authors/ana/``); its feeds
    sit beside its ``index.html`` as ``rss.xml`` and ``atom.xml``. No page can take those
    paths: page URLs end in ``/`` or ``.html`` and slugs cannot contain a dot."""
    return page_url + "rss.xml", page_url + "atom.xml"


def feed_links(page_url: str, title: str) -> list[dict[str, str]]:
    """``<link rel="alternate">`` data for a listing's feeds, as base.html expects it."""
    rss, atom = feed_urls(page_url)
    return [{"type": RSS_TYPE, "title": f"{title} (RSS)", "url": rss},
            {"type": ATOM_TYPE, "title": f"{title} (Atom)", "url": atom}]


@dataclass(frozen=True)
class Channel:
    """One listing that gets a pair of feeds: the site, a section, a tag or an author."""

    title: str
    description: str
    page_url: str
    articles: tuple[Article, ...]


def distributable(site: Site) -> tuple[Article, ...]:
    """Articles that may leave the site: published, not a draft, not embargoed. A preview
    build (``--drafts``/``--future``) shows more pages, but never hands them to aggregators."""
    return tuple(a for a in site.articles if not a.draft and a.date <= site.now)


Groups = dict[str, list[Article]]


def grouped(articles: Sequence[Article]) -> tuple[Groups, Groups, Groups]:
    """Articles by section id, tag slug and author id, each list in the given order."""
    by_section: Groups = {}
    by_tag: Groups = {}
    by_author: Groups = {}
    for article in articles:
        by_section.setdefault(article.section, []).append(article)
        for tag in article.tags:
            by_tag.setdefault(tag.slug, []).append(article)
        for person in article.authors:
            if person.id:
                by_author.setdefault(person.id, []).append(article)
    return by_section, by_tag, by_author


_LAST: list[Any] = []  # the last site asked for, weakly, and its distributed groups


def distributed(site: Site) -> tuple[tuple[Article, ...], Groups, Groups, Groups]:
    """:func:`distributable` and its :func:`grouped` lists, worked out once a site: the
    feeds' keys, the feeds and the sitemap each took a pass over every article (0.4 s of a
    rebuild at 100,000). Forgotten when the site is."""
    if _LAST and _LAST[0]() is site:
        return _LAST[1]
    articles = distributable(site)
    found = (articles, *grouped(articles))
    _LAST[:] = [weakref.ref(site), found]
    weakref.finalize(site, _LAST.clear)
    return found


def channels(site: Site) -> Iterator[Channel]:
    """Every feed pair of the site, each with its newest ``feed_size`` articles."""
    config = site.config
    size = config.feed_size
    articles, by_section, by_tag, by_author = distributed(site)
    yield Channel(config.title, config.description or config.title, config.page_prefix + "/",
                  articles[:size])
    for section in site.sections:
        yield Channel(f"{config.title}: {section.title}",
                      f"{section.title}: the latest from {config.title}", section.url,
                      tuple(by_section.get(section.id, [])[:size]))
    for tag in site.tags:
        yield Channel(f"{config.title}: {tag.name}", f"Articles tagged {tag.name}", tag.url,
                      tuple(by_tag.get(tag.slug, [])[:size]))
    for author in site.authors:
        yield Channel(f"{config.title}: {author.name}", author.bio or f"Articles by {author.name}",
                      author.url, tuple(by_author.get(author.id, [])[:size]))


@dataclass(frozen=True)
class FeedJob:
    """One channel's two output files and a key that changes whenever either would."""

    channel: Channel
    rss_path: str
    atom_path: str
    key: str


ENTRY_BATCH = 2000  # articles whose entries are made (and held) at a time
T = TypeVar("T")


def _both(job: FeedJob, rss: bytes, atom: bytes) -> tuple[bytes, bytes]:
    return rss, atom


class FeedSet:
    """Every feed of one build. :attr:`jobs` is cheap; :meth:`render` and
    :meth:`render_all` do the work, so the builder can keep last build's files for any job
    whose key it has seen before."""

    def __init__(self, site: Site, keys: Sequence[str] | None = None) -> None:
        """``keys``: the jobs' keys when they were computed elsewhere (:func:`feed_keys`)."""
        self.site = site
        self.site_newest = newest(distributable(site)) or EPOCH
        self.entries = Entries(site)
        config = site.config
        self.salt = repr((FORMAT, __version__, feedgen_version, config.title, config.base_url,
                          config.language, config.publication_name, config.logo,
                          config.description, [(s.id, s.title) for s in site.sections],
                          config.unsafe_html))
        every = list(channels(site))
        given = keys if keys is not None else [None] * len(every)
        self.jobs = [self._job(channel, key) for channel, key in zip(every, given, strict=True)]

    def render(self, job: FeedJob) -> tuple[bytes, bytes]:
        """The (RSS, Atom) bytes of ``job``."""
        return _channel_feeds(self.site.config, job.channel, self.site_newest, self.entries)

    def render_all(self, jobs: Sequence[FeedJob], workers: int | None = None,
                   finish: Callable[[FeedJob, bytes, bytes], T] = _both) -> Iterator[T]:
        """``finish(job, rss, atom)`` for every job in ``jobs``, in order; by default the
        (RSS, Atom) bytes. The entries the jobs show are serialized first, each once, on
        every core: forked workers calling :meth:`render` would each serialize every entry
        of their feeds, most of them twice over. Then the documents are put together, and
        ``finish`` called (the builder stages the files there), in forked workers that
        share the serialized entries with this process instead of receiving them; only
        what ``finish`` returns comes back. Entries are made for a batch of jobs at a time
        and dropped after the last job that shows them, so the parent never holds the
        entries of the whole site. Where fork is missing (Windows, macOS) entries are made
        in spawned workers and the documents put together here: a spawned worker would
        have to receive the serialized entries it joins, which is most of the work's bytes."""
        last_use = {a.url: index for index, job in enumerate(jobs)
                    for a in job.channel.articles}
        start = 0
        while start < len(jobs):
            end, needed = start, dict[str, Article]()
            while end < len(jobs) and (end == start or len(needed) < ENTRY_BATCH):
                needed.update((a.url, a) for a in jobs[end].channel.articles)
                end += 1
            self.entries.prepare(list(needed.values()), workers)
            batch = jobs[start:end]
            yield from parallel_map(lambda i, batch=batch: finish(batch[i],
                                                                  *self.render(batch[i])),
                                    len(batch), workers)
            for index in range(start, end):
                for article in jobs[index].channel.articles:  # not shown again: let it go
                    if last_use[article.url] == index:
                        self.entries.made.pop(article.url, None)
            start = end

    def _job(self, channel: Channel, key: str | None = None) -> FeedJob:
        prefix = self.site.config.url_prefix
        rss_url, atom_url = feed_urls(channel.page_url)
        if key is None:
            key = self._key(channel)
        return FeedJob(channel, output_path(rss_url, prefix), output_path(atom_url, prefix), key)

    def _key(self, channel: Channel) -> str:
        # only an empty channel shows the site's newest time: a new article must not
        # change the key of every tag's feed
        shown_time = "" if channel.articles else iso(self.site_newest)
        key = hashlib.blake2b(repr((self.salt, channel.title, channel.description,
                                    channel.page_url, shown_time)).encode(),
                              digest_size=16)
        for article in channel.articles:
            key.update(self.entries.key(article))
        return key.hexdigest()


def feed_keys(site: Site) -> list[str]:
    """The key of every feed job, in :attr:`FeedSet.jobs` order."""
    return [job.key for job in FeedSet(site).jobs]


def feed_files(site: Site) -> list[tuple[str, bytes]]:
    """(output path, bytes) of every feed: ``rss.xml`` and ``atom.xml`` per channel."""
    feeds = FeedSet(site)
    files = []
    for job in feeds.jobs:
        rss, atom = feeds.render(job)
        files += [(job.rss_path, rss), (job.atom_path, atom)]
    return files


def _channel_feeds(config: SiteConfig, channel: Channel, site_newest: datetime,
                   entries: Entries) -> tuple[bytes, bytes]:
    """The RSS and Atom documents of one channel. feedgen writes the channel without its
    entries; each entry's ``<item>`` and ``<entry>`` were serialized by feedgen once
    (:class:`Entries`) and go where feedgen puts entries, after the channel's own elements.
    The bytes are those of a generator holding every entry (the tests check it), without
    building and serializing an article's full content again for every feed it is in."""
    pieces = [entries.get(article) for article in channel.articles]  # newest first
    rss, atom = _channel_documents(config, channel, site_newest)
    return (b"".join([head(rss, RSS_TAIL), *(p[0] for p in pieces), RSS_TAIL]),
            b"".join([head(atom, ATOM_TAIL), *(p[1] for p in pieces), ATOM_TAIL]))


def _channel_documents(config: SiteConfig, channel: Channel, site_newest: datetime,
                       entries: Sequence[FeedEntry] = ()) -> tuple[bytes, bytes]:
    """feedgen's RSS and Atom documents of ``channel`` holding ``entries`` (none: the
    channel alone). An empty channel takes the site's newest content time, so it too is
    stable between builds."""
    rss_url, atom_url = (config.absolute(u) for u in feed_urls(channel.page_url))
    page_url = config.absolute(channel.page_url)
    updated = seconds(newest(channel.articles) or site_newest)
    fg = generator()
    fg.title(xml_safe(channel.title))
    fg.subtitle(xml_safe(channel.description))
    fg.description(xml_safe(channel.description))
    fg.language(config.language)
    fg.author({"name": xml_safe(config.publication_name), "uri": config.base_url + "/"})
    fg.generator(GENERATOR[0], uri=GENERATOR[1])  # no version: output must not depend on it
    fg.docs("https://www.rssboard.org/rss-specification")
    fg.lastBuildDate(updated)
    fg.updated(updated)
    if config.logo.lower().endswith(_RSS_IMAGE_TYPES):  # RSS allows GIF, JPEG and PNG only
        fg.logo(absolute(config, config.logo))
    for entry in entries:
        fg.add_entry(entry, order="append")
    documents = []
    for self_url, feed_type in ((rss_url, RSS_TYPE), (atom_url, ATOM_TYPE)):
        fg.id(self_url)
        # feedgen takes the RSS <link> from the last link given: the page, not the feed.
        fg.link(href=self_url, rel="self", type=feed_type, replace=True)
        fg.link(href=page_url, rel="alternate", type="text/html")
        documents.append(bytes(fg.rss_str(pretty=True) if feed_type == RSS_TYPE else
                               fg.atom_str(pretty=True)))
    return documents[0], documents[1]


def newest(articles: Sequence[Article]) -> datetime | None:
    """The newest content time of ``articles`` (updates and corrections included)."""
    return max((a.modified for a in articles), default=None)
