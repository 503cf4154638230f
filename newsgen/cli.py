"""The command line: parse, call one function, print problems, pick the exit code.

Exit codes: 0 success, 1 problems in the site (every one printed as ``path:line: message``),
2 command-line misuse. A traceback appears only with ``--debug``.
"""

from __future__ import annotations

import argparse
import errno
import json
import signal
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from newsgen import __version__
from newsgen.builder import BuildOptions, build_site
from newsgen.checks import check_site
from newsgen.config import load_config
from newsgen.errors import BuildFailed, Problem
from newsgen.reporter import ConsoleReporter
from newsgen.scaffold import (
    ArticleRequest,
    ScaffoldError,
    SiteSpec,
    init_site,
    new_article,
    new_headline,
    zone_named,
)
from newsgen.server import Outcome, PreviewServer
from newsgen.times import TimeError, iso, parse_time, utc_now
from newsgen.watcher import Watcher, site_sources

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
    build.add_argument("--no-cache", action="store_true",
                       help="ignore the build cache (.newsgen-cache/) and render every page")
    build.set_defaults(handler=run_build)
    add_init_command(commands, common)
    add_new_command(commands, common)
    add_check_command(commands, common)
    add_serve_command(commands, common)
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
                           now=parse_now(args), strict=args.strict,
                           use_cache=not args.no_cache)
    result = build_site(args.site_dir, options, reporter)
    print_problems(result.warnings)
    stats = result.stats
    if result.site is None:
        reporter.info(f"nothing changed since the last build: {_count(result.articles)}, "
                      f"{result.files} files in {result.out_dir} ({result.seconds:.2f} s)")
    else:
        reporter.info(f"built {_count(result.articles)}, {result.files} files "
                      f"({result.rendered} pages rendered; {stats.written} files written, "
                      f"{stats.unchanged} unchanged, {stats.removed} removed) into "
                      f"{result.out_dir} in {result.seconds:.2f} s")
    if result.next_change:
        reporter.info(f"next scheduled change: {iso(result.next_change)}")
    return 0


def _count(articles: int) -> str:
    return f"{articles} article{'' if articles == 1 else 's'}"


def print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


INIT_EXAMPLES = """examples:
  newsgen init mypaper               a new site in ./mypaper (must be new or empty)
  newsgen init mypaper --title "The Harbour Post" --timezone Europe/Lisbon
  cd mypaper && newsgen build        it builds at once into mypaper/public/
"""

NEW_EXAMPLES = """examples:
  newsgen new article "Council approves budget" --section city --author ana --tag budget
  newsgen new headline "Storm warning for the coast" --link storm-warning --time 14:05
  newsgen new article "Talks: a \\"final\\" offer" --section world --site mypaper
"""

CHECK_EXAMPLES = """examples:
  newsgen check                      every error and warning of the site in this folder
  newsgen check mysite --strict      fail (exit 1) on warnings too
  newsgen check --format json        findings as JSON: file, line, severity, code, message
  newsgen check --now 2026-03-27T06:00 --future
                                     check the site as it will be at that time

exit codes: 0 no errors (warnings allowed unless --strict), 1 errors, 2 misuse
"""


def _command(commands: Any, name: str, common: argparse.ArgumentParser, help_text: str,
             description: str, epilog: str) -> argparse.ArgumentParser:
    return commands.add_parser(name, parents=[common], help=help_text, description=description,
                               epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter)


def add_init_command(commands: Any, common: argparse.ArgumentParser) -> None:
    init = _command(commands, "init", common, "create a new site skeleton",
                    "Create a site that builds at once: newsgen.yaml (every key explained), a "
                    "sample article, today's headline file, an About page and a .gitignore.",
                    INIT_EXAMPLES)
    init.add_argument("target", type=Path, metavar="DIR", help="new or empty folder")
    init.add_argument("--title", default="The Daily Example", help="the paper's name")
    init.add_argument("--base-url", default="https://news.example.org",
                      help="the public address of the site")
    init.add_argument("--timezone", default="UTC", help="newsroom IANA time zone (default UTC)")
    init.add_argument("--now", metavar="ISO_TIME", help="date the samples at this time")
    init.set_defaults(handler=run_init)


