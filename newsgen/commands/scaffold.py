"""Editorial scaffolding: a new site, a new article, a new ticker headline.

Editors should never have to remember the front-matter keys or the folder layout, so these
commands write them. Files are written as text (never by re-dumping YAML): an existing headline
file keeps its entries and comments byte for byte, and every value an editor typed is quoted so
that a title such as ``Talks: "final offer" #2`` stays a title.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newsgen.build.cache_meta import CACHE_DIR
from newsgen.content.config import SiteConfig
from newsgen.content.loader import load_content
from newsgen.content.models import Article
from newsgen.content.times import MONTHS, iso, localize
from newsgen.content.urls import slug_problem, slugify
from newsgen.errors import ProblemList


class ScaffoldError(Exception):
    """A request the site cannot honour (file exists, unknown section...): exit code 1."""


def quoted(text: str) -> str:
    """A YAML double-quoted scalar for any text: JSON strings are valid YAML flow scalars."""
    return json.dumps(" ".join(text.split()), ensure_ascii=False)


# -- newsgen init ------------------------------------------------------------------------

CONFIG_TEMPLATE = """\
# newsgen site configuration. Every key is optional except title and base_url.
# Run `newsgen check` after editing: unknown keys and bad values are reported with their line.

# The paper's name, shown in the masthead, page titles and feeds.
title: {title}
# The public address of the site; a path (https://example.org/news) is allowed.
# Used for absolute links in feeds, sitemaps and share buttons.
base_url: {base_url}
# Language tag of the content (en, pt-BR, fr...): the <html lang> and feed language.
language: en
# Newsroom time zone (IANA name). Times in content/ written without an offset
# (2026-03-26T21:05) are read as local times in this zone.
timezone: {timezone}
# Default meta description and feed subtitle.
description: {description}

# Sections, in menu order. Each article's "section:" must be one of these ids.
sections:
  - {{id: world, title: World}}
  - {{id: city, title: City}}

# Staff bylines: articles name these ids in "authors:". bio and url are optional.
authors:
  editor:
    name: The Editor
    bio: Runs the newsroom.

# The paper's social accounts (network name: http(s) URL), linked from the footer.
social:
  mastodon: https://mastodon.social/@example

# "Latest news" ticker: how many items (headlines and articles) it shows, and how pages
# carry it. live: the front page and section fronts always current, other pages refreshed
# by a small script (a new headline rewrites a dozen files); inline: every page rewritten.
ticker:
  size: 10
  embed: live

# Where `newsgen build` writes the site, relative to this file.
output_dir: {output_dir}

# Masthead image: a site path served from static/ (for example /images/logo.svg),
# or an http(s) URL. Empty: the title is shown as text.
logo: ""

# Article URLs. Placeholders: {{section}} {{year}} {{month}} {{day}} {{slug}};
# must contain {{slug}} and end with / or .html.
permalink: /{{section}}/{{year}}/{{month}}/{{slug}}/

# Articles per listing page (front page, sections, tags, authors).
per_page: 20

# Older listing pages: 'oldest' numbers them from the oldest articles (page/1/ holds the
# first ones), so a page never changes once full and a new article rewrites no archive
# page; 'newest' numbers them from the newest (page/2/ holds the next older ones).
pagination:
  order: oldest

# How many of the newest articles each RSS/Atom feed carries.
feeds:
  size: 50

# HTML inserted under each article for a comments service (empty: no comments).
comments: ""

# Let editors write raw HTML in Markdown. Off: HTML is shown as text (safer).
markdown:
  unsafe_html: false

# Largest content file accepted, in bytes.
limits:
  file_size: 5000000

# Publication name in the Google News sitemap (defaults to the title).
news:
  publication_name: {title}

# Photos: renditions at these widths (never upscaled) as WebP plus a JPEG or PNG fallback;
# camera metadata (GPS above all) is removed unless named in keep.
images:
  widths: [480, 800, 1200, 1600]
  formats: [webp]
  quality: {{jpeg: 80, webp: 75, avif: 55}}
  max_pixels: 50000000
  publish_originals: false
  keep: []

# Editions in several languages: BCP 47 tags (the first is the default) mapped to each
# edition's title, description, timezone, section titles and social links; articles name
# theirs with lang: and translations share a translation_key:. Empty: one edition.
languages:

# Slugs of titles in other scripts: ascii (transliterated) or unicode.
slugs: ascii

