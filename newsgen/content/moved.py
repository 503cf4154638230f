"""The moves ledger, ``content/moved.yaml``: old addresses of moved articles, written by
newsgen and committed with the site like a lockfile.

Each entry maps an old site path (without the ``base_url`` prefix, like an alias) to the
*source file* of the article that had it, so the redirect follows the article through a
second move and stops when the file is deleted. Every build reads it (a clean build with no
cache as much as an incremental one), which is what keeps their outputs equal; only the
build that notices a move against its output folder's last addresses writes it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from newsgen.content.aliases import alias_problem
from newsgen.content.config import SiteConfig
from newsgen.content.frontmatter import parse_yaml
from newsgen.content.sources import SourceFile, read_text
from newsgen.engine.paths import printable, replace_file
from newsgen.errors import ContentError, ProblemList, SourceLocation

MOVED_FILE = "content/moved.yaml"
ARTICLES = "content/articles/"
_HEADER = ("# Written by newsgen: old addresses of moved articles -> the article's file.\n"
           "# Commit it with the site. Remove an entry to stop its redirect; newsgen adds\n"
           "# entries when an article moves and rewrites this file (comments are not kept).\n")


@dataclass(frozen=True)
class Moved:
    """One ledger entry: ``path`` is an old site path, ``source`` the article's file,
    ``line`` where the entry is written (0 for one this build adds)."""

    path: str
    source: str
    line: int = 0


@dataclass
class Ledger:
    """What a build does to the ledger: ``data`` is its new text when its entries change
    (None: leave the file alone), ``recorded`` how many addresses this build adds."""

    data: bytes | None = None
    recorded: int = 0


def load_moved(config: SiteConfig, problems: ProblemList) -> list[Moved]:
    """The ledger's entries in file order; a hand-edited mistake is an error at its line."""
    path = config.site_dir / MOVED_FILE
    if not path.exists():
        return []
    try:
        doc = parse_yaml(read_text(SourceFile(MOVED_FILE, path), config), MOVED_FILE)
    except ContentError as exc:
        problems.add(exc.problem)
        return []
    except OSError as exc:
        problems.error(SourceLocation(MOVED_FILE), f"cannot read file: {exc.strerror}", "io")
        return []
    if doc.value is None:
        return []
    if not isinstance(doc.value, dict):
        problems.error(doc.at(), "the moves ledger must be a mapping of old paths to article "
                       "files: '/world/2026/03/harbour/: content/articles/harbour.md'", "moved")
        return []
    entries = []
    for old, source in doc.value.items():
        where = doc.at(old)
        problem = alias_problem(old) if isinstance(old, str) else "an old path must be text"
        if problem:
            problems.error(where, problem.replace("alias", "old path", 1), "moved")
        elif not isinstance(source, str) or not source.startswith(ARTICLES) \
                or not source.endswith((".md", ".markdown")) or ".." in source.split("/"):
            problems.error(where, f"'{printable(str(old))}' must map to an article file "
                           f"('{ARTICLES}...md'), not {printable(repr(source))}", "moved")
        else:
            entries.append(Moved(old, source, where.line or 1))
    return entries


def moved_yaml(entries: Iterable[Moved]) -> bytes:
    """The ledger's text: one ``old path: file`` line per entry, sorted, so the same entries
    always give the same bytes (and a diff in review shows only what moved)."""
    lines = sorted({f"{_quoted(e.path)}: {_quoted(e.source)}\n" for e in entries})
    return (_HEADER + "".join(lines)).encode()


def ledger_writable(config: SiteConfig) -> bool:
    """Whether a build may record moves (a read-only checkout falls back to warnings)."""
    path = config.site_dir / MOVED_FILE
    if path.exists():
        return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    return path.parent.is_dir() and os.access(path.parent, os.W_OK)


def write_moved(config: SiteConfig, data: bytes) -> None:
    """Replace the ledger atomically (a crash leaves the old one or the new one, whole).
    Raises OSError."""
    replace_file(config.site_dir / MOVED_FILE, data)


def _quoted(text: str) -> str:
    """YAML double-quoted: an old path may hold ``:`` or ``#`` that plain YAML reads
    otherwise; paths are ASCII without quotes (``alias_problem``), files may not be."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
