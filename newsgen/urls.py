"""The one home of URL rules: slugs, permalinks, the site paths of every page kind, and the
mapping from a URL to a file inside the output folder that can never leave it."""

from __future__ import annotations

import posixpath
import re
import unicodedata
from datetime import datetime
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

from slugify import slugify as _slugify

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RESERVED_NAMES = frozenset({
    "con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
})
# Top-level names that newsgen writes itself; an article or page may not take them.
GENERATED_ROOTS = frozenset({
    "index.html", "404.html", "rss.xml", "atom.xml", "sitemap.xml", "news-sitemap.xml",
    "robots.txt", "ticker.html", "ticker.json", "tags", "authors", "archive", "feeds",
    ".newsgen", "page",
})


MAX_SLUG = 200  # file systems hold 255 bytes a name; leave room for ".html" and the like


class UnsafePath(ValueError):
    """A URL or path that would escape the output folder or name something unusable."""


def slugify(text: str) -> str:
    """ASCII, lowercase, hyphen-separated; never ``/``, ``\\``, ``..`` or control characters."""
    return str(_slugify(text, max_length=80, word_boundary=True)) or ""


def slug_problem(slug: str) -> str | None:
    """Why ``slug`` cannot be used as one URL segment, or None."""
    if not slug:
        return "is empty"
    if not _SLUG.match(slug):
        return (f"'{_printable(slug)}' must be lowercase letters, digits and hyphens "
                "(no slashes, dots or spaces)")
    if slug in RESERVED_NAMES:
        return f"'{slug}' is a reserved file name on Windows"
    if len(slug) > MAX_SLUG:
        return f"is {len(slug)} characters long; the limit is {MAX_SLUG}"
    return None


def _printable(text: str) -> str:
    return "".join(c if unicodedata.category(c)[0] != "C" else f"\\x{ord(c):02x}"
                   for c in text)


def article_url(pattern: str, prefix: str, section: str, slug: str, date: datetime,
                zone: ZoneInfo) -> str:
    """Expand the permalink pattern; the date parts are the publish date in the site zone."""
    local = date.astimezone(zone)
    path = pattern.format(section=section, slug=slug, year=f"{local.year:04d}",
                          month=f"{local.month:02d}", day=f"{local.day:02d}")
    return prefix + path


def section_url(prefix: str, section: str, page: int = 1) -> str:
    return prefix + f"/{section}/" + _page_suffix(page)


def tag_url(prefix: str, tag: str, page: int = 1) -> str:
    return prefix + f"/tags/{tag}/" + _page_suffix(page)


def author_url(prefix: str, author: str, page: int = 1) -> str:
    return prefix + f"/authors/{author}/" + _page_suffix(page)


def archive_url(prefix: str, year: int | None = None, month: int | None = None) -> str:
    if year is None or month is None:
        return prefix + "/archive/"
    return prefix + f"/archive/{year:04d}/{month:02d}/"


def page_url(prefix: str, slug: str) -> str:
    return prefix + f"/{slug}/"


def _page_suffix(page: int) -> str:
    return "" if page <= 1 else f"page/{page}/"


def output_path(url: str, prefix: str = "") -> str:
    """The file (relative, POSIX) that serves ``url``: ``/a/b/`` -> ``a/b/index.html``.

    Refuses anything that could leave the output folder or that a file system cannot hold.
    """
    if prefix and url.startswith(prefix + "/"):
        url = url[len(prefix):]
    if not url.startswith("/"):
        raise UnsafePath(f"URL '{_printable(url)}' must start with '/'")
    relative = url[1:]
    if url.endswith("/"):
        relative += "index.html"
    check_relative(relative)
    return relative


# Paths of ASCII letters, digits, '_', '-' and '.', each part starting with neither '.' nor
# a reserved name and at most 255 long, pass every test below: a large site checks tens of
# thousands of them in every build, and this one match is a tenth of the full tests' time.
_PLAIN_PART = (r"(?!(?:con|prn|aux|nul|com[1-9]|lpt[1-9])(?:[./]|$))"
               r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,254}")
_PLAIN_PATH = re.compile(rf"{_PLAIN_PART}(?:/{_PLAIN_PART})*", re.IGNORECASE)


def check_relative(relative: str) -> str:
    """Validate a relative POSIX path for writing below a root; return it unchanged."""
    if _PLAIN_PATH.fullmatch(relative):
        return relative
    bad = ("\\", "\0", ":", "%")
    if not relative or relative.startswith("/") or any(b in relative for b in bad):
        raise UnsafePath(f"path '{_printable(relative)}' is not a plain relative path")
    parts = relative.split("/")
    for part in parts:
        if part in ("", ".", ".."):
            raise UnsafePath(f"path '{_printable(relative)}' has an empty, '.' or '..' part")
        if not part.isprintable() and any(unicodedata.category(c)[0] == "C" for c in part):
            raise UnsafePath(f"path '{_printable(relative)}' contains control characters")
        if len(part.encode("utf-8", "surrogatepass")) > 255:
            raise UnsafePath(f"path '{_printable(relative)}' has a name longer than 255 bytes")
        if part.split(".")[0].lower() in RESERVED_NAMES:
            raise UnsafePath(f"path '{relative}' uses the reserved name '{part}'")
    if posixpath.normpath(relative) != relative:
        raise UnsafePath(f"path '{relative}' is not normalised")
    return relative


def safe_join(root: Path, relative: str) -> Path:
    """``root / relative``, proven to stay inside ``root`` (lexically and after symlinks)."""
    check_relative(relative)
    target = root.joinpath(*PurePosixPath(relative).parts)
    resolved_root = root.resolve()
    resolved = target.resolve()
    if resolved != resolved_root and resolved_root not in resolved.parents:
        raise UnsafePath(f"path '{relative}' leaves the output folder")
    return target


def fold_case(relative: str) -> str:
    """The key under which two paths collide on a case-insensitive file system."""
    return unicodedata.normalize("NFC", relative).casefold()


def symlink_problem(path: Path, site_root: Path) -> str | None:
    """Why the symlink ``path`` may not be followed (broken, looping, or leaving the site
    folder ``site_root``, already resolved), or None."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return "symlink is broken or loops; not followed"
    if target != site_root and site_root not in target.parents:
        return f"symlink points outside the site ({target}); not followed"
    return None
