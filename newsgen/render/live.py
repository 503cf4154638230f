"""A live blog's page: its body split into the intro and one piece per update, newest
first, key events pinned on top, each with its time, author and anchor.

The body is converted once like any other (``content.live.prepare_live_body`` turns each
update heading into ``<h2 id="update-...">``); here it is cut at those headings, so the
cache, links and feeds treat a live blog like any article.
"""

from __future__ import annotations

import json
import re
from typing import Any

from markupsafe import Markup

from newsgen.content.config import SiteConfig
from newsgen.content.live import LiveUpdate
from newsgen.content.models import Article
from newsgen.content.times import iso
from newsgen.content.urls import author_url
from newsgen.distribution.structured_data import LiveEntry
from newsgen.render.markup import plain_text

_UPDATE_START = re.compile(r'(?=<h2 id="update-[0-9TZ]+">)')
_ANCHOR = re.compile(r'<h2 id="(update-[0-9TZ]+)">')
_HEADING = re.compile(r"<h2 [^>]*>.*?</h2>", re.S)


def split_updates(body_html: str) -> tuple[str, dict[str, str]]:
    """(intro HTML, {anchor: the update's HTML from its heading on})."""
    pieces = _UPDATE_START.split(body_html)
    intro, pieces = ("", pieces) if _ANCHOR.match(pieces[0]) else (pieces[0], pieces[1:])
    found: dict[str, str] = {}
    for piece in pieces:
        match = _ANCHOR.match(piece)
        if match:
            found[match.group(1)] = piece
    return intro, found


def live_context(article: Article, config: SiteConfig) -> dict[str, Any]:
    """What ``article.html`` shows of a live blog: ``state``, ``intro``, ``updates``
    (newest first) and ``key_events`` (the pinned ones, newest first)."""
    intro, pieces = split_updates(article.html)
    updates = [_update(u, pieces.get(u.anchor, ""), config)
               for u in sorted(article.updates, key=lambda u: (u.time, u.line), reverse=True)]
    return {"state": article.live_state, "coverage": article.coverage,
            "json_url": updates_url(article.url),
            "intro": Markup(intro), "updates": updates,
            "key_events": [u for u in updates if u["key"]]}


def updates_url(url: str) -> str:
    """Where an open live blog's updates are polled from: ``updates.json`` beside its
    page (``/a/b/updates.json``; ``/a/b.updates.json`` for ``.html`` permalinks)."""
    if url.endswith("/"):
        return url + "updates.json"
    return url.rsplit(".", 1)[0] + ".updates.json"


def updates_json(article: Article, config: SiteConfig) -> str:
    """The small JSON an open live page polls: its updates, newest first, as shown."""
    context = live_context(article, config)
    items = [{"id": u["anchor"], "time": iso(u["time"].astimezone(config.timezone)),
              "hhmm": u["time"].astimezone(config.timezone).strftime("%H:%M"),
              "title": u["title"], "key": u["key"],
              "author": u["author"]["name"] if u["author"] else "", "html": str(u["html"])}
             for u in context["updates"]]
    return json.dumps({"url": article.url, "updates": items}, ensure_ascii=False,
                      indent=1) + "\n"


def live_entries(context: dict[str, Any]) -> list[LiveEntry]:
    """The updates as structured data: headline, time and the text under the heading."""
    return [LiveEntry(u["anchor"], u["title"], u["time"],
                      plain_text(_HEADING.sub("", str(u["html"]), count=1)))
            for u in context["updates"]]


def _update(update: LiveUpdate, html: str, config: SiteConfig) -> dict[str, Any]:
    known = config.authors.get(update.author)
    author = {"name": known.name, "url": author_url(config.url_prefix, known.id)} if known \
        else {"name": update.author, "url": ""} if update.author else None
    return {"anchor": update.anchor, "time": update.time, "title": update.title,
            "key": update.key, "author": author, "html": Markup(html)}
