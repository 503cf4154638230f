"""The one home of URL rules: slugs, permalinks, the site paths of every page kind, and the
mapping from a URL to a file inside the output folder that can never leave it."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from slugify import slugify as _slugify

from newsgen.engine.paths import RESERVED_NAMES, UnsafePath, check_relative, printable

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_UNICODE_SLUG = re.compile(r"^[^\W_]+(?:-[^\W_]+)*$")
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670]")  # tashkeel: optional, left out of slugs
# Top-level names that newsgen writes itself; an article or page may not take them.
GENERATED_ROOTS = frozenset({
    "index.html", "404.html", "rss.xml", "atom.xml", "sitemap.xml", "news-sitemap.xml",
    "robots.txt", "ticker.html", "ticker.json", "tags", "authors", "archive", "feeds",
    ".newsgen", "page",
})


MAX_SLUG = 200  # file systems hold 255 bytes a name; leave room for ".html" and the like


def slugify(text: str, unicode: bool = False) -> str:
    """ASCII (transliterated: ``الميناء`` -> ``lmyn``), lowercase, hyphen-separated; never
    ``/``, ``\\``, ``..`` or control characters. ``unicode``: letters stay in their script
    (``slugs: unicode``), without Arabic vowel marks, which URLs leave out."""
    if unicode:
        text = _ARABIC_MARKS.sub("", text)
    return str(_slugify(text, max_length=80, word_boundary=True, allow_unicode=unicode)) or ""


def slug_problem(slug: str, unicode: bool = False) -> str | None:
    """Why ``slug`` cannot be used as one URL segment, or None. ``unicode``: letters and
    digits of any script are allowed too (lowercase where the script has case)."""
    if not slug:
        return "is empty"
    if unicode and _UNICODE_SLUG.match(slug) and slug == slug.lower():
        pass
    elif not _SLUG.match(slug):
        return (f"'{printable(slug)}' must be lowercase letters, digits and hyphens "
                "(no slashes, dots or spaces)")
    if slug in RESERVED_NAMES:
        return f"'{slug}' is a reserved file name on Windows"
    if len(slug) > MAX_SLUG:
        return f"is {len(slug)} characters long; the limit is {MAX_SLUG}"
    return None


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
        raise UnsafePath(f"URL '{printable(url)}' must start with '/'")
    relative = url[1:]
    if url.endswith("/"):
        relative += "index.html"
    check_relative(relative)
    return relative


