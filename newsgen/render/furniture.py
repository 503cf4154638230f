"""Story furniture as a Python-Markdown block processor: fact boxes, pull quotes, timelines
and "Read more" links, written as ``:::`` blocks (the syntax and its checks are in
``content.blocks``).

The processor only claims blocks holding a ``:::`` line of a known kind, so a body without
one converts exactly as before. What it builds is plain HTML the theme styles: no landmark
roles (an article may hold several boxes, and landmarks must be unique), classes the
sanitizer keeps, and text that the inline patterns process like any paragraph.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from typing import Any

import markdown
from markdown.blockprocessors import BlockProcessor

from newsgen.content.blocks import CLOSING, KINDS, OPENING, TIMELINE_ITEM
from newsgen.content.embeds import EMBED_LINE, parse_embed

PRIORITY = 85  # before every block processor of Python-Markdown but "empty"
READ_MORE_LABEL = "Read more"


def _opening(line: str) -> tuple[str, str] | None:
    """(kind, title) of a furniture opening line, or None."""
    match = OPENING.match(line)
    if match is None or match.group(1).lower() not in (*KINDS, "embed"):
        return None
    return match.group(1).lower(), match.group(2)


class FurnitureProcessor(BlockProcessor):
    """Turns one ``::: kind`` ... ``:::`` block (which may span blank lines) into HTML."""

    def test(self, parent: etree.Element, block: str) -> bool:
        """Only at the top of the body: a ``:::`` line is furniture where the editor wrote
        it at the start of a line, never inside a list item or a quote."""
        if parent is not getattr(self.parser, "root", None):
            return False
        if not block.startswith(":::") and "\n:::" not in block:
            return False
        return any(_opening(line) for line in block.split("\n") if line.startswith(":::"))

    def run(self, parent: etree.Element, blocks: list[str]) -> bool:
        lines = blocks.pop(0).split("\n")
        start = next(i for i, line in enumerate(lines) if _opening(line))
        if start > 0:  # text right above the fence, without a blank line: its own block
            blocks.insert(0, "\n".join(lines[start:]))
            self.parser.parseBlocks(parent, ["\n".join(lines[:start])])
            return True
        opening = _opening(lines[0])
        assert opening is not None
        kind, title = opening
        if kind == "embed":  # one line: the rest of the block goes back to the parser
            if len(lines) > 1:
                blocks.insert(0, "\n".join(lines[1:]))
            self._embed(parent, lines[0])
            return True
        inner = self._take_inner(lines[1:], blocks)
        build = getattr(self, f"_{kind}")
        build(parent, title, inner)
        return True

    @staticmethod
    def _take_inner(lines: list[str], blocks: list[str]) -> str:
        """The block's text up to its closing ``:::`` (or the end of the body); what
        follows the fence on its block is given back to the parser."""
        chunks: list[str] = []
        while True:
            for index, line in enumerate(lines):
                if CLOSING.match(line):
                    chunks.append("\n".join(lines[:index]))
                    after = "\n".join(lines[index + 1:])
                    if after.strip():
                        blocks.insert(0, after)
                    return "\n\n".join(chunks)
            chunks.append("\n".join(lines))
            if not blocks:
                return "\n\n".join(chunks)
            lines = blocks.pop(0).split("\n")

    def _factbox(self, parent: etree.Element, title: str, inner: str) -> None:
        box = etree.SubElement(parent, "div", {"class": "fact-box"})
        etree.SubElement(box, "p", {"class": "fact-box-title"}).text = title
        self.parser.parseChunk(box, inner)

    def _pullquote(self, parent: etree.Element, title: str, inner: str) -> None:
        figure = etree.SubElement(parent, "figure", {"class": "pull-quote"})
        quote = etree.SubElement(figure, "blockquote")
        self.parser.parseChunk(quote, inner)
        etree.SubElement(figure, "figcaption").text = title

    def _timeline(self, parent: etree.Element, title: str, inner: str) -> None:
        box = etree.SubElement(parent, "div", {"class": "timeline"})
        etree.SubElement(box, "p", {"class": "timeline-title"}).text = title
        items = etree.SubElement(box, "ol", {"class": "timeline-list"})
        for line in inner.split("\n"):
            if not line.strip():
                continue
            item = etree.SubElement(items, "li")
            match = TIMELINE_ITEM.match(line)
            when, what = match.groups() if match else ("", line.strip())
            stamp = etree.SubElement(item, "span", {"class": "timeline-when"})
            stamp.text, stamp.tail = when, " "
            etree.SubElement(item, "span", {"class": "timeline-what"}).text = what

    def _readmore(self, parent: etree.Element, title: str, inner: str) -> None:
        box = etree.SubElement(parent, "div", {"class": "read-more"})
        etree.SubElement(box, "p", {"class": "read-more-label"}).text = title or READ_MORE_LABEL
        links = etree.SubElement(box, "ul")
        for line in inner.split("\n"):
            text = line.strip().lstrip("-*+").strip()
            if text:
                etree.SubElement(links, "li").text = text


    def _embed(self, parent: etree.Element, line: str) -> None:
        """A placeholder that loads nothing from the provider: its title, the provider and
        a link to the original; the theme's script puts the frame in on a click. A line
        that is not a valid embed is left as text (``content.blocks`` reports it)."""
        match = EMBED_LINE.match(line)
        found = parse_embed(match.group(1), match.group(2) or "") \
            if match and match.group(1) else None
        if found is None or isinstance(found, str):
            etree.SubElement(parent, "p").text = line
            return
        figure = etree.SubElement(parent, "figure", {
            "class": f"embed embed-{found.kind}", "data-embed": found.frame})
        holder = etree.SubElement(figure, "div", {"class": "embed-placeholder"})
        etree.SubElement(holder, "p", {"class": "embed-provider"}).text = \
            f"{found.provider} {found.kind}"
        etree.SubElement(holder, "p", {"class": "embed-title"}).text = found.title
        etree.SubElement(holder, "p", {"class": "embed-note"}).text = (
            f"Not loaded: {found.provider} would learn of your visit.")
        caption = etree.SubElement(figure, "figcaption")
        link = etree.SubElement(caption, "a", {"href": found.url})
        link.text = f"{found.title}"
        link.tail = f" on {found.provider}"


def add_furniture(md: markdown.Markdown) -> None:
    """Register the furniture processor on a Markdown instance."""
    processor: Any = FurnitureProcessor(md.parser)
    md.parser.blockprocessors.register(processor, "newsgen-furniture", PRIORITY)
