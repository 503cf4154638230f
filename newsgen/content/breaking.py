"""The breaking-news banner: ``content/breaking.yaml`` -> models, every problem at its line.

One file, not a key of ``newsgen.yaml``: the desk changes it several times on a big day and
should not need to touch the site's settings to do so. The banner is shown until
``expires``; the build's next-change time includes that moment (``publish.assemble``), so a
scheduled build takes it down.

A trilingual newsroom runs one banner per edition, often at different times (the Arabic
desk may post first), so the file is either one banner or a list of them, each naming its
edition with ``lang:`` the way articles and headlines do. One file rather than one per
edition: the desk sees every edition's banner, and its expiry, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from newsgen.content.config import SiteConfig
from newsgen.content.editions import edition_tags
from newsgen.content.fields import FieldReader
from newsgen.content.frontmatter import YamlDoc, parse_yaml
from newsgen.content.sources import SourceFile, read_text
from newsgen.content.urls import slug_problem
from newsgen.errors import ContentError, ProblemList, SourceLocation

BREAKING_FILE = "content/breaking.yaml"
BREAKING_KEYS = ("title", "link", "expires", "lang")
_SHAPE = ("the breaking-news file must be a mapping with 'title', 'expires' and optional "
          "'link' and 'lang', or a list of such mappings (one banner per edition)")


@dataclass(frozen=True)
class Breaking:
    """One banner as written: ``link`` is an article slug, an http(s) URL or empty;
    ``lang`` the edition it is shown in."""

    source: str
    line: int
    title: str
    expires: datetime
    link: str = ""
    link_line: int = 0
    lang: str = ""


def load_breaking(config: SiteConfig, problems: ProblemList) -> tuple[Breaking, ...]:
    """The banners of the file, at most one per edition; none when there is no file (or it
    is broken: then its problems are in ``problems``)."""
    path = config.site_dir / BREAKING_FILE
    if not path.exists():
        return ()
    try:
        doc = parse_yaml(read_text(SourceFile(BREAKING_FILE, path), config), BREAKING_FILE)
    except ContentError as exc:
        problems.add(exc.problem)
        return ()
    except OSError as exc:
        problems.error(SourceLocation(BREAKING_FILE), f"cannot read file: {exc.strerror}", "io")
        return ()
    items: list[tuple[tuple[int, ...], Any]]
    if isinstance(doc.value, dict):
        items = [((), doc.value)]
    elif isinstance(doc.value, list) and doc.value:
        items = [((index,), item) for index, item in enumerate(doc.value)]
    else:
        problems.error(doc.at(), _SHAPE, "breaking")
        return ()
    fields = FieldReader(doc, config.timezone, problems)
    seen: dict[str, Breaking] = {}
    for base, item in items:
        if not isinstance(item, dict):
            fields.error(_SHAPE, *base, code="breaking")
            continue
        banner = _banner(config, doc, fields, base)
        if banner is None:
            continue
        first = seen.setdefault(banner.lang, banner)
        if first is not banner:
            fields.error(f"a second banner for the '{banner.lang}' edition (the first is at "
                         f"line {first.line}); each edition shows one", *base,
                         code="breaking-twice")
    return tuple(seen.values())


def _banner(config: SiteConfig, doc: YamlDoc, fields: FieldReader,
            base: tuple[int, ...]) -> Breaking | None:
    fields.warn_unknown(BREAKING_KEYS, "breaking", base)
    title = fields.text(base + ("title",), required=True)
    expires = fields.time(base + ("expires",), required=True)
    link = fields.text(base + ("link",))
    languages = edition_tags(config)
    lang = fields.text(base + ("lang",)) or languages[0]
    if lang not in languages:
        fields.error(f"unknown lang '{lang}'; languages in newsgen.yaml: "
                     + ", ".join(languages), *base, "lang", code="unknown-lang")
        return None
    if link and not link.startswith(("http://", "https://")) \
            and slug_problem(link, config.unicode_slugs):
        fields.error(f"link '{link}' must be an article slug or an http(s) URL",
                     *base, "link", code="breaking-link")
        return None
    if not (title and expires):
        return None
    return Breaking(BREAKING_FILE, doc.line(*base) or 1, title, expires, link,
                    doc.line(*base, "link") or 1 if link else 0, lang)
