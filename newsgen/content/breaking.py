"""The breaking-news banner: ``content/breaking.yaml`` -> a model, every problem at its line.

One file, not a key of ``newsgen.yaml``: the desk changes it several times on a big day and
should not need to touch the site's settings to do so. The banner is shown until
``expires``; the build's next-change time includes that moment (``publish.assemble``), so a
scheduled build takes it down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from newsgen.content.config import SiteConfig
from newsgen.content.fields import FieldReader
from newsgen.content.frontmatter import parse_yaml
from newsgen.content.sources import SourceFile, read_text
from newsgen.content.urls import slug_problem
from newsgen.errors import ContentError, ProblemList, SourceLocation

BREAKING_FILE = "content/breaking.yaml"
BREAKING_KEYS = ("title", "link", "expires")


@dataclass(frozen=True)
class Breaking:
    """The banner as written: ``link`` is an article slug, an http(s) URL or empty."""

    source: str
    line: int
    title: str
    expires: datetime
    link: str = ""
    link_line: int = 0


def load_breaking(config: SiteConfig, problems: ProblemList) -> Breaking | None:
    """The banner file's content, or None when there is none (or it is broken: then its
    problems are in ``problems``)."""
    path = config.site_dir / BREAKING_FILE
    if not path.exists():
        return None
    try:
        doc = parse_yaml(read_text(SourceFile(BREAKING_FILE, path), config), BREAKING_FILE)
    except ContentError as exc:
        problems.add(exc.problem)
        return None
    except OSError as exc:
        problems.error(SourceLocation(BREAKING_FILE), f"cannot read file: {exc.strerror}", "io")
        return None
    if not isinstance(doc.value, dict):
        problems.error(doc.at(), "the breaking-news file must be a mapping with 'title', "
                       "'expires' and optional 'link'", "breaking")
        return None
    fields = FieldReader(doc, config.timezone, problems)
    fields.warn_unknown(BREAKING_KEYS, "breaking")
    title = fields.text("title", required=True)
    expires = fields.time("expires", required=True)
    link = fields.text("link")
    if link and not link.startswith(("http://", "https://")) \
            and slug_problem(link, config.unicode_slugs):
        fields.error(f"link '{link}' must be an article slug or an http(s) URL", "link",
                     code="breaking-link")
        return None
    if not (title and expires):
        return None
    return Breaking(BREAKING_FILE, doc.line() or 1, title, expires, link,
                    doc.line("link") or 1 if link else 0)
