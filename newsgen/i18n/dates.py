"""Dates and times in an edition's conventions, with Babel's CLDR data.

English keeps the house style the theme always had ("28 November 2026", ``content.times``);
every other language gets Babel's long date ("7 décembre 2026", "7 ديسمبر 2026"), its month
and weekday names, and 24-hour HH:MM in the edition's zone.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from newsgen.i18n.languages import locale


def babel_dates(language: str) -> bool:
    """Whether a site or edition in ``language`` writes its dates with Babel: every
    language but English, with or without other editions (a French newsroom's one-language
    site reads "7 décembre 2026" like its French edition would)."""
    return not language.startswith("en")


class EditionDates:
    """The date filters of one non-English site or edition. ``joined`` puts a date and a time
    together ("{date} at {time}"), translated by the theme's catalog ("{date} à {time}")."""

    def __init__(self, tag: str, zone: ZoneInfo, joined: str = "{date}, {time}") -> None:
        found = locale(tag)
        if found is None:
            raise ValueError(f"no locale data for {tag!r}")
        self.locale = found
        self.zone = zone
        self.joined = joined

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def hhmm(self, moment: datetime) -> str:
        return format_time(self.local(moment), "HH:mm", locale=self.locale)

    def long_date(self, moment: datetime) -> str:
        return format_date(self.local(moment), "long", locale=self.locale)

    def long_datetime(self, moment: datetime) -> str:
        return self.joined.format(date=self.long_date(moment), time=self.hhmm(moment))

    def weekday(self, moment: datetime) -> str:
        return format_date(self.local(moment), "EEEE", locale=self.locale)

    def month_year(self, moment: datetime) -> str:
        return format_date(self.local(moment), "LLLL y", locale=self.locale)
