"""Python-Markdown, pruned per body: what a body cannot match is not tried.

Python-Markdown tries every inline pattern on every text node, every block processor's
search on every block and every tree processor on the whole tree. Most bodies have no
backticks, escapes, footnotes, attribute lists or table-of-contents marker, so a substring
test on the body (or the node, or the block) decides beforehand that those searches would
find nothing. The HTML is exactly Python-Markdown's: ``tests/test_properties.py`` compares
the pruned converter with a plain one on generated bodies.
"""

from __future__ import annotations

import bisect
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterator
from typing import Any

import markdown

_BRACKET = re.compile(r"[\[\]]")


# Python-Markdown's inline patterns (3.x names) and what a body must contain for each to
# match anywhere in it (before its whitespace normalization: tabs become spaces, CR LF
# becomes LF); a pattern not listed here always runs.
_TRIGGERS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",), "escape": ("\\",), "footnote": ("[^",), "reference": ("[",),
    "link": ("[",), "image_link": ("![",), "image_reference": ("![",),
    "short_reference": ("[",), "short_image_ref": ("![",), "autolink": ("<",),
    "automail": ("<",), "linebreak": ("  \n", "  \r", "\t"), "entity": ("&",),
    "em_strong": ("*", "_"), "em_strong2": ("_",), "not_strong": ("*", "_"),
}


# Python-Markdown's block processors that search a whole block with a regular expression (a
# third of parsing time), and substrings of which a block must contain one for the search to
# match: "test" processors are not tried without one, "run" processors (which always say
# they apply, then search and give the block back) step aside at once.
_BLOCK_TRIGGERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "hashheader": ("test", ("#",)), "setextheader": ("test", ("\n=", "\n-")),
    "hr": ("test", ("-", "_", "*")), "deflist": ("test", (":",)), "quote": ("test", (">",)),
    "table": ("test", ("|",)), "footnote": ("run", ("[^",)), "abbr": ("run", ("*[",)),
    "reference": ("run", ("]:",)),
}


class _GuardedRegex:
    """An inline pattern's regex that scans a text node only if the node contains one of
    the pattern's trigger substrings (a substring test is a fast ``memchr``; a regex with
    look-behinds and alternations tries every position). Python-Markdown tries every
    pattern on every text node, so most scans find nothing."""

    __slots__ = ("regex", "contains")

    def __init__(self, regex: re.Pattern[str], needles: tuple[str, ...]) -> None:
        self.regex = regex
        self.contains = _contains_any(needles)

    def finditer(self, data: str, pos: int = 0) -> Iterator[re.Match[str]]:
        return self.regex.finditer(data, pos) if self.contains(data) else iter(())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.regex, name)


class _ListedRegistry(markdown.util.Registry):
    """A registry that keeps its sorted list between changes: Python-Markdown's rebuilds it
    each time the block parser walks its processors (for every block) and each time the
    inline processor takes a pattern by position (for every pattern on every text node)."""

    _listed: list[Any] | None = None

    def __iter__(self) -> Iterator[Any]:
        return iter(self._list())

    def __getitem__(self, key: Any) -> Any:
        return self._list()[key] if isinstance(key, int) else super().__getitem__(key)

    def _list(self) -> list[Any]:
        if self._listed is None:
            self._listed = list(super().__iter__())
        return self._listed

    def register(self, item: Any, name: str, priority: float) -> None:
        self._listed = None
        super().register(item, name, priority)

    def deregister(self, name: str, strict: bool = True) -> None:
        self._listed = None
        super().deregister(name, strict)


class _BracketEnds:
    """For every index of a text node, the index just past the ``]`` that closes a bracket
    opened before it, or None: what Python-Markdown's ``_findBracketEnds`` computes (3.10+)
    for its link patterns, char by char in Python (21 % of a body's conversion in cProfile;
    1,000 corpus bodies took 2.08 ms each with it, 1.70-1.82 ms with this). Only brackets
    change the depth, so every stretch of text between two brackets has one answer: they
    are found with a regular expression and answered by bisection."""

    __slots__ = ("positions", "ends")

    def __init__(self, data: str) -> None:
        self.positions = [match.start() for match in _BRACKET.finditer(data)]
        # Stretch k holds the indexes p with positions[k - 1] < p <= positions[k].
        ends: list[int | None] = [None] * (len(self.positions) + 1)
        stack: list[tuple[int, int]] = []  # (stretch, depth), depths rising to the top
        depth = 0
        for stretch, position in enumerate(self.positions):
            stack.append((stretch, depth))
            depth += 1 if data[position] == "[" else -1
            while stack and depth < stack[-1][1]:
                ends[stack.pop()[0]] = position + 1
        self.ends = ends

    def __getitem__(self, index: int) -> int | None:
        return self.ends[bisect.bisect_left(self.positions, index)]


