"""What the renderer describes before anything is rendered: a page (``PageSpec``), the
context values worked out late (``Lazy``, ``Deferred``), and a rendered file
(``RenderedPage``). Apart from renderer.py so that fingerprinting and planning can name
them without the renderer's imports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from newsgen.content.models import Article


@dataclass(frozen=True)
class RenderedPage:
    """One output file: where it goes, which content file(s) asked for it, its text."""

    path: str
    url: str
    source: str
    text: str


class Lazy:
    """A context value computed only when the page is rendered.

    Fingerprints skip it, so it must be a pure function of the page's other context values and
    the site configuration (share links, metadata): work that is not needed to decide whether
    a page changed is not done for pages that did not.
    """

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


class Deferred:
    """A context value worked out where the page is fingerprinted (in a render worker), not
    while every page is described in the parent. Unlike :class:`Lazy` it is part of the
    fingerprint: the related-stories list of 10,000 articles is a few seconds of work that
    should run on every core."""

    __slots__ = ("make", "_value", "_done")

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make
        self._done = False
        self._value: Any = None

    @property
    def value(self) -> Any:
        if not self._done:
            self._value, self._done = self.make(), True
        return self._value


class PageSpec:
    """A page before rendering: its template and the context the template will see.

    A listing page's context is made when first asked for (``make``): a rebuild of a large
    site plans 30,000 listing pages and looks at the context of a few (describing them all
    was a second of a 100,000-article edit). ``first`` is the first article it lists."""

    __slots__ = ("path", "url", "source", "template", "first", "_context", "_make")

    def __init__(self, path: str, url: str, source: str, template: str,
                 context: dict[str, Any] | None = None,
                 make: Callable[[], dict[str, Any]] | None = None,
                 first: Article | None = None) -> None:
        self.path, self.url, self.source, self.template = path, url, source, template
        self.first = first
        self._context, self._make = context, make

    @property
    def context(self) -> dict[str, Any]:
        if self._context is None:
            assert self._make is not None
            self._context, self._make = self._make(), None
        return self._context
