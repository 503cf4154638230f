"""Page metadata for sharing and search: OpenGraph, Twitter cards and JSON-LD.

The renderer asks for one :class:`~markupsafe.Markup` block per page; ``base.html`` prints it
in ``<head>``. Meta tags are built from (property, value) pairs with each value escaped by
MarkupSafe, and JSON-LD is built as Python data and serialised with ``json.dumps``, then made
safe inside ``<script>`` by escaping ``<``, ``>`` and ``&`` (a headline containing
``</script>`` cannot end the script early).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from newsgen.content.config import SiteConfig
from newsgen.content.images import Rendition, crops
from newsgen.content.models import Article, Author, Image, Section, Tag
from newsgen.content.times import iso

SCHEMA = "https://schema.org"
_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                   "\u2028": "\\u2028", "\u2029": "\\u2029"}


def json_ld(data: dict[str, Any]) -> Markup:
    """A ``<script type="application/ld+json">`` element that no string in ``data`` can end."""
    return _script(json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def _script(text: str) -> Markup:
    for char, replacement in _SCRIPT_ESCAPES.items():
        text = text.replace(char, replacement)
    return Markup(f'<script type="application/ld+json">{text}</script>\n')


def absolute(config: SiteConfig, path_or_url: str) -> str:
    if urlsplit(path_or_url).scheme in ("http", "https"):
        return path_or_url
    return config.absolute(path_or_url)


class SiteMetadata:
    """The metadata blocks of one site's pages.

    What every page repeats (the OpenGraph locale, the X handle, the logo's URL, the publisher
    as schema.org data) is worked out once per build here rather than once per page."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        self.locale = _og_locale(config.language)
        self.handle = _twitter_handle(config.social)
        self.logo = absolute(config, config.logo) if config.logo else ""
        self.publisher = organization_data(config)
        self.encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

    def article(self, article: Article, section: Section | None, tags: Sequence[Tag],
                updates: Sequence[LiveEntry] = ()) -> Markup:
        """OpenGraph ``article``, a Twitter card, and JSON-LD ``NewsArticle`` (a live blog:
        ``LiveBlogPosting`` with its ``updates``) + ``BreadcrumbList``. ``tags`` are the
        article's tags with their site-wide spelling."""
        config = self.config
        url = config.absolute(article.url)
        description = article.summary or config.description
        image = article.image
        image_url = absolute(config, image.src) if image else ""
        card = _card(image)
        if card is not None:
            image_url = absolute(config, card.url)
        published, modified = iso(article.date), iso(article.modified)
        authors = [(a, absolute(config, a.url or a.link) if a.url or a.link else "")
                   for a in article.authors]
        pairs: list[tuple[str, str]] = [
            ("og:type", "article"), ("og:title", article.title),
            ("og:description", description), ("og:url", url),
            ("og:site_name", config.publication_name), ("og:locale", self.locale),
        ]
        if image is None:
            pairs.append(("og:image", self.logo))
        else:
            pairs += [("og:image", image_url), ("og:image:alt", image.alt)]
            if card is not None:
                pairs += [("og:image:width", str(card.width)),
                          ("og:image:height", str(card.height))]
            elif image.width and image.height:
                pairs += [("og:image:width", str(image.width)),
                          ("og:image:height", str(image.height))]
        pairs += [("article:published_time", published), ("article:modified_time", modified)]
        pairs += [("article:author", link) for _, link in authors]
        if section:
            pairs.append(("article:section", section.title))
        pairs += [("article:tag", tag.name) for tag in tags]
        twitter = self._twitter(article.title, description, image, image_url)
        posting = self._news_article(article, section, tags, url, image_url, authors,
                                     (published, modified))
        if article.live:
            posting.update(live_blog(article, url, updates))
        graph = [posting,
                 _breadcrumbs(config, article, section, url)]
        return Markup(_tags("property", pairs) + _tags("name", twitter)
                      + "".join(map(self.json_ld, graph)))

    def front(self, description: str) -> Markup:
        """The front page: OpenGraph ``website`` plus JSON-LD ``WebSite`` and
        ``NewsMediaOrganization`` (what Google shows as the publisher)."""
        config = self.config
        home = config.base_url + "/"  # one publisher for every edition
        edition = config.absolute(config.page_prefix + "/")  # /fr/ in the French edition
        organization = {"@context": SCHEMA, "@id": home + "#publisher", **self.publisher}
        if config.social:
            organization["sameAs"] = [url for _, url in config.social]
        website = {"@context": SCHEMA, "@type": "WebSite", "@id": edition + "#website",
                   "url": edition, "name": config.title, "inLanguage": config.language,
                   "publisher": {"@id": home + "#publisher"}}
        if description:
            website["description"] = description
        return (self.website(config.title, description, edition)
                + self.json_ld(website) + self.json_ld(organization))

    def website(self, title: str, description: str, url: str) -> Markup:
        """OpenGraph ``website`` basics and a ``summary`` Twitter card: every non-article
        page."""
        pairs = [("og:type", "website"), ("og:title", title), ("og:description", description),
                 ("og:url", url), ("og:site_name", self.config.publication_name),
                 ("og:locale", self.locale), ("og:image", self.logo)]
        return Markup(_tags("property", pairs)
                      + _tags("name", self._twitter(title, description, None, "")))

    def json_ld(self, data: dict[str, Any]) -> Markup:
        """:func:`json_ld` with this build's encoder (``json.dumps`` makes one per call)."""
        return _script(self.encoder.encode(data))

    def _news_article(self, article: Article, section: Section | None, tags: Sequence[Tag],
                      url: str, image_url: str, authors: list[tuple[Author, str]],
                      times: tuple[str, str]) -> dict[str, Any]:
        config = self.config
        data: dict[str, Any] = {
            "@context": SCHEMA, "@type": "NewsArticle", "headline": article.title,
            "description": article.summary or config.description, "url": url,
            "datePublished": times[0], "dateModified": times[1],
            "inLanguage": config.language,
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "author": [_person(a, link) for a, link in authors] or [self.publisher],
            "publisher": self.publisher,
        }
        if article.image:
            data["image"] = self._images(article.image, image_url)
        if section:
            data["articleSection"] = section.title
        if tags:
            data["keywords"] = [tag.name for tag in tags]
        if article.location:
            data["dateline"] = article.location
        return data

    def _images(self, image: Image, image_url: str) -> list[dict[str, Any]]:
        """JSON-LD ``image``: the 16:9, 4:3 and 1:1 crops Google asks of a news article
        when the hero is a raster photo; else the image itself."""
        if image.renditions is None:
            shown = [Rendition(image_url, image.width or 0, image.height or 0, "")]
        else:
            shown = crops(image.src, image.renditions, image.focus)[1:]
        result = []
        for rendition in shown:
            item: dict[str, Any] = {"@type": "ImageObject",
                                    "url": absolute(self.config, rendition.url)}
            if rendition.width and rendition.height:
                item.update(width=rendition.width, height=rendition.height)
            if image.caption:
                item["caption"] = image.caption
            result.append(item)
        return result

    def _twitter(self, title: str, description: str, image: Image | None,
                 image_url: str) -> list[tuple[str, str]]:
        pairs = [("twitter:card", "summary_large_image" if image else "summary"),
                 ("twitter:title", title), ("twitter:description", description)]
        if image:
            pairs += [("twitter:image", image_url), ("twitter:image:alt", image.alt)]
        pairs.append(("twitter:site", self.handle))
        return pairs


