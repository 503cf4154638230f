"""The previous output's manifest and mtimes kept as text, for a build that changes a dozen
of a large site's 240,000 files (a headline-only build): the few entries it needs are found
in the text and replaced there, instead of parsing 40 MB of JSON into half a million objects
and writing them all out again (0.9 of that build's 1.9 CPU-seconds at 100,000 articles).

The text is what the writer's ``_dump_sorted`` makes: compact JSON, keys sorted, ASCII. In it
an entry starts with ``{"`` or ``,"`` and nowhere else (a ``"`` inside a key is escaped), so
``,"<key>":`` found is that key's entry.
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
    def read(cls, path: Path | str) -> ManifestText | None:
        try:
            with open(path, encoding="ascii") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError):
            return None
        return cls(text) if text.startswith("{") and text.endswith("}") else None

    def _span(self, key: str) -> tuple[int, int] | None:
        """Where the value of ``key`` is in the text."""
        token = json.dumps(key) + ":"
        for before in ("{", ","):
            found = self.text.find(before + token)
            if found >= 0:
                start = found + 1 + len(token)
                try:
                    _value, end = _DECODER.raw_decode(self.text, start)
                except ValueError:
                    return None
                return start, end
        return None

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
