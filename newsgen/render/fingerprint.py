"""Fingerprints of page contexts: a page is re-rendered only when what its template sees
changed.

The fingerprint is computed from the very context handed to the template, walked generically,
so a context key added tomorrow is covered without anyone remembering to list it. Articles
stand in by their content key (source text plus resolved links), not their full text, which
keeps fingerprinting a 10,000-article site cheap. The build clock is not part of ``site``'s
fingerprint: a page that shows the time must get it through its own context (the front page
does), and an article's draft/scheduled state is folded into its key.
"""

from __future__ import annotations

import dataclasses
import zlib
from array import array
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from newsgen.content.models import Article
from newsgen.engine.digests import digest
from newsgen.render.specs import Deferred, Lazy

UNKNOWN_ARTICLE = 0xFFFFFFFF  # a ref to an article outside the site's list: always "changed"


def article_ids(articles: Iterable[Article]) -> dict[str, int]:
    """Each article's id in page records' refs: a CRC-32 of its slug, the same in every
    build whatever else is published (positions in the site's list would shift for every
    older article when one is added). Two slugs sharing an id make a page that shows one
    look at again when the other changes: more work, never a stale page."""
    return {a.slug: zlib.crc32(a.slug.encode()) for a in articles}


class Fingerprinter:
    """Also notes which articles each context shows (``refs``): by their id in ``ids``
    (:func:`article_ids`), which lets the next build skip fingerprinting
    pages whose articles did not change (see ``pages.py``)."""

    def __init__(self, now: datetime, salt: str, ids: dict[str, int] | None = None
                 ) -> None:
        self.now = now
        self.salt = salt
        self.ids = ids or {}
        self._memo: dict[int, Any] = {}
        self._articles: dict[str, tuple[Article, Any]] = {}
        self._refs: set[int] = set()

    def of(self, template: str, context: dict[str, Any]) -> tuple[str, bytes]:
        """The context's fingerprint, and the ids of the articles it shows."""
        self._refs = set()
        fingerprint = digest(self.salt, template, repr(self.canonical(context)))
        return fingerprint, array("I", sorted(self._refs)).tobytes()

    def canonical(self, value: Any) -> Any:
        if value is None or isinstance(value, (str, int, float, bool)):
            return value
        if isinstance(value, Lazy):
            return "lazy"
        if isinstance(value, Deferred):
            return self.canonical(value.value)
        if isinstance(value, Article):
            self._refs.add(self.ids.get(value.slug, UNKNOWN_ARTICLE))
            known = self._articles.get(value.slug)
            if known is None or known[0] is not value:
                known = (value, ("A", value.digest, value.url,
                                 tuple(t.name for t in value.tags), value.date > self.now))
                self._articles[value.slug] = known
            return known[1]
        if isinstance(value, (datetime, date)):
            return value.isoformat()
        if isinstance(value, ZoneInfo):
            return value.key
        if isinstance(value, dict):
            return tuple(sorted((repr(k), self.canonical(v)) for k, v in value.items()))
        if isinstance(value, (list, tuple)):
            return tuple(self.canonical(v) for v in value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self._dataclass(value)
        return repr(value)

    def _dataclass(self, value: Any) -> Any:
        key = id(value)
        cached = self._memo.get(key)
        if cached is not None and cached[0] is value:
            self._refs |= cached[2]
            return cached[1]
        outer, self._refs = self._refs, set()
        fields = tuple((f.name, self.canonical(getattr(value, f.name)))
                       for f in dataclasses.fields(value) if f.name != "now")
        result = (type(value).__name__, fields)
        if len(self._memo) < 100_000:
            self._memo[key] = (value, result, frozenset(self._refs))
        self._refs |= outer
        return result
