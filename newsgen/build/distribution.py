"""Feeds, sitemaps and robots.txt in a build: each feed pair and the sitemap carry a key of
what they show and are kept from the last build while it is unchanged."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from newsgen.build.page_records import PageRecord, pack_record
from newsgen.build.pages import PagePlan
from newsgen.content.config import SiteConfig
from newsgen.content.models import Site
from newsgen.distribution.feeds import FeedJob, FeedSet, feed_keys
from newsgen.distribution.sitemaps import (
    NEWS_SITEMAP,
    SITEMAP,
    Entry,
    Part,
    count_parts,
    news_sitemap_files,
    part_name,
    robots,
    site_entries,
    sitemap_files,
    sitemap_index,
    sitemap_part,
    split_by_count,
    with_alternates,
)
from newsgen.engine.digests import digest, file_digest

Translations = dict[str, dict[str, str]]  # page URL -> {language: its version's URL}


def sitemap_entries(sites: tuple[Site, ...], translations: Translations) -> list[Entry]:
    """Every edition's pages in one sitemap, translated pages with their alternates."""
    entries = [entry for site in sites for entry in site_entries(site)]
    if not translations:
        return entries
    return with_alternates(entries, translations, sites[0].config.language)


@dataclass(frozen=True)
class SitemapInputs:
    """The sitemap's entries and their key, worked out once a build: by the keys' pass,
    and reused when the sitemap is written (every entry of every edition, a second pass at
    100,000 articles cost 0.8 s of a new article's build)."""

    key: str
    entries: list[Entry]
    parts: list[Part]  # the entries cut by count, each part with its key


def distribution_keys(sites: tuple[Site, ...], translations: Translations
                      ) -> tuple[list[list[str]], SitemapInputs]:
    """The keys of every edition's feeds and of the sitemap, which decide whether last
    build's files are kept; they depend on the site alone, so they are computed aside (see
    ``_generate``) while the pages are settled."""
    entries = sitemap_entries(sites, translations)
    parts = count_parts(sites[0].config, entries)
    return ([feed_keys(site) for site in sites],
            SitemapInputs(digest(*(part.key for part in parts)), entries, parts))


def add_feeds(site: Site, plan: PagePlan, workers: int | None, keys: list[str]) -> None:
    """One edition's feeds (the whole site's without ``languages:``)."""
    feeds = FeedSet(site, keys)
    todo = [job for job in feeds.jobs if not _keep_feed_pair(plan, job)]
    writer = plan.writer

    def stage(job: FeedJob, rss: bytes, atom: bytes) -> list[tuple[str, str, int, int | None]]:
        """In a feed worker: each file's (path, digest, size, staged mtime)."""
        staged = []
        for path, data in ((job.rss_path, rss), (job.atom_path, atom)):
            out_digest = file_digest(data)
            staged.append((path, out_digest, len(data),
                           writer.stage(path, data, out_digest) if writer else None))
        return staged
    for job, files in zip(todo, feeds.render_all(todo, workers, stage), strict=True):
        for path, out_digest, size, mtime in files:
            plan.register(path, "feeds", pack_record(PageRecord(job.key, out_digest, ())),
                          size, mtime)


def add_sitemaps(sites: tuple[Site, ...], whole: Site, plan: PagePlan,
                 sitemap: SitemapInputs) -> None:
    """``sitemap.xml`` over every edition, the news sitemap over ``whole`` (every edition's
    articles, each with its own language) and robots.txt."""
    config = sites[0].config
    prefix = config.url_prefix
    if not _keep_sitemap(plan, sitemap.key):
        if split_by_count(config, sitemap.entries):
            _add_parts(plan, config, sitemap.key, sitemap.parts)
        else:  # one file, or parts cut by size: every file is kept while the key holds
            for path, data in sitemap_files(config, sitemap.entries):
                plan.add(path, "sitemap", data, PageRecord(sitemap.key, file_digest(data), ()))
    for path, data in news_sitemap_files(whole):
        plan.add(path, "news sitemap", data)
    plan.add("robots.txt", "robots", robots(config, [f"{prefix}/{SITEMAP}",
                                                      f"{prefix}/{NEWS_SITEMAP}"]))


def _add_parts(plan: PagePlan, config: SiteConfig, key: str, parts: list[Part]) -> None:
    """The index, written again, and each part kept while its own key holds."""
    for part in parts:
        old = plan.old_records.get(part.name)
        if old is None or old.fingerprint != part.key or \
                not plan.keep(part.name, "sitemap", old):
            data = sitemap_part(config, part.entries)
            plan.add(part.name, "sitemap", data, PageRecord(part.key, file_digest(data), ()))
    data = sitemap_index(config, parts)
    plan.add(SITEMAP, "sitemap", data, PageRecord(key, file_digest(data), ()))


def _keep_sitemap(plan: PagePlan, key: str) -> bool:
    """Keep last build's ``sitemap.xml`` and, past 50,000 URLs, its ``sitemap-N.xml`` parts
    when the key of the whole is unchanged: at 100,000 articles writing the parts' 130,000
    URLs again was a second of every rebuild. A build with the same key wrote the same
    parts, so they are found by number until one is not."""
    index = plan.old_records.get(SITEMAP)
    if index is None or index.fingerprint != key:
        return False
    records = [(SITEMAP, index)]
    for number in itertools.count(1):
        path = part_name(SITEMAP, number)
        if (record := plan.old_records.get(path)) is None:
            break
        records.append((path, record))
    writer = plan.writer
    if writer is None or not all(writer.is_unchanged(p, r.digest) for p, r in records):
        return False
    for path, record in records:
        plan.keep(path, "sitemap", record)
    return True


def _keep_feed_pair(plan: PagePlan, job: FeedJob) -> bool:
    """Keep last build's two files when their key is unchanged (feeds are rebuilt on every
    build otherwise: seconds on a large site)."""
    paths = (job.rss_path, job.atom_path)
    old = [plan.old_records.get(path) for path in paths]
    writer = plan.writer
    if writer is None or not all(r is not None and r.fingerprint == job.key
                                 and writer.is_unchanged(p, r.digest)
                                 for p, r in zip(paths, old, strict=True)):
        return False
    for path, record in zip(paths, old, strict=True):
        assert record is not None
        plan.keep(path, "feeds", record)
    return True