def add_new_command(commands: Any, common: argparse.ArgumentParser) -> None:
    # no common options on "new" itself: a sub-command's defaults would overwrite them
    new = _command(commands, "new", argparse.ArgumentParser(add_help=False),
                   "create an article or append a ticker headline",
                   "Write a new article file or add a headline to today's headline file.",
                   NEW_EXAMPLES)
    kinds = new.add_subparsers(dest="kind", metavar="KIND", required=True)
    site = argparse.ArgumentParser(add_help=False, parents=[common])
    site.add_argument("--site", dest="site_dir", type=Path, default=Path("."), metavar="DIR",
                      help="the site folder (default: this folder)")
    site.add_argument("--now", metavar="ISO_TIME",
                      help="act as if it were this time (no offset: the site's zone)")
    article = _command(kinds, "article", site, "write content/articles/YYYY/MM/<slug>.md",
                       "Write a new article dated now (site zone) and print its path; an "
                       "existing file is never overwritten.", NEW_EXAMPLES)
    article.add_argument("title", metavar="TITLE")
    article.add_argument("--section", required=True, help="a section id from newsgen.yaml")
    article.add_argument("--author", action="append", default=[], metavar="ID",
                         help="an author id from newsgen.yaml (repeatable)")
    article.add_argument("--tag", action="append", default=[], metavar="TAG",
                         help="a tag (repeatable)")
    article.add_argument("--slug", default="", help="file name and URL slug (default: from "
                         "the title)")
    article.set_defaults(handler=run_new_article)
    headline = _command(kinds, "headline", site, "append to today's headline file",
                        "Append a ticker headline to content/headlines/YYYY-MM-DD.yaml (today "
                        "in the site zone); existing entries and comments are kept as they are.",
                        NEW_EXAMPLES)
    headline.add_argument("text", metavar="TEXT")
    headline.add_argument("--link", default="", metavar="SLUG_OR_URL",
                          help="an article slug or an http(s) URL")
    headline.add_argument("--time", default="", metavar="HH:MM",
                          help="time of day (default: now)")
    headline.set_defaults(handler=run_new_headline)


def add_check_command(commands: Any, common: argparse.ArgumentParser) -> None:
    check = _command(commands, "check", common, "find every problem without writing output",
                     "Validate the site as a build would, without writing anything, and add "
                     "editorial warnings: broken site links, unknown author ids, titles over "
                     "110 and summaries over 300 characters, 'updated' before 'date'.",
                     CHECK_EXAMPLES)
    add_site_options(check)
    check.add_argument("--format", choices=("text", "json"), default="text",
                       help="text (path:line: message) or a JSON array of findings")
    check.set_defaults(handler=run_check)


def run_init(args: argparse.Namespace, reporter: ConsoleReporter) -> int:
    spec = SiteSpec(args.title, args.base_url.rstrip("/"), args.timezone)
    try:
        now = parse_time(args.now, zone_named(args.timezone)) if args.now else utc_now()
        written = init_site(args.target, now, spec)
    except TimeError as exc:
        raise UsageError(f"--now: {exc}") from None
    except ScaffoldError as exc:
        print(f"newsgen: {exc}", file=sys.stderr)
        return 1
    for path in written:
        reporter.detail(f"wrote {path}")
    reporter.info(f"created a new site in {args.target} ({len(written)} files); next: "
                  f"cd {args.target} && newsgen build")
    return 0


