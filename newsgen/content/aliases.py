"""Old addresses of an article (``aliases:``): reading and checking them at their line.

An alias is a path on this site, written without the ``base_url`` prefix (like an image's
``src``). Anything that could not become a file inside the output folder, or that points
at another site, is refused at the line of the alias, so a redirect never leads outside.
"""

from __future__ import annotations

from newsgen.content.fields import FieldReader
from newsgen.content.models import Alias
from newsgen.content.urls import GENERATED_ROOTS
from newsgen.engine.paths import UnsafePath, check_relative, printable


def read_aliases(fields: FieldReader) -> tuple[Alias, ...]:
    """Every valid alias of the article, each with its line; bad ones are reported."""
    result = []
    for index, path in enumerate(fields.text_list("aliases")):
        problem = alias_problem(path)
        if problem:
            fields.error(problem, "aliases", index, code="bad-alias")
            continue
        result.append(Alias(path, fields.doc.line("aliases", index) or 1))
    return tuple(result)


def alias_problem(path: str) -> str | None:
    """Why ``path`` cannot be an alias, or None."""
    shown = printable(path)
    if "://" in path or path.startswith("//"):
        return (f"alias '{shown}' leaves the site; write a path on this site such as "
                "/2019/old-story/")
    if not path.startswith("/"):
        return f"alias '{shown}' must be a site path starting with '/'"
    if not path.isascii() or any(c.isspace() or c in '"<>' for c in path):
        return (f"alias '{shown}' must be plain ASCII without spaces or quotes (as it "
                "appears in the old address)")
    if "?" in path or "#" in path:
        return f"alias '{shown}' may not hold a query ('?') or fragment ('#')"
    try:
        relative = alias_file(path)
    except UnsafePath as exc:
        return f"alias '{shown}' cannot be a file in the output: {exc}"
    root = relative.split("/", 1)[0]
    if root in GENERATED_ROOTS or relative.startswith("_redirects"):
        return f"alias '{shown}' is a path newsgen generates itself ('{root}')"
    return None


def alias_file(path: str) -> str:
    """The output file (relative to the site's root) that answers an alias: ``/a/b/`` and
    ``/a/b`` -> ``a/b/index.html`` (a static host serves the folder's index for both);
    ``/a/b.html`` -> ``a/b.html``. Raises UnsafePath for paths that could leave the output."""
    relative = path[1:]
    last = relative.rsplit("/", 1)[-1]
    if not relative or relative.endswith("/"):
        relative += "index.html"
    elif "." not in last:
        relative += "/index.html"
    return check_relative(relative)
