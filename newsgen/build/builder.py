"""Stage 5: the one function the CLI and server call, which decides what a build needs.

Nothing, when the inputs' fingerprint is the last build's and the output is intact; the
ticker alone, when only headlines changed (``ticker_build.py``); else every stage
(``pipeline.py``). Each of the two is imported only when it runs: a build with nothing to do
is what a deploy pipeline's cron runs most, and importing every stage (Jinja, Markdown,
Pillow, feedgen and newsgen's own hundred modules) took 0.3 s of its time.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from newsgen.build.cache_meta import CACHE_DIR, read_meta
from newsgen.build.inputs import (
    InputKeys,
    Request,
    cache_scope,
    input_keys,
    large_output,
    meta_keys,
)
from newsgen.build.options import BuildOptions, BuildResult, locked_file, resolve_out_dir
from newsgen.content.config import CONFIG_FILE, SiteConfig, load_config
from newsgen.content.times import TimeError, parse_time, utc_now
from newsgen.engine.journal import FileLocked, recover, write_changes
from newsgen.engine.lock import build_lock, output_problem
from newsgen.engine.previous import output_intact
from newsgen.engine.workers import Aside, few_collections, worker_count
from newsgen.engine.writer import WriteStats
from newsgen.errors import BuildFailed, Problem, SourceLocation
from newsgen.reporter import Reporter

INTACT_MEMO = "intact.pickle"  # the last output's file list, ready to check (previous.py)


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
    if not options.write:
        from newsgen.build.pipeline import planned_build  # only now: see the docstring
        return planned_build(config, options, reporter, out_dir, started)
    now = options.now or utc_now()
    with build_lock(out_dir):
        try:
            recover(out_dir)
        except FileLocked as exc:
            raise locked_file(site_dir, exc) from None
        # Whether the output is intact (an lstat a file: 240,000 at 100,000 articles) is
        # checked in a forked process while this one walks the content; a full build
        # takes its answer later instead of an lstat a page (writer.trusted).
        large = large_output(out_dir)
        memo = config.site_dir / CACHE_DIR / INTACT_MEMO if options.use_cache else None
        with Aside(lambda: output_intact(out_dir, worker_count(), memo), large) as intact:
            request = _request(config, options, now, out_dir)
            shortcut = _shortcut(request, intact.result, started)
            if shortcut is not None:
                return shortcut
            from newsgen.build.pipeline import full_build
            return full_build(request, options, reporter, started,
                              intact.result if large else None,
                              _seen(config, request.seen_key))


def _request(config: SiteConfig, options: BuildOptions, now: datetime, out_dir: Path
             ) -> Request:
    flags = (options.drafts, options.future, options.strict)
    keys = input_keys(config, flags, now) if options.use_cache else InputKeys(None, None, {})
    return Request(config, out_dir, now, options.drafts, options.future, options.strict,
                   cache_scope(config), keys.rest or "", keys.whole or "", meta_keys(out_dir),
                   f"ticker-seen:{out_dir.resolve()}", keys.blobs)


def _shortcut(request: Request, intact: Callable[[], bool], started: float
              ) -> BuildResult | None:
    """The last build's result when nothing changed, the build of a headline-only change
    (ticker_build.py), or None to build in full."""
    previous = _unchanged(request, intact)
    if previous is not None:
        write_changes(request.out_dir, "")  # a deploy after this build has nothing to send
        previous.seconds = time.perf_counter() - started
        return previous
    from newsgen.build.ticker_build import build_ticker
    done = build_ticker(request, _seen(request.config, request.seen_key), intact)
    if done is None:
        return None
    return BuildResult(None, request.out_dir, done.files, time.perf_counter() - started,
                       done.warnings, done.stats, articles=done.articles,
                       next_change=done.next_change, mode="ticker")


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


__all__ = ["BuildOptions", "BuildResult", "build_site", "resolve_out_dir"]
