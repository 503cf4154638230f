"""Times: naive values belong to the site zone, gaps are refused, the machine TZ is ignored."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from newsgen.content.times import TimeError, long_date, parse_time

LISBON = ZoneInfo("Europe/Lisbon")


def test_naive_time_is_in_the_site_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    import time
    for machine in ("Asia/Tokyo", "America/Adak"):
        monkeypatch.setenv("TZ", machine)
        time.tzset()
        assert parse_time("2026-07-01T10:00", LISBON) == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    monkeypatch.delenv("TZ")
    time.tzset()


@pytest.mark.parametrize(("text", "message"), [
    ("2026-03-29T01:30", "does not exist in Europe/Lisbon"),
    ("2026-02-30", "not a real date"), ("2026-13-01T10:00", "not a real date"),
    ("next tuesday", "not an ISO 8601"), ("", "empty"), ("2026-03-20T24:30", "date"),
])
def test_refused(text: str, message: str) -> None:
    with pytest.raises(TimeError, match=message):
        parse_time(text, LISBON)


@pytest.mark.parametrize("value", [[2024], 2024, True, {"a": 1}, None])
def test_non_text_values(value: object) -> None:
    with pytest.raises(TimeError):
        parse_time(value, LISBON)


def test_offsets_and_dates() -> None:
    assert parse_time("2026-03-29T01:30Z", LISBON).utcoffset().total_seconds() == 0
    assert parse_time("2026-03-20", LISBON) == datetime(2026, 3, 20, tzinfo=LISBON)
    assert parse_time("2026-10-25 01:30", LISBON).tzinfo is LISBON  # the repeated hour: first


def test_long_date_ignores_locale() -> None:
    assert long_date(datetime(2026, 3, 26, 23, 30, tzinfo=UTC), LISBON) == "26 March 2026"
