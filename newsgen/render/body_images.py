"""Images in Markdown bodies -> ``<picture>`` elements with the renditions the site publishes.

A converted body is cached by the hash of its text alone, so its ``<img>`` tags cannot carry
sizes: the file they name may be replaced without the text changing. The pictures are
therefore written when a body is read back for this build (as internal links are resolved,
``build.bodies``), from the renditions planned for each image; the article's digest carries
those renditions, so a replaced image re-renders the pages that show it.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable
from urllib.parse import unquote

from newsgen.content.images import Rendition, Renditions

# How wide the theme shows a body image: the article's 44rem measure, or the screen less
# its padding (style.css ``.article-body``); the same as the hero slot in ``_macros.html``.
# An image narrower than that is shown at its own width, and its widest rendition is that.
BODY_SIZES = "(min-width: 46em) 44rem, calc(100vw - 2rem)"
BODY_SLOT_PX = 704  # 44rem: ``check`` warns on a body image narrower than the column
_IMG = re.compile(r"<img\b([^<>]*?)\s*/?>")
_ATTR = re.compile(r'\s+([a-zA-Z][a-zA-Z0-9-]*)="([^"]*)"')
_PICTURE = re.compile(r"<picture\b.*?</picture>", re.S | re.I)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")

Lookup = Callable[[str], "Renditions | None"]


def image_url(src: str, page_url: str) -> str | None:
    """The site path (with the URL prefix) an ``<img src>`` on the page at ``page_url``
    names, or None for another site's image, a data URL or a protocol-relative one."""
    src = unquote(html.unescape(src)).split("#", 1)[0].split("?", 1)[0]
    if not src or _SCHEME.match(src) or src.startswith(("//", "\\")):
        return None
    if src.startswith("/"):
        return posixpath.normpath(src)
    folder = page_url if page_url.endswith("/") else page_url.rpartition("/")[0] + "/"
    return posixpath.normpath(posixpath.join(folder, src))


def body_image_urls(body_html: str, page_url: str) -> list[str]:
    """Every local image a body shows, each once, in order."""
    if "<img" not in body_html:
        return []
    urls = []
    for match in _IMG.finditer(body_html):
        src = dict(_ATTR.findall(match.group(1))).get("src")
        url = image_url(src, page_url) if src else None
        if url is not None:
            urls.append(url)
    return list(dict.fromkeys(urls))


def image_sources(body_html: str) -> tuple[tuple[str, str], ...]:
    """(src, alt) of every ``<img>`` in a converted body, as written, in order: what each
    build checks (the file, its width, its alt text) without converting the body again."""
    if "<img" not in body_html:
        return ()
    found = []
    for match in _IMG.finditer(body_html):
        values = dict(_ATTR.findall(match.group(1)))
        if "src" in values:
            found.append((html.unescape(values["src"]), html.unescape(values.get("alt", ""))))
    return tuple(found)


def pictures(body_html: str, page_url: str, lookup: Lookup) -> str:
    """``body_html`` with each ``<img>`` of a raster image this site publishes as renditions
    made a ``<picture>``: a ``srcset`` per modern format, the JPEG/PNG fallback, the body
    slot's ``sizes``, the published size as ``width``/``height`` (nothing shifts) and lazy
    loading. Images elsewhere, SVGs, animated GIFs, an ``<img>`` that already has a
    ``srcset`` or sits in a ``<picture>`` (raw HTML a site let through) stay as they are."""
    if "<img" not in body_html:
        return body_html
    taken = [m.span() for m in _PICTURE.finditer(body_html)] if "<picture" in body_html \
        else []

    def substitute(match: re.Match[str]) -> str:
        if any(start <= match.start() < end for start, end in taken):
            return match.group(0)
        inside = match.group(1)
        attrs = _ATTR.findall(inside)
        if _ATTR.sub("", inside).strip():  # an attribute newsgen cannot read: leave it
            return match.group(0)
        values = dict(attrs)
        if "src" not in values or "srcset" in values:
            return match.group(0)
        url = image_url(values["src"], page_url)
        renditions = lookup(url) if url else None
        if renditions is None:
            return match.group(0)
        return picture(values, renditions)

    return _IMG.sub(substitute, body_html)


def picture(values: dict[str, str], renditions: Renditions) -> str:
    """The ``<picture>`` of one body image; ``values`` are the ``<img>``'s attributes as
    written (already escaped), kept but for the ones newsgen sets."""
    sources = "".join(f'<source type="{mime}" srcset="{_srcset(series)}" '
                      f'sizes="{BODY_SIZES}">' for mime, series in renditions.sources)
    kept = "".join(f' {name}="{value}"' for name, value in values.items()
                   if name not in ("src", "loading", "decoding", "sizes"))
    if "width" not in values and "height" not in values:
        kept += f' width="{renditions.original.width}" height="{renditions.original.height}"'
    return (f'<picture>{sources}<img src="{values["src"]}" '
            f'srcset="{_srcset(renditions.fallback)}" sizes="{BODY_SIZES}"{kept} '
            'loading="lazy" decoding="async"></picture>')


def _srcset(series: tuple[Rendition, ...]) -> str:
    """A ``srcset`` whose URLs keep no comma or space (they would split a candidate)."""
    return ", ".join(html.escape(r.url.replace(" ", "%20").replace(",", "%2C"), quote=True)
                     + f" {r.width}w" for r in series)
