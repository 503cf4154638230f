"""The Jinja2 environment: the site's ``templates/`` over the built-in theme, file by file.

A site template can extend the original through the ``theme/`` prefix
(``{% extends "theme/article.html" %}``) and override a single block. Undefined variables are
errors, autoescape is on, and content is only ever passed in as data, never compiled, so
``{{ config }}`` in an article comes out literally.
"""

from __future__ import annotations

import gettext
import traceback
from collections.abc import Callable, Iterator, MutableMapping
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
import jinja2.ext
import jinja2.lexer
from jinja2.lexer import Token

from newsgen.content.config import SiteConfig, theme_dir
from newsgen.content.theme import template_dirs
from newsgen.content.times import (
    MONTHS,
    hhmm,
    in_zone,
    iso,
    long_date,
    long_datetime,
    same_local_day,
)
from newsgen.errors import Problem, SourceLocation
from newsgen.i18n.catalogs import TemplateStrings, translations
from newsgen.i18n.dates import EditionDates, babel_dates

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def make_environment(config: SiteConfig) -> jinja2.Environment:
    site_templates, theme_templates = template_dirs(config)
    loader = jinja2.ChoiceLoader([
        jinja2.PrefixLoader({"theme": jinja2.FileSystemLoader(str(theme_templates))}),
        jinja2.FileSystemLoader(str(site_templates)),
        jinja2.FileSystemLoader(str(theme_templates)),
    ])
    env = _Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        extensions=["jinja2.ext.i18n", _FoldedStrings],
    )
    strings = translations(config.language, config.site_dir)
    fast = TemplateStrings(strings)  # {% trans %} blocks work too (the i18n extension)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        fast.gettext, fast.ngettext, newstyle=False)
    # The extension's ``_`` is a context function that looks ``gettext`` up and calls it
    # through the context again, deriving a new context inside every block that sets a
    # variable: 15 calls a page, 3 % of a one-language build's CPU. ``_`` is ``gettext``.
    env.globals["_"] = fast.gettext
    zone = config.timezone
    env.filters.update({
        "hhmm": lambda t: hhmm(t, zone),
        "long_date": lambda t: long_date(t, zone),
        "long_datetime": _per_instant(lambda t: long_datetime(t, zone)),
        "iso": _per_instant(lambda t: iso(t.astimezone(zone))),
        "absolute": config.absolute,
        "updated_time": lambda t, published: updated_time(t, published, zone),
        "weekday": lambda t: WEEKDAYS[in_zone(t, zone).weekday()],
        "month_year": lambda t: month_year(t, zone),
    })
    if babel_dates(config.language):
        env.filters.update(_edition_dates(config, strings))
    env.globals["cached"] = FragmentCache()
    return env


def _edition_dates(config: SiteConfig, strings: gettext.NullTranslations
                   ) -> dict[str, Callable[..., str]]:
    """Dates in the edition's language (Babel): English keeps the house style above."""
    dates = EditionDates(config.language, config.timezone, strings.gettext("{date} at {time}"))
    zone = config.timezone
    return {
        "hhmm": dates.hhmm, "long_date": dates.long_date, "weekday": dates.weekday,
        "long_datetime": _per_instant(dates.long_datetime), "month_year": dates.month_year,
        "updated_time": lambda t, published: dates.hhmm(t) if same_local_day(
            t, published, zone) else dates.long_datetime(t),
    }


def _per_instant(show: Callable[[datetime], str]) -> Callable[[datetime], str]:
    """``show`` remembered for each instant: an article's time appears on its own page and
    in each of its teasers. (Equal instants in different zones are one key; that is right
    for filters that first convert to the site's zone.)"""
    shown: dict[datetime, str] = {}

    def lookup(moment: datetime) -> str:
        text = shown.get(moment)
        if text is None:
            text = shown[moment] = show(moment)
        return text
    return lookup


