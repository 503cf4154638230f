"""Live blogs: ``live: true`` articles whose body holds timestamped updates.

The layout is one file, updates as level-2 headings that start with their time, newest or
oldest first as the desk prefers (the page sorts them):

    ## 2026-11-29 14:05 Ferry services suspended {key, by=amara-haddad}

The time is ISO 8601 (a space or ``T`` between date and time; no offset = site zone);
``{...}`` at the end is optional: ``key`` pins the update on top, ``by=`` names its author
(an author id or a plain name). One file keeps an editor's several updates an hour to one
edit at the top of one file, and the whole story readable in any Markdown viewer.
``coverage: {start, end}`` says when the desk covers it live; ``end`` may be left out while
the coverage is open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from newsgen.content.fields import FieldReader
from newsgen.content.times import TimeError, iso, parse_time
from newsgen.engine.digests import digest
from newsgen.errors import SourceLocation

UPDATE_HEADING = re.compile(r"^##[ \t]+(?!#)(.*?)[ \t]*$")
_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)"
                   r"[ \t]+(.+?)$")
_OPTIONS = re.compile(r"^(.*?)[ \t]*\{([^{}]*)\}$")


@dataclass(frozen=True)
class LiveUpdate:
    """One update, as written: ``author`` is an id or a plain name; ``anchor`` is the
    fragment of its permalink (from its time, so it never changes)."""

    time: datetime
    title: str
    line: int
    key: bool = False
    author: str = ""

    @property
    def anchor(self) -> str:
        return "update-" + self.time.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%MZ")


@dataclass(frozen=True)
class Coverage:
    start: datetime
    end: datetime | None = None

    def is_open(self, now: datetime) -> bool:
        return self.start <= now and (self.end is None or now < self.end)


def read_updates(body: str, zone: ZoneInfo) -> tuple[list[LiveUpdate], list[tuple[int, str]]]:
    """The updates of a live body (in file order) and (line within body, message) for
    every heading that is not a valid update."""
    updates: list[LiveUpdate] = []
    problems: list[tuple[int, str]] = []
    in_code = False
    for number, line in enumerate(body.split("\n"), start=1):
        if line.startswith(("```", "~~~")):
            in_code = not in_code
        match = None if in_code else UPDATE_HEADING.match(line)
        if match is None:
            continue
        found = _TIME.match(match.group(1))
        if found is None:
            problems.append((number, "a live update heading must start with its time: "
                                     "'## 2026-11-29 14:05 What happened'"))
            continue
        try:
            when = parse_time(found.group(1).replace(" ", "T"), zone)
        except TimeError as exc:
            problems.append((number, f"update time: {exc}"))
            continue
        title, key, author = _options(found.group(2))
        if isinstance(key, str):
            problems.append((number, key))
            continue
        updates.append(LiveUpdate(when, title, number, key, author))
    return updates, problems


def _options(text: str) -> tuple[str, bool | str, str]:
    """(title, key, author) of a heading's rest; ``key`` is a message when ``{}`` holds
    something unknown."""
    match = _OPTIONS.match(text)
    if match is None:
        return text, False, ""
    key, author = False, ""
    for part in (p.strip() for p in match.group(2).split(",")):
        if part == "key":
            key = True
        elif part.startswith("by="):
            author = part[3:].strip()
        elif part:
            return text, (f"unknown update option '{part}'; use 'key' and 'by=AUTHOR', "
                          "e.g. {key, by=amara-haddad}"), ""
    return match.group(1), key, author


def live_heading_line(update: LiveUpdate) -> str:
    """The Markdown a live heading converts as: its title, with its anchor as the id (the
    table-of-contents extension keeps it and adds the permalink)."""
    return f"## {update.title} {{: #{update.anchor} }}"


def prepare_live_body(body: str, updates: list[LiveUpdate] | tuple[LiveUpdate, ...],
                      held: tuple[LiveUpdate, ...] = ()) -> str:
    """The body as converted: each update heading becomes its title with its anchor; a
    ``held`` update (timed after the build's now) is blanked from its heading to the next
    update's, so no page, feed or index can show it early. Blank lines, not fewer lines:
    the converter's messages keep the file's line numbers."""
    lines = body.split("\n")
    for update in updates:
        lines[update.line - 1] = live_heading_line(update)
    starts = sorted({u.line for u in (*updates, *held)})
    for update in held:
        later = [line for line in starts if line > update.line]
        end = later[0] - 1 if later else len(lines)
        lines[update.line - 1:end] = [""] * (end - update.line + 1)
    return "\n".join(lines)


def hold_back(updates: tuple[LiveUpdate, ...], now: datetime
              ) -> tuple[tuple[LiveUpdate, ...], tuple[LiveUpdate, ...]]:
    """(shown, held): updates timed after ``now`` wait like an embargoed article."""
    return (tuple(u for u in updates if u.time <= now),
            tuple(u for u in updates if u.time > now))


def held_body_key(key: str, held: tuple[LiveUpdate, ...]) -> str:
    """The body key of a live blog with ``held`` updates blanked: another text to convert
    (and to cache) than the whole file, and the same again once they are all shown."""
    return digest(key, "held", *(u.anchor for u in held)) if held else key


def read_live(fields: FieldReader, body: str, body_line: int
              ) -> tuple[Coverage | None, tuple[LiveUpdate, ...]]:
    """Coverage and updates of a ``live: true`` article; every mistake goes to
    ``fields.problems`` at its line (front matter or body)."""
    coverage = None
    if fields.mapping("coverage", ("start", "end")) is None:
        fields.error("a live blog needs 'coverage: {start: TIME}' (and 'end' once it is "
                     "over)", "live", code="live")
    else:
        start = fields.time(("coverage", "start"), required=True)
        end = fields.time(("coverage", "end"))
        if start and end and end < start:
            fields.error("'coverage.end' is before 'coverage.start'", "coverage", "end",
                         code="live")
        elif start:
            coverage = Coverage(start, end)
    updates, problems = read_updates(body, fields.zone)
    source = fields.doc.source
    for number, message in problems:
        fields.problems.error(SourceLocation(source, body_line + number - 1), message, "live")
    kept = []
    for update in updates:
        where = SourceLocation(source, body_line + update.line - 1)
        if coverage and (update.time < coverage.start
                         or (coverage.end and update.time > coverage.end)):
            until = f" to {iso(coverage.end)}" if coverage.end else " on"
            fields.problems.error(where, f"update at {iso(update.time)} is outside the "
                                  f"coverage ({iso(coverage.start)}{until})", "live")
            continue
        kept.append(update)
    return coverage, tuple(kept)


def live_body_key(body: str, zone: ZoneInfo) -> str:
    """A live body's cache key: it converts unlike the same text in a plain article (its
    headings become anchored titles), and its anchors follow from times read in ``zone``."""
    return digest(body, "live", zone.key)