def _card(image: Image | None) -> Rendition | None:
    """The 1200 x 630 crop used for Open Graph and X cards, for a raster hero image."""
    if image is None or image.renditions is None:
        return None
    return crops(image.src, image.renditions, image.focus)[0]


def organization_data(config: SiteConfig) -> dict[str, Any]:
    """The publisher as schema.org data: ``NewsMediaOrganization`` with its logo."""
    data: dict[str, Any] = {"@type": "NewsMediaOrganization", "name": config.publication_name,
                            "url": config.base_url + "/"}
    if config.logo:
        data["logo"] = {"@type": "ImageObject", "url": absolute(config, config.logo)}
    return data


def _person(author: Author, link: str) -> dict[str, Any]:
    person: dict[str, Any] = {"@type": "Person", "name": author.name}
    if link:
        person["url"] = link
    if author.url and author.link:
        person["sameAs"] = [author.link]
    return person


def _breadcrumbs(config: SiteConfig, article: Article, section: Section | None,
                 url: str) -> dict[str, Any]:
    trail = [(config.title, config.absolute(config.page_prefix + "/"))]
    if section:
        trail.append((section.title, config.absolute(section.url)))
    trail.append((article.title, url))
    return {"@context": SCHEMA, "@type": "BreadcrumbList",
            "itemListElement": [{"@type": "ListItem", "position": n, "name": name, "item": item}
                                for n, (name, item) in enumerate(trail, start=1)]}


def _twitter_handle(social: Iterable[tuple[str, str]]) -> str:
    """``@name`` from the site's X/Twitter link, if it has one."""
    for network, url in social:
        parts = urlsplit(url)
        if network.lower() in ("x", "twitter") and parts.netloc.lower().removeprefix("www.") \
                in ("x.com", "twitter.com"):
            name = parts.path.strip("/").split("/")[0]
            if name:
                return "@" + name
    return ""


def _og_locale(language: str) -> str:
    """OpenGraph wants ``language_TERRITORY`` (``pt_BR``); a bare ``en`` says nothing more
    than ``<html lang>`` does, so it is left out."""
    parts = language.split("-")
    return f"{parts[0].lower()}_{parts[1].upper()}" if len(parts) > 1 and len(parts[1]) == 2 \
        else ""


def _tags(attribute: str, pairs: Iterable[tuple[str, str]]) -> str:
    """``<meta ATTRIBUTE="key" content="value">`` lines for the pairs that have a value.

    Keys are this module's constants; values are escaped here. (An f-string with ``escape``
    rather than ``Markup.format``: the same bytes at a tenth of the cost, on every page.)"""
    return "".join(f'<meta {attribute}="{key}" content="{escape(value)}">\n'
                   for key, value in pairs if value)


@dataclass(frozen=True)
class LiveEntry:
    """One live-blog update as structured data sees it (the renderer splits the body)."""

    anchor: str
    headline: str
    published: datetime
    text: str


def live_blog(article: Article, url: str, updates: Sequence[LiveEntry]) -> dict[str, Any]:
    """What makes a ``NewsArticle`` a Google ``LiveBlogPosting``: coverage times and a
    ``BlogPosting`` per update, newest first."""
    data: dict[str, Any] = {"@type": "LiveBlogPosting"}
    if article.coverage is not None:
        data["coverageStartTime"] = iso(article.coverage.start)
        if article.coverage.end is not None:
            data["coverageEndTime"] = iso(article.coverage.end)
    data["liveBlogUpdate"] = [
        {"@type": "BlogPosting", "headline": entry.headline, "url": f"{url}#{entry.anchor}",
         "datePublished": iso(entry.published), "articleBody": entry.text}
        for entry in updates]
    return data
