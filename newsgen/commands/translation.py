"""Editions for ``newsgen new``: the language a new article or headline is written in, and
the story a new article translates.

An editor on the French desk should not have to remember that French stories live under
``content/articles/fr/``, carry ``lang: fr`` and share the original's ``translation_key``:
``--lang fr --translation-of <slug or file>`` writes all of it, and gives the original a key
when it has none yet (its slug, the one name both files already agree on).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from newsgen.commands.scaffold import ScaffoldError
from newsgen.content.config import SiteConfig
from newsgen.content.editions import edition_config, edition_tags
from newsgen.content.models import Article


@dataclass(frozen=True)
class Edition:
    """Where and when a new file of one edition is written; ``lang`` is empty when the
    editor named none (the file then carries no ``lang:``, as before editions)."""

    lang: str
    folder: str  # under content/articles/: "" for the default edition
    zone: ZoneInfo


def edition_for(config: SiteConfig, lang: str) -> Edition:
    """The edition ``--lang`` names; an unknown language is an error listing the site's."""
    if not lang:
        return Edition("", "", config.timezone)
    tags = edition_tags(config)
    if not config.editions or lang not in tags:
        hint = "" if config.editions else " (add 'languages:' to newsgen.yaml for editions)"
        raise ScaffoldError(f"unknown language '{lang}'; languages in newsgen.yaml: "
                            + ", ".join(tags) + hint)
    return Edition(lang, "" if lang == tags[0] else lang, edition_config(config, lang).timezone)


def translated(config: SiteConfig, articles: list[Article], reference: str,
               edition: Edition) -> tuple[Article, str]:
    """The story ``--translation-of`` names (a slug, or its file's path from here or from
    the site folder) and the key its translations share."""
    wanted = {(config.site_dir / reference).resolve(), Path(reference).resolve()}
    original = next((a for a in articles if a.slug == reference
                     or (config.site_dir / a.source).resolve() in wanted), None)
    if original is None:
        raise ScaffoldError(f"--translation-of '{reference}' is neither the slug nor the file "
                            "of an article in content/articles/")
    lang = edition.lang or edition_tags(config)[0]
    if original.lang == lang:
        raise ScaffoldError(f"{original.source} is already in '{lang}'; pass --lang with the "
                            "language of the translation")
    key = original.translation_key or original.slug
    existing = next((a for a in articles if a.lang == lang and a.translation_key == key), None)
    if existing is not None:
        raise ScaffoldError(f"{existing.source} is already the '{lang}' translation of "
                            f"{original.source} (translation_key: {key})")
    return original, key


def give_key(config: SiteConfig, original: Article, key: str) -> bool:
    """Write ``translation_key`` into the original's front matter when it has none: both
    versions need it for their alternates. True when the file was changed."""
    if original.translation_key:
        return False
    path = config.site_dir / original.source
    with path.open(encoding="utf-8", newline="") as handle:
        text = handle.read()
    newline = "\r\n" if "\r\n" in text else "\n"
    end = text.find(f"{newline}---", 3)
    if not text.startswith("---") or end < 0:
        raise ScaffoldError(f"{original.source} has no front matter to add "
                            f"'translation_key: {key}' to")
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(f"{text[:end]}{newline}translation_key: {key}{text[end:]}")
    return True