def _as_is(lines: list[str]) -> list[str]:
    return lines


def _no_contents(tokens: list[dict[str, Any]]) -> etree.Element:
    return etree.Element("div")


def _contains_any(needles: tuple[str, ...]) -> Callable[[str], bool]:
    """A test for "text contains one of ``needles``" (a generator in ``any()`` would cost
    more than the search it saves on a short block)."""
    if len(needles) == 1:
        needle = needles[0]
        return lambda text: needle in text

    def contains(text: str) -> bool:
        for needle in needles:
            if needle in text:
                return True
        return False
    return contains


def _guard_block(method: Callable[..., Any], needles: tuple[str, ...], kind: str
                 ) -> Callable[..., Any]:
    """``method`` (a block processor's ``test`` or ``run``) answering False at once for a
    block without any of ``needles``: what it would answer after a fruitless search."""
    contains = _contains_any(needles)
    if kind == "test":
        return lambda parent, block: contains(block) and method(parent, block)
    return lambda parent, blocks: contains(blocks[0]) and method(parent, blocks)


def _unchanged(root: etree.Element) -> None:
    return None


class Pruner:
    """Set up once on a converter's Python-Markdown instance; :meth:`fit` before each body."""

    def __init__(self, md: markdown.Markdown) -> None:
        self.md = md
        self.patterns = {name: (md.inlinePatterns[name], priority)
                         for name, priority in ((item.name, item.priority)
                                                for item in md.inlinePatterns._priority)
                         if name in _TRIGGERS}
        self.inactive: set[str] = set()
        self.fenced: Any = md.preprocessors["fenced_code_block"]
        self.fenced_run = self.fenced.run
        self.toc: Any = md.treeprocessors["toc"]
        self.toc_marker: str = self.toc.marker
        self.toc_div = self.toc.build_toc_div
        # Attribute lists are ``{...}`` and only backslash escapes leave the digits-between-
        # STX-and-ETX that the unescape step restores: without "{" or "\\" they find nothing.
        self.unless = {name: (needle, md.treeprocessors[name], md.treeprocessors[name].run)
                       for name, needle in (("attr_list", "{"), ("unescape", "\\"))
                       if name in md.treeprocessors}
        md.parser.blockprocessors.__class__ = _ListedRegistry
        md.inlinePatterns.__class__ = _ListedRegistry
        for name, (pattern, _priority) in self.patterns.items():
            pattern.compiled_re = _GuardedRegex(pattern.compiled_re, _TRIGGERS[name])
        processors = md.parser.blockprocessors
        for name, (kind, needles) in _BLOCK_TRIGGERS.items():
            if name in processors:
                processor = processors[name]
                setattr(processor, kind, _guard_block(getattr(processor, kind), needles, kind))
        for pattern in md.inlinePatterns:
            if hasattr(pattern, "_findBracketEnds"):  # Python-Markdown 3.10 and later
                pattern._findBracketEnds = _BracketEnds

    def fit(self, text: str) -> None:
        """Leave out the inline patterns that cannot match ``text``: Python-Markdown tries
        each of them on every text node, half of a body's conversion time, and most bodies
        have no backticks, escapes, images, footnotes, autolinks or entities. The same
        goes for the fenced-code preprocessor (a search of the whole body), the
        table-of-contents marker and the tree processors named in ``unless``."""
        if "\x02" in text or "\x03" in text:  # removed first thing: "`\x02``" is a fence
            text = text.replace("\x02", "").replace("\x03", "")
        for name, triggers in _TRIGGERS.items():
            if name not in self.patterns:
                continue
            possible = any(trigger in text for trigger in triggers)
            if possible and name in self.inactive:
                pattern, priority = self.patterns[name]
                self.md.inlinePatterns.register(pattern, name, priority)
                self.inactive.discard(name)
            elif not possible and name not in self.inactive:
                self.md.inlinePatterns.deregister(name)
                self.inactive.add(name)
        # The table-of-contents extension walks the whole tree for its marker paragraph; a
        # body without its text has none, nor a use for the list it serializes to ``md.toc``.
        marked = self.toc_marker in text
        self.toc.marker = self.toc_marker if marked else ""
        self.toc.build_toc_div = self.toc_div if marked else _no_contents
        self.fenced.run = self.fenced_run if "```" in text or "~~~" in text else _as_is
        for needle, processor, run in self.unless.values():
            processor.run = run if needle in text else _unchanged
