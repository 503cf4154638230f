"""``newsgen serve``: build into a temporary folder, serve it, rebuild on every save."""

from __future__ import annotations

import argparse
import errno
import signal
import sys
import tempfile
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsgen.build.builder import BuildOptions, build_site
from newsgen.commands.common import (
    UsageError,
    add_site_options,
    check_site_dir,
    parse_now,
    print_problems,
    shown,
    subcommand,
)
from newsgen.content.config import load_config
from newsgen.errors import BuildFailed
from newsgen.reporter import ConsoleReporter

if TYPE_CHECKING:
    from newsgen.preview.server import Outcome

SERVE_EXAMPLES = """examples:
  newsgen serve                      preview this folder's site at http://127.0.0.1:8000/
  newsgen serve mysite --drafts --future --port 0
                                     show drafts and embargoed stories, on any free port
  newsgen serve --now 2026-03-27T06:00 --future
                                     preview the site as it will be at that time
"""


def add_command(commands: Any, common: argparse.ArgumentParser) -> None:
    serve = subcommand(commands, "serve", common, "preview the site while you edit it",
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
    from newsgen.preview.server import PreviewServer
    from newsgen.preview.watcher import Watcher, site_sources
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
            reporter.info(f"building {shown(args.site_dir)} into {shown(out_dir)}")
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
    from newsgen.preview.server import Outcome
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
            problem = f"{shown(exc.filename or args.site_dir)}: {exc.strerror or exc}"
            print(problem, file=sys.stderr)
            return Outcome((problem,))
        print_problems(result.warnings)
        for note in result.notes:
            reporter.info(note)
        searched = (f"; search index: {result.shards_indexed} shard(s) re-indexed in "
                    f"{result.index_seconds:.2f} s" if result.shards_indexed else "")
        reporter.info(f"built {result.articles} articles in {result.seconds:.2f} s{searched}")
        wake = result.next_change.timestamp() if result.next_change and now is None else None
        return Outcome(wake_at=wake)

    return rebuild
