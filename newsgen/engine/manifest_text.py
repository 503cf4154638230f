"""The previous output's manifest and mtimes kept as text, for a build that changes a dozen
of a large site's 240,000 files (a headline-only build): the few entries it needs are found
in the text and replaced there, instead of parsing 40 MB of JSON into half a million objects
and writing them all out again (0.9 of that build's 1.9 CPU-seconds at 100,000 articles).

The text is what the writer's ``_dump_sorted`` makes: compact JSON, keys sorted, ASCII. In it
an entry starts with ``{"`` or ``,"``, and ``,"`` is found nowhere else but after a key ending
with a comma (a ``"`` inside a key is escaped; values are hex digests and numbers): such a text
is parsed instead (:meth:`ManifestText.of`). So the entries can be searched like a sorted list.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_DECODER = json.JSONDecoder()


class ManifestText:
    """One JSON object's text, with lookups and replacements of single entries."""

    def __init__(self, text: str) -> None:
        self.text = text

    @classmethod
    def of(cls, text: str) -> ManifestText | None:
        """``text`` to search, or None when it cannot be searched so: ``,"`` also ends a
        key that ends with a comma (which ``,":`` betrays, as it does a key that starts
        with a colon; no generated path does either)."""
        if not (text.startswith("{") and text.endswith("}")) or ',":' in text:
            return None
        return cls(text)

    @classmethod
    def read(cls, path: Path | str) -> ManifestText | None:
        try:
            with open(path, encoding="ascii") as handle:
                return cls.of(handle.read())
        except (OSError, UnicodeDecodeError):
            return None

    def _span(self, key: str) -> tuple[int, int] | None:
        """Where the value of ``key`` is in the text: a binary search over the sorted keys,
        each probe reading the key of the entry that starts next (a text not in sorted
        order may hide a key: the caller then parses it)."""
        text, low, high = self.text, 0, len(self.text)
        while low < high:  # the entry, if there, starts in [low, high)
            middle = (low + high) // 2
            at = 0 if middle == 0 else text.find(',"', middle, high + 1)
            if at < 0:
                high = middle
                continue
            try:
                found, end = _DECODER.raw_decode(text, at + 1)
                if found == key and text[end] == ":":
                    _value, value_end = _DECODER.raw_decode(text, end + 1)
                    return end + 1, value_end
            except (ValueError, IndexError):
                return None
            if not isinstance(found, str):
                return None
            if found < key:
                low = end
            else:
                high = at
        return None

    def count(self) -> int:
        """How many entries the object has."""
        return 0 if self.text == "{}" else self.text.count(',"') + 1

    def get(self, key: str) -> Any:
        """The value of ``key``, or None."""
        span = self._span(key)
        return None if span is None else json.loads(self.text[span[0]:span[1]])

    def replaced(self, values: dict[str, Any]) -> str | None:
        """The text with each key's value replaced, or None when a key is not in it (a new
        key has its place in the sorted order: the caller writes the whole object then)."""
        spans = []
        for key, value in values.items():
            span = self._span(key)
            if span is None:
                return None
            spans.append((span, json.dumps(value, separators=(",", ":"))))
        pieces, position = [], 0
        for (start, end), text in sorted(spans):
            pieces += [self.text[position:start], text]
            position = end
        pieces.append(self.text[position:])
        return "".join(pieces)
