"""``newsgen check``: everything a build validates, without writing, plus editorial warnings.

A check must show an editor every finding at once, errors and warnings together, so it loads the
content itself (for the loader's warnings and the extra front-matter checks) and then runs the
build without writing (for links, templates and URL collisions). Site paths linked from bodies
(``/world/``, ``/images/map.png``) are checked against the files that build would write.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from newsgen.build.bodies import not_images
from newsgen.build.builder import BuildOptions, build_site
from newsgen.content import links
from newsgen.content.config import SiteConfig, load_config
from newsgen.content.frontmatter import parse_yaml, split_front_matter
from newsgen.content.loader import Content, load_content
from newsgen.content.models import Site
from newsgen.content.sources import discover, read_body, read_text
from newsgen.content.times import iso
from newsgen.errors import BuildFailed, ContentError, Problem, ProblemList
from newsgen.render.markup import MarkdownConverter, body_line_of
from newsgen.reporter import Reporter

MAX_TITLE = 110
MAX_SUMMARY = 300


@dataclass(frozen=True)
class CheckResult:
    findings: tuple[Problem, ...]
    articles: int = 0
    notes: tuple[str, ...] = ()  # ``path:line: ...`` lines that are neither (held updates)

    @property
    def errors(self) -> int:
        return sum(1 for p in self.findings if p.severity == "error")

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors


def check_site(site_dir: Path, options: BuildOptions, reporter: Reporter | None = None
               ) -> CheckResult:
    """Every finding for the site, sorted by file and line; nothing is written.

    With ``options.strict`` every warning is returned as an error.
    """
    try:
        config = load_config(site_dir)
    except BuildFailed as failed:
        return CheckResult(tuple(failed.problems))
    problems = ProblemList()
    notes: tuple[str, ...] = ()
    content = load_content(config, problems)
    problems.extend(list(front_matter_warnings(config)))
    try:
        result = build_site(site_dir, replace(options, write=False, strict=False), reporter)
    except BuildFailed as failed:
        problems.extend(failed.problems)
    else:
        problems.extend(result.warnings)
        problems.extend(list(site_link_warnings(config, content, result.paths)))
        notes = (*result.notes, *held_updates(result.site))
    findings = sorted(set(problems.items))
    if options.strict:
        findings = [replace(p, severity="error") for p in findings]
    return CheckResult(tuple(findings), len(content.articles), notes)


def held_updates(site: Site | None) -> tuple[str, ...]:
    """Live updates timed after the check's now, at their heading's line: scheduled, not
    wrong (so neither an error nor a warning that ``--strict`` would fail on), but an editor
    who wrote a wrong date wants to see why the update is not on the page."""
    if site is None:
        return ()
    return tuple(f"{a.source}:{a.body_line + u.line - 1}: live update '{u.title}' is held "
                 f"back until {iso(u.time.astimezone(site.config.timezone))}"
                 for a in site.articles for u in sorted(a.held, key=lambda u: u.line))


def front_matter_warnings(config: SiteConfig) -> Iterator[Problem]:
    """Long titles and summaries, and bylines that look like author ids but are not one."""
    problems = ProblemList()
    for source in discover(config, "content/articles", (".md", ".markdown"), problems):
        try:
            yaml_text, _body, _line = split_front_matter(read_text(source, config),
                                                         source.relative)
            doc = parse_yaml(yaml_text, source.relative, first_line=2)
        except (ContentError, OSError):
            continue  # the loader reports it
        if not isinstance(doc.value, dict):
            continue
        title, summary = doc.value.get("title"), doc.value.get("summary")
        if isinstance(title, str) and len(title.strip()) > MAX_TITLE:
            yield Problem(doc.at("title"), f"title is {len(title.strip())} characters, over "
                          f"{MAX_TITLE}: search results and social cards will cut it",
                          "warning", "long-title")
        if isinstance(summary, str) and len(summary.strip()) > MAX_SUMMARY:
            yield Problem(doc.at("summary"), f"summary is {len(summary.strip())} characters, "
                          f"over {MAX_SUMMARY}: keep it to two sentences", "warning",
                          "long-summary")
        authors = doc.value.get("authors")
        for index, name in enumerate(authors if isinstance(authors, list) else []):
            if _looks_like_unknown_id(config, name):
                known = ", ".join(config.authors) or "none"
                yield Problem(doc.at("authors", index), f"'{name}' is not an author id in "
                              f"newsgen.yaml (ids: {known}); shown as a plain name", "warning",
                              "unknown-author")


def _looks_like_unknown_id(config: SiteConfig, name: object) -> bool:
    """A one-word lowercase byline such as ``ana`` is a mistyped id; ``Reuters`` a name.
    Hyphenated ids are already reported by the loader."""
    return (isinstance(name, str) and name not in config.authors and name == name.lower()
            and " " not in name.strip() and "-" not in name and any(c.isalpha() for c in name))


def site_link_warnings(config: SiteConfig, content: Content, paths: Iterable[str]
                       ) -> Iterator[Problem]:
    """Links in every body (drafts and embargoed ones too) to site paths no file serves."""
    converter = MarkdownConverter(config.unsafe_html, config.url_prefix)
    bodies = [(a.source, *_body(config, a.source)) for a in content.articles]
    bodies += [(p.source, p.body, p.body_line) for p in content.pages]
    yield from links.site_link_warnings(
        config.url_prefix,
        ((source, not_images(converter.convert(body, source).meta),
          functools.partial(body_line_of, body, line)) for source, body, line in bodies),
        set(paths))


def _body(config: SiteConfig, source: str) -> tuple[str, int]:
    try:
        return read_body(config, source)
    except (ContentError, OSError):  # the loader has reported it
        return "", 1
