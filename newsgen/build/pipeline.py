"""Stage 5, the full build: every stage in its one order, then the output written at once.

config -> loader -> publish -> bodies -> renderer -> feeds/sitemaps -> writer. Problems from
every stage are collected; if there is any error nothing is written, and the previous output
stays byte for byte as it was. Pages whose inputs did not change since the last build are
neither rendered nor rewritten (see ``pages.py``). ``builder.py`` decides first whether a
build needs this at all; it imports this module only then, which spares a build with nothing
to do the import of every stage.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import jinja2

from newsgen.build.bodies import convert_bodies, site_links
from newsgen.build.cache import BuildCache
from newsgen.build.distribution import add_feeds, add_sitemaps, distribution_keys
from newsgen.build.inputs import Request, cache_scope, static_content_signature
from newsgen.build.live import add_live_updates
from newsgen.build.moves import add_moves, current_urls, previous_urls, urls_key
from newsgen.build.options import BuildOptions, BuildResult, locked_file
from newsgen.build.page_records import PageRecords, state_text
from newsgen.build.pages import PagePlan, render_pages
from newsgen.build.search_index import add_search
from newsgen.build.static import add_static
from newsgen.build.ticker_build import TickerKeys, snapshot_meta, take_snapshot
from newsgen.content.config import CONFIG_FILE, SiteConfig
from newsgen.content.image_fields import static_image_size
from newsgen.content.links import site_link_warnings
from newsgen.content.loader import load_content
from newsgen.content.models import Site
from newsgen.content.moved import MOVED_FILE, Ledger, ledger_writable, load_moved, write_moved
from newsgen.content.publish import Visibility, select
from newsgen.content.theme import templates_digest
from newsgen.content.times import earliest, iso, utc_now
from newsgen.content.translations import alternates, assemble_editions, whole_site
from newsgen.distribution.sitemaps import news_window_change
from newsgen.engine.digests import digest
from newsgen.engine.journal import FileLocked
from newsgen.engine.workers import Aside, settle, worth_forking
from newsgen.engine.writer import MARKER_DIR, OutputWriter, WriteStats
from newsgen.errors import BuildFailed, Problem, ProblemList, SourceLocation
from newsgen.render.editions import translation_map
from newsgen.reporter import Reporter

# Feed and sitemap keys are computed in a forked process while the pages settle, up to this
# many articles (see ``generate``).
ASIDE_MAX_ARTICLES = 30_000


def full_build(request: Request, options: BuildOptions, reporter: Reporter, started: float,
               intact: Callable[[], bool] | None, seen: list[str] | None) -> BuildResult:
    """Every stage, writing into the output folder; ``intact``: the answer of the check
    of the previous output made aside (None: a small output, checked file by file);
    ``seen``: the ticker items pages of this output may still show."""
    config, out_dir = request.config, request.out_dir
    meta, seen_key = request.meta_keys, request.seen_key
    writer = OutputWriter(out_dir)
    try:
        site, plan, warnings, cache = generate(config, request.now, options, reporter,
                                               writer, urls_key(out_dir), seen, intact,
                                               request.blobs)
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


def planned_build(config: SiteConfig, options: BuildOptions, reporter: Reporter,
                  out_dir: Path, started: float) -> BuildResult:
    """Every stage but the writing (``newsgen check``): the files a build would write."""
    site, plan, warnings, _ = generate(config, options.now or utc_now(), options, reporter,
                                       None, urls_key(out_dir))
    return BuildResult(site, out_dir, len(plan.files), time.perf_counter() - started,
                       warnings, paths=frozenset(plan.files), articles=len(site.articles),
                       next_change=site.next_change,
                       notes=_ledger_notes(plan.ledger, plan.notes, written=False))


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


# long: the pipeline's stages in their one order, each a call; splitting it hides the order
def generate(config: SiteConfig, now: datetime, options: BuildOptions, reporter: Reporter,
             writer: OutputWriter | None, urls: str | None = None,
             ticker_seen: list[str] | None = None, intact: Callable[[], bool] | None = None,
             blobs: dict[str, str] | None = None
             ) -> tuple[Site, PagePlan, list[Problem], BuildCache]:
    """``urls``: where the last build's article addresses are kept (moves.py). ``intact``:
    whether the previous output is as newsgen left it, asked (once loading is done, and
    before render workers fork) to spare an lstat a page. ``blobs``: git's ids of the
    content files it vouches for (inputs.InputKeys)."""
    problems = ProblemList()
    visibility = Visibility(options.drafts, options.future)
    config_bytes = (config.site_dir / CONFIG_FILE).read_bytes()
    keep = options.use_cache and writer is not None
    cache = BuildCache(config.site_dir, cache_scope(config),
                       digest(config_bytes, static_content_signature(config, keep)), keep,
                       blobs)
    content = load_content(config, problems, cache if cache.enabled else None,
                           options.workers)
    if blobs:  # read: 25 MB at 100,000 articles, no longer held (the request shares them)
        blobs.clear()
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
        raise locked_file(site_dir, exc) from None
