"""Stage 4: models to page HTML, pure (no file I/O).

Each page kind has a function that describes its pages as :class:`PageSpec` objects (template
and context); ``render_page`` renders one. The ticker is a shared block: it is rendered once
per build and left as a marker in pages, which ``pages.py`` replaces, so a new headline costs
one small render plus a splice per page rather than a full re-render of the site.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import jinja2
from markupsafe import Markup

from newsgen import __version__
from newsgen.content.image_fields import static_image_size
from newsgen.content.models import Article, Page, Section, Site, TickerItem
from newsgen.content.pagination import ListingPage, Pagination, listing_pages, page_url
from newsgen.content.urls import archive_url, author_url, output_path, section_url, tag_url
from newsgen.distribution import search
from newsgen.distribution.feeds import ATOM_TYPE, feed_links, feed_urls
from newsgen.distribution.structured_data import SiteMetadata
from newsgen.i18n.catalogs import translations as catalog
from newsgen.i18n.languages import direction
from newsgen.render.editions import EditionLink, edition_links
from newsgen.render.live import live_context, live_entries
from newsgen.render.share import share_links
from newsgen.render.specs import Deferred, Lazy, PageSpec, RenderedPage

TICKER_MARKER = "<!--newsgen:ticker-->"
RELATED_COUNT = 4
RELATED_WINDOW = 10
FRONT_TOP_STORIES = 6
SECTION_BLOCK_SIZE = 4


@dataclass(frozen=True)
class SiteView:
    """What every template sees as ``site``."""

    title: str
    description: str
    language: str
    base_url: str
    home_url: str
    logo: str
    logo_size: tuple[int, int] | None
    sections: tuple[Section, ...]
    social: tuple[tuple[str, str], ...]
    pages: tuple[Page, ...]
    feed_url: str
    comments_html: Markup
    publication_name: str
    now: Any
    ticker_live: bool = False
    search_url: str = ""  # empty when the site has no search (``search: false``)
    generator: str = f"newsgen {__version__}"
    asset_url: str = "/"  # where theme/ and static files are: the site root in every edition
    direction: str = "ltr"  # "rtl" for Arabic, Hebrew, Persian, Urdu...
    editions: tuple[EditionLink, ...] = ()  # the language switcher; empty with one language

    @property
    def auto_dir(self) -> Markup:
        """`` dir="auto"`` for text that may be in another script than the page (a French
        headline in the Arabic ticker); nothing on a one-language site."""
        return Markup(' dir="auto"') if self.editions else Markup("")
    extra: dict[str, Any] = field(default_factory=dict)
    breaking: Any = None  # BreakingNews while the banner is up


def render_ticker(env: jinja2.Environment, view: SiteView, items: Sequence[TickerItem]
                  ) -> str:
    """The ticker block pages carry and ``ticker.html`` holds. A headline-only rebuild
    (build/ticker_build.py) renders it with the view of the last full build."""
    return env.get_template("ticker.html").render(
        {"items": items, "site": view, "ticker": Markup(TICKER_MARKER),
         "metadata": Markup("")})


class Renderer:
    """Fills templates for one Site: ``specs`` describes every page, ``render_page`` renders one
    (``pages.py`` decides which need it and splices the ticker in)."""

    def __init__(self, env: jinja2.Environment, site: Site,
                 translations: dict[str, dict[str, str]] | None = None) -> None:
        self.env = env
        self.site = site
        self.translations = translations or {}  # page URL -> {language: its version's URL}
        self.text = catalog(site.config.language, site.config.site_dir).gettext  # titles
        config = site.config
        self.prefix = config.page_prefix  # this edition's pages: /fr in the French one
        self.root = config.url_prefix  # static files, and where output paths start
        self.view = SiteView(
            title=config.title, description=config.description, language=config.language,
            base_url=config.base_url, home_url=self.prefix + "/",
            logo=self.root + config.logo if config.logo.startswith("/") else config.logo,
            logo_size=static_image_size(config, config.logo),
            sections=site.sections, social=config.social, pages=site.pages,
            feed_url=self.prefix + "/rss.xml", comments_html=Markup(config.comments_html),
            publication_name=config.publication_name, now=site.now, breaking=site.breaking,
            ticker_live=config.ticker_embed == "live",
            search_url=self.prefix + "/search/" if config.search else "",
            asset_url=self.root + "/", direction=direction(config.language),
            editions=edition_links(config),
        )
        # A global as well as a context value: the theme imports its macros without the
        # page's context, and they still need ``site`` (set before any template loads,
        # see templating._Environment).
        env.globals["site"] = self.view
        self.sections = {s.id: s for s in site.sections}
        self.tag_names = {t.slug: t for t in site.tags}
        self.by_section: dict[str, list[Article]] = {}
        self.by_tag: dict[str, list[Article]] = {}
        self.by_author: dict[str, list[Article]] = {}
        self.position: dict[str, int] = {}
        self.section_index: dict[str, int] = {}
        self.stamps: dict[str, float] = {}
        self.tag_sets: dict[str, frozenset[str]] = {}
        for index, article in enumerate(site.articles):
            self.position[article.slug] = index
            self.stamps[article.slug] = article.date.timestamp()
            self.tag_sets[article.slug] = frozenset(t.slug for t in article.tags)
            section_list = self.by_section.setdefault(article.section, [])
            self.section_index[article.slug] = len(section_list)
            section_list.append(article)
            for tag in article.tags:
                self.by_tag.setdefault(tag.slug, []).append(article)
            for author in article.authors:
                if author.id:
                    self.by_author.setdefault(author.id, []).append(article)
        self.metadata = SiteMetadata(config)
        self.ticker_html = render_ticker(env, self.view, site.ticker)

    # -- shared ----------------------------------------------------------------------------
    def _render(self, template: str, context: dict[str, Any]) -> str:
        context.setdefault("site", self.view)
        context.setdefault("ticker", Markup(TICKER_MARKER))
        context.setdefault("metadata", Markup(""))
        return self.env.get_template(template).render(context)

    def page(self, template: str, url: str, source: str, context: dict[str, Any]) -> PageSpec:
        """Describe a page; nothing is rendered until :meth:`render` (the builder may find
        from the spec's fingerprint that the page is unchanged and skip it)."""
        return PageSpec(output_path(url, self.root), url, source, template,
                        self._described(url, context))

    def _described(self, url: str, context: dict[str, Any]) -> dict[str, Any]:
        """``context`` with what every page's template reads of it."""
        meta = context.setdefault("page", {})
        meta.setdefault("url", url)
        meta.setdefault("canonical", self.site.config.absolute(url))
        meta.setdefault("description", self.site.config.description)
        meta.setdefault("translations", self.translations.get(url, {}))
        # The site's RSS feed is linked by base.html itself; its Atom feed goes first here.
        site_atom = {"type": ATOM_TYPE, "title": f"{self.site.config.title} (Atom)",
                     "url": feed_urls(self.prefix + "/")[1]}
        meta["feeds"] = [site_atom, *meta.get("feeds", [])]
        if "metadata" not in context:
            context["metadata"] = Lazy(lambda: self.metadata.website(
                meta.get("title", ""), meta["description"], meta["canonical"]))
        return context

    def listing_feeds(self, page_url: str, name: str) -> list[dict[str, str]]:
        """The RSS and Atom feeds of a section, tag or author page (see ``feeds.py``)."""
        return feed_links(page_url, f"{self.site.config.title}: {name}")

    def render_page(self, spec: PageSpec) -> str:
        """The page with the ticker marker still in it (see :meth:`splice`)."""
        context = {key: value.make() if isinstance(value, Lazy) else
                   value.value if isinstance(value, Deferred) else value
                   for key, value in spec.context.items()}
        return self._render(spec.template, context)

    def article_target(self, article: Article) -> tuple[str, str, str]:
        """(path, url, source) of an article's page, without describing the page: a large
        site's article pages are described where they are rendered (``pages.py``)."""
        return output_path(article.url, self.root), article.url, article.source

    def other_specs(self) -> Iterator[PageSpec]:
        """Every HTML page but the articles' own."""
        yield self.front_page()
        yield from self.section_pages()
        yield from self.tag_pages()
        yield from self.author_pages()
        yield from self.archive_pages()
        for static_page in self.site.pages:
            yield self.static_page(static_page)
        yield self.not_found_page()
        if self.site.config.search:
            yield self.search_page()

    # -- page kinds --------------------------------------------------------------------------
    def front_page(self) -> PageSpec:
        articles = self.site.articles
        featured = [a for a in articles if a.featured]
        lead = featured[0] if featured else (articles[0] if articles else None)
        rest = [a for a in articles if a is not lead]
        blocks = []
        for section in self.site.sections:
            items = [a for a in self.by_section.get(section.id, []) if a is not lead]
            if items:
                blocks.append({"section": section, "articles": items[:SECTION_BLOCK_SIZE]})
        context = {"lead": lead, "top_stories": rest[:FRONT_TOP_STORIES],
                   "section_blocks": blocks,
                   # the front page shows the date; pages are fingerprinted without the clock
                   "today": self.site.now.astimezone(self.site.config.timezone).date()
                   .isoformat(),
                   "page": {"kind": "front", "title": self.site.config.title},
                   "metadata": self.metadata.front(self.site.config.description)}
        return self.page("index.html", self.prefix + "/", "content/", context)

    def article_page(self, article: Article) -> PageSpec:
        siblings = self.by_section.get(article.section, [])
        index = self.section_index[article.slug]
        config = self.site.config
        section = self.sections.get(article.section)
        context = {
            "article": article,
            "section": section,
            "related": Deferred(lambda: self.related(article)),
            "newer": siblings[index - 1] if index > 0 else None,
            "older": siblings[index + 1] if index + 1 < len(siblings) else None,
            "share": Lazy(lambda: share_links(config.absolute(article.url), article.title)),
            "page": {"kind": "article", "title": article.title,
                     "description": article.summary or config.description},
            "metadata": Lazy(lambda: self.metadata.article(
                article, section, [self.tag_names.get(t.slug, t) for t in article.tags],
                live_entries(live_context(article, config)) if article.live else ())),
            "live": Lazy(lambda: live_context(article, config)) if article.live else None,
        }
        return self.page("article.html", article.url, article.source, context)

    def related(self, article: Article) -> list[Article]:
        """The articles sharing most tags, then the same section, then nearest in time; never
        the article itself. Candidates are the RELATED_WINDOW articles on each side of it in
        each of its tags and in its section, which keeps this linear in the site's size and
        lets a new article change only the related lists of articles near it in time."""
        tags = self.tag_sets[article.slug]
        groups = [self.by_tag[t] for t in sorted(tags) if t in self.by_tag]
        groups.append(self.by_section.get(article.section, []))
        candidates: dict[str, Article] = {}
        for group in groups:
            for other in self._neighbours(group, article):
                candidates[other.slug] = other
        stamp = self.stamps[article.slug]
        ranked = sorted((-len(tags & self.tag_sets[slug]), other.section != article.section,
                         abs(self.stamps[slug] - stamp), slug)
                        for slug, other in candidates.items())
        return [candidates[item[3]] for item in ranked[:RELATED_COUNT]]

    def _neighbours(self, group: list[Article], article: Article) -> list[Article]:
        """Up to RELATED_WINDOW newer and older members of ``group`` around ``article``."""
        here = bisect.bisect_left(group, self.position[article.slug],
                                  key=lambda a: self.position[a.slug])
        low, high = max(0, here - RELATED_WINDOW), here + RELATED_WINDOW + 1
        return [a for a in group[low:high] if a is not article]

    def listing(self, template: str, items: Sequence[Article], base: str, source: str,
                context: dict[str, Any]) -> Iterator[PageSpec]:
        """Paginated list pages, cut as ``content.pagination`` says for the site's order."""
        order = self.site.config.pagination_order
        pages = listing_pages(len(items), self.site.config.per_page, order)
        urls = tuple(page_url(base, p) for p in sorted(pages, key=lambda p: p.number))

        def make(listed: ListingPage, url: str) -> dict[str, Any]:
            page_context = dict(context)
            page_context["page"] = dict(context["page"])
            if not listed.first:
                page_context["page"]["title"] += f" (page {listed.number})"
            page_context.update(articles=list(items[listed.start: listed.stop]),
                                pagination=Pagination(listed.number, len(pages), urls, order))
            return self._described(url, page_context)

        for listed, url in zip(pages, map(partial(page_url, base), pages), strict=True):
            yield PageSpec(output_path(url, self.root), url, source, template,
                           make=partial(make, listed, url),
                           first=items[listed.start] if listed.start < listed.stop else None)

    def section_pages(self) -> Iterator[PageSpec]:
        for section in self.site.sections:
            items = self.by_section.get(section.id, [])
            context = {"section": section,
                       "page": {"kind": "section", "title": section.title,
                                "description": self.text("%(section)s: the latest from "
                                                         "%(site)s") % {
                                    "section": section.title, "site": self.site.config.title},
                                "feeds": self.listing_feeds(section.url, section.title)}}
            yield from self.listing("section.html", items,
                                    section_url(self.prefix, section.id),
                                    f"sections/{section.id}", context)

    def tag_pages(self) -> Iterator[PageSpec]:
        for tag in self.site.tags:
            items = self.by_tag.get(tag.slug, [])
            context = {"tag": tag, "page": {"kind": "tag", "title": tag.name,
                                            "description": f"Articles tagged {tag.name}",
                                            "feeds": self.listing_feeds(tag.url, tag.name)}}
            yield from self.listing("tag.html", items,
                                    tag_url(self.prefix, tag.slug),
                                    f"tags/{tag.slug}", context)
        context = {"tags": [(t, len(self.by_tag.get(t.slug, []))) for t in self.site.tags],
                   "page": {"kind": "tags", "title": self.text("Topics")}}
        yield self.page("tags.html", self.prefix + "/tags/", "tags", context)

    def author_pages(self) -> Iterator[PageSpec]:
        for author in self.site.authors:
            items = self.by_author.get(author.id, [])
            context = {"author": author,
                       "page": {"kind": "author", "title": author.name,
                                "description": author.bio or f"Articles by {author.name}",
                                "feeds": self.listing_feeds(author.url, author.name)}}
            yield from self.listing("author.html", items,
                                    author_url(self.prefix, author.id),
                                    f"authors/{author.id}", context)
        context = {"authors": list(self.site.authors),
                   "page": {"kind": "authors", "title": self.text("Our journalists")}}
        yield self.page("authors.html", self.prefix + "/authors/", "authors", context)

    def archive_pages(self) -> Iterator[PageSpec]:
        zone = self.site.config.timezone
        months: dict[tuple[int, int], list[Article]] = {}
        for article in self.site.articles:
            local = article.date.astimezone(zone)
            months.setdefault((local.year, local.month), []).append(article)
        for (year, month), items in sorted(months.items(), reverse=True):
            first = items[-1].date
            context = {"year": year, "month": month, "month_date": first,
                       "page": {"kind": "archive-month", "title": self.text("Archive")}}
            yield from self.listing("archive.html", items,
                                    archive_url(self.prefix, year, month),
                                    f"archive/{year:04d}-{month:02d}", context)
        index = [{"year": y, "month": m, "count": len(items), "month_date": items[-1].date,
                  "url": archive_url(self.prefix, y, m)}
                 for (y, m), items in sorted(months.items(), reverse=True)]
        context = {"months": index, "page": {"kind": "archive", "title": self.text("Archive")}}
        yield self.page("archive_index.html", archive_url(self.prefix), "archive", context)

    def static_page(self, static_page: Page) -> PageSpec:
        context = {"static_page": static_page,
                   "page": {"kind": "page", "title": static_page.title,
                            "description": static_page.description
                            or self.site.config.description}}
        return self.page("page.html", static_page.url, static_page.source, context)

    def not_found_page(self) -> PageSpec:
        context = {"latest": list(self.site.articles[:5]),
                   "page": {"kind": "404", "title": self.text("Page not found")}}
        return self.page("404.html", self.prefix + "/404.html", "404", context)

    def search_page(self) -> PageSpec:
        url = self.view.search_url

        def make() -> dict[str, Any]:  # the shards' sizes: a pass over every article
            shards = search.shard_sizes(self.site)
            bundles = [f"{self.root}/{search.search_root(self.site)}{name}/"
                       for name, _ in shards]
            years = sorted({name[:4] for name, _ in shards}, reverse=True)
            return self._described(url, {
                "bundles": bundles, "years": years, "sizes": [n for _, n in shards],
                "first_batch": search.FIRST_BATCH,
                "page": {"kind": "search", "title": self.text("Search")}})
        return PageSpec(output_path(url, self.root), url, "search", "search.html", make=make)

    # -- ticker outputs (the rest is in ticker.py) -------------------------------------------
    def ticker_fragment(self) -> RenderedPage:
        return RenderedPage(output_path(self.prefix + "/ticker.html", self.root),
                            self.prefix + "/ticker.html", "ticker", self.ticker_html)
