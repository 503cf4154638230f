"""Editions and translations: one build's content split by language, and the links between
the translations of one story (``translation_key:``).

Each edition is published like a site of its own (``publish.assemble`` with the edition's
config); what crosses editions is checked here: one ``translation_key`` used twice in one
language is an error naming both files, a headline linking to another edition's story is a
warning (the ticker then links to that story's address in its own edition).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from newsgen.content.breaking import Breaking
from newsgen.content.config import SiteConfig
from newsgen.content.editions import edition_config, edition_tags
from newsgen.content.loader import Content
from newsgen.content.models import Article, Headline, Page, Site
from newsgen.content.publish import Selection, Story, Visibility, assemble, stories
from newsgen.errors import ProblemList, SourceLocation


@dataclass(frozen=True)
class Translation:
    """One version of a story or page, as the alternates list shows it."""

    lang: str
    url: str


def assemble_editions(config: SiteConfig, now: datetime, content: Content,
                      selection: Selection, articles: tuple[Article, ...],
                      visibility: Visibility, problems: ProblemList) -> tuple[Site, ...]:
    """One Site per edition, the default first. A site without ``languages:`` is one Site,
    exactly as ``assemble`` makes it."""
    tags = edition_tags(config)
    if not config.editions:
        return (assemble(config, now, content, selection, articles, visibility, problems),)
    _check_keys(content.articles, problems)
    _check_keys(content.pages, problems)
    headlines = cross_edition_headlines(config, content.headlines,
                                        stories(content.articles, selection), problems)
    banners = _banner_links(content.breaking, content.articles, problems)
    sites = []
    for tag in tags:
        part = Content(
            articles=[a for a in content.articles if a.lang == tag],
            headlines=[h for h in headlines if h.lang == tag],
            pages=[p for p in content.pages if p.lang == tag],
            breaking=banners,
            unchecked=[])
        chosen = Selection(tuple(a for a in selection.visible if a.lang == tag),
                           tuple(a for a in selection.hidden if a.lang == tag),
                           selection.next_change)
        sites.append(assemble(edition_config(config, tag), now, part, chosen,
                              tuple(a for a in articles if a.lang == tag), visibility,
                              problems))
    return tuple(sites)


def whole_site(sites: tuple[Site, ...], articles: tuple[Article, ...],
               hidden: tuple[Article, ...]) -> Site:
    """Every edition in one Site, articles in the build's order: what the news sitemap,
    redirects, page bundles and the cache's address list read. A one-edition site is
    returned as it is."""
    if len(sites) == 1:
        return sites[0]
    shown = {a.slug: a for site in sites for a in site.articles}
    changes = [s.next_change for s in sites if s.next_change is not None]
    return replace(sites[0], articles=tuple(shown[a.slug] for a in articles if a.slug in shown),
                   pages=tuple(p for site in sites for p in site.pages), hidden=hidden,
                   next_change=min(changes) if changes else None)


def _check_keys(items: list[Article] | list[Page], problems: ProblemList) -> None:
    """A translation key names one story per language."""
    seen: dict[tuple[str, str], Article | Page] = {}
    for item in items:
        if not item.translation_key:
            continue
        first = seen.setdefault((item.lang, item.translation_key), item)
        if first is not item:
            line = item.translation_line if isinstance(item, Article) else None
            problems.error(SourceLocation(item.source, line),
                           f"translation_key '{item.translation_key}' is already used in "
                           f"'{item.lang}' by {first.source}"
                           + (f":{first.translation_line}" if isinstance(first, Article)
                              else ""), "duplicate-translation")


def cross_edition_headlines(config: SiteConfig, headlines: list[Headline],
                            stories: Mapping[str, Story], problems: ProblemList
                            ) -> list[Headline]:
    """Headlines linking to a story of another edition: warned, and linked to that story's
    absolute address (left out while the story is unpublished)."""
    result = []
    for headline in headlines:
        target = stories.get(headline.link)
        if target is None or target.lang == headline.lang:
            result.append(headline)
            continue
        problems.warning(SourceLocation(headline.source, headline.line),
                         f"headline ({headline.lang}) links to '{headline.link}', a story of "
                         f"the '{target.lang}' edition", "cross-edition-link")
        if target.visible:
            result.append(replace(headline, link=config.absolute(target.url)))
    return result


def _banner_links(banners: tuple[Breaking, ...], articles: list[Article],
                  problems: ProblemList) -> tuple[Breaking, ...]:
    """A banner linking to a story of another edition links to that story's translation in
    its own edition (the desk often copies the English banner's slug); with no translation
    there it is an error, since readers of one edition are not sent to another's story."""
    by_slug = {a.slug: a for a in articles}
    by_key = {(a.lang, a.translation_key): a for a in articles if a.translation_key}
    result = []
    for banner in banners:
        target = by_slug.get(banner.link)
        if target is None or target.lang == banner.lang:
            result.append(banner)
            continue
        version = by_key.get((banner.lang, target.translation_key))
        if version is None or not target.translation_key:
            problems.error(SourceLocation(banner.source, banner.link_line),
                           f"breaking news ({banner.lang}) links to '{banner.link}', a story "
                           f"of the '{target.lang}' edition with no '{banner.lang}' "
                           "translation", "breaking-link")
            continue
        result.append(replace(banner, link=version.slug))
    return tuple(result)


def alternates(sites: tuple[Site, ...]) -> dict[str, tuple[Translation, ...]]:
    """For every published article and page URL that has translations: each version (itself
    included), in the order of ``languages:``. Reciprocal by construction."""
    groups: dict[tuple[str, str], list[Translation]] = {}
    for site in sites:
        for item in (*site.articles, *site.pages):
            if item.translation_key:
                kind = "article" if isinstance(item, Article) else "page"
                groups.setdefault((kind, item.translation_key), []).append(
                    Translation(item.lang, item.url))
    result: dict[str, tuple[Translation, ...]] = {}
    for versions in groups.values():
        if len(versions) > 1:
            for version in versions:
                result[version.url] = tuple(versions)
    return result
