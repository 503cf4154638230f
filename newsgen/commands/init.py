"""``newsgen init``: a new site skeleton that builds at once."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from newsgen.commands.common import UsageError, shown, subcommand
from newsgen.content.times import TimeError, parse_time, utc_now
from newsgen.reporter import ConsoleReporter

INIT_EXAMPLES = """examples:
  newsgen init mypaper               a new site in ./mypaper (must be new or empty)
  newsgen init mypaper --title "The Harbour Post" --timezone Europe/Lisbon
  cd mypaper && newsgen build        it builds at once into mypaper/public/
"""


def add_command(commands: Any, common: argparse.ArgumentParser) -> None:
    init = subcommand(commands, "init", common, "create a new site skeleton",
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


def run_init(args: argparse.Namespace, reporter: ConsoleReporter) -> int:
    from newsgen.commands.scaffold import ScaffoldError, SiteSpec, init_site, zone_named
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
        reporter.detail(f"wrote {shown(path)}")
    reporter.info(f"created a new site in {shown(args.target)} ({len(written)} files); "
                  f"next: cd {shown(args.target)} && newsgen build")
    return 0
