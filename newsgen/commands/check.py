"""``newsgen check``: every error and editorial warning, nothing written."""

from __future__ import annotations

import argparse
import json
from typing import Any

from newsgen.build.builder import BuildOptions
from newsgen.commands.common import add_site_options, check_site_dir, parse_now, subcommand
from newsgen.errors import BuildFailed
from newsgen.reporter import ConsoleReporter

CHECK_EXAMPLES = """examples:
  newsgen check                      every error and warning of the site in this folder
  newsgen check mysite --strict      fail (exit 1) on warnings too
  newsgen check --format json        findings as JSON: file, line, severity, code, message
  newsgen check --now 2026-03-27T06:00 --future
                                     check the site as it will be at that time

exit codes: 0 no errors (warnings allowed unless --strict), 1 errors, 2 misuse
"""


def add_command(commands: Any, common: argparse.ArgumentParser) -> None:
    check = subcommand(commands, "check", common, "find every problem without writing output",
                     "Validate the site as a build would, without writing anything, and add "
                     "editorial warnings: broken site links, unknown author ids, titles over "
                     "110 and summaries over 300 characters, 'updated' before 'date'.",
                     CHECK_EXAMPLES)
    add_site_options(check)
    check.add_argument("--format", choices=("text", "json"), default="text",
                       help="text (path:line: message) or a JSON array of findings")
    check.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace, reporter: ConsoleReporter) -> int:
    check_site_dir(args)
    try:
        now = parse_now(args)
    except BuildFailed:
        now = None  # the config's own problems are reported by the check
    options = BuildOptions(drafts=args.drafts, future=args.future, now=now,
                           strict=args.strict, write=False)
    from newsgen.build.checks import check_site  # a stage: imported when the command runs
    result = check_site(args.site_dir, options, reporter)
    if args.format == "json":
        print(json.dumps([p.as_dict() for p in result.findings], ensure_ascii=False, indent=2))
    else:
        for problem in result.findings:
            print(problem)
    for note in result.notes:
        reporter.info(note)
    reporter.info(f"checked {result.articles} articles: {result.errors} error"
                  f"{'s' if result.errors != 1 else ''}, {result.warnings} warning"
                  f"{'s' if result.warnings != 1 else ''}")
    return 1 if result.errors else 0
