"""Stage 5: run the stages and write the site: the one function the CLI and server call.

config -> loader -> publish -> markup -> renderer -> feeds/sitemaps -> output. Problems from
every stage are collected; if there is any error nothing is written, and the previous output
stays byte for byte as it was.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import jinja2

from newsgen.config import CONFIG_FILE, SiteConfig, load_config, static_roots
from newsgen.errors import BuildFailed, Problem, ProblemList, SourceLocation
from newsgen.feeds import rss_feed
from newsgen.loader import Content, load_content
from newsgen.markup import MarkdownConverter, link_target, resolve_links
from newsgen.models import Article, Page, Site
from newsgen.output import (
    MARKER_DIR,
    Staging,
    WriteStats,
    build_lock,
    output_problem,
    recover,
)
from newsgen.publish import Selection, Visibility, assemble, select
from newsgen.renderer import RenderedPage, Renderer
from newsgen.reporter import Reporter
from newsgen.sitemaps import robots, sitemap
from newsgen.templating import make_environment, template_problem
from newsgen.times import iso, utc_now
from newsgen.urls import GENERATED_ROOTS, UnsafePath, check_relative, fold_case


@dataclass(frozen=True)
class BuildOptions:
    out_dir: Path | None = None
    drafts: bool = False
    future: bool = False
    now: datetime | None = None
    strict: bool = False
    write: bool = True


@dataclass
class BuildResult:
    site: Site
    out_dir: Path
    files: int
    seconds: float
    warnings: list[Problem] = field(default_factory=list)
    stats: WriteStats = field(default_factory=WriteStats)


def resolve_out_dir(site_dir: Path, config: SiteConfig, given: Path | None) -> Path:
    out = given if given is not None else Path(config.output_dir)
    return out if out.is_absolute() else (site_dir / out if given is None else Path.cwd() / out)


def build_site(site_dir: Path, options: BuildOptions, reporter: Reporter | None = None
               ) -> BuildResult:
    """Build the site in ``site_dir``; raise BuildFailed with every problem found."""
    started = time.perf_counter()
    reporter = reporter or Reporter()
    config = load_config(site_dir)
    out_dir = resolve_out_dir(site_dir, config, options.out_dir)
    problem = output_problem(site_dir, out_dir)
    if problem:
        where = SourceLocation(CONFIG_FILE) if options.out_dir is None else \
            SourceLocation(str(out_dir))
        raise BuildFailed([Problem(where, problem, "error", "output")])
    now = options.now or utc_now()
    site, files, warnings = _generate(config, now, options, reporter)
    stats = WriteStats()
    if options.write:
        stats = _write(out_dir, files, site)
    seconds = time.perf_counter() - started
    return BuildResult(site, out_dir, len(files), seconds, warnings, stats)


def _generate(config: SiteConfig, now: datetime, options: BuildOptions, reporter: Reporter
              ) -> tuple[Site, dict[str, bytes], list[Problem]]:
    problems = ProblemList()
    visibility = Visibility(options.drafts, options.future)
    content = load_content(config, problems)
    reporter.detail(f"loaded {len(content.articles)} articles, {len(content.headlines)} "
                    f"headlines, {len(content.pages)} pages")
    selection = select(content.articles, now, visibility)
    articles, pages = _convert(config, content, selection, problems, reporter)
    content.pages = list(pages)
    site = assemble(config, now, content, selection, articles, visibility, problems)
    _raise_if_failed(problems, options.strict)
    plan = _Plan()
    _render(config, site, plan, problems, reporter)
    _add_static(config, plan, problems)
    _raise_if_failed(problems, options.strict)
    return site, plan.files, problems.warnings


def _raise_if_failed(problems: ProblemList, strict: bool) -> None:
    failing = problems.items if strict else problems.errors
    if failing:
        raise BuildFailed([replace(p, severity="error") for p in failing])


def _convert(config: SiteConfig, content: Content, selection: Selection,
             problems: ProblemList, reporter: Reporter
             ) -> tuple[tuple[Article, ...], tuple[Page, ...]]:
    """Markdown to HTML for what will be published, then internal links resolved."""
    converter = MarkdownConverter(config.unsafe_html, config.url_prefix)
    visible = {a.slug: a for a in selection.visible}
    hidden = {a.slug for a in selection.hidden}
    by_file = {a.source: a for a in selection.visible}
    hidden_files = {a.source for a in selection.hidden}

    def link_for(kind: str, target: str) -> str | None:
        article = visible.get(target) if kind == "slug" else by_file.get(target)
        return article.url if article else None

    def check_links(source: str, body: str, body_line: int, links: tuple[str, ...]) -> None:
        for token in links:
            kind, target = link_target(token)
            exists = target in visible or target in hidden if kind == "slug" else \
                target in by_file or target in hidden_files
            if not exists:
                problems.error(SourceLocation(source, _line_of(body, body_line, target)),
                               f"link to '{target}': no article has that "
                               f"{'slug' if kind == 'slug' else 'file'}", "broken-link")
            elif link_for(kind, target) is None:
                problems.warning(SourceLocation(source, _line_of(body, body_line, target)),
                                 f"link to '{target}', which is not published yet; shown "
                                 "as plain text", "unpublished-link")

    articles = []
    total = len(selection.visible)
    for done, article in enumerate(selection.visible, 1):
        rendered = converter.convert(article.body, article.source)
        check_links(article.source, article.body, article.body_line, rendered.links)
        articles.append(replace(article, html=resolve_links(rendered.html, link_for),
                                summary=article.summary or rendered.first_paragraph,
                                words=rendered.words))
        reporter.progress(done, total, "markdown")
    pages = []
    for page in content.pages:
        rendered = converter.convert(page.body, page.source)
        check_links(page.source, page.body, page.body_line, rendered.links)
        pages.append(replace(page, html=resolve_links(rendered.html, link_for),
                             description=page.description or rendered.first_paragraph))
    reporter.finish_progress()
    return tuple(articles), tuple(pages)


def _line_of(body: str, body_line: int, needle: str) -> int:
    """File line of the first mention of ``needle`` in a body (for link errors)."""
    name = needle.rsplit("/", 1)[-1]
    for offset, line in enumerate(body.split("\n")):
        if needle in line or (name and name in line):
            return body_line + offset
    return body_line


class _Plan:
    """Every output file by path, refusing two producers for one path (or for two paths
    that differ only in case, which collide on macOS and Windows)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.sources: dict[str, str] = {}
        self.folded: dict[str, str] = {}

    def add(self, path: str, source: str, data: bytes, problems: ProblemList) -> None:
        key = fold_case(path)
        if key in self.folded:
            other = self.folded[key]
            first, second = sorted([self.sources[other], source])
            where = second if "/" in second and "." in second else first
            detail = "the same path" if other == path else f"paths differing only in case " \
                                                          f"('{other}' and '{path}')"
            problems.error(SourceLocation(where),
                           f"URL collision: {first} and {second} both produce {detail} "
                           f"({path})", "collision")
            return
        self.folded[key] = path
        self.sources[path] = source
        self.files[path] = data


