"""How a listing (a section, tag, author or month) is cut into pages: see README, Pagination.

``oldest`` (the default): the listing's own URL shows the newest ``per_page`` articles;
older articles sit in full chunks counted from the oldest, chunk k at ``page/<k>/``, so a
page's URL and articles never change once it exists and a new article changes only the
listing's own URL (and, once a chunk fills, the page whose "Newer" link and numbered links
see the new page). ``newest``: page k holds the k-th ``per_page`` newest, so every new
article shifts every page; kept for sites whose URLs depend on it.

The renderer, the sitemap and the dependency model all cut listings with these functions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ORDERS = ("oldest", "newest")  # ``pagination.order``; the first is the default
WINDOW = 2  # numbered links on each side of the current page, ``oldest`` order


@dataclass(frozen=True)
class ListingPage:
    """One page of a listing: its number and the slice of the listing (newest first)."""

    number: int  # ``oldest``: 0 for the listing's own URL, k for ``page/<k>/``; ``newest``: 1..
    start: int
    stop: int
    first: bool  # served at the listing's own URL


def archive_pages(count: int, per_page: int) -> int:
    """``oldest`` order: the full chunks, counted from the oldest, that hold at least one
    article the listing's own URL does not show (the chunk the first page covers, partial
    or full, never gets a page of its own: it would repeat the listing's own URL)."""
    return max(0, math.ceil(count / per_page) - 1)


def listing_pages(count: int, per_page: int, order: str) -> list[ListingPage]:
    """The pages of a listing of ``count`` articles, the listing's own URL first, then older
    and older pages (the order of the "Older" links)."""
    if order == "newest":
        total = max(1, math.ceil(count / per_page))
        return [ListingPage(n, (n - 1) * per_page, min(n * per_page, count), n == 1)
                for n in range(1, total + 1)]
    pages = [ListingPage(0, 0, min(per_page, count), True)]
    for number in range(archive_pages(count, per_page), 0, -1):
        stop = count - (number - 1) * per_page
        pages.append(ListingPage(number, stop - per_page, stop, False))
    return pages


def page_url(base: str, page: ListingPage) -> str:
    """Where ``page`` of the listing at ``base`` lives."""
    return base if page.first else f"{base}page/{page.number}/"


def changed_pages(count: int, per_page: int, order: str,
                  added: list[int]) -> frozenset[int] | None:
    """The numbers of the pages that can differ once the articles at ``added`` (indexes in
    the listing of ``count`` articles, newest first) were added; None for every page.

    ``oldest``: the listing's own URL; the chunks from the one the oldest addition falls
    in (all of them newer: usually none, as a new article is the newest); and when the number
    of pages grows, the new pages and the ones within ``WINDOW`` below the old newest page,
    whose "Newer" and numbered links change."""
    if order == "newest":
        return None
    before = archive_pages(count - len(added), per_page)
    after = archive_pages(count, per_page)
    lowest = (count - 1 - max(added)) // per_page + 1
    if after != before:
        lowest = min(lowest, before - WINDOW + 1)
    return frozenset({0, *range(max(1, lowest), after + 1)})


@dataclass(frozen=True)
class Pagination:
    """What a listing's template sees as ``pagination``. ``urls`` are indexed by page number
    less the first number (1 in ``newest`` order, 0 in ``oldest``)."""

    number: int
    count: int  # pages in the listing, its own URL included
    urls: tuple[str, ...]
    order: str = "newest"

    @property
    def first(self) -> bool:
        """This page is the listing's own URL (the newest articles)."""
        return self.number == (1 if self.order == "newest" else 0)

    @property
    def prev_url(self) -> str:
        """The "Newer" link."""
        if self.order == "newest":
            return self.urls[self.number - 2] if self.number > 1 else ""
        if self.first:
            return ""
        return self.urls[0] if self.number == self.count - 1 else self.urls[self.number + 1]

    @property
    def next_url(self) -> str:
        """The "Older" link."""
        if self.order == "newest":
            return self.urls[self.number] if self.number < self.count else ""
        if self.number == 1 or self.count == 1:
            return ""
        return self.urls[-1] if self.first else self.urls[self.number - 1]

    @property
    def links(self) -> list[tuple[int, str]]:
        """(number, URL) of the numbered links, newer first; number 0 is the listing's own
        URL. ``oldest`` shows the own URL, ``WINDOW`` pages each side of this one and page 1,
        so that a full page's links never change when newer pages appear beyond the window."""
        if self.order == "newest":
            return list(enumerate(self.urls, start=1))
        newest = self.count - 1
        centre = self.number or newest + 1
        window = range(min(newest, centre + WINDOW), max(1, centre - WINDOW) - 1, -1)
        numbers = [0, *window] + ([1] if newest and 1 not in window else [])
        return [(n, self.urls[n]) for n in numbers]
