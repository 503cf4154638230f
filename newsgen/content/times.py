"""Reading and showing times in the newsroom's zone.

Every time newsgen keeps is time-zone-aware. A time written without an offset belongs to the
site's zone (never the machine's ``TZ``), and one that falls into a summer-time gap is refused
rather than silently moved.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class TimeError(ValueError):
    """A time an editor wrote that cannot be used; the message says why in their words."""


def parse_time(value: object, zone: ZoneInfo) -> datetime:
    """Parse an ISO 8601 date or date-time; naive values are placed in ``zone``.

    A bare date means midnight in the site zone. YAML may hand us a ``date`` or ``datetime``
    already; strings are parsed here so that errors name the text the editor wrote.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        parsed = _parse_string(value.strip())
    else:
        raise TimeError(f"expected an ISO 8601 date or time such as 2026-03-26T21:05, "
                        f"got {type(value).__name__}")
    if parsed.tzinfo is None:
        return localize(parsed, zone)
    return parsed


def _parse_string(text: str) -> datetime:
    if not text:
        raise TimeError("the time is empty")
    candidate = text.replace(" ", "T", 1) if "T" not in text and len(text) > 10 else text
    if candidate.endswith(("Z", "z")):
        candidate = candidate[:-1] + "+00:00"
    try:
        if _DATE_ONLY.match(candidate):
            d = date.fromisoformat(candidate)
            return datetime(d.year, d.month, d.day)
        return datetime.fromisoformat(candidate)
    except ValueError as exc:
        detail = str(exc)
        if "out of range" in detail or "must be in" in detail:
            raise TimeError(f"'{text}' is not a real date or time ({detail})") from None
        raise TimeError(f"'{text}' is not an ISO 8601 date or time "
                        "(expected e.g. 2026-03-26T21:05 or 2026-03-26T21:05:00+01:00)") from None


def localize(naive: datetime, zone: ZoneInfo) -> datetime:
    """Attach ``zone`` to a wall-clock time, refusing times that the zone skips."""
    aware = naive.replace(tzinfo=zone)
    round_trip = aware.astimezone(UTC).astimezone(zone)
    if round_trip.replace(tzinfo=None) != naive:
        raise TimeError(
            f"{naive.isoformat(timespec='minutes')} does not exist in {zone.key} "
            "(the clocks skip it for summer time); write the time with an offset or pick "
            "another time"
        )
    return aware


def in_zone(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone)


def hhmm(moment: datetime, zone: ZoneInfo) -> str:
    """The ticker's clock: ``20:40`` in the site zone."""
    return in_zone(moment, zone).strftime("%H:%M")


def long_date(moment: datetime, zone: ZoneInfo) -> str:
    """``26 March 2025``: written out by hand so the machine's locale never changes it."""
    local = in_zone(moment, zone)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}"


def long_datetime(moment: datetime, zone: ZoneInfo) -> str:
    """``26 March 2025, 21:05`` in the site zone."""
    return f"{long_date(moment, zone)}, {hhmm(moment, zone)}"


def iso(moment: datetime) -> str:
    """W3C/ISO form with its offset, seconds precision: what ``datetime=`` and feeds carry."""
    return moment.isoformat(timespec="seconds")


def same_local_day(a: datetime, b: datetime, zone: ZoneInfo) -> bool:
    return in_zone(a, zone).date() == in_zone(b, zone).date()


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def earliest(*times: datetime | None) -> datetime | None:
    """The first of ``times`` that are set (when a build's output next changes by itself)."""
    known = [t for t in times if t is not None]
    return min(known) if known else None


__all__ = [
    "MONTHS", "TimeError", "parse_time", "localize", "in_zone", "hhmm", "long_date",
    "long_datetime", "iso", "same_local_day", "utc_now", "earliest",
]
