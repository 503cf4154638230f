"""Site paths linked from article bodies (``/world/``, ``/images/map.png``) that no file of the
build serves: reported as warnings at the line of the link, by ``build`` and ``check`` alike."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Iterator

from newsgen.errors import Problem, SourceLocation

LinkedBody = tuple[str, tuple[str, ...], Callable[[str], int]]


def site_link_warnings(prefix: str, bodies: Iterable[LinkedBody], planned: set[str]
                       ) -> Iterator[Problem]:
    """``bodies`` are (source, site paths its body links to, file line of a link target) of
    each article or page; the line is looked up only for a link that gets a warning."""
    if not planned:
        return
    for source, urls, line_of in bodies:
        for url in urls:
            target = planned_file(url, prefix)
            if target is None or target in planned or f"{target}/index.html" in planned:
                continue
            shown = url[len(prefix):] if prefix and url.startswith(prefix + "/") else url
            yield Problem(SourceLocation(source, line_of(shown)),
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
