"""Where the built-in theme lives, and which static folders a build copies."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsgen.content.config import SiteConfig


def theme_dir() -> Path:
    """The built-in theme: ``newsgen/theme`` in an installed wheel, the repository root (whose
    ``templates/`` and ``static/theme/`` are the theme) in a source checkout."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "theme"
    if (packaged / "templates").is_dir():
        return packaged
    return package.parent


THEME_PREFIX = "theme"  # where the theme's assets go in the output, and their folder


def static_roots(config: SiteConfig) -> tuple[tuple[Path, str], ...]:
    """(folder, output prefix) pairs copied into the output, lowest priority first.

    The theme's assets live under ``static/theme/`` so that only they, never a source
    checkout's demo images, travel with the theme; the site's ``static/`` goes to the root.
    """
    theme = theme_dir() / "static" / THEME_PREFIX
    site = config.site_dir / "static"
    roots: list[tuple[Path, str]] = []
    if theme.is_dir():
        roots.append((theme, THEME_PREFIX))
    if site.is_dir():
        roots.append((site, ""))
    return tuple(roots)
