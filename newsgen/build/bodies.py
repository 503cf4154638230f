"""Stage 3b: every published body converted from Markdown once, ever, then linked.

Bodies are keyed by the hash of their text; a key found in the build cache is not converted
again, and the rest are converted on every core and written to the body store as they
arrive, so the build never holds every article's HTML (or Markdown) at once. Internal links
(``article:slug``, relative ``.md`` paths) are resolved when a body is read back, because
their targets' URLs are only known once every file is loaded; a link to a missing article is
an error at its line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from newsgen.build.body_images import BodyImages
from newsgen.build.cache import BuildCache
from newsgen.content.config import SiteConfig
from newsgen.content.links import LinkedBody
from newsgen.content.live import LiveUpdate, held_body_key, live_body_key, prepare_live_body
from newsgen.content.models import Article, Page, UncheckedBody
from newsgen.content.publish import Selection
from newsgen.content.sources import read_body
from newsgen.engine.digests import digest
from newsgen.engine.workers import Portable, parallel_each
from newsgen.errors import ContentError, ProblemList, SourceLocation
from newsgen.render.markup import (
    BodyMeta,
    MarkdownConverter,
    RenderedBody,
    body_line_of,
    image_line_of,
    link_target,
    resolve_links,
)
from newsgen.reporter import Reporter

_BATCH = 500  # converted bodies written to the store at a time
# Spawned workers (Windows, macOS) start in ~0.3 s; a body takes 1.8 ms at best (measured
# at 1,000 articles), so two workers gain that back from about 330 bodies.
_SPAWN_FROM = 400


def convert_bodies(config: SiteConfig, selection: Selection, pages: Sequence[Page],
                   cache: BuildCache, problems: ProblemList, reporter: Reporter,
                   workers: int | None = None, unchecked: Sequence[UncheckedBody] = ()
                   ) -> tuple[tuple[Article, ...], tuple[Page, ...], set[str]]:
    """Visible articles reading their HTML from the store, pages with ``html`` set, and
    the cache keys this build used. The links of ``unchecked`` bodies (files whose front
    matter failed) are checked too, so their problems show in the same run."""
    store = cache.store
    converter = _Converter(config)
    page_keys = [digest(p.body) for p in pages]
    _convert_missing(cache, converter, selection.visible, pages, page_keys, problems,
                     reporter, workers)
    images = BodyImages(config, selection.visible, cache.enabled)
    linker = _Linker(config, selection, problems, images)
    for item in unchecked:
        try:
            body, body_line = read_body(config, item.source)
        except (ContentError, OSError):
            continue  # reported when the file was loaded
        linker.check(Page(item.source, "", "", "", body, body_line),
                     converter.convert(body, item.source).meta)
    store.resolve = linker.resolve
    store.fallback = converter.article
    articles = []
    for article in selection.visible:
        meta = cache.metas.get(article.body_key)
        if meta is None:  # not converted: its file could not be read again (reported)
            continue
        images.report(article.source, article.url, meta.images,
                      image_line_lookup(config, article), problems)
        body_digest = digest(article.body_key, *linker.check(article, meta),
                             *images.keys(article.url, meta.site_paths))
        articles.append(article.evolve(words=meta.words,
                                       summary=article.summary or meta.first_paragraph,
                                       digest=digest(article.front_key, body_digest),
                                       body_digest=body_digest, bodies=store))
    converted_pages = []
    for page, key in zip(pages, page_keys, strict=True):
        meta = cache.metas[key]
        raw = store.raw(key)
        body_html = raw if raw is not None else converter.convert(page.body, page.source).html
        linker.check(page, meta)
        images.report(page.source, page.url, meta.images, image_line_lookup(config, page),
                      problems)
        converted_pages.append(replace(page, html=linker.resolve(body_html, page.url),
                                       description=page.description
                                       or meta.first_paragraph))
    images.save()
    reporter.detail(f"body images: {images.probed} read to probe")
    keys = {a.body_key for a in selection.visible} | set(page_keys)
    return tuple(articles), tuple(converted_pages), keys


def _convert_missing(cache: BuildCache, converter: _Converter, articles: Sequence[Article],
                     pages: Sequence[Page], page_keys: list[str], problems: ProblemList,
                     reporter: Reporter, workers: int | None) -> None:
    """Convert every body the cache lacks on every core, writing them to the store in
    batches as they arrive."""
    todo: dict[str, Article | Page] = {}
    items: list[tuple[Article | Page, str]] = [(a, a.body_key) for a in articles]
    items += zip(pages, page_keys, strict=True)
    for item, key in items:
        if key not in cache.metas and key not in todo:
            todo[key] = item
    jobs = list(todo.items())
    batch: list[tuple[str, RenderedBody]] = []
    # What a spawned worker needs (Windows, macOS): the config, and each body's file and
    # key (an article's is read from its file) or text (a page's).
    state = (converter.config, [(item.source, item.body_key, None,
                                 (item.updates, item.held) if item.live else None)
                                if isinstance(item, Article)
                                else (item.source, "", item.body, None) for _key, item in jobs])

    def keep(index: int, result: RenderedBody | ContentError) -> None:
        if isinstance(result, ContentError):
            problems.add(result.problem)
            return
        batch.append((jobs[index][0], result))
        if len(batch) >= _BATCH:
            cache.add_bodies(batch)
            batch.clear()

    parallel_each(Portable(_conversion, state, _SPAWN_FROM), len(jobs), keep, workers,
                  lambda n: reporter.progress(n, len(jobs), "markdown"))
    cache.add_bodies(batch)
    reporter.finish_progress()


def _conversion(state: tuple[SiteConfig, list[tuple[str, str, str | None, Any]]]
                ) -> Callable[[int], RenderedBody | ContentError]:
    """The function converting body ``index`` of ``state``, in whichever process runs it:
    a page's text, or an article's (``live``: a live blog's shown and held updates, else
    None) read again."""
    config, bodies = state
    converter = _Converter(config)

    def convert(index: int) -> RenderedBody | ContentError:
        source, key, text, live = bodies[index]
        try:
            if text is None:
                text = article_text(config, source, key, *(live or ()))
            return converter.convert(text, source)
        except ContentError as exc:
            return exc
    return convert


def article_text(config: SiteConfig, source: str, key: str, updates: Any = None,
                 held: tuple[LiveUpdate, ...] = ()) -> str:
    """The Markdown an article's page shows, read again from its file and checked against
    ``key``; a live blog's (``updates``) has its update headings made into anchors and its
    ``held`` updates blanked."""
    if updates is None:
        return read_body(config, source, key)[0]
    zone = config.timezone
    body = read_body(config, source, key,
                     lambda text: held_body_key(live_body_key(text, zone), held))[0]
    return prepare_live_body(body, updates, held)


class _Converter:
    """One Markdown converter per process, made on first use (workers inherit it)."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        self._markdown: MarkdownConverter | None = None

    def __getstate__(self) -> dict[str, Any]:
        """A spawned worker gets the settings and makes its own converter."""
        return {"config": self.config, "_markdown": None}

    def convert(self, text: str, source: str) -> RenderedBody:
        if self._markdown is None:
            self._markdown = MarkdownConverter(self.config.unsafe_html,
                                               self.config.url_prefix)
        return self._markdown.convert(text, source)

    def article(self, article: Article) -> RenderedBody:
        """Convert an article's body, read from its file (articles keep none in memory)."""
        live = (article.updates, article.held) if article.live else ()
        return self.convert(article_text(self.config, article.source, article.body_key,
                                         *live),
                            article.source)


