"""Stage 2: ``content/`` to models, collecting every problem with its file and line.

Nothing here stops at the first bad file: each file is read on its own and its problems are
added to a shared list, so one run reports everything an editor has to fix.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from newsgen.content.aliases import read_aliases
from newsgen.content.blocks import block_problems
from newsgen.content.breaking import Breaking, load_breaking
from newsgen.content.config import SiteConfig
from newsgen.content.editions import edition_tags
from newsgen.content.fields import FieldReader
from newsgen.content.frontmatter import YamlDoc, parse_yaml, split_front_matter
from newsgen.content.headlines import kind as kind_of
from newsgen.content.headlines import parse_headlines
from newsgen.content.image_fields import ImageFields, bundle_signature, is_bundle
from newsgen.content.live import live_body_key, read_live
from newsgen.content.models import (
    Article,
    Author,
    Correction,
    Headline,
    Page,
    Tag,
    UncheckedBody,
)
from newsgen.content.nesting import nesting_problem
from newsgen.content.sources import SourceFile, discover, file_content_digest, read_text, with_bytes
from newsgen.content.urls import article_url, author_url, page_url, slug_problem, slugify, tag_url
from newsgen.engine.digests import digest as text_key
from newsgen.engine.paths import UnsafePath
from newsgen.engine.workers import Portable, parallel_map
from newsgen.errors import ContentError, Problem, ProblemList, SourceLocation

ARTICLE_KEYS = ("title", "date", "section", "updated", "authors", "tags", "summary", "image",
                "slug", "location", "draft", "featured", "expires", "corrections", "aliases",
                "live", "coverage", "lang", "translation_key")
PAGE_KEYS = ("title", "slug", "description", "updated", "lang", "translation_key")


@dataclass
class Content:
    """Every file of ``content/`` as models, before publication rules are applied."""

    articles: list[Article] = field(default_factory=list)
    headlines: list[Headline] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    breaking: tuple[Breaking, ...] = ()  # at most one per edition
    unchecked: list[UncheckedBody] = field(default_factory=list)  # bodies of broken files


class SourceMemo(Protocol):
    """Parsed files from an earlier build, keyed by path, size and mtime, and by the bytes'
    digest when only the mtime differs (``content``, asked then; see cache.py)."""

    def get(self, relative: str, size: int, mtime_ns: int,
            content: Callable[[], str | None]) -> Any: ...

    def put(self, relative: str, size: int, mtime_ns: int, parsed: Any,
            content: str | None) -> None: ...


def load_content(config: SiteConfig, problems: ProblemList,
                 memo: SourceMemo | None = None, workers: int | None = None) -> Content:
    """Read every article, headline file and page; problems go to ``problems``.

    With a ``memo``, a file whose size and mtime match an earlier clean parse is not read
    again; its warnings are replayed so they are still reported. Articles are parsed on
    every core (YAML and field checks are a tenth of a cold build) and keep no body, only
    its hash: see :func:`read_body` and bodies.py."""
    loader = _Loader(config, problems)
    content = Content()
    articles = discover(config, "content/articles", (".md", ".markdown"), problems)
    for article in _parse_all(loader, loader.article, articles, memo, workers,
                              _SharedValues().share):
        if isinstance(article, UncheckedBody):
            content.unchecked.append(article)
        elif article is not None:
            content.articles.append(article)
    pages = discover(config, "content/pages", (".md", ".markdown"), problems)
    content.pages = [p for p in _parse_all(loader, loader.page, pages, memo, 1) if p is not None]
    content.headlines = load_headlines(config, problems, memo)
    content.breaking = load_breaking(config, problems)
    _check_unique_slugs(content, problems)
    return content


def load_headlines(config: SiteConfig, problems: ProblemList,
                   memo: SourceMemo | None = None) -> list[Headline]:
    """Every headline of ``content/headlines/``, in file order (a headline-only rebuild
    reads these alone, see build/ticker_build.py)."""
    loader = _Loader(config, problems)
    sources = discover(config, "content/headlines", (".yaml", ".yml"), problems)
    return [headline for parsed in _parse_all(loader, loader.headlines, sources, memo, 1)
            for headline in parsed]


class _SharedValues:
    """One object per distinct tag and byline. Articles come back from parse workers (or
    the cache) each with its own copies: ~1 KB an article, 100 MB at 100,000. Tags and
    authors are frozen values, so sharing them is invisible; the articles are still being
    built here, hence the assignment past ``frozen``. Each article is shared as soon as it
    is loaded, so its copies are freed before the next one is unpickled: sharing them all
    at the end held every copy at once (the load's peak, at 100,000 articles)."""

    def __init__(self) -> None:
        self.shared: dict[Any, Any] = {}

    def share(self, article: Any) -> None:
        if not isinstance(article, Article):
            return
        shared = self.shared
        object.__setattr__(article, "tags", tuple(shared.setdefault(t, t) for t in article.tags))
        object.__setattr__(article, "authors",
                           tuple(shared.setdefault(a, a) for a in article.authors))


def _parse_all(loader: _Loader, parse: Callable[[SourceFile], Any],
               sources: list[SourceFile], memo: SourceMemo | None,
               workers: int | None, settle: Callable[[Any], None] = lambda _: None
               ) -> list[Any]:
    """``parse`` of every source, in order, with each file's problems in file order.
    Files the memo knows are taken from it; the rest are parsed on every core. ``settle``
    sees each result as it arrives."""
    results: list[Any] = [None] * len(sources)
    found: list[list[Problem]] = [[] for _ in sources]
    stats: list[os.stat_result | None] = [None] * len(sources)
    todo = []
    for index, source in enumerate(sources):
        cached = None
        if memo is not None:
            try:
                stats[index] = source.info or source.path.stat()
            except OSError:
                pass
            info = stats[index]
            if info is not None:
                cached = memo.get(_memo_key(source), info.st_size, info.st_mtime_ns,
                                  partial(file_content_digest, source.location))
        if cached is None:
            todo.append(index)
        else:
            results[index], found[index] = cached[0], list(cached[1])
            settle(cached[0])
    name = getattr(parse, "__name__", "")
    assert getattr(loader, name, None) == parse, "parse is one of the loader's methods"
    # A file parses in 0.46 ms at best (1,000 articles): spawned workers, ready in ~0.3 s
    # (Windows, macOS), pay from about 1,300 files with two of them.
    parsed = parallel_map(Portable(_parsing, (loader, name, [sources[i] for i in todo]),
                                   spawn_from=2000), len(todo), workers)
    for index, (result, items, content) in zip(todo, parsed, strict=True):
        settle(result)
        results[index], found[index] = result, items
        info = stats[index]
        if memo is not None and info is not None and not any(p.severity == "error" for p in items):
            memo.put(_memo_key(sources[index]), info.st_size, info.st_mtime_ns, (result, items),
                     content)
    for items in found:
        loader.problems.extend(items)
    return results


def _parsing(state: tuple[_Loader, str, list[SourceFile]]
             ) -> Callable[[int], tuple[Any, list[Problem], str | None]]:
    """The function parsing file ``index`` of ``state`` with the loader's method named
    there, in whichever process runs it (a spawned worker receives ``state`` pickled). It
    also gives the digest of the bytes parsed, read once for both."""
    loader, name, sources = state
    parse = getattr(loader, name)

    def parsing(index: int) -> tuple[Any, list[Problem], str | None]:
        source, content = with_bytes(sources[index], loader.config)
        return (*loader.isolated(parse, source), content)
    return parsing


def _memo_key(source: SourceFile) -> str:
    """A parsed file's cache key: its path; for a page bundle also its images (they give
    the article its image size), or a key no entry has when one was written just now."""
    if not is_bundle(source.relative):
        return source.relative
    signature = bundle_signature(source.path.parent)
    return f"{source.relative}|{signature or time.time_ns()}"


class _Loader:
    def __init__(self, config: SiteConfig, problems: ProblemList) -> None:
        self.config = config
        self.problems = problems
        self.images = ImageFields(config)
        tags = edition_tags(config)
        # Each edition's page URLs start with its prefix: the site's, then /fr for French.
        self.prefixes = {tag: config.url_prefix + ("" if tag == tags[0] else f"/{tag}")
                         for tag in tags}

    def language(self, fields: FieldReader) -> tuple[str, str]:
        """(``lang``, ``translation_key``): the default edition's language when not given;
        a language newsgen.yaml does not list is an error at its line."""
        lang = fields.text("lang") or next(iter(self.prefixes))
        if lang not in self.prefixes:
            fields.error(f"unknown lang '{lang}'; languages in newsgen.yaml: "
                         + ", ".join(self.prefixes), "lang", code="unknown-lang")
            lang = next(iter(self.prefixes))
        return lang, fields.text("translation_key")

    def isolated(self, parse: Callable[[SourceFile], Any], source: SourceFile
                 ) -> tuple[Any, list[Problem]]:
        """``parse(source)`` and the problems it found (run in a worker process)."""
        outer, self.problems = self.problems, ProblemList()
        try:
            return parse(source), self.problems.items
        finally:
            self.problems = outer

    def _front(self, source: SourceFile
               ) -> tuple[YamlDoc, str, int, str] | UncheckedBody | None:
        """The parsed front matter and body; when only the front matter is broken, an
        UncheckedBody, so that the body's links are still checked in this run."""
        try:
            text = read_text(source, self.config)
            yaml_text, body, body_line = split_front_matter(text, source.relative)
        except ContentError as exc:
            self.problems.add(exc.problem)
            return None
        except OSError as exc:
            self.problems.error(SourceLocation(source.relative),
                                f"cannot read file: {exc.strerror}", "io")
            return None
        if not self._body_ok(source, body, body_line):
            return None
        unchecked = UncheckedBody(source.relative, body_line)
        try:
            doc = parse_yaml(yaml_text, source.relative, first_line=2)
        except ContentError as exc:
            self.problems.add(exc.problem)
            return unchecked
        if not isinstance(doc.value, dict):
            kind = "empty" if doc.value is None else f"a {kind_of(doc.value)}"
            self.problems.error(SourceLocation(source.relative, 2 if doc.value is None
                                               else doc.line()),
                                f"front matter must be a mapping of keys such as 'title: ...', "
                                f"not {kind}", "front-matter")
            return unchecked
        # The front matter's key: the body is keyed apart (``body_key``), so that a page
        # showing this article's title but not its text can tell a body edit from the rest.
        digest = hashlib.blake2b(yaml_text.encode(), digest_size=16).hexdigest()
        return doc, body, body_line, digest

    def _body_ok(self, source: SourceFile, body: str, body_line: int) -> bool:
        """Report the body's own mistakes; False if it cannot be converted at all."""
        nesting = nesting_problem(body)
        if nesting is not None:
            self.problems.error(SourceLocation(source.relative, body_line + nesting[0] - 1),
                                nesting[1], "markdown")
            return False
        for line, message in block_problems(body):
            self.problems.error(SourceLocation(source.relative, body_line + line - 1), message,
                                "markdown-block")
        return True

    def article(self, source: SourceFile) -> Article | UncheckedBody | None:
        parsed = self._front(source)
        if parsed is None or isinstance(parsed, UncheckedBody):
            return parsed
        doc, body, body_line, digest = parsed
        fields = FieldReader(doc, self.config.timezone, self.problems)
        fields.warn_unknown(ARTICLE_KEYS, "article")
        title = fields.text("title", required=True)
        date = fields.time("date", required=True)
        section = self._section(fields)
        slug = self._slug(fields, source)
        lang, translation_key = self.language(fields)
        prefix = self.prefixes[lang]
        if not (title and date and section and slug):
            return UncheckedBody(source.relative, body_line)
        updated = fields.time("updated")
        if updated and updated < date:
            fields.warn("'updated' is earlier than 'date'", "updated", code="updated-before-date")
        live = fields.boolean("live")
        coverage, updates = read_live(fields, body, body_line) if live else (None, ())
        if not live and fields.raw("coverage") is not None:
            fields.warn("'coverage' is read only with 'live: true'", "coverage", code="live")
        try:
            url = article_url(self.config.permalink, prefix, section, slug, date,
                              self.config.timezone)
        except UnsafePath as exc:  # pragma: no cover - permalink and slug are validated
            fields.error(str(exc), "slug")
            return None
        image = self.images.read(fields, source.relative, url)
        if image is not None and image.width is not None:
            # The size comes from the image file, not this one: a resized picture must change
            # the article's key, or pages showing it would be kept with the old size.
            digest = text_key(digest, f"image {image.width}x{image.height}",
                              repr(image.renditions.source) if image.renditions else "")
        return Article(
            source=source.relative, slug=slug, title=title, date=date, section=section,
            url=url, body_line=body_line, updated=updated,
            expires=fields.time("expires"), authors=self._authors(fields, prefix),
            tags=self._tags(fields, prefix), summary=fields.text("summary"),
            image=image, location=fields.text("location"),
            draft=fields.boolean("draft"), featured=fields.boolean("featured"),
            corrections=self._corrections(fields), aliases=read_aliases(fields),
            url_line=(doc.line("slug") or 1) if "slug" in doc.value else 1,
            live=live, coverage=coverage, updates=updates, lang=lang,
            translation_key=translation_key, translation_line=doc.line("translation_key") or 1,
            front_key=digest,
            body_key=live_body_key(body, self.config.timezone) if live else text_key(body),
        )

    def _section(self, fields: FieldReader) -> str:
        section = fields.text("section", required=True)
        if not section:
            return ""
        known = self.config.section_ids()
        if known and section not in known:
            fields.error(f"unknown section '{section}'; sections in newsgen.yaml: "
                         + ", ".join(known), "section", code="unknown-section")
            return ""
        problem = slug_problem(section)
        if problem:
            fields.error(f"section {problem}", "section")
            return ""
        return section

    def _slug(self, fields: FieldReader, source: SourceFile) -> str:
        given = fields.text("slug")
        where = Path(source.relative)
        unicode = self.config.unicode_slugs
        slug = given or slugify(where.parent.name if is_bundle(source.relative) else where.stem,
                                unicode)
        problem = slug_problem(slug, unicode)
        if problem:
            if given:
                fields.error(f"slug {problem}", "slug", code="bad-slug")
            else:
                fields.error(f"the file name gives no usable slug; add a 'slug:' ({problem})",
                             code="bad-slug")
            return ""
        return slug

    def _authors(self, fields: FieldReader, prefix: str) -> tuple[Author, ...]:
        names = fields.text_list("authors")
        result = []
        for index, name in enumerate(names):
            known = self.config.authors.get(name)
            if known:
                result.append(Author(known.id, known.name, known.bio, known.url,
                                     author_url(prefix, known.id),
                                     self.images.author_photo(known)))
                continue
            if slugify(name) == name and "-" in name:
                fields.warn(f"'{name}' is not an author id in newsgen.yaml; shown as a plain "
                            "name", "authors", index, code="unknown-author")
            result.append(Author("", name))
        return tuple(result)

    def _tags(self, fields: FieldReader, prefix: str) -> tuple[Tag, ...]:
        result: dict[str, Tag] = {}
        for index, name in enumerate(fields.text_list("tags")):
            slug = slugify(name, self.config.unicode_slugs)
            if not slug:
                fields.error(f"tag '{name}' has no letters or digits", "tags", index)
                continue
            result.setdefault(slug, Tag(slug, name, tag_url(prefix, slug)))
        return tuple(result.values())

    def _corrections(self, fields: FieldReader) -> tuple[Correction, ...]:
        items = fields.mapping_list("corrections", ("date", "text"))
        result = []
        for index, _item in items:
            when = fields.time(("corrections", index, "date"), required=True)
            text = fields.text(("corrections", index, "text"), required=True)
            if when and text:
                result.append(Correction(when, text))
        return tuple(sorted(result, key=lambda c: c.date, reverse=True))

    def page(self, source: SourceFile) -> Page | None:
        parsed = self._front(source)
        if parsed is None or isinstance(parsed, UncheckedBody):
            return None
        doc, body, body_line, _digest = parsed
        fields = FieldReader(doc, self.config.timezone, self.problems)
        fields.warn_unknown(PAGE_KEYS, "page")
        title = fields.text("title", required=True)
        slug = self._slug(fields, source)
        lang, translation_key = self.language(fields)
        if not (title and slug):
            return None
        return Page(source.relative, slug, title, page_url(self.prefixes[lang], slug), body,
                    body_line, description=fields.text("description"),
                    updated=fields.time("updated"), lang=lang, translation_key=translation_key)

    def headlines(self, source: SourceFile) -> list[Headline]:
        return parse_headlines(self.config, self.problems, source)

def _check_unique_slugs(content: Content, problems: ProblemList) -> None:
    """Slugs name articles in links and headlines, so one slug may belong to one article."""
    seen: dict[str, Article] = {}
    for article in content.articles:
        first = seen.setdefault(article.slug, article)
        if first is not article:
            problems.error(SourceLocation(article.source, article.url_line),
                           f"slug '{article.slug}' is already used by "
                           f"{first.source}:{first.url_line}", "duplicate-slug")

