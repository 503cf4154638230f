"""HTML and text fit to leave the site: every link absolute, no character XML cannot carry.

Feed readers show an article's content away from the site, with no base URL to resolve
``/world/`` or ``map.png`` against, and an XML document with one control character in it is
unreadable; feeds and sitemaps pass their text through here.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

import lxml.html  # type: ignore[import-untyped]

# Characters XML 1.0 cannot carry at all, plus lone surrogates (lxml refuses both).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# The ASCII ones, for ``bytes.translate``: it finds them in ASCII text far faster than _CONTROL.
_ASCII_CONTROL = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
# ``href="..."``/``src="..."`` as Python-Markdown writes them. The pattern starts at the
# ``="`` and looks behind it for the name: a literal start is searched for quickly, where
# one starting at every whitespace character made this the slowest step of a feed.
_LINK = re.compile(r'="(?:(?<=\shref=")|(?<=\ssrc="))([^"]*)"')
# Anything that links by other means sends a body through lxml instead of the fast path
# (and so does a link written with spaces around its "="): these strings, and "=" after any
# of _UNUSUAL_NAMES or before a space (found from the "=" for the same reason as _LINK).
_UNUSUAL_LINKS = ("srcset", "url(", "<base")
_UNUSUAL_NAMES = ("poster", "data", "action", "background", "longdesc", "cite", " ")
_UNUSUAL_EQUALS = re.compile(
    "=(?:" + "|".join(f"(?<={re.escape(name)}=)" for name in _UNUSUAL_NAMES) + "| )")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")


def xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (they would make the document unparseable)."""
    if text.isascii():
        data = text.encode("ascii")
        if len(data.translate(None, _ASCII_CONTROL)) == len(data):
            return text
    return _CONTROL.sub("", text)


def absolutize(body_html: str, base_url: str) -> str:
    """Resolve every link and image in an HTML fragment against ``base_url`` (the article's
    absolute URL): feed readers show content away from the site and have no base URL.
    Covers ``/path``, ``relative``, ``#fragment``, ``//host`` and ``srcset`` forms.

    Python-Markdown writes every attribute in double quotes, so its output takes a fast path
    over the ``href``/``src`` attributes alone; anything else (raw HTML a site let through
    with ``markdown.unsafe_html``) is parsed with lxml."""
    if not body_html or body_html.isspace():  # (strip() would copy the body to find out)
        return body_html
    body_html = xml_safe(body_html)
    lower = body_html.lower()
    if not any(token in lower for token in _UNUSUAL_LINKS) and not _UNUSUAL_EQUALS.search(lower):
        parts = urlsplit(base_url)
        origin = f"{parts.scheme}://{parts.netloc}"
        result, count = _LINK.subn(lambda m: '="' + html.escape(
            _join(base_url, origin, html.unescape(m.group(1))), quote=True) + '"', body_html)
        if count == lower.count("href=") + lower.count("src="):
            return result
    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    root.make_links_absolute(base_url, resolve_base_href=False, handle_failures="discard")
    for element in root.iter():
        srcset = element.get("srcset")
        if srcset:
            element.set("srcset", _absolute_srcset(srcset, base_url))
    text = [html.escape(root.text or "", quote=False)]
    text += [lxml.html.tostring(child, encoding="unicode") for child in root]
    return "".join(text)


def _join(base_url: str, origin: str, link: str) -> str:
    """``urljoin`` with the two forms Markdown bodies are made of taken directly."""
    if link.startswith("/") and not link.startswith("//"):
        return origin + link
    if link.startswith("#"):
        return base_url.split("#", 1)[0] + link
    if _SCHEME.match(link):
        return link
    try:
        return urljoin(base_url, link.strip())
    except ValueError:
        return link


def _absolute_srcset(srcset: str, base_url: str) -> str:
    candidates = []
    for candidate in srcset.split(","):
        url, _, descriptor = candidate.strip().partition(" ")
        if url:
            candidates.append((urljoin(base_url, url) + " " + descriptor.strip()).strip())
    return ", ".join(candidates)
