"""Where the built-in theme lives, which static folders a build copies, and the
fingerprint of the templates in effect."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from newsgen.i18n.catalogs import catalogs_digest

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


def template_dirs(config: SiteConfig) -> tuple[Path, Path]:
    """(site templates, theme templates)."""
    return config.site_dir / "templates", theme_dir() / "templates"


def templates_digest(config: SiteConfig) -> str:
    """A fingerprint of every template file in effect, for cache invalidation."""
    digest = hashlib.blake2b(digest_size=16)
    for root in template_dirs(config):
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    digest.update(catalogs_digest(config.site_dir).encode())
    return digest.hexdigest()
