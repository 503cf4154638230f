"""``sitemap.xml``, ``news-sitemap.xml`` and ``robots.txt``, built as data with ElementTree.

The sitemap lists every page with a ``lastmod`` taken from the content it shows; past the
protocol's limits (50,000 URLs or 50 MB a file) it becomes a sitemap index over numbered
parts. The Google News sitemap lists the articles first published in the 48 hours before the
build time, at most 1,000 a file.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from newsgen.content.config import SiteConfig
from newsgen.content.models import Article, Site
from newsgen.content.pagination import listing_pages, page_url
from newsgen.content.times import iso
from newsgen.content.urls import archive_url, author_url, section_url, tag_url
from newsgen.distribution.feeds import distributable, distributed, newest
from newsgen.distribution.weblinks import xml_safe

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
MAX_URLS = 50_000
MAX_BYTES = 50 * 1024 * 1024
NEWS_MAX_URLS = 1_000
NEWS_WINDOW = timedelta(hours=48)
SITEMAP = "sitemap.xml"
NEWS_SITEMAP = "news-sitemap.xml"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
_INDENT_MARGIN = 16  # bytes ET.indent adds around one <url> at most (three indented lines)


@dataclass(frozen=True)
class Entry:
    """One page of the site: its site path and when what it shows last changed."""

    path: str
    lastmod: datetime | None
    # (hreflang, site path) of each translation, itself included, x-default last; empty
    # for a page without translations
    alternates: tuple[tuple[str, str], ...] = ()


def site_entries(site: Site) -> list[Entry]:
    """Every HTML page the renderer writes (except the 404 and search pages, which carry
    no content of their own), with its lastmod.

    A listing page's lastmod is the newest change among the articles it shows, and in the
    ``newest`` pagination order also those before it (a new article shifts every later
    page; ``oldest`` pages never shift, see ``content.pagination``). A static page has the
    lastmod its ``updated`` field gives, else none: its file's mtime would change with
    every checkout of the site, and with it the sitemap. Drafts and embargoed articles are
    never listed, even in a preview build.
    """
    config = site.config
    prefix, per_page, order = config.page_prefix, config.per_page, config.pagination_order
    articles, by_section, by_tag, by_author = distributed(site)
    overall = newest(articles) or max((p.updated for p in site.pages if p.updated),
                                      default=None)
    # Articles first, oldest first: a new article joins the end of their run, so a split
    # sitemap's parts before it stay as they were (the listings after it change anyway).
    entries = [Entry(a.url, a.modified) for a in reversed(articles)]
    entries.append(Entry(prefix + "/", overall))

    def listing(items: Sequence[Article], base: str) -> None:
        shown = None  # newest order: the running newest, so the listing costs one pass
        for page in listing_pages(len(items), per_page, order):
            own = newest(items[page.start: page.stop])
            if order == "newest":  # a new article shifts every later page
                shown = own if shown is None or (own is not None and own > shown) else shown
                own = shown
            entries.append(Entry(page_url(base, page), own or overall))

    for section in site.sections:
        listing(by_section.get(section.id, []), section_url(prefix, section.id))
    for tag in site.tags:
        listing(by_tag.get(tag.slug, []), tag_url(prefix, tag.slug))
    entries.append(Entry(prefix + "/tags/", overall))
    for author in site.authors:
        listing(by_author.get(author.id, []), author_url(prefix, author.id))
    entries.append(Entry(prefix + "/authors/", overall))
    months: dict[tuple[int, int], list[Article]] = {}
    for article in articles:
        local = article.date.astimezone(config.timezone)
        months.setdefault((local.year, local.month), []).append(article)
    for (year, month), items in sorted(months.items(), reverse=True):
        listing(items, archive_url(prefix, year, month))
    entries.append(Entry(archive_url(prefix), overall))
    entries += [Entry(p.url, p.updated) for p in site.pages]
    return entries


def with_alternates(entries: list[Entry], translations: dict[str, dict[str, str]],
                    default: str) -> list[Entry]:
    """Entries of translated pages with their ``xhtml:link`` alternates (reciprocal: every
    version lists every other, and ``x-default`` names the default language's version)."""
    result = []
    for entry in entries:
        versions = translations.get(entry.path)
        if versions:
            links = tuple(versions.items())
            if default in versions:
                links += (("x-default", versions[default]),)
            entry = Entry(entry.path, entry.lastmod, links)
        result.append(entry)
    return result


def sitemap_files(config: SiteConfig, entries: Sequence[Entry], max_urls: int | None = None,
                  max_bytes: int | None = None) -> list[tuple[str, bytes]]:
    """``sitemap.xml`` alone, or a sitemap index at ``sitemap.xml`` over ``sitemap-N.xml``
    parts when the URLs exceed ``max_urls`` or ``max_bytes`` (the limits are parameters so
    that tests can split a small site)."""
    max_urls = MAX_URLS if max_urls is None else max_urls
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    if len(entries) <= max_urls:  # the usual case: one file, no need to measure each URL
        single = sitemap_part(config, entries)
        if len(single) <= max_bytes:
            return [(SITEMAP, single)]
    if _fits_by_count(config, entries, max_urls, max_bytes):
        parts = count_parts(config, entries, max_urls)
        return [(SITEMAP, sitemap_index(config, parts)),
                *((part.name, sitemap_part(config, part.entries)) for part in parts)]
    elements = [_url_element(config, entry) for entry in entries]
    cut = _split(elements, max_urls, max_bytes)
    if len(cut) <= 1:
        return [(SITEMAP, _document(_urlset(elements)))]
    return _indexed(config, SITEMAP, cut, [[e.lastmod for e in entries[a:b]]
                                           for a, b in _bounds(cut)])


@dataclass(frozen=True)
class Part:
    """One ``sitemap-N.xml`` of a sitemap cut by count: a rebuild writes again only the
    parts whose key changed (a new article, listed last of the articles, changes the part
    it lands in and those after it; at 100,000 articles one of three)."""

    name: str
    key: str
    entries: Sequence[Entry]


def count_parts(config: SiteConfig, entries: Sequence[Entry], max_urls: int | None = None
                ) -> list[Part]:
    """``entries`` in runs of ``max_urls``, each with the key of what it lists."""
    max_urls = MAX_URLS if max_urls is None else max_urls
    return [Part(part_name(SITEMAP, number),
                 sitemap_key(config, entries[start: start + max_urls]),
                 entries[start: start + max_urls])
            for number, start in enumerate(range(0, len(entries), max_urls), start=1)]


def part_name(name: str, number: int) -> str:
    """The name of part ``number`` of the sitemap (or news sitemap) ``name``."""
    return f"{name.removesuffix('.xml')}-{number}.xml"


def split_by_count(config: SiteConfig, entries: Sequence[Entry]) -> bool:
    """Whether the sitemap over ``entries`` is an index over parts cut by count alone (as
    :func:`count_parts` cuts them), so that each part can be kept or written on its own."""
    return len(entries) > MAX_URLS and _fits_by_count(config, entries, MAX_URLS, MAX_BYTES)


def sitemap_part(config: SiteConfig, entries: Sequence[Entry]) -> bytes:
    """One ``<urlset>`` file over ``entries``."""
    return _document(_urlset([_url_element(config, entry) for entry in entries]))


def sitemap_index(config: SiteConfig, parts: Sequence[Part]) -> bytes:
    """The sitemap index over ``parts``, each with its newest lastmod."""
    index = ET.Element("sitemapindex", xmlns=SITEMAP_NS)
    for part in parts:
        _index_entry(config, index, part.name, [e.lastmod for e in part.entries])
    return _document(index)


def sitemap_key(config: SiteConfig, entries: Sequence[Entry]) -> str:
    """What ``sitemap.xml`` (or one part of it) is made from: a rebuild whose entries are
    the same keeps the file (writing 18,000 URLs as XML was 0.11-0.15 s of a 1.8-2 s
    one-article rebuild at 10,000)."""
    key = hashlib.blake2b(repr((config.base_url, MAX_URLS, MAX_BYTES)).encode(),
                          digest_size=16)
    key.update("\n".join(f"{e.path} {e.lastmod.isoformat() if e.lastmod else ''}"
                          + (f" {e.alternates}" if e.alternates else "")
                          for e in entries).encode())
    return key.hexdigest()


def news_window_change(site: Site) -> datetime | None:
    """When the oldest article of the news sitemap leaves it, 48 hours after it was first
    published: the sitemap changes then with no input changed, so it is a scheduled change
    (a build before it may take the no-change shortcut, one after it must not)."""
    since = site.now.astimezone(UTC) - NEWS_WINDOW
    dates = [a.date for a in distributable(site) if a.date > since]
    return min(dates).astimezone(UTC) + NEWS_WINDOW if dates else None


def news_sitemap_files(site: Site, max_urls: int = NEWS_MAX_URLS) -> list[tuple[str, bytes]]:
    """The Google News sitemap: articles first published in the 48 hours up to ``site.now``,
    newest first. Above ``max_urls`` it becomes an index over ``news-sitemap-N.xml``."""
    config = site.config
    since = site.now.astimezone(UTC) - NEWS_WINDOW  # 48 hours, across a clock change too
    recent = [a for a in distributable(site) if a.date > since]
    elements = [_news_element(config, a) for a in recent]
    parts = [elements[i: i + max_urls] for i in range(0, len(elements), max_urls)]
    if len(parts) <= 1:
        return [(NEWS_SITEMAP, _document(_urlset(elements, news=True)))]
    lastmods: list[list[datetime | None]] = [[a.modified for a in recent[i: i + max_urls]]
                                             for i in range(0, len(recent), max_urls)]
    return _indexed(config, NEWS_SITEMAP, parts, lastmods, news=True)


def news_language(language: str) -> str:
    """Google News wants an ISO 639 code (``en``, ``pt``), except ``zh-cn``/``zh-tw``."""
    lowered = language.lower()
    if lowered in ("zh-cn", "zh-hans", "zh-sg") or lowered.startswith("zh-hans"):
        return "zh-cn"
    if lowered in ("zh-tw", "zh-hant", "zh-hk") or lowered.startswith("zh-hant"):
        return "zh-tw"
    return lowered.split("-")[0]


def robots(config: SiteConfig, sitemap_paths: Iterable[str]) -> bytes:
    """Allow everything and name the sitemaps (absolute URLs, as the protocol requires)."""
    lines = ["User-agent: *", "Allow: /", ""]
    lines += [f"Sitemap: {config.absolute(path)}" for path in sitemap_paths]
    return ("\n".join(lines) + "\n").encode()


def _url_element(config: SiteConfig, entry: Entry) -> ET.Element:
    url = ET.Element("url")
    ET.SubElement(url, "loc").text = xml_safe(config.absolute(entry.path))
    if entry.lastmod is not None:
        ET.SubElement(url, "lastmod").text = iso(entry.lastmod)
    for hreflang, path in entry.alternates:
        ET.SubElement(url, "xhtml:link", rel="alternate", hreflang=hreflang,
                      href=xml_safe(config.absolute(path)))
    return url


def _news_element(config: SiteConfig, article: Article) -> ET.Element:
    url = _url_element(config, Entry(article.url, article.modified))
    news = ET.SubElement(url, "news:news")
    publication = ET.SubElement(news, "news:publication")
    ET.SubElement(publication, "news:name").text = xml_safe(config.publication_name)
    ET.SubElement(publication, "news:language").text = news_language(
        article.lang if config.editions else config.language)
    ET.SubElement(news, "news:publication_date").text = iso(article.date)
    ET.SubElement(news, "news:title").text = xml_safe(article.title)
    return url


def _urlset(elements: Sequence[ET.Element], news: bool = False) -> ET.Element:
    root = ET.Element("urlset", xmlns=SITEMAP_NS)
    if news:
        root.set("xmlns:news", NEWS_NS)
    if any(child.tag == "xhtml:link" for element in elements for child in element):
        root.set("xmlns:xhtml", XHTML_NS)
    root.extend(elements)
    return root


def _document(root: ET.Element) -> bytes:
    ET.indent(root)
    return (_DECLARATION + ET.tostring(root, encoding="unicode") + "\n").encode()


def _fits_by_count(config: SiteConfig, entries: Sequence[Entry], max_urls: int,
                   max_bytes: int) -> bool:
    """Whether every run of ``max_urls`` entries is surely under ``max_bytes`` written, by a
    bound that needs no XML (six bytes a character: ``&quot;`` is the longest escape, and a
    character that is not escaped takes at most four bytes in UTF-8): then
    :func:`_split` would cut by count alone. Serialising each ``<url>`` to measure it was
    4.7 of the 9.3 profiled seconds a 100,000-article sitemap took."""
    overhead = len(_document(_urlset([], news=True)))
    for start in range(0, len(entries), max_urls):
        size = overhead
        for entry in entries[start: start + max_urls]:
            text = len(config.absolute(entry.path)) + sum(
                len(hreflang) + len(config.absolute(path)) for hreflang, path in entry.alternates)
            size += 6 * text + 200 + 120 * len(entry.alternates) + _INDENT_MARGIN
        if size > max_bytes:
            return False
    return True


def _split(elements: list[ET.Element], max_urls: int, max_bytes: int
           ) -> list[list[ET.Element]]:
    """Consecutive runs of ``<url>`` elements, each within both limits once written."""
    overhead = len(_document(_urlset([], news=True)))
    parts: list[list[ET.Element]] = [[]]
    size = overhead
    for element in elements:
        length = len(ET.tostring(element, encoding="utf-8")) + _INDENT_MARGIN
        if parts[-1] and (len(parts[-1]) >= max_urls or size + length > max_bytes):
            parts.append([])
            size = overhead
        parts[-1].append(element)
        size += length
    return parts


def _bounds(parts: list[list[ET.Element]]) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for part in parts:
        bounds.append((start, start + len(part)))
        start += len(part)
    return bounds


def _indexed(config: SiteConfig, name: str, parts: list[list[ET.Element]],
             lastmods: list[list[datetime | None]], news: bool = False
             ) -> list[tuple[str, bytes]]:
    """A sitemap index at ``name`` and its parts at ``stem-1.xml``, ``stem-2.xml``, ..."""
    index = ET.Element("sitemapindex", xmlns=SITEMAP_NS)
    files: list[tuple[str, bytes]] = []
    for number, (part, times) in enumerate(zip(parts, lastmods, strict=True), start=1):
        files.append((part_name(name, number), _document(_urlset(part, news=news))))
        _index_entry(config, index, part_name(name, number), times)
    return [(name, _document(index))] + files


def _index_entry(config: SiteConfig, index: ET.Element, part: str,
                 times: Sequence[datetime | None]) -> None:
    sitemap = ET.SubElement(index, "sitemap")
    ET.SubElement(sitemap, "loc").text = config.absolute(config.url_prefix + "/" + part)
    known = [t for t in times if t is not None]
    if known:
        ET.SubElement(sitemap, "lastmod").text = iso(max(known))
