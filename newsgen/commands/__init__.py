"""The command line: parse, call one function, print problems, pick the exit code.

One module per command (``build``, ``check``, ``init``, ``new``, ``serve``), each adding its
parser and its handler; ``common`` holds what they share; ``scaffold`` writes the files of
``init`` and ``new``.

Each command imports the stages it runs when it runs: the parser needs every command's
options, and a ``newsgen build`` with nothing to do should not pay for importing ``serve``'s
server or ``check``'s checks.

Exit codes: 0 success, 1 problems in the site (every one printed as ``path:line: message``),
2 command-line misuse. A traceback appears only with ``--debug``.

May import: every other part of newsgen (the top of the flow); only ``python -m newsgen``
imports it.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence

from newsgen import __version__
from newsgen.commands import build, check, init, new, serve
from newsgen.commands.common import UsageError, print_problems, shown
from newsgen.errors import BuildFailed
from newsgen.reporter import ConsoleReporter

__all__ = ["main", "make_parser"]


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
        print(f"newsgen: {exc.strerror or exc}: {shown(exc.filename or '')}".rstrip(": "),
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
    for command in (build, init, new, check, serve):
        command.add_command(commands, common)
    parser.set_defaults(verbose=False, quiet=False, debug=False)
    return parser