class FragmentCache:
    """``{% call cached("teaser", site, article, heading) %}...{% endcall %}``: the block's
    HTML, rendered once per build for each distinct set of arguments.

    A teaser appears on many pages (related stories, listings, the front page); rendering it
    once instead of on every page is a large part of a page's cost. The arguments must be
    everything the block depends on: strings count by value, anything else by identity (the
    build's ``site``, an article, ``True``), so the block may only read what those objects
    hold. (A number or a string built per page still works, but is rarely found again.) One
    cache lives in each build's environment, so nothing survives into the next build."""

    LIMIT = 4_000  # fragments in each of the two generations below

    def __init__(self) -> None:
        # Two generations, a cheap stand-in for least-recently-used: when the newer one is
        # full it becomes the older and a new one starts; a fragment found in the older is
        # moved to the newer. Pages come in site order, so what a page shows was mostly
        # rendered for the pages just before it: emptying the whole cache at the limit, as
        # it once did, threw that away each time: a 10,000-article build rendered 54,314
        # fragments that way, 41,041 this way (benchmarks/RESULTS.md, 2026-12-07).
        self._fragments: dict[tuple[Any, ...], tuple[tuple[Any, ...], str]] = {}
        self._older: dict[tuple[Any, ...], tuple[tuple[Any, ...], str]] = {}

    def __call__(self, *parts: Any, caller: jinja2.runtime.Macro) -> str:
        # Strings count by value, everything else by identity (True is not 1 here).
        key = tuple([p if p.__class__ is str else id(p) for p in parts])
        found = self._fragments.get(key)
        if found is not None:
            return found[1]
        # the parts stay referenced, so no other object can take one of their ids
        found = self._older.pop(key, None) or (parts, caller())
        if len(self._fragments) >= self.LIMIT:
            self._older, self._fragments = self._fragments, {}
        self._fragments[key] = found
        return found[1]


class _FoldedStrings(jinja2.ext.Extension):
    """``_("Latest news")`` becomes ``("Le fil"|safe)`` as a template compiles: Jinja folds
    that constant into the template's text, so the dozen fixed strings of every page cost
    nothing at render time (each call went through ``Context.call`` and an escape: 2 % of
    a one-language build's CPU). The environment is per edition and its catalogs never
    change during a build, so the folded text is exactly what the call would return.
    Strings with arguments (``_("By %(names)s", names=...)``) are still called."""

    def filter_stream(self, stream: jinja2.lexer.TokenStream) -> Iterator[jinja2.lexer.Token]:
        gettext = self.environment.globals.get("gettext")
        if not isinstance(getattr(gettext, "__self__", None), TemplateStrings):
            yield from stream
            return
        window: list[jinja2.lexer.Token] = []
        for token in stream:
            window.append(token)
            if len(window) < 4:
                continue
            if [t.type for t in window] == ["name", "lparen", "string", "rparen"] \
                    and window[0].value == "_":
                line = window[0].lineno
                yield from (Token(line, "lparen", "("), Token(line, "string",
                                                              str(gettext(window[2].value))),
                            Token(line, "pipe", "|"), Token(line, "name", "safe"),
                            Token(line, "rparen", ")"))
                window = []
            else:
                yield window.pop(0)
        yield from window


class _Environment(jinja2.Environment):
    """Templates see the globals as a plain dict instead of a ``ChainMap`` over
    ``env.globals``: Jinja copies them into a new context on every render, import and include
    (three or four times a page), and iterating a ``ChainMap`` is slow. newsgen sets its
    globals before loading any template and never changes them, so the copy cannot go stale."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


def updated_time(updated: datetime, published: datetime, zone: ZoneInfo) -> str:
    """``21:05`` when the update falls on the publication's local day, else the full
    ``26 March 2025, 21:05``: readers see at a glance whether the story moved today."""
    if same_local_day(updated, published, zone):
        return hhmm(updated, zone)
    return long_datetime(updated, zone)


def month_year(moment: datetime, zone: ZoneInfo) -> str:
    """``November 2026`` in the site zone, for archive headings (locale-independent)."""
    local = in_zone(moment, zone)
    return f"{MONTHS[local.month - 1]} {local.year}"


def template_problem(exc: Exception, config: SiteConfig) -> Problem:
    """A template failure as ``templates/x.html:LINE: message`` in site-relative terms."""
    filename, line = _template_position(exc)
    location = SourceLocation(_display_path(filename, config), line)
    if isinstance(exc, jinja2.TemplateSyntaxError):
        message = f"template syntax error: {exc.message}"
    elif isinstance(exc, jinja2.UndefinedError):
        message = f"template error: {exc.message}"
    elif isinstance(exc, jinja2.TemplateNotFound):
        message = f"template not found: {exc.name}"
    else:
        message = f"template error: {type(exc).__name__}: {exc}"
    return Problem(location, message, "error", "template")


def _template_position(exc: Exception) -> tuple[str, int | None]:
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return exc.filename, exc.lineno
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".xml", ".txt", ".json", ".j2")):
            return frame.filename, frame.lineno
    return "templates", None


def _display_path(filename: str, config: SiteConfig) -> str:
    path = Path(filename)
    for root, label in ((config.site_dir, ""), (theme_dir(), "<newsgen theme>/")):
        try:
            return label + path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
    return filename


def render(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    return env.get_template(name).render(context)
