"""``languages:`` in newsgen.yaml: one edition per language, the first the default.

The default edition stays at the site root; every other one lives under ``/<tag>/`` with its
own title, description, time zone, section titles and social links (each falling back to the
site's). ``edition_config`` gives the SiteConfig one edition renders with, so every stage
that builds pages, feeds and sitemaps for a site builds them for an edition unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newsgen.i18n.languages import tag_problem

if TYPE_CHECKING:
    from newsgen.content.config import SiteConfig

EDITION_KEYS = ("title", "description", "timezone", "sections", "social")


@dataclass(frozen=True)
class EditionConfig:
    """One language's settings; empty text and None mean "the site's own"."""

    tag: str
    title: str = ""
    description: str = ""
    timezone: ZoneInfo | None = None
    section_titles: tuple[tuple[str, str], ...] = ()  # section id -> title in this language
    social: tuple[tuple[str, str], ...] | None = None


def read_editions(reader: Any) -> tuple[EditionConfig, ...]:
    """Every problem goes to ``reader.err`` at its key; ``reader`` is config._ConfigReader."""
    raw = reader.raw.get("languages")
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not raw:
        reader.err("'languages' must map language tags (en, fr, ar) to their settings; "
                   "the first is the default", "languages")
        return ()
    result = []
    for tag, settings in raw.items():
        problem = tag_problem(str(tag))
        if problem:
            reader.err(f"languages: {problem}", "languages", tag)
            continue
        result.append(_edition(reader, str(tag), settings or {}))
    given = reader.raw.get("language")
    if result and given is not None and given != result[0].tag:
        reader.err(f"'language' is '{given}' but the first of 'languages' (the default) is "
                   f"'{result[0].tag}'; leave 'language' out", "language")
    return tuple(result)


def _edition(reader: Any, tag: str, settings: Any) -> EditionConfig:
    where = ("languages", tag)
    if not isinstance(settings, dict):
        reader.err(f"languages.{tag} must be a mapping of {', '.join(EDITION_KEYS)}", *where)
        return EditionConfig(tag)
    for key in settings:
        if key not in EDITION_KEYS:
            reader.err(f"unknown key 'languages.{tag}.{key}' (allowed: "
                       f"{', '.join(EDITION_KEYS)})", *where, key)
    text = {}
    for key in ("title", "description"):
        value = settings.get(key, "")
        if not isinstance(value, str):
            reader.err(f"'languages.{tag}.{key}' must be text", *where, key)
            value = ""
        text[key] = value.strip()
    return EditionConfig(tag, text["title"], text["description"],
                         _zone(reader, settings.get("timezone"), where),
                         _pairs(reader, settings.get("sections"), where + ("sections",),
                                "map section ids to their titles", url=False) or (),
                         _pairs(reader, settings.get("social"), where + ("social",),
                                "map a network name to an http(s) URL", url=True))


def _zone(reader: Any, name: Any, where: tuple[str, ...]) -> ZoneInfo | None:
    if name is None:
        return None
    try:
        if not isinstance(name, str) or "/.." in name or name.startswith(("/", ".")):
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        reader.err(f"'{'.'.join(where)}.timezone' is not an IANA time zone name: '{name}'",
                   *where, "timezone")
        return None


def _pairs(reader: Any, value: Any, where: tuple[str, ...], must: str, url: bool
           ) -> tuple[tuple[str, str], ...] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        reader.err(f"'{'.'.join(where)}' must {must}", *where)
        return None
    pairs = []
    for key, item in value.items():
        if not isinstance(item, str) or (url and urlsplit(item).scheme not in ("http", "https")):
            reader.err(f"'{'.'.join(where)}.{key}' must be "
                       + ("an http(s) URL" if url else "text"), *where, key)
            continue
        pairs.append((str(key), item.strip()))
    return tuple(pairs)


def edition_config(config: SiteConfig, tag: str) -> SiteConfig:
    """The configuration the ``tag`` edition is built with (``config`` itself for a site
    without ``languages:``). Section ids stay the same in every edition; their titles are
    translated. Each edition has its own search index and page (``distribution.search``)."""
    found = {e.tag: e for e in config.editions}.get(tag)
    if found is None:
        return config
    titles = dict(found.section_titles)
    default = config.editions[0].tag == tag
    return replace(
        config, language=tag, edition="" if default else tag,
        title=found.title or config.title,
        description=found.description or config.description,
        timezone=found.timezone or config.timezone,
        sections=tuple(replace(s, title=titles.get(s.id, s.title)) for s in config.sections),
        social=config.social if found.social is None else found.social,
        search=config.search,
    )


def edition_tags(config: SiteConfig) -> tuple[str, ...]:
    """The site's languages, the default first (just ``language`` without ``languages:``)."""
    return tuple(e.tag for e in config.editions) or (config.language,)
