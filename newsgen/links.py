"""Site paths linked from article bodies (``/world/``, ``/images/map.png``) that no file of the
build serves: reported as warnings at the line of the link, by ``build`` and ``check`` alike."""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Iterable, Iterator

from newsgen.errors import Problem, SourceLocation
from newsgen.markup import body_line_of

_URL = re.compile(r'\s(?:href|src)="(/[^"]*)"')


def site_link_warnings(prefix: str, bodies: Iterable[tuple[str, str, int, str]],
                       planned: set[str]) -> Iterator[Problem]:
    """``bodies`` are (source, Markdown, first body line, HTML) of each article or page."""
    if not planned:
        return
    for source, body, body_line, body_html in bodies:
        if 'href="/' not in body_html and 'src="/' not in body_html:
            continue
        for url in dict.fromkeys(html.unescape(u) for u in _URL.findall(body_html)):
            target = planned_file(url, prefix)
            if target is None or target in planned or f"{target}/index.html" in planned:
                continue
            shown = url[len(prefix):] if prefix and url.startswith(prefix + "/") else url
            yield Problem(SourceLocation(source, body_line_of(body, body_line, shown)),
                          f"link to '{shown}': no page or file of the site has that path",
                          "warning", "broken-site-link")


def planned_file(url: str, prefix: str) -> str | None:
    """The output file a site-path URL needs, or None for anything else (external, #...)."""
    if not url.startswith("/") or url.startswith("//"):
        return None
    path = url.split("#", 1)[0].split("?", 1)[0]
    if prefix:
        if not (path + "/").startswith(prefix + "/"):
            return path.lstrip("/") or "index.html"
        path = path[len(prefix):] or "/"
    relative = posixpath.normpath(path).lstrip("/")
    if path.endswith("/"):
        relative = f"{relative}/index.html" if relative not in ("", ".") else "index.html"
    return relative