# Site search: a Pagefind index built with the site, a /search/ page and a search box
# in the masthead (needs the Pagefind indexer: pip install 'pagefind[bin]').
search: true
"""

SAMPLE_ARTICLE = """\
---
title: {title}
date: {date}
section: world
authors: [editor]
tags: [newsroom]
summary: "The first story on the new site: edit or delete it."
# updated: {date}
# expires: 2099-01-01T00:00
# draft: true
# corrections:
#   - {{date: {date}, text: "An earlier version misspelt the editor's name."}}
---

This is a sample article. Write the story in **Markdown** below the front matter.

Link to another article with `[text](article:its-slug)`, or to a static page such as
[About us](/about/).
"""

ABOUT_PAGE = """\
---
title: About us
description: Who we are and how to reach the newsroom.
---

Tell readers who runs this paper and how to contact the newsroom.
"""

HEADLINE_HEADER = """\
# Ticker headlines for {day} (newsroom time). Add one with `newsgen new headline "Text"`.
# "link" is optional: an article slug, or an absolute https URL.
"""


@dataclass(frozen=True)
class SiteSpec:
    title: str = "The Daily Example"
    base_url: str = "https://news.example.org"
    timezone: str = "UTC"
    output_dir: str = "public"


def init_site(target: Path, now: datetime, spec: SiteSpec | None = None) -> list[Path]:
    """Write a new site skeleton into ``target`` (absent or empty); return the files written.

    The skeleton builds at once: its sample article and headline are dated ``now``.
    """
    spec = spec or SiteSpec()
    if target.exists() and not target.is_dir():
        raise ScaffoldError(f"{target.as_posix()} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()):
        raise ScaffoldError(f"{target.as_posix()} is not empty; `newsgen init` only writes "
                            "into a new or empty folder")
    parts = urlsplit(spec.base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ScaffoldError(f"base URL '{spec.base_url}' must be an absolute http(s) URL such "
                            "as https://news.example.org")
    local = now.astimezone(zone_named(spec.timezone)).replace(microsecond=0)
    stamp = iso(local)
    files = {
        "newsgen.yaml": CONFIG_TEMPLATE.format(
            title=quoted(spec.title), base_url=quoted(spec.base_url),
            timezone=quoted(spec.timezone),
            output_dir=spec.output_dir,
            description=quoted(f"News from {spec.title}, built with newsgen.")),
        f"content/articles/{local:%Y/%m}/welcome-to-the-newsroom.md": SAMPLE_ARTICLE.format(
            title=quoted("Welcome to the newsroom"), date=stamp),
        "content/pages/about.md": ABOUT_PAGE,
        f"content/headlines/{local:%Y-%m-%d}.yaml":
            HEADLINE_HEADER.format(day=_long_day(local))
            + headline_entry("The site is live", stamp, "welcome-to-the-newsroom"),
        "static/images/.gitkeep": "",
        # the output, newsgen's bookkeeping beside it (.public.state, .public.lock), the cache
        ".gitignore": "/{out}/\n/.{out}.*\n/{cache}/\n".format(
            out=spec.output_dir.strip("/"), cache=CACHE_DIR),
    }
    written = []
    for relative, text in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def zone_named(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScaffoldError(f"'{name}' is not an IANA time zone name "
                            "(e.g. Europe/Lisbon, UTC)") from None


def _long_day(local: datetime) -> str:
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}"


# -- newsgen new article -----------------------------------------------------------------

@dataclass(frozen=True)
class ArticleRequest:
    title: str
    section: str
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    slug: str = ""
    lang: str = ""  # written as ``lang:`` when given
    folder: str = ""  # under content/articles/: the edition's ("fr"), "" for the default
    zone: ZoneInfo | None = None  # the edition's time zone (default: the site's)
    translation_key: str = ""


def new_article(config: SiteConfig, request: ArticleRequest, now: datetime) -> Path:
    """Write ``content/articles/[<edition>/]YYYY/MM/<slug>.md`` dated ``now`` in the
    edition's time zone."""
    title = " ".join(request.title.split())
    if not title:
        raise ScaffoldError("the title is empty")
    _check_choice("section", request.section, config.section_ids())
    for author in request.authors:
        _check_choice("author", author, tuple(config.authors))
    slug = request.slug or slugify(title, config.unicode_slugs)
    problem = slug_problem(slug, config.unicode_slugs) if slug else "is empty"
    if problem:
        raise ScaffoldError(f"slug '{slug}' {problem}; pass --slug")
    local = now.astimezone(request.zone or config.timezone).replace(microsecond=0)
    folder = config.site_dir / "content" / "articles" / request.folder
    path = folder / f"{local:%Y}" / f"{local:%m}" / f"{slug}.md"
    if path.exists():
        raise ScaffoldError(f"{path.as_posix()} already exists; not overwritten (pass --slug "
                            "for another name)")
    used = {a.slug: a.source for a in load_content(config, ProblemList()).articles}
    if slug in used:
        raise ScaffoldError(f"slug '{slug}' is already used by {used[slug]}; pass --slug")
    lines = ["---", f"title: {quoted(title)}", f"date: {iso(local)}",
             f"section: {request.section}"]
    if request.authors:
        lines.append("authors: [" + ", ".join(request.authors) + "]")
    if request.tags:
        lines.append("tags: [" + ", ".join(quoted(t) for t in request.tags) + "]")
    if request.lang:
        lines.append(f"lang: {request.lang}")
    if request.translation_key:
        lines.append(f"translation_key: {quoted(request.translation_key)}")
    lines += ['summary: ""', "# draft: true", "---", "", "Write the story here.", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
        handle.write("\n".join(lines))
    return path


def _check_choice(kind: str, value: str, valid: tuple[str, ...]) -> None:
    if kind == "section" and not valid:
        problem = slug_problem(value)
        if problem:
            raise ScaffoldError(f"section '{value}' {problem}")
        return
    if value not in valid:
        listed = ", ".join(valid) if valid else f"none (add {kind}s to newsgen.yaml)"
        raise ScaffoldError(f"unknown {kind} '{value}'; {kind}s in newsgen.yaml: {listed}")


# -- newsgen new headline ----------------------------------------------------------------

def headline_entry(title: str, time: str, link: str = "", lang: str = "") -> str:
    text = f"- time: {time}\n  title: {quoted(title)}\n"
    return text + (f"  link: {quoted(link)}\n" if link else "") \
        + (f"  lang: {lang}\n" if lang else "")


def new_headline(config: SiteConfig, title: str, now: datetime, link: str = "",
                 clock: str = "", lang: str = "", zone: ZoneInfo | None = None) -> Path:
    """Append one headline to today's file (the edition's zone, default the site's);
    existing bytes are left untouched."""
    title = " ".join(title.split())
    if not title:
        raise ScaffoldError("the headline text is empty")
    zone = zone or config.timezone
    local = now.astimezone(zone).replace(microsecond=0)
    if clock:
        local = _at_clock(local, clock, zone)
    if link and not link.startswith(("http://", "https://")):
        articles = load_content(config, ProblemList()).articles
        if link not in {a.slug for a in articles}:
            raise ScaffoldError(f"--link '{link}' is neither an http(s) URL nor the slug of an "
                                "article in content/articles/")
        _same_edition(articles, link, lang)
    path = config.site_dir / "content" / "headlines" / f"{local:%Y-%m-%d}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = path.read_bytes() if path.exists() else b""
    prefix = "" if existing else HEADLINE_HEADER.format(day=_long_day(local))
    if existing and not existing.endswith(b"\n"):
        prefix = "\n"
    with path.open("ab") as handle:
        handle.write((prefix + headline_entry(title, iso(local), link, lang)).encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())
    return path


def _same_edition(articles: list[Article], link: str, lang: str) -> None:
    """A headline links to a story of its own edition: the French ticker does not send
    readers to the English story (the build would only warn, and link across)."""
    target = next(a for a in articles if a.slug == link)
    if not lang or target.lang == lang:
        return
    version = next((a for a in articles if a.lang == lang and target.translation_key
                    and a.translation_key == target.translation_key), None)
    hint = f"; link its '{lang}' translation '{version.slug}'" if version else \
        f", which has no '{lang}' translation"
    raise ScaffoldError(f"--link '{link}' is a story of the '{target.lang}' edition{hint}")


def _at_clock(local: datetime, clock: str, zone: ZoneInfo) -> datetime:
    try:
        hour, minute = (int(part) for part in clock.split(":"))
        naive = local.replace(tzinfo=None, hour=hour, minute=minute, second=0)
    except ValueError:
        raise ScaffoldError(f"--time '{clock}' is not a time of day such as 14:05") from None
    try:
        return localize(naive, zone)
    except ValueError as exc:
        raise ScaffoldError(str(exc)) from None
