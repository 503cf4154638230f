"""Stage 1: ``newsgen.yaml`` to a typed, frozen SiteConfig, with every problem found in one pass."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newsgen.content.editions import EditionConfig, read_editions
from newsgen.content.frontmatter import YamlDoc, decode_source, parse_yaml
from newsgen.content.image_config import read_image_settings
from newsgen.content.images import ImageSettings, author_photo_problem
from newsgen.content.pagination import ORDERS as PAGINATION_ORDERS
from newsgen.content.theme import static_roots, theme_dir  # noqa: F401 (re-exported)
from newsgen.content.urls import GENERATED_ROOTS
from newsgen.engine.paths import RESERVED_NAMES
from newsgen.errors import BuildFailed, ContentError, ProblemList, SourceLocation

CONFIG_FILE = "newsgen.yaml"
TICKER_EMBEDS = ("live", "inline")  # how pages carry the ticker: see README, The ticker
DEFAULT_PERMALINK = "/{section}/{year}/{month}/{slug}/"
PERMALINK_FIELDS = ("section", "slug", "year", "month", "day")

KNOWN_KEYS = (
    "title", "base_url", "language", "timezone", "description", "sections", "authors",
    "social", "ticker", "output_dir", "logo", "permalink", "per_page", "feeds", "comments",
    "markdown", "limits", "news", "search", "images", "languages", "slugs", "pagination",
)
SLUG_STYLES = ("ascii", "unicode")  # transliterated (the default) or in the title's script
_PRINTABLE_ASCII = "".join(map(chr, range(33, 127)))  # left as they are by absolute()
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class SectionConfig:
    id: str
    title: str


@dataclass(frozen=True)
class AuthorConfig:
    id: str
    name: str
    bio: str = ""
    url: str = ""
    photo: str = ""  # a site path in static/ (checked by the loader, which reads images)


@dataclass(frozen=True)
class SiteConfig:
    """Everything the pipeline reads from ``newsgen.yaml``; nothing later reads raw YAML."""

    site_dir: Path
    title: str
    base_url: str
    language: str = "en"
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    description: str = ""
    sections: tuple[SectionConfig, ...] = ()
    authors: MappingProxyType[str, AuthorConfig] = field(
        default_factory=lambda: MappingProxyType({}))
    social: tuple[tuple[str, str], ...] = ()
    ticker_size: int = 10
    ticker_embed: str = "live"  # "live": see README, The ticker; "inline": every page current
    output_dir: str = "public"
    logo: str = ""
    permalink: str = DEFAULT_PERMALINK
    per_page: int = 20
    pagination_order: str = "oldest"  # ``pagination.order``: see README, Pagination
    feed_size: int = 50
    comments_html: str = ""
    unsafe_html: bool = False
    max_file_size: int = 5_000_000
    publication_name: str = ""
    search: bool = True  # a Pagefind index and a search page (``distribution.search``)
    images: ImageSettings = field(default_factory=ImageSettings)
    editions: tuple[EditionConfig, ...] = ()  # ``languages:``, the default edition first
    edition: str = ""  # the language of the edition this config renders, when not the default
    unicode_slugs: bool = False  # ``slugs: unicode``

    @property
    def page_prefix(self) -> str:
        """What this edition's page URLs start with: ``url_prefix``, plus ``/fr`` in the
        French edition. Static files (theme, images) stay under ``url_prefix``."""
        return f"{self.url_prefix}/{self.edition}" if self.edition else self.url_prefix

    @property
    def url_prefix(self) -> str:
        """The path part of ``base_url`` (``/news`` for https://x.org/news), or ``""``."""
        return urlsplit(self.base_url).path.rstrip("/")

    @property
    def origin(self) -> str:
        """Scheme and host of ``base_url``: what a prefixed site path is appended to."""
        return self.base_url[: len(self.base_url) - len(self.url_prefix)]

    def absolute(self, site_path: str) -> str:
        """An absolute URL for a site path such as ``/city/`` (already prefixed or not);
        a Unicode slug's letters percent-encoded, as sitemaps and feeds require."""
        if not site_path.isascii():
            site_path = quote(site_path, safe=_PRINTABLE_ASCII)
        if self.url_prefix and (site_path + "/").startswith(self.url_prefix + "/"):
            return self.origin + site_path
        return self.origin + self.url_prefix + site_path

    def section_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sections)

    def __reduce__(self) -> tuple[Callable[[dict[str, Any]], SiteConfig], tuple[dict[str, Any]]]:
        """Pickled for spawned workers (Windows, macOS): the authors' read-only mapping,
        which pickle refuses, travels as a dict."""
        values = {item.name: getattr(self, item.name) for item in fields(self)}
        values["authors"] = dict(self.authors)
        return _unpickle_config, (values,)