def _render(config: SiteConfig, site: Site, plan: _Plan, problems: ProblemList,
            reporter: Reporter) -> None:
    env = make_environment(config)
    try:
        renderer = Renderer(env, site)
        pages = list(_with_progress(renderer.render_all(), len(site.articles), reporter))
        pages += [renderer.ticker_fragment(), renderer.ticker_json()]
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError) as exc:
        problems.add(template_problem(exc, config))
        return
    except UnsafePath as exc:
        problems.error(SourceLocation(CONFIG_FILE), str(exc), "path")
        return
    for page in pages:
        _check_reserved(page, problems)
        plan.add(page.path, page.source, page.text.encode("utf-8"), problems)
    _add_feeds(config, site, plan, problems)


def _with_progress(pages, total: int, reporter: Reporter):  # type: ignore[no-untyped-def]
    for done, page in enumerate(pages, 1):
        reporter.progress(min(done, total), total, "rendering")
        yield page
    reporter.finish_progress()


def _check_reserved(page: RenderedPage, problems: ProblemList) -> None:
    """Content may not take a path newsgen generates (``/rss.xml/``, ``/tags/...``)."""
    if not page.source.startswith("content/"):
        return
    root = page.path.split("/", 1)[0]
    if root in GENERATED_ROOTS and page.path != "index.html":
        problems.error(SourceLocation(page.source),
                       f"URL {page.url} is reserved for pages newsgen generates "
                       f"('{root}'); choose another slug", "collision")


def _add_feeds(config: SiteConfig, site: Site, plan: _Plan, problems: ProblemList) -> None:
    latest = site.articles[: config.feed_size]
    prefix = config.url_prefix
    plan.add("rss.xml", "rss", rss_feed(site, latest, config.title, prefix + "/",
                                        prefix + "/rss.xml", config.description), problems)
    entries: list[tuple[str, datetime | None]] = [(prefix + "/", _newest(site))]
    entries += [(a.url, a.modified) for a in site.articles]
    plan.add("sitemap.xml", "sitemap", sitemap(config, entries), problems)
    plan.add("robots.txt", "robots", robots(config, [prefix + "/sitemap.xml"]), problems)


def _newest(site: Site) -> datetime | None:
    return max((a.modified for a in site.articles), default=None)


def _add_static(config: SiteConfig, plan: _Plan, problems: ProblemList) -> None:
    """Theme assets, then the site's ``static/`` over them, file by file."""
    site_root = config.site_dir.resolve()
    files: dict[str, tuple[Path, str]] = {}
    for root, prefix in static_roots(config):
        for current, dirs, names in os.walk(root, followlinks=False):
            dirs.sort()
            here = Path(current)
            for name in sorted(dirs + names):
                path = here / name
                display = _display(path, config)
                if path.is_symlink():
                    try:
                        target = path.resolve(strict=True)
                    except (OSError, RuntimeError):
                        problems.error(SourceLocation(display), "symlink is broken or loops; "
                                       "not followed", "symlink")
                        continue
                    if site_root not in target.parents:
                        problems.error(SourceLocation(display), "symlink points outside the "
                                       f"site ({target}); not followed", "symlink")
                        continue
                if name in dirs or name.startswith("."):
                    continue
                relative = path.relative_to(root).as_posix()
                out = f"{prefix}/{relative}" if prefix else relative
                try:
                    check_relative(out)
                except UnsafePath as exc:
                    problems.error(SourceLocation(display), str(exc), "path")
                    continue
                files[out] = (path, display)
    for out, (path, display) in sorted(files.items()):
        plan.add(out, display, path.read_bytes(), problems)


def _display(path: Path, config: SiteConfig) -> str:
    try:
        return path.relative_to(config.site_dir).as_posix()
    except ValueError:
        return "<newsgen theme>/" + path.name


def _write(out_dir: Path, files: dict[str, bytes], site: Site) -> WriteStats:
    next_change = iso(site.next_change) + "\n" if site.next_change else "none\n"
    with build_lock(out_dir):
        recover(out_dir)
        staging = Staging(out_dir)
        try:
            for path in sorted(files):
                staging.write(path, files[path])
            return staging.commit({f"{MARKER_DIR}/next-change": next_change.encode()})
        except BaseException:
            staging.discard()
            raise