def line_lookup(config: SiteConfig, item: Article | Page) -> Callable[[str], int]:
    """The file line where a link target is first mentioned in ``item``'s body; the body
    is read again from its file only if a message needs a line."""
    def line_of(target: str) -> int:
        body, body_line = _body_of(config, item)
        return body_line_of(body, body_line, target)
    return line_of


def image_line_lookup(config: SiteConfig, item: Article | Page
                      ) -> Callable[[str, str | None], int]:
    """The file line of an image in ``item``'s body (``markup.image_line_of``; ``src`` as
    written, without the URL prefix), the body read again only if a message needs a line."""
    def line_of(src: str, alt: str | None) -> int:
        body, body_line = _body_of(config, item)
        return image_line_of(body, body_line, src, alt)
    return line_of


def _body_of(config: SiteConfig, item: Article | Page) -> tuple[str, int]:
    if isinstance(item, Page):
        return item.body, item.body_line
    try:
        return read_body(config, item.source)
    except (ContentError, OSError):
        return "", item.body_line


def site_links(config: SiteConfig, cache: BuildCache, articles: Sequence[Article],
               pages: Sequence[Page]) -> list[LinkedBody]:
    """What ``links.site_link_warnings`` checks, for every published body."""
    items: list[Article | Page] = [*articles, *pages]
    keys = [a.body_key for a in articles] + [digest(p.body) for p in pages]
    return [(item.source, not_images(cache.metas[key]), line_lookup(config, item))
            for item, key in zip(items, keys, strict=True)
            if key in cache.metas and cache.metas[key].site_paths]