def _unpickle_config(values: dict[str, Any]) -> SiteConfig:
    return SiteConfig(**{**values, "authors": MappingProxyType(values["authors"])})


def load_config(site_dir: Path) -> SiteConfig:
    """Read and validate ``newsgen.yaml``; raise BuildFailed listing every problem."""
    path = site_dir / CONFIG_FILE
    problems = ProblemList()
    where = SourceLocation(CONFIG_FILE, None)
    if not path.is_file():
        raise BuildFailed([ContentError(where, f"no {CONFIG_FILE} in {site_dir}: is this a "
                                               "newsgen site? (`newsgen init` makes one)",
                                        "config").problem])
    try:
        doc = parse_yaml(decode_source(path.read_bytes(), CONFIG_FILE), CONFIG_FILE)
    except ContentError as exc:
        raise BuildFailed([exc.problem]) from None
    if not isinstance(doc.value, dict):
        raise BuildFailed([ContentError(SourceLocation(CONFIG_FILE, 1),
                                        f"{CONFIG_FILE} must be a mapping of keys to values",
                                        "config").problem])
    config = _ConfigReader(site_dir, doc, problems).read()
    if problems.errors:
        raise BuildFailed(problems.errors)
    assert config is not None
    return config


class _ConfigReader:
    def __init__(self, site_dir: Path, doc: YamlDoc, problems: ProblemList) -> None:
        self.site_dir = site_dir
        self.doc = doc
        self.raw: dict[str, Any] = doc.value
        self.problems = problems

    def err(self, message: str, *path: str | int) -> None:
        self.problems.error(self.doc.at(*path), message, "config")

    def text(self, key: str, default: str = "", required: bool = False) -> str:
        value = self.raw.get(key)
        if value is None or value == "":
            if required:
                self.err(f"'{key}' is required", key)
            return default
        if not isinstance(value, str):
            self.err(f"'{key}' must be text", key)
            return default
        return value.strip()

    def integer(self, value: Any, default: int, *path: str | int) -> int:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.err(f"'{'.'.join(map(str, path))}' must be a whole number above 0", *path)
            return default
        return value

    def choice(self, value: Any, choices: tuple[str, ...], *path: str) -> str:
        """One of ``choices`` (the first is the default when the key is absent)."""
        if value is None:
            return choices[0]
        if value not in choices:
            wanted = " or ".join(f"'{c}'" for c in choices)
            self.err(f"'{'.'.join(path)}' must be {wanted}", *path)
            return choices[0]
        return str(value)

    def sub(self, key: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        value = self.raw.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.err(f"'{key}' must be a mapping", key)
            return {}
        for name in value:
            if name not in allowed:
                self.err(f"unknown key '{key}.{name}'" + _hint(str(name), allowed), key, name)
        return value

    def read(self) -> SiteConfig | None:
        for key in self.raw:
            if key not in KNOWN_KEYS:
                self.err(f"unknown key '{key}'" + _hint(str(key), KNOWN_KEYS), key)
        title = self.text("title", required=True)
        base_url = self.base_url()
        self.image_settings = self.images()
        ticker = self.sub("ticker", ("size", "embed"))
        feeds = self.sub("feeds", ("size",))
        markdown = self.sub("markdown", ("unsafe_html",))
        limits = self.sub("limits", ("file_size",))
        news = self.sub("news", ("publication_name",))
        search = self.raw.get("search", True)
        if not isinstance(search, bool):
            self.err("'search' must be true or false", "search")
            search = True
        unsafe = markdown.get("unsafe_html", False)
        if not isinstance(unsafe, bool):
            self.err("'markdown.unsafe_html' must be true or false", "markdown", "unsafe_html")
            unsafe = False
        return SiteConfig(
            site_dir=self.site_dir,
            title=title,
            base_url=base_url,
            language=self.language(),
            timezone=self.zone(),
            description=self.text("description"),
            sections=self.sections(),
            authors=MappingProxyType(self.authors()),
            social=self.social(),
            ticker_size=self.integer(ticker.get("size"), 10, "ticker", "size"),
            ticker_embed=self.choice(ticker.get("embed"), TICKER_EMBEDS, "ticker", "embed"),
            output_dir=self.text("output_dir", "public"),
            logo=self.site_path("logo"),
            permalink=self.permalink(),
            per_page=self.integer(self.raw.get("per_page"), 20, "per_page"),
            pagination_order=self.choice(self.sub("pagination", ("order",)).get("order"),
                                         PAGINATION_ORDERS, "pagination", "order"),
            feed_size=self.integer(feeds.get("size"), 50, "feeds", "size"),
            comments_html=self.text("comments"),
            unsafe_html=unsafe,
            max_file_size=self.integer(limits.get("file_size"), 5_000_000, "limits",
                                       "file_size"),
            publication_name=str(news.get("publication_name") or title),
            search=search,
            images=self.image_settings, editions=read_editions(self),
            unicode_slugs=self.choice(self.raw.get("slugs"), SLUG_STYLES, "slugs") == "unicode",
        )

    def images(self) -> ImageSettings:
        return read_image_settings(self)

    def base_url(self) -> str:
        value = self.text("base_url", required=True)
        if not value:
            return "https://example.invalid"
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            self.err(f"'base_url' must be an absolute http(s) URL such as "
                     f"https://news.example.org, not '{value}'", "base_url")
            return "https://example.invalid"
        return value.rstrip("/")

    def language(self) -> str:
        languages = self.raw.get("languages")
        if isinstance(languages, dict) and languages:  # the default edition's, checked there
            return str(next(iter(languages)))
        value = self.text("language", "en")
        if not _LANG.match(value):
            self.err(f"'language' must be a language tag such as en or pt-BR, not '{value}'",
                     "language")
            return "en"
        return value

    def zone(self) -> ZoneInfo:
        name = self.text("timezone", "UTC")
        try:
            if "/.." in name or name.startswith(("/", ".")):
                raise ValueError(name)
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            self.err(f"'timezone' is not an IANA time zone name: '{name}' "
                     "(e.g. Europe/Lisbon, Africa/Casablanca, UTC)", "timezone")
            return ZoneInfo("UTC")

    def sections(self) -> tuple[SectionConfig, ...]:
        value = self.raw.get("sections")
        if value is None:
            return ()
        if not isinstance(value, list):
            self.err("'sections' must be a list of {id, title}", "sections")
            return ()
        result: list[SectionConfig] = []
        seen: set[str] = set()
        for index, item in enumerate(value):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                self.err("each section needs an 'id' (and a 'title')", "sections", index)
                continue
            for name in item:
                if name not in ("id", "title"):
                    self.err(f"unknown key '{name}' in section", "sections", index, name)
            section_id = item["id"]
            if not _ID.match(section_id):
                self.err(f"section id '{section_id}' must be lowercase letters, digits and "
                         "hyphens", "sections", index, "id")
            if section_id in GENERATED_ROOTS or section_id in RESERVED_NAMES:
                self.err(f"section id '{section_id}' is a name newsgen uses for its own pages "
                         "or a reserved file name; choose another", "sections", index, "id")
            if section_id in seen:
                self.err(f"section '{section_id}' is declared twice", "sections", index)
            seen.add(section_id)
            title = item.get("title", section_id.replace("-", " ").title())
            if not isinstance(title, str):
                self.err("section title must be text", "sections", index, "title")
                title = section_id
            result.append(SectionConfig(section_id, title))
        return tuple(result)

    def authors(self) -> dict[str, AuthorConfig]:
        value = self.raw.get("authors")
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.err("'authors' must map author ids to {name, bio, url}", "authors")
            return {}
        result: dict[str, AuthorConfig] = {}
        for author_id, item in value.items():
            if not isinstance(author_id, str) or not _ID.match(author_id):
                self.err(f"author id '{author_id}' must be lowercase letters, digits and "
                         "hyphens", "authors", author_id)
                continue
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                self.err(f"author '{author_id}' needs a 'name'", "authors", author_id)
                continue
            for name in item:
                if name not in ("name", "bio", "url", "photo"):
                    self.err(f"unknown key '{name}' for author '{author_id}'",
                             "authors", author_id, name)
            bio, url = item.get("bio") or "", item.get("url") or ""
            if not isinstance(bio, str) or not isinstance(url, str):
                self.err(f"author '{author_id}': bio and url must be text", "authors", author_id)
                bio, url = "", ""
            if url and urlsplit(url).scheme not in ("http", "https"):
                self.err(f"author '{author_id}': url must be an http(s) URL",
                         "authors", author_id, "url")
                url = ""
            photo = item.get("photo") or ""
            if not isinstance(photo, str) or (photo and not photo.startswith("/")):
                self.err(f"author '{author_id}': photo must be a site path such as "
                         "/images/staff/ana.jpg", "authors", author_id, "photo")
                photo = ""
            elif photo:
                problem = author_photo_problem(self.site_dir, photo, self.image_settings)
                if problem:
                    self.err(f"author '{author_id}': photo '{photo}': {problem}", "authors",
                             author_id, "photo")
                    photo = ""
            result[author_id] = AuthorConfig(author_id, item["name"].strip(), bio.strip(), url,
                                             photo)
        return result

    def social(self) -> tuple[tuple[str, str], ...]:
        value = self.raw.get("social")
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.err("'social' must map a network name to a URL", "social")
            return ()
        result = []
        for name, url in value.items():
            if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
                self.err(f"social link '{name}' must be an http(s) URL", "social", name)
                continue
            result.append((str(name), url))
        return tuple(result)

    def site_path(self, key: str) -> str:
        value = self.text(key)
        if value and not (value.startswith("/") or urlsplit(value).scheme in ("http", "https")):
            self.err(f"'{key}' must be a site path such as /images/logo.svg or an http(s) URL",
                     key)
            return ""
        return value

    def permalink(self) -> str:
        value = self.text("permalink", DEFAULT_PERMALINK)
        problem = permalink_problem(value)
        if problem:
            self.err(f"'permalink' {problem}", "permalink")
            return DEFAULT_PERMALINK
        return "/" + value.lstrip("/")


def permalink_problem(pattern: str) -> str | None:
    """Why a permalink pattern cannot be used, or None. Shared with tests and ``check``."""
    names = re.findall(r"\{([^{}]*)\}", pattern)
    unknown = [n for n in names if n not in PERMALINK_FIELDS]
    if unknown:
        return (f"uses unknown placeholder '{{{unknown[0]}}}'; allowed: "
                + ", ".join("{" + n + "}" for n in PERMALINK_FIELDS))
    if "slug" not in names:
        return "must contain {slug}"
    stripped = re.sub(r"\{[^{}]*\}", "x", pattern)
    if any(part in ("..", ".") for part in stripped.split("/")) or "\\" in stripped \
            or "%" in stripped or "\0" in stripped or ":" in stripped or "//" in stripped:
        return "must be a plain path pattern such as /{section}/{year}/{month}/{slug}/"
    if not (pattern.endswith("/") or pattern.endswith(".html")):
        return "must end with '/' (pretty URLs) or '.html'"
    return None


def _hint(word: str, choices: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""
