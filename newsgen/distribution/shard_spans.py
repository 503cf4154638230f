"""Distribution: which search shard each publication day belongs to (see search.py).

A shard is a calendar span: a year (``2025``), a range of its months (``2025-07_12``), a
month (``2025-05``), a range of its days (``2025-05-09_16``) or a day (``2025-05-17``). A
span holding more than ``cap`` articles is halved, by the calendar and never by the articles
(months 1-6 and 7-12, then 7-9 and 10-12...; days 1-16 and 17-31 of a 31-day month, then
17-24 and 25-31...), until each part holds at most ``cap`` articles or is one day, since
Pagefind's time and memory for a shard grow with its records (benchmarks/RESULTS.md). The
boundaries are fixed, so an article added to or removed from an old span changes that span
only, and the same days always make the same shards. The one exception is a span crossing
``cap``: the article that takes it over splits it (or, on the way back, the one that takes
its parent under merges the parent's parts), a re-index of those articles, once.

Names sorted as strings in reverse are newest first (a span's name starts with its first
day, and spans are disjoint), and they begin with the year: the search page orders,
filters by year and merges "newest first" by them (static/theme/search.js).
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterator, Mapping

Day = tuple[int, int, int]  # (year, month, day) in the edition's time zone


def spans(counts: Mapping[Day, int], cap: int, recent_max: int) -> dict[Day, str]:
    """The shard name of every day in ``counts`` (articles a day). New articles land in the
    newest month, so once its year is split that month is a shard of its own whatever its
    neighbours hold, and once it holds more than ``recent_max`` articles, a shard a day: a
    new article re-indexes a month of at most ``recent_max``, or a day. When a newer month
    starts, the last one's days are grouped by the rule above (once)."""
    newest = max((day[:2] for day in counts), default=None)
    recent = sum(n for day, n in counts.items() if day[:2] == newest)
    years: dict[int, list[Day]] = {}
    for day in sorted(counts):
        years.setdefault(day[0], []).append(day)
    calendar = _Calendar(counts, cap, newest, recent > recent_max)
    for days in years.values():
        calendar.months(days, 1, 12)
    return calendar.names


class _Calendar:
    def __init__(self, counts: Mapping[Day, int], cap: int, newest: tuple[int, int] | None,
                 by_day: bool) -> None:
        self.counts = counts
        self.cap = cap
        self.newest = newest  # (year, month)
        self.by_day = by_day  # whether the newest month is split into days
        self.names: dict[Day, str] = {}

    def months(self, days: list[Day], first: int, last: int) -> None:
        """Name ``days`` (all in one year, in months first..last)."""
        year = days[0][0]
        if first == last:
            self._month(days)
            return
        whole = (first, last) == (1, 12)
        holds_newest = self.newest is not None and self.newest[0] == year \
            and first <= self.newest[1] <= last
        if (whole or not holds_newest) and sum(self.counts[d] for d in days) <= self.cap:
            name = str(year) if whole else f"{year}-{first:02d}_{last:02d}"
            self.names.update(dict.fromkeys(days, name))
            return
        for part, low, high in _halves(days, first, last, 1):
            self.months(part, low, high)

    def _month(self, days: list[Day]) -> None:
        year, month = days[0][:2]
        if (year, month) == self.newest and self.by_day:
            self.names.update((d, f"{year}-{month:02d}-{d[2]:02d}") for d in days)
        elif sum(self.counts[d] for d in days) <= self.cap:
            self.names.update(dict.fromkeys(days, f"{year}-{month:02d}"))
        else:
            self.days(days, 1, monthrange(year, month)[1])

    def days(self, days: list[Day], first: int, last: int) -> None:
        """Name ``days`` (all in one month, days first..last of it)."""
        year, month = days[0][:2]
        if first == last or sum(self.counts[d] for d in days) <= self.cap:
            span = f"{first:02d}" if first == last else f"{first:02d}_{last:02d}"
            self.names.update(dict.fromkeys(days, f"{year}-{month:02d}-{span}"))
            return
        for part, low, high in _halves(days, first, last, 2):
            self.days(part, low, high)


def _halves(days: list[Day], first: int, last: int, unit: int
            ) -> Iterator[tuple[list[Day], int, int]]:
    """The two halves of the span first..last of ``unit`` (1: months, 2: days) that hold
    any of ``days``, each with its bounds; the earlier half holds the middle."""
    middle = (first + last) // 2
    for low, high in ((first, middle), (middle + 1, last)):
        part = [d for d in days if low <= d[unit] <= high]
        if part:
            yield part, low, high
