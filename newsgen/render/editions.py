"""What templates see of a site's languages: the switcher's editions and each page's
translations (``<link rel="alternate" hreflang>``), in the order of ``languages:``."""

from __future__ import annotations

from dataclasses import dataclass

from newsgen.content.config import SiteConfig
from newsgen.content.editions import edition_tags
from newsgen.content.translations import Translation
from newsgen.i18n.languages import direction, native_name


@dataclass(frozen=True)
class EditionLink:
    tag: str
    name: str  # in its own language: Français, العربية
    home: str  # the edition's front page
    direction: str


def edition_links(config: SiteConfig) -> tuple[EditionLink, ...]:
    """Every edition, for the masthead's language switcher; none for a one-language site."""
    if not config.editions:
        return ()
    tags = edition_tags(config)
    return tuple(EditionLink(tag, native_name(tag),
                             config.url_prefix + ("/" if tag == tags[0] else f"/{tag}/"),
                             direction(tag))
                 for tag in tags)


def translation_map(alternates: dict[str, tuple[Translation, ...]]
                    ) -> dict[str, dict[str, str]]:
    """Page URL -> {language: URL of that version}, for pages that have translations."""
    return {url: {t.lang: t.url for t in versions} for url, versions in alternates.items()}
