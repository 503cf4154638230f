"""Stage 5: run the stages and write the site: the one function the CLI and server call.

config -> loader -> publish -> bodies -> renderer -> feeds/sitemaps -> writer. Problems from
every stage are collected; if there is any error nothing is written, and the previous output
stays byte for byte as it was. Pages whose inputs did not change since the last build are
neither rendered nor rewritten (see ``pages.py``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import jinja2

from newsgen.build.bodies import convert_bodies, site_links
from newsgen.build.cache import BuildCache, read_meta
from newsgen.build.distribution import add_feeds, add_sitemaps, distribution_keys
from newsgen.build.inputs import (
    cache_scope,
    input_keys,
    large_output,
    meta_keys,
    static_content_signature,
)
from newsgen.build.live import add_live_updates
from newsgen.build.moves import add_moves, current_urls, previous_urls, urls_key
from newsgen.build.page_records import PageRecord, PageRecords, state_text
from newsgen.build.pages import PagePlan, render_pages
from newsgen.build.search_index import add_search
from newsgen.build.static import add_static
from newsgen.build.ticker_build import (
    Request,
    TickerKeys,
    build_ticker,
    snapshot_meta,
    take_snapshot,
)
from newsgen.content.config import CONFIG_FILE, SiteConfig, load_config
from newsgen.content.image_fields import (
    static_image_size,
)
from newsgen.content.links import site_link_warnings
from newsgen.content.loader import load_content
from newsgen.content.models import Site
from newsgen.content.moved import MOVED_FILE, Ledger, ledger_writable, load_moved, write_moved
from newsgen.content.publish import Visibility, select
from newsgen.content.times import TimeError, earliest, iso, parse_time, utc_now
from newsgen.content.translations import alternates, assemble_editions, whole_site
from newsgen.distribution.sitemaps import news_window_change
from newsgen.engine.digests import digest
from newsgen.engine.journal import FileLocked, recover, write_changes
from newsgen.engine.lock import build_lock, output_problem
from newsgen.engine.previous import output_intact
from newsgen.engine.workers import Aside, few_collections, settle, worker_count, worth_forking
from newsgen.engine.writer import MARKER_DIR, OutputWriter, WriteStats
from newsgen.errors import BuildFailed, Problem, ProblemList, SourceLocation
from newsgen.render.editions import translation_map
from newsgen.render.templating import templates_digest
from newsgen.reporter import Reporter

# Feed and sitemap keys are computed in a forked process while the pages settle, up to this
# many articles (see ``_generate``).
ASIDE_MAX_ARTICLES = 30_000


@dataclass(frozen=True)
class BuildOptions:
    out_dir: Path | None = None
    drafts: bool = False
    future: bool = False
    now: datetime | None = None
    strict: bool = False
    write: bool = True
    use_cache: bool = True
    workers: int | None = None


@dataclass
class BuildResult:
    """What a build did. ``site`` is None when nothing had changed since the last build
    (the inputs' fingerprint matched and the output was intact), which skips every stage."""

    site: Site | None
    out_dir: Path
    files: int
    seconds: float
    warnings: list[Problem] = field(default_factory=list)
    stats: WriteStats = field(default_factory=WriteStats)
    rendered: int = 0
    paths: frozenset[str] = frozenset()  # every output file the build plans (for ``check``)
    articles: int = 0
    next_change: datetime | None = None
    index_seconds: float = 0.0  # spent building search index shards
    shards_indexed: int = 0
    notes: list[str] = field(default_factory=list)  # for the person building (moves ledger)
    # "full"; "unchanged": nothing to do (``site`` is None); "ticker": headlines only, the
    # ticker applied without loading the site (``site`` is None, see ticker_build.py)
    mode: str = "full"


def resolve_out_dir(site_dir: Path, config: SiteConfig, given: Path | None) -> Path:
    out = given if given is not None else Path(config.output_dir)
    return out if out.is_absolute() else (site_dir / out if given is None else Path.cwd() / out)


def build_site(site_dir: Path, options: BuildOptions, reporter: Reporter | None = None
               ) -> BuildResult:
    """Build the site in ``site_dir``; raise BuildFailed with every problem found."""
    with few_collections():
        return _build(site_dir, options, reporter)


def _build(site_dir: Path, options: BuildOptions, reporter: Reporter | None) -> BuildResult:
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
    if not options.write:
        site, plan, warnings, _ = _generate(config, now, options, reporter, None,
                                            urls_key(out_dir))
        return BuildResult(site, out_dir, len(plan.files), time.perf_counter() - started,
                           warnings, paths=frozenset(plan.files), articles=len(site.articles),
                           next_change=site.next_change,
                           notes=_ledger_notes(plan.ledger, plan.notes, written=False))
    with build_lock(out_dir):
        try:
            recover(out_dir)
        except FileLocked as exc:
            raise _locked_file(site_dir, exc) from None
        # Whether the output is intact (an lstat a file: 240,000 at 100,000 articles) is
        # checked in a forked process while this one walks the content; a full build
        # takes its answer later instead of an lstat a page (writer.trusted).
        large = large_output(out_dir)
        with Aside(lambda: output_intact(out_dir, worker_count()), large) as intact:
            request = _request(config, options, now, out_dir)
            shortcut = _shortcut(request, intact.result, started)
            if shortcut is not None:
                return shortcut
            return _full_build(request, options, reporter, started,
                               intact.result if large else None)


def _full_build(request: Request, options: BuildOptions, reporter: Reporter, started: float,
                intact: Callable[[], bool] | None) -> BuildResult:
    config, out_dir = request.config, request.out_dir
    meta, seen_key = request.meta_keys, request.seen_key
    writer = OutputWriter(out_dir)
    try:
        site, plan, warnings, cache = _generate(config, request.now, options, reporter,
                                                writer, urls_key(out_dir),
                                                _seen(config, seen_key), intact)
        _write_ledger(config, plan.ledger)  # first: a failed commit still records it
        stats = _write(writer, plan, site, config.site_dir)
    except BaseException:
        writer.discard()
        raise
    summary = {"articles": len(site.articles), "files": len(plan.files),
               "next_change": iso(site.next_change) if site.next_change else "",
               "warnings": [p.as_dict() for p in warnings]}
    cache.save(plan.body_keys, plan.records,
               {meta[0]: request.inputs_key, meta[1]: json.dumps(summary),
                urls_key(out_dir): current_urls(site, plan.moved_from, plan.files),
                seen_key: json.dumps(plan.ticker_seen),
                **snapshot_meta(TickerKeys.of(out_dir), request.rest_key, plan.snapshot,
                                len(plan.files))},
               plan.state_text)
    return BuildResult(site, out_dir, len(plan.files), time.perf_counter() - started,
                       warnings, stats, plan.rendered, articles=len(site.articles),
                       next_change=site.next_change, index_seconds=plan.indexed[0],
                       shards_indexed=plan.indexed[1],
                       notes=_ledger_notes(plan.ledger, plan.notes, written=True))


def _request(config: SiteConfig, options: BuildOptions, now: datetime, out_dir: Path
             ) -> Request:
    flags = (options.drafts, options.future, options.strict)
    rest_key, inputs = input_keys(config, flags, now) if options.use_cache else (None, None)
    return Request(config, out_dir, now, Visibility(options.drafts, options.future),
                   options.strict, cache_scope(config), rest_key or "", inputs or "",
                   meta_keys(out_dir), f"ticker-seen:{out_dir.resolve()}")


def _shortcut(request: Request, intact: Callable[[], bool], started: float
              ) -> BuildResult | None:
    """The last build's result when nothing changed, the build of a headline-only change
    (ticker_build.py), or None to build in full."""
    previous = _unchanged(request, intact)
    if previous is not None:
        write_changes(request.out_dir, "")  # a deploy after this build has nothing to send
        previous.seconds = time.perf_counter() - started
        return previous
    done = build_ticker(request, _seen(request.config, request.seen_key), intact)
    if done is None:
        return None
    return BuildResult(None, request.out_dir, done.files, time.perf_counter() - started,
                       done.warnings, done.stats, articles=done.articles,
                       next_change=done.next_change, mode="ticker")


def _write_ledger(config: SiteConfig, ledger: Ledger) -> None:
    """Save the moves ledger when this build changed it; a failure is the build's error
    (the output, whose redirects assume the ledger, is then left as it was)."""
    if ledger.data is None:
        return
    try:
        write_moved(config, ledger.data)
    except OSError as exc:
        raise BuildFailed([Problem(SourceLocation(MOVED_FILE), f"cannot write the moves "
                                   f"ledger: {exc.strerror}", "error", "io")]) from None


def _ledger_notes(ledger: Ledger, notes: list[str], written: bool) -> list[str]:
    if not ledger.recorded:
        return notes
    count = f"{ledger.recorded} moved address{'' if ledger.recorded == 1 else 'es'}"
    return [*notes, f"recorded {count} in {MOVED_FILE}; commit it" if written else
            f"a build will record {count} in {MOVED_FILE}"]


def _seen(config: SiteConfig, key: str) -> list[str] | None:
    """The ticker items pages of this output may still show (see render/ticker.py)."""
    try:
        seen = json.loads(read_meta(config.site_dir, key) or "null")
    except ValueError:
        return None
    return seen if isinstance(seen, list) and all(isinstance(k, str) for k in seen) else None


def _unchanged(request: Request, intact: Callable[[], bool]) -> BuildResult | None:
    """The last build's result if its inputs are these and its output is intact."""
    config, out_dir, now, meta = request.config, request.out_dir, request.now, request.meta_keys
    inputs = request.inputs_key
    if not inputs or read_meta(config.site_dir, meta[0]) != inputs:
        return None
    try:
        summary = json.loads(read_meta(config.site_dir, meta[1]) or "")
        next_change = parse_time(summary["next_change"], config.timezone) \
            if summary["next_change"] else None
        warnings = [Problem(SourceLocation(w["file"], w["line"]), w["message"], w["severity"],
                            w["code"]) for w in summary["warnings"]]
    except (ValueError, KeyError, TypeError, TimeError):
        return None
    if next_change is not None and now >= next_change:
        return None
    if not intact():
        return None
    return BuildResult(None, out_dir, int(summary["files"]), 0.0, warnings,
                       WriteStats(unchanged=int(summary["files"])), 0,
                       articles=int(summary["articles"]), next_change=next_change,
                       mode="unchanged")


# long: the pipeline's stages in their one order, each a call; splitting it hides the order
def _generate(config: SiteConfig, now: datetime, options: BuildOptions, reporter: Reporter,
              writer: OutputWriter | None, urls: str | None = None,
              ticker_seen: list[str] | None = None, intact: Callable[[], bool] | None = None
              ) -> tuple[Site, PagePlan, list[Problem], BuildCache]:
    """``urls``: where the last build's article addresses are kept (moves.py). ``intact``:
    whether the previous output is as newsgen left it, asked (once loading is done, and
    before render workers fork) to spare an lstat a page."""
    problems = ProblemList()
    visibility = Visibility(options.drafts, options.future)
    config_bytes = (config.site_dir / CONFIG_FILE).read_bytes()
    keep = options.use_cache and writer is not None
    cache = BuildCache(config.site_dir, cache_scope(config),
                       digest(config_bytes, static_content_signature(config, keep)), keep)
    content = load_content(config, problems, cache if cache.enabled else None,
                           options.workers)
    moved = load_moved(config, problems)
    reporter.detail(f"loaded {len(content.articles)} articles, {len(content.headlines)} "
                    f"headlines, {len(content.pages)} pages")
    selection = select(content.articles, now, visibility)
    articles, pages, body_keys = convert_bodies(config, selection, content.pages, cache,
                                                problems, reporter, options.workers,
                                                content.unchecked)
    content.pages = list(pages)
    sites = assemble_editions(config, now, content, selection, articles, visibility, problems)
    site = whole_site(sites, articles, selection.hidden)
    site = replace(site, next_change=earliest(site.next_change, news_window_change(site)))
    settle()
    _raise_if_failed(problems, options.strict)
    translations = translation_map(alternates(sites)) if config.editions else {}
    salt = _salt(config, config_bytes, visibility, sites, translations)
    if writer is not None and intact is not None:
        writer.trusted = intact()
    plan = PagePlan(problems, cache.pages if writer is not None else PageRecords(), writer,
                    cache.pages_state if writer is not None else None,
                    keep_records=cache.enabled)
    cache.pages_state = None  # the plan's now (and let go of once pages are rendered)
    plan.body_keys = body_keys
    plan.ticker_seen = ticker_seen if cache.enabled else None
    plan.moved_from = previous_urls(config.site_dir, urls, site.articles) if urls else {}
    # The aside process copies the memory of the objects it reads (their reference counts
    # are written): 54 MB at 10,000 articles (measured), freed before render workers fork.
    # At 100,000 that would be several hundred MB, which the 1 GB target there has no room
    # for; ASIDE_MAX_ARTICLES lies between, a cautious guess rather than a measured limit.
    aside = worth_forking(len(site.articles), options.workers, ASIDE_MAX_ARTICLES)
    with Aside(lambda: distribution_keys(sites, translations), aside) as keys:
        env = _render_editions(sites, plan, salt, reporter, options.workers, translations)
        rendered = not problems.errors
        if rendered:
            feed_keys, sitemap = keys.result()
            for edition, edition_keys in zip(sites, feed_keys, strict=True):
                add_feeds(edition, plan, options.workers, edition_keys)
            add_sitemaps(sites, site, plan, sitemap)
    if rendered and writer is not None:
        plan.indexed = add_search(sites, plan, options.workers)
    if rendered:
        add_static(config, plan, problems, site, options.use_cache, options.workers, reporter)
        if env is not None:
            plan.ledger = add_moves(env, site, plan, plan.moved_from, moved,
                                    writer is None or ledger_writable(config))
        add_live_updates(site, plan)
        bodies = site_links(config, cache, site.articles, site.pages)
        problems.extend(list(site_link_warnings(config.url_prefix, bodies, set(plan.files))))
    _raise_if_failed(problems, options.strict)
    if writer is not None and cache.enabled:
        plan.snapshot = take_snapshot(sites, site, content.articles, selection, plan.views,
                                      problems.warnings, plan.ticker_seen)
    return site, plan, problems.warnings, cache


def _salt(config: SiteConfig, config_bytes: bytes, visibility: Visibility,
          sites: tuple[Site, ...], translations: dict[str, dict[str, str]]) -> str:
    """What every page depends on besides its own context."""
    # The logo's size (on every page) and author photos' sizes come from their files, not
    # from newsgen.yaml.
    salt = digest(config_bytes, templates_digest(config), str(visibility),
                  str(static_image_size(config, config.logo)),
                  *(f"{a.id} {static_image_size(config, a.photo)}"
                    for a in config.authors.values() if a.photo))
    banners = [site.breaking for site in sites if site.breaking is not None]
    if banners:  # on every page of its edition; one salt for all editions keeps it simple
        salt = digest(salt, repr(banners))
    if translations:  # a new translation changes its siblings' pages in other editions
        salt = digest(salt, repr(sorted((url, sorted(v.items()))
                                        for url, v in translations.items())))
    return salt


def _render_editions(sites: tuple[Site, ...], plan: PagePlan, salt: str, reporter: Reporter,
                     workers: int | None, translations: dict[str, dict[str, str]]
                     ) -> jinja2.Environment | None:
    """Every edition's pages; the default edition's last, so that the pages state the next
    build compares with is its own (the other editions' pages are fingerprinted each time,
    their records are kept by path). Returns the default edition's environment. The last
    build's state is let go of afterwards (29 MB at 100,000 articles, held to the end)."""
    old_state, env = plan.old_state, None
    for edition in (*sites[1:], sites[0]):
        plan.old_state = old_state if edition is sites[0] else None
        env = render_pages(edition.config, edition, plan, salt, reporter, workers,
                           translations)
        if env is None:
            break
    plan.old_state = None
    plan.state_text, plan.state = state_text(plan.state), None
    return env


def _raise_if_failed(problems: ProblemList, strict: bool) -> None:
    failing = problems.items if strict else problems.errors
    if failing:
        raise BuildFailed([replace(p, severity="error") for p in failing])


def _write(writer: OutputWriter, plan: PagePlan, site: Site, site_dir: Path) -> WriteStats:
    next_change = iso(site.next_change) + "\n" if site.next_change else "none\n"
    plan.add(f"{MARKER_DIR}/next-change", "next-change", next_change.encode())
    try:
        return writer.commit()
    except FileLocked as exc:
        raise _locked_file(site_dir, exc) from None


def _locked_file(site_dir: Path, error: FileLocked) -> BuildFailed:
    """An output file that stayed open elsewhere (Windows), as ``path: message``."""
    target = Path(error.target).absolute()
    try:
        shown = target.relative_to(site_dir.absolute()).as_posix()
    except ValueError:
        shown = target.as_posix()
    return BuildFailed([Problem(SourceLocation(shown), f"{error.strerror}; the previous "
                                "output is left as it was, build again when it is closed",
                                "error", "locked")])


__all__ = ["BuildOptions", "BuildResult", "build_site", "resolve_out_dir", "PageRecord"]
