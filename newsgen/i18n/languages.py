"""Language tags (BCP 47) as newsgen.yaml and front matter write them, and their direction."""

from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale, UnknownLocaleError

# language[-Script][-REGION]: the part of BCP 47 a news edition uses (en, fr, ar, pt-BR,
# zh-Hant, es-419). Private-use and extension subtags name no locale data, so they are refused.
_TAG = re.compile(r"^(?P<lang>[a-z]{2,3})(-(?P<script>[A-Z][a-z]{3}))?"
                  r"(-(?P<region>[A-Z]{2}|[0-9]{3}))?$")


def tag_problem(tag: str) -> str | None:
    """Why ``tag`` cannot name an edition, or None."""
    if not _TAG.match(tag):
        return (f"'{tag}' is not a BCP 47 language tag such as en, fr, ar or pt-BR "
                "(language in lowercase, region in capitals)")
    if locale(tag) is None:
        return f"'{tag}' is a well-formed tag but no language newsgen has locale data for"
    return None


@lru_cache(maxsize=64)
def locale(tag: str) -> Locale | None:
    """Babel's locale for a tag, or None when it has no data for it."""
    try:
        return Locale.parse(tag, sep="-")
    except (ValueError, UnknownLocaleError):
        return None


def direction(tag: str) -> str:
    """``rtl`` for right-to-left scripts (ar, he, fa, ur...), else ``ltr``."""
    found = locale(tag)
    return "rtl" if found is not None and found.character_order == "right-to-left" else "ltr"


def native_name(tag: str) -> str:
    """The language's name in itself (``Français``, ``العربية``), for the switcher."""
    found = locale(tag)
    name = found.get_display_name(found) if found is not None else None
    return (name[:1].upper() + name[1:]) if name else tag
