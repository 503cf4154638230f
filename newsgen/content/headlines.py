"""Ticker headline files: ``content/headlines/*.yaml``, each a list of items with a time,
a title and an optional link (an article slug or an http(s) URL)."""

from __future__ import annotations

from typing import Any

from newsgen.content.config import SiteConfig
from newsgen.content.editions import edition_tags
from newsgen.content.fields import FieldReader
from newsgen.content.frontmatter import parse_yaml
from newsgen.content.models import Headline
from newsgen.content.sources import SourceFile, read_text
from newsgen.content.urls import slug_problem
from newsgen.errors import ContentError, ProblemList

HEADLINE_KEYS = ("time", "title", "link", "lang")


def parse_headlines(config: SiteConfig, problems: ProblemList, source: SourceFile
                    ) -> list[Headline]:
    """The headlines of one file; each bad item is reported at its line and skipped."""
    try:
        doc = parse_yaml(read_text(source, config), source.relative)
    except ContentError as exc:
        problems.add(exc.problem)
        return []
    if not isinstance(doc.value, list):
        problems.error(doc.at(), "a headline file must be a YAML list of items with "
                       "'time', 'title' and optional 'link'", "headline")
        return []
    fields = FieldReader(doc, config.timezone, problems)
    languages = edition_tags(config)
    result = []
    for index, item in enumerate(doc.value):
        if not isinstance(item, dict):
            fields.error(f"headline must be a mapping with 'time' and 'title', not "
                         f"{kind(item)}", index, code="headline")
            continue
        fields.warn_unknown(HEADLINE_KEYS, "headline", (index,))
        time = fields.time((index, "time"), required=True)
        title = fields.text((index, "title"), required=True)
        link = fields.text((index, "link"))
        if link and not link.startswith(("http://", "https://")) \
                and slug_problem(link, config.unicode_slugs):
            fields.error(f"link '{link}' must be an article slug or an http(s) URL",
                         index, "link", code="headline-link")
            continue
        lang = fields.text((index, "lang")) or languages[0]
        if lang not in languages:
            fields.error(f"unknown lang '{lang}'; languages in newsgen.yaml: "
                         + ", ".join(languages), index, "lang", code="unknown-lang")
            continue
        if time and title:
            result.append(Headline(source.relative, doc.line(index) or 1, time, title,
                                   link, lang))
    return result


def kind(value: Any) -> str:
    """How a YAML value reads in a message: "a list", "a mapping", "text"..."""
    return {list: "list", dict: "mapping", str: "text", int: "number", float: "number",
            bool: "true/false value"}.get(type(value), type(value).__name__)
