"""The content model: frozen dataclasses with no I/O and no Jinja.

The loader builds them from files; the renderer turns them into what templates see.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Protocol

from newsgen.content.config import SiteConfig
from newsgen.content.images import Renditions
from newsgen.content.live import Coverage, LiveUpdate


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    url: str


@dataclass(frozen=True)
class Author:
    """A byline. ``id`` is empty for a plain-name byline, which then has no author page."""

    id: str
    name: str
    bio: str = ""
    link: str = ""
    url: str = ""
    photo: Image | None = None


@dataclass(frozen=True)
class Tag:
    slug: str
    name: str
    url: str


@dataclass(frozen=True)
class Image:
    src: str
    alt: str
    caption: str = ""
    credit: str = ""
    width: int | None = None
    height: int | None = None
    renditions: Renditions | None = None  # None: published as it is (SVG, GIF, a URL)
    focus: tuple[float, float] = (0.5, 0.5)  # the point crops keep, as fractions
    file: str = ""  # a page bundle's image: its file, relative to the site


@dataclass(frozen=True)
class Alias:
    """An old address of an article (``aliases:``), kept working by a redirect page.
    ``path`` is a site path without the ``base_url`` prefix; ``line`` is where it is written."""

    path: str
    line: int


@dataclass(frozen=True)
class Correction:
    date: datetime
    text: str


class BodySource(Protocol):
    """Where a build keeps converted bodies (``cache.BodyStore``)."""

    def html(self, article: Article) -> str: ...


@dataclass(frozen=True, slots=True)
class Article:
    """One article's front matter. Neither its Markdown nor its HTML is held here: 10,000
    bodies are hundreds of megabytes. The Markdown is read from the file when it has to be
    converted (``body_key`` is its hash), and ``html`` fetches the converted body from the
    build's body store when a page or feed asks (``body_html`` holds it only for articles
    made outside a build).

    Slots, not a ``__dict__``: a build holds each article twice (as parsed and as completed
    with its body's facts), and at 100,000 articles the two dicts were 250 MB of the
    parent's 820 MB (tracemalloc); slotted, they are 65 MB."""

    source: str
    slug: str
    title: str
    date: datetime
    section: str
    url: str
    body_line: int
    updated: datetime | None = None
    expires: datetime | None = None
    authors: tuple[Author, ...] = ()
    tags: tuple[Tag, ...] = ()
    summary: str = ""
    image: Image | None = None
    location: str = ""
    draft: bool = False
    featured: bool = False
    corrections: tuple[Correction, ...] = ()
    aliases: tuple[Alias, ...] = ()
    url_line: int = 1  # the line of ``slug:``, or 1: where the page's address is decided
    live: bool = False  # a live blog: ``coverage`` and ``updates`` (content/live.py)
    coverage: Coverage | None = None
    updates: tuple[LiveUpdate, ...] = ()  # those readers see (publish.py holds back later ones)
    held: tuple[LiveUpdate, ...] = ()  # updates timed after the build's now, not shown yet
    live_state: str = ""  # "open", "ended" or "upcoming" at the build's now (publish.py)
    lang: str = "en"  # the edition's language tag (``lang:``, default: the default edition's)
    translation_key: str = ""  # shared by the translations of one story
    translation_line: int = 1  # where ``translation_key:`` is written
    body_html: str = ""
    words: int = 0
    digest: str = ""  # everything a page can show of it: front_key + body_digest
    front_key: str = ""  # the front matter (and image size)
    body_key: str = ""  # the Markdown body's text
    body_digest: str = ""  # the body as shown: body_key + where its links lead
    bodies: BodySource | None = field(default=None, compare=False, repr=False)

    @property
    def html(self) -> str:
        return self.bodies.html(self) if self.bodies is not None else self.body_html

    @property
    def modified(self) -> datetime:
        """When the article last changed for readers: update or correction, else publication."""
        if not self.updated and not self.corrections:  # most articles; asked for 100,000
            return self.date                           # times in a 10,000-article build
        times = [self.date]
        if self.updated:
            times.append(self.updated)
        times.extend(c.date for c in self.corrections)
        return max(times)

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.words / 230))

    def evolve(self, **changes: object) -> Article:
        """``dataclasses.replace`` without running ``__init__`` again: a build completes
        every article with its body's facts, and replace() took 0.14 s of a one-article
        rebuild at 10,000 under the profiler. Only field names are accepted."""
        unknown = changes.keys() - _ARTICLE_FIELDS
        if unknown:
            raise TypeError(f"not fields of Article: {sorted(unknown)}")
        copy = object.__new__(Article)
        for name, slot in _ARTICLE_SLOTS:
            slot.__set__(copy, changes[name] if name in changes else slot.__get__(self))
        return copy

    def __reduce__(self) -> tuple[object, tuple[tuple[object, ...]]]:
        """Pickled as its values in field order (parse workers and the build cache pickle
        100,000 articles): a third of the default pickle's size, and faster to load."""
        return _article, (tuple(slot.__get__(self) for _, slot in _ARTICLE_SLOTS),)


_ARTICLE_FIELDS = frozenset(f.name for f in fields(Article))
_ARTICLE_SLOTS = tuple((f.name, getattr(Article, f.name)) for f in fields(Article))


def _article(values: tuple[object, ...]) -> Article:
    """An article from its pickled values (see ``Article.__reduce__``)."""
    article = object.__new__(Article)
    for (_, slot), value in zip(_ARTICLE_SLOTS, values, strict=True):
        slot.__set__(article, value)
    return article


@dataclass(frozen=True)
class UncheckedBody:
    """An article whose front matter has an error: it is not published, but its body's
    links are still checked, so one run shows every problem of the file."""

    source: str
    body_line: int


@dataclass(frozen=True)
class Headline:
    source: str
    line: int
    time: datetime
    title: str
    link: str = ""
    lang: str = "en"


@dataclass(frozen=True)
class Page:
    source: str
    slug: str
    title: str
    url: str
    body: str
    body_line: int
    html: str = ""
    description: str = ""
    updated: datetime | None = None  # the sitemap's lastmod; none when not given
    lang: str = "en"
    translation_key: str = ""


@dataclass(frozen=True)
class TickerItem:
    time: datetime
    title: str
    url: str = ""
    external: bool = False
    live: bool = False  # a live blog whose coverage is open


@dataclass(frozen=True)
class BreakingNews:
    """The banner across every page while it has not expired (``content/breaking.yaml``)."""

    title: str
    expires: datetime
    url: str = ""
    external: bool = False


@dataclass(frozen=True)
class Site:
    """Everything one build publishes, already filtered for drafts, embargo and expiry."""

    config: SiteConfig
    now: datetime
    articles: tuple[Article, ...]
    headlines: tuple[Headline, ...]
    pages: tuple[Page, ...]
    sections: tuple[Section, ...]
    tags: tuple[Tag, ...]
    authors: tuple[Author, ...]
    ticker: tuple[TickerItem, ...] = ()
    next_change: datetime | None = None
    hidden: tuple[Article, ...] = field(default=())
    breaking: BreakingNews | None = None