def not_images(meta: BodyMeta) -> tuple[str, ...]:
    """A body's site paths but its images': a missing image is an error of its own
    (``BodyImages.report``), not also a broken link."""
    shown = {src for src, _alt in meta.images}
    return tuple(p for p in meta.site_paths if p not in shown)


@dataclass(frozen=True)
class LinkResolver:
    """Internal-link tokens in a stored body -> this build's URLs. The body store carries
    one, and it pickles: spawned render and feed workers (Windows, macOS) read bodies too."""

    visible: dict[str, str]  # slug -> URL
    by_file: dict[str, str]  # source path -> URL
    images: BodyImages | None = None  # body images as <picture> (see build/body_images.py)

    def url(self, kind: str, target: str) -> str | None:
        return self.visible.get(target) if kind == "slug" else self.by_file.get(target)

    def __call__(self, body_html: str, url: str = "") -> str:
        """The body as this build shows it at ``url``: internal links resolved, images as
        ``<picture>`` with their renditions."""
        html = resolve_links(body_html, self.url)
        return self.images.resolve(html, url) if self.images is not None else html


class _Linker:
    """Resolves internal links against the visible articles and reports broken ones."""

    def __init__(self, config: SiteConfig, selection: Selection, problems: ProblemList,
                 images: BodyImages) -> None:
        self.config = config
        self.images = images
        self.resolve = LinkResolver({a.slug: a.url for a in selection.visible},
                                    {a.source: a.url for a in selection.visible}, images)
        self.visible = self.resolve.visible
        self.hidden = {a.slug for a in selection.hidden}
        self.by_file = self.resolve.by_file
        self.hidden_files = {a.source for a in selection.hidden}
        self.problems = problems
        self.url = self.resolve.url

    def check(self, item: Article | Page, meta: BodyMeta) -> list[str]:
        """Report broken and unpublished links; return the URLs links resolve to (they go
        into the article's digest, so its page changes when a target's URL does)."""
        resolved: list[str] = []
        if not meta.links:
            return resolved
        line_of = line_lookup(self.config, item)
        for token in meta.links:
            kind, target = link_target(token)
            exists = (target in self.visible or target in self.hidden) if kind == "slug" \
                else (target in self.by_file or target in self.hidden_files)
            url = self.url(kind, target)
            resolved.append(f"{token}={url}")
            if not exists:
                noun = "slug" if kind == "slug" else "file"
                self.problems.error(SourceLocation(item.source, line_of(target)),
                                    f"link to '{target}': no article has that {noun}",
                                    "broken-link")
            elif url is None:
                self.problems.warning(SourceLocation(item.source, line_of(target)),
                                      f"link to '{target}', which is not published yet; "
                                      "shown as plain text", "unpublished-link")
        return resolved
