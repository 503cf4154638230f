"""Stage 3b: every published body converted from Markdown once, ever, then linked.

Bodies are keyed by the hash of their text; a key found in the build cache is not converted
again, and the rest are converted on every core. Internal links (``article:slug``, relative
``.md`` paths) are resolved afterwards, because their targets' URLs are only known once every
file is loaded; a link to a missing article is an error at its line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from newsgen.cache import BuildCache, digest
from newsgen.config import SiteConfig
from newsgen.errors import ProblemList, SourceLocation
from newsgen.markup import (
    MarkdownConverter,
    RenderedBody,
    body_line_of,
    link_target,
    resolve_links,
)
from newsgen.models import Article, Page
from newsgen.publish import Selection
from newsgen.reporter import Reporter
from newsgen.workers import parallel_map


def convert_bodies(config: SiteConfig, selection: Selection, pages: Sequence[Page],
                   cache: BuildCache, problems: ProblemList, reporter: Reporter,
                   workers: int | None = None
                   ) -> tuple[tuple[Article, ...], tuple[Page, ...], set[str]]:
    """Visible articles and pages with ``html`` set; also the cache keys this build used."""
    sources = [(a.body, a.source) for a in selection.visible] + [(p.body, p.source)
                                                                 for p in pages]
    keys = [digest(body) for body, _ in sources]
    missing = sorted({key: i for i, key in enumerate(keys) if cache.body(key) is None}.values())
    if missing:
        converter = MarkdownConverter(config.unsafe_html, config.url_prefix)

        def convert(index: int) -> RenderedBody:
            body, source = sources[missing[index]]
            return converter.convert(body, source)

        done = parallel_map(convert, len(missing), workers,
                            lambda n: reporter.progress(n, len(missing), "markdown"))
        reporter.finish_progress()
        for index, rendered in zip(missing, done, strict=True):
            cache.add_body(keys[index], rendered)
    linker = _Linker(selection, problems)
    articles = []
    for article, key in zip(selection.visible, keys[: len(selection.visible)], strict=True):
        rendered = cache.bodies[key]
        body_html, resolved = linker.link(article.source, article.body, article.body_line,
                                           rendered)
        articles.append(replace(article, html=body_html, words=rendered.words,
                                summary=article.summary or rendered.first_paragraph,
                                digest=digest(article.digest, *resolved)))
    converted_pages = []
    for page, key in zip(pages, keys[len(selection.visible):], strict=True):
        rendered = cache.bodies[key]
        body_html, _ = linker.link(page.source, page.body, page.body_line, rendered)
        converted_pages.append(replace(page, html=body_html,
                                       description=page.description
                                       or rendered.first_paragraph))
    return tuple(articles), tuple(converted_pages), set(keys)


class _Linker:
    """Resolves internal links against the visible articles and reports broken ones."""

    def __init__(self, selection: Selection, problems: ProblemList) -> None:
        self.visible = {a.slug: a for a in selection.visible}
        self.hidden = {a.slug for a in selection.hidden}
        self.by_file = {a.source: a for a in selection.visible}
        self.hidden_files = {a.source for a in selection.hidden}
        self.problems = problems

    def url(self, kind: str, target: str) -> str | None:
        article = self.visible.get(target) if kind == "slug" else self.by_file.get(target)
        return article.url if article else None

    def link(self, source: str, body: str, body_line: int, rendered: RenderedBody
             ) -> tuple[str, list[str]]:
        """(HTML with links resolved, the URLs they resolved to, for the page key)."""
        resolved = []
        for token in rendered.links:
            kind, target = link_target(token)
            exists = (target in self.visible or target in self.hidden) if kind == "slug" \
                else (target in self.by_file or target in self.hidden_files)
            url = self.url(kind, target)
            resolved.append(f"{token}={url}")
            if not exists:
                noun = "slug" if kind == "slug" else "file"
                self.problems.error(SourceLocation(source, body_line_of(body, body_line, target)),
                                    f"link to '{target}': no article has that {noun}",
                                    "broken-link")
            elif url is None:
                self.problems.warning(SourceLocation(source, body_line_of(body, body_line, target)),
                                      f"link to '{target}', which is not published yet; "
                                      "shown as plain text", "unpublished-link")
        return resolve_links(rendered.html, self.url), resolved
