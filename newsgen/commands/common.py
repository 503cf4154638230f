"""What the commands share: site options, ``--now``, problem printing, usage errors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path, PurePath
from typing import Any

from newsgen.content.config import load_config
from newsgen.content.times import TimeError, parse_time
from newsgen.errors import Problem


class UsageError(Exception):
    """Misuse of the command line: exit code 2."""


def shown(path: PurePath | str) -> str:
    """A path as the CLI prints it: with ``/`` on every system, as problems print theirs
    (``errors.SourceLocation``), so messages read alike on Windows and in CI logs."""
    return (path if isinstance(path, PurePath) else PurePath(path)).as_posix()

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
        raise UsageError(f"{shown(args.site_dir)} is not a folder")

def print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def subcommand(commands: Any, name: str, common: argparse.ArgumentParser, help_text: str,
             description: str, epilog: str) -> argparse.ArgumentParser:
    return commands.add_parser(name, parents=[common], help=help_text, description=description,
                               epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter)
