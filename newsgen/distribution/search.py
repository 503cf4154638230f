"""Distribution: the site's search index, built with Pagefind, in shards of calendar spans.

A site with several languages gets one index per edition, under the edition's own folder
(``/pagefind/`` for the default edition, ``/fr/pagefind/`` for French), built from that
edition's articles only and tagged with its language: Pagefind stems (and, for Arabic,
segments) words by the record's language, and a search page that loaded one index for every
language would pay for all of them before its first result. Per-edition folders mirror the
editions' pages, so one edition's new article re-indexes a shard of that edition alone and a
site with one language is laid out exactly as before.

Each published article becomes one Pagefind record (headline, dek, byline and body text;
never the ticker, menus or related lists) with its section, authors, tags and year as
filters and its date as the sort key. Records go to the Pagefind indexer in memory and its
files come back in memory, so they pass through the build's writer like every other output
and nothing is read back from disk. Drafts, embargoed and expired articles are not in
``site.articles`` and so are never indexed.

The index is sharded by calendar spans of publication (shard_spans.py): a year
(``/pagefind/2025/``) while it holds at most SHARD_MAX articles, else halves of it, quarters,
months (``/pagefind/2025-07_12/``, ``/pagefind/2025-05/``), and a month over SHARD_MAX by
halves of its days down to single days (``/pagefind/2025-05-09_16/``); the site's newest
month is a shard of its own, by day once it holds more than RECENT_MAX articles
(``/pagefind/2026-11-29/``). The boundaries are the calendar's, so an article added to an
old month moves none of its neighbours. The search page loads the newest shards first and
merges older ones with Pagefind's ``mergeIndex`` only when the reader asks for them. A new
article re-indexes only its shard (a small one: new articles land in the newest month), an
edit to an old article a shard of at most SHARD_MAX, and indexing memory is bounded by the
largest shard rather than the whole archive. Each shard carries a key of everything its
records hold; a shard whose key is unchanged is not rebuilt.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from html import unescape
from pathlib import Path
from typing import Any

import babel

from newsgen.content.models import Article, Site
from newsgen.content.times import in_zone, long_date
from newsgen.distribution.pagefind_files import canonical
from newsgen.distribution.shard_spans import spans
from newsgen.engine.digests import digest
from newsgen.i18n.catalogs import translations
from newsgen.i18n.dates import EditionDates, babel_dates

SEARCH_DIR = "pagefind"
FORMAT = "search-3"  # part of every shard key: change it when records change (3: dates)
INSTALL_HINT = ("install the Pagefind indexer with `pip install 'pagefind[bin]'` (or put "
                "a `pagefind` binary on PATH), or set `search: false` in newsgen.yaml")
# Articles a shard holds at most, but for one day's: a calendar span holding more is halved
# (shard_spans.py). Pagefind's cost grows with a shard's records (pagefind 1.5.2, 100k-corpus
# bodies, benchmarks/search_shards.py): 1.74 ms of CPU and 0.21 MiB of peak memory a record, so
# 600 records take ~1.0 s and ~140 MiB, a third of the 3 s an edit to an old article may
# take at 100,000 articles and under a quarter of its 600 MB; 1,000 took 1.75 s and
# 225 MiB, 3,000 (a whole month there) 5.2 s and 630 MiB. Smaller shards cost a reader who
# searches the whole archive more requests (an entry, metadata and index chunk each).
SHARD_MAX = 600
# Articles the newest month's shard holds before it is split into days. Measured with
# pagefind 1.5.2 on 10k-corpus bodies under a load of ~3.5 on 2 cores: 100 records 0.35 s,
# 300 records 0.87 s, 600 1.97 s, 1,000 3.4 s; so a new article (which lands in the newest
# month) re-indexes in about a second at most. A 100,000-article archive publishes ~90 a
# day, so its newest month is split into days; older months stay whole (fewer shards for a
# reader who searches the whole archive).
RECENT_MAX = 300
# Stories the search page's first shards hold, at least, before it searches: the newest
# shards are loaded until they hold this many, and older ones on the reader's demand. Each
# shard a query touches costs its entry, metadata and index chunks (benchmarks/RESULTS.md).
FIRST_BATCH = 500
_BATCH = 32  # records sent before their answers are read
# Pagefind's own search UIs (the theme has its own page) and its web worker (the page runs
# Pagefind on the main thread: the worker cost 40 KiB before the first result) are left out.
_UNUSED = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.",
           "pagefind-highlight.js", "pagefind-worker.js")


class SearchUnavailable(Exception):
    """The indexer is missing or failed; the message says what to do about it."""


@dataclass(frozen=True)
class Shard:
    """The articles of one calendar span (in the edition's time zone) and the key of their
    records."""

    name: str
    articles: tuple[Article, ...]
    key: str
    root: str = SEARCH_DIR + "/"  # the edition's search folder, see search_root

    @property
    def folder(self) -> str:
        return f"{self.root}{self.name}/"


def search_root(site: Site) -> str:
    """Where an edition's shards go, relative to the output folder and to its page prefix:
    ``pagefind/`` in the default edition (and on a site with one language), ``fr/pagefind/``
    in the French one."""
    edition = site.config.edition
    return f"{edition}/{SEARCH_DIR}/" if edition else f"{SEARCH_DIR}/"


def shard_sizes(site: Site) -> list[tuple[str, int]]:
    """The shards' names and article counts, newest first: the order the search page loads
    them in (it loads the newest until they hold enough articles, then older on demand)."""
    return [(name, len(articles))
            for name, articles in sorted(_groups(site).items(), reverse=True)]


def shards(site: Site) -> list[Shard]:
    """Every shard, newest first, keyed by what its records are made of (see _member)."""
    result = []
    words = _Words(site)
    root = search_root(site)
    config = site.config
    # What every record of the edition reads from the configuration (and Babel, which
    # writes its dates); each article's own part comes from the loader's keys (_member).
    head = digest(FORMAT, config.language, words.by, str(config.timezone), babel.__version__,
                  str(bool(config.editions)), config.url_prefix,
                  *(f"{s.id}\t{s.title}" for s in site.sections))
    for name, articles in sorted(_groups(site).items(), reverse=True):
        key = digest(head, *(_member(site, a, words) for a in articles))
        result.append(Shard(name, tuple(articles), key, root))
    return result


def _member(site: Site, article: Article, words: _Words) -> str:
    """An article's part of its shard's key: its front matter's and shown body's keys, and
    what its record takes from elsewhere (address, byline and tag names, the picture's
    renditions). Dumping every record's fields to JSON instead was 3 s of each rebuild at
    100,000 articles (cProfile), for keys that change only when these do. An article made
    outside the loader has no front-matter key: its fields are dumped."""
    front = article.front_key or json.dumps(_fields(site, article, words), sort_keys=True)
    part = "\t".join((article.url, front, article.body_digest, article.section,
                      "\x1f".join(a.name for a in article.authors),
                      "\x1f".join(t.name for t in article.tags)))
    if article.image is not None:
        part += json.dumps(_image_meta(site.config.url_prefix, article), sort_keys=True)
    return part


class _Words:
    """What a record says in its edition's language: the byline's "By" from the theme's
    catalog, and the date as the edition's pages write it (the theme's English house style
    in English, Babel's long date in every other language)."""

    def __init__(self, site: Site) -> None:
        config = site.config
        self.by = translations(config.language, config.site_dir).gettext("By %(names)s")
        self._dates = None
        if babel_dates(config.language):
            self._dates = EditionDates(config.language, config.timezone)
        self._zone = config.timezone

    def date(self, article: Article) -> str:
        if self._dates is None:
            return long_date(article.date, self._zone)
        return self._dates.long_date(article.date)


def _groups(site: Site) -> dict[str, list[Article]]:
    """Articles by shard, each in ``site.articles``' order: calendar spans of at most
    SHARD_MAX articles, the newest month by day past RECENT_MAX (see shard_spans.py).
    Calendar units, so an article's shard never depends on its neighbours' edits."""
    zone = site.config.timezone
    days = [(article, in_zone(article.date, zone)) for article in site.articles]
    counts = Counter((when.year, when.month, when.day) for _, when in days)
    names = spans(counts, SHARD_MAX, RECENT_MAX)
    groups: dict[str, list[Article]] = {}
    for article, when in days:
        groups.setdefault(names[when.year, when.month, when.day], []).append(article)
    return groups


def _fields(site: Site, article: Article, words: _Words) -> dict[str, Any]:
    """Everything of a record but the body text: meta, filters and sort key."""
    config = site.config
    section = next((s for s in site.sections if s.id == article.section), None)
    year = str(in_zone(article.date, config.timezone).year)
    meta = {"title": article.title, "dek": article.summary, "date": words.date(article),
            "section": section.title if section else article.section,
            "byline": ", ".join(a.name for a in article.authors)}
    if article.image is not None:
        meta.update(_image_meta(config.url_prefix, article))
    filters = {"section": [meta["section"]], "year": [year],
               "author": [a.name for a in article.authors],
               "tag": [t.name for t in article.tags]}
    return {"url": article.url, "meta": {k: v for k, v in meta.items() if v},
            "filters": {k: v for k, v in filters.items() if v},
            "sort": {"date": article.date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}}


def _image_meta(prefix: str, article: Article) -> dict[str, str]:
    """The result's picture: the smallest fallback rendition (JPEG, or PNG) once photos are
    processed, which every browser shows, rather than the full-size original; with its size,
    so a result list that shows it does not shift."""
    image = article.image
    assert image is not None
    src, width, height = image.src, image.width, image.height
    if image.renditions is not None and image.renditions.fallback:
        small = image.renditions.fallback[0]
        src, width, height = small.url, small.width, small.height
    meta = {"image": prefix + src if src.startswith("/") else src, "image_alt": image.alt}
    if width and height:
        meta.update(image_width=str(width), image_height=str(height))
    return meta


def record(site: Site, article: Article, words: _Words | None = None) -> dict[str, Any]:
    """The Pagefind record of one article: the story's text, and nothing around it, in its
    edition's language (which Pagefind stems and segments the words by)."""
    words = words or _Words(site)
    fields = _fields(site, article, words)
    byline = fields["meta"].get("byline", "")
    text = "\n".join(part for part in (article.title, article.summary,
                                       words.by % {"names": byline} if byline else "",
                                       body_text(article.html)) if part)
    return {**fields, "content": text, "language": site.config.language}


def body_text(html: str) -> str:
    """The text of a converted body, one line per block. Python-Markdown's output is
    well-formed (``>`` in attributes is escaped), so tags are dropped by pattern: the
    standard library's HTMLParser took 1.2 s for 1,000 bodies, most of the index time."""
    html = _HIDDEN.sub("", html)
    return unescape(_TAG.sub("", _BLOCK_END.sub("\n", html)))


_HIDDEN = re.compile(r"<(script|style|template)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|blockquote|figcaption|pre|tr|div|dd|dt)\s*>"
                        r"|<br\s*/?>", re.I)
_TAG = re.compile(r"<[^>]*>")


def index_shard(indexer: Indexer, site: Site, shard: Shard) -> list[tuple[str, bytes]]:
    """The files of one shard, as (output path, bytes), sorted by path."""
    index_id = indexer.new_index()
    words = _Words(site)
    indexer.add_records(index_id, (record(site, article, words) for article in shard.articles))
    try:
        files = canonical(indexer.files(index_id))
    except ValueError as exc:  # a Pagefind whose file format newsgen does not know
        raise SearchUnavailable(f"the Pagefind indexer wrote files newsgen cannot read "
                                f"({exc}); install the version newsgen names: "
                                f"`pip install 'pagefind[bin]>=1.5,<1.6'`") from exc
    return sorted((shard.folder + path, data) for path, data in files
                  if not path.startswith(_UNUSED))


class Indexer:
    """A Pagefind indexer process (``pagefind --service``), spoken to synchronously.

    Pagefind's Python API (``pagefind.index.PagefindIndex``) speaks the same protocol, but
    its reader polls for each answer after a 0.1 s sleep: 30 records took 3.0 s through it,
    and 0.014 s here (measured), so at 10,000 articles it would add 17 minutes. The binary
    is found the way that API finds it (``pagefind.service.get_executable``)."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [str(_executable()), "--service"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._next_id = 0
        self._buffer = b""

    def __enter__(self) -> Indexer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._process.stdin:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def new_index(self) -> int:
        return int(self._send({"type": "NewIndex", "config": None})["index_id"])

    def add_records(self, index_id: int, records: Iterable[dict[str, Any]]) -> None:
        """Send records a batch at a time without waiting for each answer (the answers of a
        batch, some 600 bytes each, fit in the pipe while the indexer reads the batch)."""
        batch: list[int] = []
        for fields in records:
            batch.append(self._post({"type": "AddRecord", "index_id": index_id, **fields}))
            if len(batch) == _BATCH:
                self._answers(batch)
                batch = []
        self._answers(batch)

    def files(self, index_id: int) -> list[tuple[str, bytes]]:
        """Every file of the index, then the index dropped from the indexer's memory."""
        answer = self._send({"type": "GetFiles", "index_id": index_id})
        files = [(f["path"], base64.b64decode(f["content"])) for f in answer["files"]]
        self._send({"type": "DeleteIndex", "index_id": index_id})
        return files

    def _send(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self._answers([self._post(payload)])[0]

    def _post(self, payload: dict[str, Any]) -> int:
        self._next_id += 1
        message = json.dumps({"message_id": self._next_id, "payload": payload})
        try:
            assert self._process.stdin is not None
            self._process.stdin.write(base64.b64encode(message.encode()) + b",")
        except (OSError, ValueError) as exc:
            raise SearchUnavailable(f"the Pagefind indexer stopped ({exc}); {INSTALL_HINT}"
                                    ) from exc
        return self._next_id

    def _answers(self, ids: list[int]) -> list[dict[str, Any]]:
        """The answers to the messages ``ids`` (in that order), each checked for errors."""
        if not ids:
            return []
        found: dict[int, dict[str, Any]] = {}
        try:
            assert self._process.stdin is not None
            self._process.stdin.flush()
            while len(found) < len(ids):
                answer = json.loads(base64.b64decode(self._message()))
                if isinstance(answer, dict) and answer.get("message_id") in ids:
                    found[answer["message_id"]] = answer["payload"]
        except (OSError, ValueError) as exc:
            raise SearchUnavailable(f"the Pagefind indexer stopped ({exc}); {INSTALL_HINT}"
                                    ) from exc
        for result in found.values():
            if result.get("type") == "Error":
                raise SearchUnavailable(f"the Pagefind indexer refused the index: "
                                        f"{result.get('message')}")
        return [found[i] for i in ids]

    def _message(self) -> bytes:
        """One message from the indexer (base64, so the ``,`` after it ends it)."""
        assert self._process.stdout is not None
        parts = []
        while True:
            chunk, self._buffer = self._buffer, b""
            if not chunk:
                chunk = self._process.stdout.read1(1 << 20)
                if not chunk:
                    raise OSError("it exited")
            end = chunk.find(b",")
            if end < 0:
                parts.append(chunk)
                continue
            parts.append(chunk[:end])
            self._buffer = chunk[end + 1:]
            return b"".join(parts)


def _executable() -> Path:
    try:
        from pagefind.service import get_executable
    except ImportError as exc:
        raise SearchUnavailable(f"search is on but Pagefind is not installed; {INSTALL_HINT}"
                                ) from exc
    try:
        found = get_executable()
    except (FileNotFoundError, OSError):
        found = None
    if found is None or not found.is_file():
        where = f" (looked for {found})" if found is not None else ""
        raise SearchUnavailable(f"search is on but the Pagefind indexer binary was not "
                                f"found{where}; {INSTALL_HINT}")
    return found

