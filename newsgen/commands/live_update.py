"""``newsgen new update SLUG "Title"``: add a timestamped update to a live blog's file.

The heading goes above the newest update already in the file (newest first, as a desk
reads its own file), dated now in the site zone; the rest of the file is kept byte for
byte. The update must fall inside the blog's coverage, as the build will check.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from newsgen.commands.scaffold import ScaffoldError
from newsgen.content.config import SiteConfig
from newsgen.content.frontmatter import decode_source, split_front_matter
from newsgen.content.live import UPDATE_HEADING
from newsgen.content.loader import load_content
from newsgen.errors import ContentError, ProblemList


def new_update(config: SiteConfig, slug: str, title: str, now: datetime, key: bool = False,
               by: str = "", text: str = "") -> Path:
    """Insert an update into the live blog ``slug``; return its file."""
    title = " ".join(title.split())
    if not title:
        raise ScaffoldError("the update's title is empty")
    found = [a for a in load_content(config, ProblemList()).articles if a.slug == slug]
    if not found:
        raise ScaffoldError(f"no article in content/articles/ has the slug '{slug}'")
    article = found[0]
    coverage = article.coverage
    if not article.live or coverage is None:
        raise ScaffoldError(f"{article.source} is not a live blog (live: true, coverage:)")
    local = now.astimezone(config.timezone).replace(second=0, microsecond=0)
    if local < coverage.start or (coverage.end is not None and local > coverage.end):
        raise ScaffoldError(f"{local:%Y-%m-%d %H:%M} is outside the coverage of "
                            f"{article.source}")
    path = config.site_dir / article.source
    try:
        original = decode_source(path.read_bytes(), article.source)
        body_line = split_front_matter(original, article.source)[2]
    except ContentError as exc:
        raise ScaffoldError(exc.problem.message) from None
    options = ", ".join((["key"] if key else []) + ([f"by={by}"] if by else []))
    heading = f"## {local:%Y-%m-%d %H:%M} {title}" + (f" {{{options}}}" if options else "")
    lines = original.split("\n")
    at = next((i for i in range(body_line - 1, len(lines)) if UPDATE_HEADING.match(lines[i])),
              None)
    block = [heading, "", text.strip() or "(Text of the update.)", ""]
    if at is None:
        lines = [*(lines[:-1] if lines[-1] == "" else lines), "", *block]
    else:
        lines[at:at] = block
    data = "\n".join(lines)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(data if data.endswith("\n") else data + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return path