def run_new_article(args: argparse.Namespace, reporter: ConsoleReporter) -> int:
    check_site_dir(args)
    request = ArticleRequest(args.title, args.section, tuple(args.author), tuple(args.tag),
                             args.slug)
    try:
        path = new_article(load_config(args.site_dir), request, parse_now(args) or utc_now())
    except ScaffoldError as exc:
        print(f"newsgen: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


def run_new_headline(args: argparse.Namespace, reporter: ConsoleReporter) -> int:
    check_site_dir(args)
    try:
        path = new_headline(load_config(args.site_dir), args.text,
                            parse_now(args) or utc_now(), args.link, args.time)
    except ScaffoldError as exc:
        print(f"newsgen: {exc}", file=sys.stderr)
        return 1
    reporter.info(f"added the headline to {path}")
    return 0


def run_check(args: argparse.Namespace, reporter: ConsoleReporter) -> int:
    check_site_dir(args)
    try:
        now = parse_now(args)
    except BuildFailed:
        now = None  # the config's own problems are reported by the check
    options = BuildOptions(drafts=args.drafts, future=args.future, now=now,
                           strict=args.strict, write=False)
    result = check_site(args.site_dir, options, reporter)
    if args.format == "json":
        print(json.dumps([p.as_dict() for p in result.findings], ensure_ascii=False, indent=2))
    else:
        for problem in result.findings:
            print(problem)
    reporter.info(f"checked {result.articles} articles: {result.errors} error"
                  f"{'s' if result.errors != 1 else ''}, {result.warnings} warning"
                  f"{'s' if result.warnings != 1 else ''}")
    return 1 if result.errors else 0


SERVE_EXAMPLES = """examples:
  newsgen serve                      preview this folder's site at http://127.0.0.1:8000/
  newsgen serve mysite --drafts --future --port 0
                                     show drafts and embargoed stories, on any free port
  newsgen serve --now 2026-03-27T06:00 --future
                                     preview the site as it will be at that time
"""


def add_serve_command(commands: Any, common: argparse.ArgumentParser) -> None:
    serve = _command(commands, "serve", common, "preview the site while you edit it",
                     "Build the site into a temporary folder and serve it on this machine. "
                     "Saving a file under content/, templates/ or static/, or newsgen.yaml, "
                     "rebuilds it and open pages reload themselves; a failed build shows its "
                     "problems in the browser. Ctrl-C stops it.", SERVE_EXAMPLES)
    add_site_options(serve)
    serve.add_argument("--port", type=int, default=8000,
                       help="port to listen on (default 8000; 0 picks a free one)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this machine only)")
    serve.set_defaults(handler=run_serve)


def run_serve(args: argparse.Namespace, reporter: ConsoleReporter) -> int:
    check_site_dir(args)
    if not 0 <= args.port <= 65535:
        raise UsageError("--port must be between 0 and 65535")
    now = parse_now(args)
    with tempfile.TemporaryDirectory(prefix="newsgen-serve-") as temp:
        out_dir = Path(temp) / "site"
        rebuild = _serve_rebuild(args, out_dir, now, reporter)
        try:
            server = PreviewServer(out_dir, rebuild, args.host, args.port, reporter,
                                   _serve_mount(args.site_dir))
        except OSError as exc:
            reason = "the port is already in use" if exc.errno == errno.EADDRINUSE \
                else exc.strerror or str(exc)
            print(f"newsgen: cannot listen on {args.host} port {args.port}: {reason} "
                  "(choose another with --port, or --port 0 for any free port)",
                  file=sys.stderr)
            return 1
        stop = threading.Event()
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            watcher = Watcher(site_sources(args.site_dir))
            if args.host in ("0.0.0.0", "::", ""):
                print(f"newsgen: warning: --host {args.host} lets other machines on the "
                      "network see this preview, drafts and embargoed stories included",
                      file=sys.stderr)
            reporter.info(f"building {args.site_dir} into {out_dir}")
            server.rebuild_now()
            print(f"Serving {server.url} (Ctrl-C to stop)", flush=True)
            server.serve_forever(watcher.batches(stop))
        except KeyboardInterrupt:
            reporter.info("newsgen: preview stopped")
        finally:
            stop.set()
            server.close()
            signal.signal(signal.SIGTERM, previous)
    return 0


def _raise_interrupt(signum: int, frame: object) -> None:
    """SIGTERM stops the preview like Ctrl-C, so its temporary folder is removed."""
    raise KeyboardInterrupt


def _serve_mount(site_dir: Path) -> str:
    """Where the site lives below its host (base_url's path), so its links work."""
    try:
        return load_config(site_dir).url_prefix
    except BuildFailed:
        return ""


def _serve_rebuild(args: argparse.Namespace, out_dir: Path, now: datetime | None,
                   reporter: ConsoleReporter) -> Callable[[], Outcome]:
    """The server's rebuild callable: build, print problems, report them to the page."""
    options = BuildOptions(out_dir=out_dir, drafts=args.drafts, future=args.future, now=now,
                           strict=args.strict)

    def rebuild() -> Outcome:
        try:
            result = build_site(args.site_dir, options, reporter)
        except BuildFailed as failed:
            print_problems(failed.problems)
            reporter.info(f"build failed: {len(failed.problems)} problem"
                          f"{'s' if len(failed.problems) != 1 else ''} (shown in the browser)")
            return Outcome(tuple(str(p) for p in failed.problems))
        except OSError as exc:
            problem = f"{exc.filename or args.site_dir}: {exc.strerror or exc}"
            print(problem, file=sys.stderr)
            return Outcome((problem,))
        print_problems(result.warnings)
        reporter.info(f"built {result.articles} articles in {result.seconds:.2f} s")
        wake = result.next_change.timestamp() if result.next_change and now is None else None
        return Outcome(wake_at=wake)

    return rebuild
