"""``newsgen build``: one build into the output folder, and its summary line."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from newsgen.build.builder import BuildOptions, BuildResult, build_site
from newsgen.commands.common import (
    add_site_options,
    check_site_dir,
    parse_now,
    print_problems,
    shown,
)
from newsgen.content.times import iso
from newsgen.reporter import ConsoleReporter

BUILD_EXAMPLES = """examples:
  newsgen build                      build the site in this folder into public/
  newsgen build mysite -o /tmp/out   build another folder's site elsewhere
  newsgen build --now 2026-03-26T21:00 --future
                                     preview the site as it will be at that time
"""


def add_command(commands: Any, common: argparse.ArgumentParser) -> None:
    build = commands.add_parser(
        "build", parents=[common], help="build the site into its output folder",
        description="Build the site: every page, feed and sitemap, written all at once "
        "(a failed build leaves the previous output untouched).", epilog=BUILD_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    add_site_options(build)
    build.add_argument("-o", "--output", type=Path, metavar="OUT",
                       help="output folder (default: output_dir in newsgen.yaml, 'public')")
    build.add_argument("--no-cache", action="store_true",
                       help="ignore the build cache (.newsgen-cache/) and render every page")
    build.set_defaults(handler=run_build)


def run_build(args: argparse.Namespace, reporter: ConsoleReporter) -> int:
    check_site_dir(args)
    options = BuildOptions(out_dir=args.output, drafts=args.drafts, future=args.future,
                           now=parse_now(args), strict=args.strict,
                           use_cache=not args.no_cache)
    result = build_site(args.site_dir, options, reporter)
    print_problems(result.warnings)
    stats = result.stats
    if result.mode == "unchanged":
        reporter.info(f"nothing changed since the last build: {_count(result.articles)}, "
                      f"{result.files} files in {result.out_dir} ({result.seconds:.2f} s)")
    else:
        reporter.info(f"deploy delta: {stats.added} added, {stats.modified} changed, "
                      f"{stats.deleted} removed (listed in "
                      f"{result.out_dir / '.newsgen' / 'changes'})")
        searched = (f"; search index: {result.shards_indexed} shard"
                    f"{'' if result.shards_indexed == 1 else 's'} indexed in "
                    f"{result.index_seconds:.2f} s" if result.shards_indexed else "")
        reporter.info(f"built {_count(result.articles)}, {result.files} files "
                      f"({_rendered(result)}; {stats.written} files written, "
                      f"{stats.unchanged} unchanged, {stats.removed} removed{searched}) "
                      f"into {shown(result.out_dir)} in {result.seconds:.2f} s")
    for note in result.notes:
        reporter.info(note)
    if result.next_change:
        reporter.info(f"next scheduled change: {iso(result.next_change)}")
    return 0

def _rendered(result: BuildResult) -> str:
    """A headline-only build renders no page: it splices the new ticker into a few."""
    return "headlines only: the ticker applied" if result.mode == "ticker" else \
        f"{result.rendered} pages rendered"


def _count(articles: int) -> str:
    return f"{articles} article{'' if articles == 1 else 's'}"
