"""Stage 3: Markdown bodies to safe HTML with Python-Markdown.

Editors write Markdown, never HTML: raw HTML is shown as text unless the site turns on
``markdown.unsafe_html``; every attribute passes an allow-list and every URL a scheme check,
whatever the form of the payload (entities, mixed case, control characters, autolinks).
Internal links (``article:slug`` or a relative ``.md`` path) stay as tokens in the cached HTML
and are resolved per build by :func:`resolve_links`, so an article's HTML depends only on its
own text.
"""

from __future__ import annotations

import html
import posixpath
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import markdown
from markdown.treeprocessors import Treeprocessor

from newsgen.content.embeds import FRAME_ORIGINS
from newsgen.render.body_images import image_sources
from newsgen.render.furniture import add_furniture
from newsgen.render.markdown_pruning import Pruner

EXTENSIONS = ["extra", "toc", "sane_lists"]
EXTENSION_CONFIGS = {
    "toc": {"permalink": "#", "permalink_class": "heading-anchor",
            "permalink_title": "Link to this section", "toc_depth": "2-4"},
    "footnotes": {"BACKLINK_TITLE": "Back to reference %d"},
}
SAFE_SCHEMES = ("http", "https", "mailto", "tel")
ARTICLE_SCHEME = "article:"
FILE_TOKEN = "newsgen-file:"
URL_ATTRIBUTES = ("href", "src")
ALLOWED_ATTRIBUTES = frozenset({
    "href", "src", "alt", "title", "id", "class", "width", "height", "colspan", "rowspan",
    "align", "start", "reversed", "scope", "abbr", "lang", "dir", "cite", "datetime",
    "role", "aria-hidden", "aria-label", "rel",
    "data-embed",  # the frame of an embed (furniture.py); the theme's script checks its origin
})
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]+")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_TOKEN = re.compile(r'(href|src)="(article:|newsgen-file:)([^"]*)"')
_FIRST_P = re.compile(r"<p>(.*?)</p>", re.S)
_TAGS = re.compile(r"<[^>]+>")
_ANCHOR = re.compile(r'<a class="heading-anchor"[^>]*>.*?</a>')
_SITE_PATH = re.compile(r'\s(?:href|src)="(/[^"]*)"')


@dataclass(frozen=True)
class RenderedBody:
    """A body converted once; ``html`` may still hold internal-link tokens."""

    html: str
    first_paragraph: str
    words: int
    links: tuple[str, ...] = field(default=())
    site_paths: tuple[str, ...] = field(default=())
    images: tuple[tuple[str, str], ...] = field(default=())

    @property
    def meta(self) -> BodyMeta:
        return BodyMeta(self.first_paragraph, self.words, self.links, self.site_paths,
                        self.images)


@dataclass(frozen=True, slots=True)
class BodyMeta:
    """What a build needs of a converted body besides its HTML (kept in memory for every
    article; the HTML itself stays in the body store)."""

    first_paragraph: str
    words: int
    links: tuple[str, ...]
    site_paths: tuple[str, ...]
    images: tuple[tuple[str, str], ...] = ()  # (src, alt) of each <img>: checked each build


class _Sanitizer(Treeprocessor):
    """Keep only allow-listed attributes and safe URLs; note internal-link targets."""

    def __init__(self, md: markdown.Markdown, converter: MarkdownConverter) -> None:
        super().__init__(md)
        self.converter = converter

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            for name in list(element.attrib):
                if name.lower() not in ALLOWED_ATTRIBUTES:
                    del element.attrib[name]
            for name in URL_ATTRIBUTES:
                if name in element.attrib:
                    element.set(name, self.converter.clean_url(element.attrib[name]))
            if not element.get("data-embed", FRAME_ORIGINS[0]).startswith(FRAME_ORIGINS):
                del element.attrib["data-embed"]  # a frame only from an embed provider
            if element.tag == "a" and element.get("href", "").startswith(("http:", "https:")):
                element.set("rel", "noopener")
        return None


class MarkdownConverter:
    """One reusable Python-Markdown instance (``reset()`` between bodies is much cheaper
    than building a new one) set up for newsroom content."""

    def __init__(self, unsafe_html: bool = False, url_prefix: str = "",
                 prune: bool = True) -> None:
        """``prune=False`` gives plain Python-Markdown, which tests compare against."""
        self.url_prefix = url_prefix
        self.prune = prune
        self.md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS,
                                    output_format="html")
        if not unsafe_html:
            self.md.preprocessors.deregister("html_block")
            self.md.inlinePatterns.deregister("html")
        self.md.treeprocessors.register(_Sanitizer(self.md, self), "newsgen-sanitize", 1)
        add_furniture(self.md)
        # A fenced block is stored as raw HTML, out of the sanitizer's reach: with attr_list
        # on, ``~~~ {: onclick="..."}`` would put any attribute on <code>. Keep id and class.
        fenced: Any = self.md.preprocessors["fenced_code_block"]
        fenced.checked_for_deps = True
        fenced.use_attr_list = False
        self._source_dir = ""
        self._links: list[str] = []
        # what a body cannot match is not tried: a third faster, the same HTML
        self._pruner = Pruner(self.md) if prune else None

    def convert(self, text: str, source: str = "") -> RenderedBody:
        """Convert one body; ``source`` (site-relative path) anchors relative ``.md`` links."""
        self._source_dir = posixpath.dirname(source)
        self._links = []
        self.md.reset()
        if self._pruner is not None:
            self._pruner.fit(text)
        body = self.md.convert(text)
        match = _FIRST_P.search(body)
        first = plain_text(match.group(1)) if match else ""
        words = len(plain_text(body).split())
        return RenderedBody(body, first, words, tuple(self._links), site_paths(body),
                            image_sources(body))

    def clean_url(self, raw: str) -> str:
        """A URL that is safe in an attribute, or ``#`` where it is not."""
        url = _CONTROL.sub("", html.unescape(raw))
        scheme = _SCHEME.match(url)
        if scheme:
            name = scheme.group(1).lower()
            if name == "article":
                self._links.append(url)
                return ARTICLE_SCHEME + url[len("article:"):].strip()
            return url if name in SAFE_SCHEMES else "#"
        if url.startswith("//") or url.startswith("\\"):
            return url if url.startswith("//") else "#"
        if url.startswith("/"):
            return self.url_prefix + url if self.url_prefix else url
        path = url.split("#", 1)[0].split("?", 1)[0]
        if path.endswith(".md"):
            target = posixpath.normpath(posixpath.join(self._source_dir, path))
            self._links.append(FILE_TOKEN + target)
            return FILE_TOKEN + target
        return url


def resolve_links(body_html: str, resolve: Callable[[str, str], str | None]) -> str:
    """Replace internal-link tokens with site URLs; a link to an unpublished article loses
    its ``href`` (it reads as plain text until the article is out)."""
    if "article:" not in body_html and FILE_TOKEN not in body_html:
        return body_html

    def substitute(match: re.Match[str]) -> str:
        kind = "slug" if match.group(2) == ARTICLE_SCHEME else "file"
        target, _, fragment = html.unescape(match.group(3)).partition("#")
        url = resolve(kind, target)
        if url is None:
            return 'class="unpublished-link"'  # an <a> without href: plain text to readers
        if fragment:
            url += "#" + fragment
        return f'{match.group(1)}="{html.escape(url, quote=True)}"'

    return _TOKEN.sub(substitute, body_html)


def site_paths(body_html: str) -> tuple[str, ...]:
    """Site paths (``/world/``, ``/images/map.png``) a body links to, each once, for the
    check that some output file serves them (``links.py``)."""
    if 'href="/' not in body_html and 'src="/' not in body_html:
        return ()
    return tuple(dict.fromkeys(html.unescape(u) for u in _SITE_PATH.findall(body_html)))


def link_target(token: str) -> tuple[str, str]:
    """Split a recorded link (``article:slug`` or ``newsgen-file:path``) into (kind, target)."""
    if token.startswith(FILE_TOKEN):
        return "file", token[len(FILE_TOKEN):].partition("#")[0]
    return "slug", token[len(ARTICLE_SCHEME):].partition("#")[0].strip()


def plain_text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace folded: for summaries and word counts."""
    text = _TAGS.sub("", _ANCHOR.sub("", fragment))
    return " ".join(html.unescape(text).split())


def body_line_of(body: str, body_line: int, target: str) -> int:
    """File line of the first mention of a link ``target`` in a Markdown body (for messages
    about links): the whole target first, then its last path part (a relative ``.md`` link
    may be written differently from its resolved path)."""
    needle = target.split("#", 1)[0]
    lines = body.split("\n")
    for candidate in (needle, needle.rstrip("/").rsplit("/", 1)[-1]):
        if not candidate:
            continue
        for offset, line in enumerate(lines):
            if candidate in line:
                return body_line + offset
    return body_line


def image_line_of(body: str, body_line: int, src: str, alt: str | None = None) -> int:
    """File line of a Markdown image, for messages about it. With ``alt``: the line of its
    ``![alt]``, where the alt text is written. Without: the line where its path is written,
    which for a reference-style image (``![alt][ref]``) is the reference's definition
    (``[ref]: path``), the line an editor fixes a wrong path on."""
    lines = body.split("\n")
    if alt is not None:
        for offset, line in enumerate(lines):
            if f"![{alt}]" in line:
                return body_line + offset
    path = re.escape(src)
    written = re.compile(rf"\]\(\s*<?{path}|^\s{{0,3}}\[[^\]]+\]:\s*<?{path}")
    for offset, line in enumerate(lines):
        if written.search(line):
            return body_line + offset
    return body_line_of(body, body_line, src)
