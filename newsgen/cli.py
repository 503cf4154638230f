"""The command line: parse, call one function, print problems, pick the exit code.

Exit codes: 0 success, 1 problems in the site (every one printed as ``path:line: message``),
2 command-line misuse. A traceback appears only with ``--debug``.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from newsgen import __version__
from newsgen.builder import BuildOptions, build_site
from newsgen.config import load_config
from newsgen.errors import BuildFailed, Problem
from newsgen.reporter import ConsoleReporter
from newsgen.times import TimeError, iso, parse_time

BUILD_EXAMPLES = """examples:
  newsgen build                      build the site in this folder into public/
  newsgen build mysite -o /tmp/out   build another folder's site elsewhere
  newsgen build --now 2026-03-26T21:00 --future
                                     preview the site as it will be at that time
"""


class UsageError(Exception):
    """Misuse of the command line: exit code 2."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return 2
    reporter = ConsoleReporter(verbose=args.verbose, quiet=args.quiet)
    try:
        return int(args.handler(args, reporter))
    except BuildFailed as failed:
        print_problems(failed.problems)
        errors = sum(1 for p in failed.problems if p.severity == "error")
        print(f"newsgen: {errors} error{'s' if errors != 1 else ''}; nothing was written",
              file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"newsgen: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("newsgen: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"newsgen: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
              file=sys.stderr)
        return 1


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsgen", description="Build a static news site from Markdown articles and "
        "ticker headlines.", formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run 'newsgen COMMAND --help' for a command's options and examples.")
    parser.add_argument("--version", action="version", version=f"newsgen {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    common.add_argument("-v", "--verbose", action="store_true", help="print more detail")
    common.add_argument("--debug", action="store_true",
                        help="show Python tracebacks (for reporting bugs in newsgen)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    build = commands.add_parser(
        "build", parents=[common], help="build the site into its output folder",
        description="Build the site: every page, feed and sitemap, written all at once "
        "(a failed build leaves the previous output untouched).", epilog=BUILD_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    add_site_options(build)
    build.add_argument("-o", "--output", type=Path, metavar="OUT",
                       help="output folder (default: output_dir in newsgen.yaml, 'public')")
    build.set_defaults(handler=run_build)
    parser.set_defaults(verbose=False, quiet=False, debug=False)
    return parser


def add_site_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("site_dir", nargs="?", type=Path, default=Path("."),
                         metavar="SITE_DIR", help="the site folder (default: this folder)")
    command.add_argument("--drafts", action="store_true", help="include draft articles")
    command.add_argument("--future", action="store_true",
                         help="include articles dated after now (embargoed)")
    command.add_argument("--now", metavar="ISO_TIME",
                         help="build as if it were this time (no offset: the site's zone)")
    command.add_argument("--strict", action="store_true", help="treat warnings as errors")


def parse_now(args: argparse.Namespace) -> datetime | None:
    if not args.now:
        return None
    zone = load_config(args.site_dir).timezone
    try:
        return parse_time(args.now, zone)
    except TimeError as exc:
        raise UsageError(f"--now: {exc}") from None


def check_site_dir(args: argparse.Namespace) -> None:
    if not args.site_dir.is_dir():
        raise UsageError(f"{args.site_dir} is not a folder")


def run_build(args: argparse.Namespace, reporter: ConsoleReporter) -> int:
    check_site_dir(args)
    options = BuildOptions(out_dir=args.output, drafts=args.drafts, future=args.future,
                           now=parse_now(args), strict=args.strict)
    result = build_site(args.site_dir, options, reporter)
    print_problems(result.warnings)
    site = result.site
    stats = result.stats
    reporter.info(f"built {len(site.articles)} articles, {result.files} files "
                  f"({stats.written} written, {stats.linked} unchanged, {stats.removed} "
                  f"removed) into {result.out_dir} in {result.seconds:.2f} s")
    if site.next_change:
        reporter.info(f"next scheduled change: {iso(site.next_change)}")
    return 0


def print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)
