"""Story furniture in Markdown bodies: the ``:::`` block syntax, and its check at file lines.

A block opens with ``::: KIND title`` on a line of its own and closes with ``:::``:

    ::: factbox What we know so far          (a boxed list of facts; any Markdown inside)
    ::: pullquote Amara Haddad, harbour master   (a highlighted quote; the line is its source)
    ::: timeline How the storm unfolded      (lines "- WHEN | WHAT", oldest first)
    ::: readmore                             (links to other stories, one a line)
    ::: embed URL [title]                    (one line: a video, post, chart or map)

The syntax lives here, with the content, so that a mistake (an unknown kind, a block never
closed, a timeline line without ``|``) is reported at its line before anything converts the
body; ``render.furniture`` turns the same blocks into HTML.
"""

from __future__ import annotations

import re

from newsgen.content.embeds import embed_problem

KINDS = ("factbox", "pullquote", "timeline", "readmore")
TITLED = ("factbox", "pullquote", "timeline")  # kinds whose opening line needs a title
FENCE = ":::"
OPENING = re.compile(r"^:::[ \t]*([A-Za-z][\w-]*)[ \t]*(.*?)[ \t]*$")
CLOSING = re.compile(r"^:::[ \t]*$")
TIMELINE_ITEM = re.compile(r"^[-*+][ \t]+(.+?)[ \t]+\|[ \t]+(.+?)[ \t]*$")


def block_problems(body: str) -> list[tuple[int, str]]:
    """(line within ``body``, message) for every mistake in its ``:::`` blocks. A body
    without ``:::`` at a line start costs one substring test."""
    if not body.startswith(FENCE) and "\n" + FENCE not in body:
        return []
    problems: list[tuple[int, str]] = []
    open_kind, open_line = "", 0
    in_code = False
    for number, line in enumerate(body.split("\n"), start=1):
        if line.startswith(("```", "~~~")):
            in_code = not in_code
        if in_code or not line.startswith(FENCE):
            if open_kind == "timeline" and line.strip() and not TIMELINE_ITEM.match(line):
                problems.append((number, "a timeline line must read '- WHEN | WHAT' "
                                         "(for example '- 06:00 | Barrier closes')"))
            continue
        if CLOSING.match(line):
            if not open_kind:
                problems.append((number, "':::' closes no block"))
            open_kind = ""
            continue
        opening = OPENING.match(line)
        kind = opening.group(1).lower() if opening else ""
        if kind == "embed":  # one line, no closing fence
            problem = embed_problem(line)
            if problem:
                problems.append((number, problem))
            continue
        if open_kind:
            problems.append((number, f"a '::: {kind}' block cannot start inside the "
                                     f"'::: {open_kind}' block opened at line {open_line}; "
                                     "close that one with ':::' first"))
            continue
        if kind not in KINDS:
            problems.append((number, f"unknown block '::: {kind}'; known blocks: "
                                     + ", ".join(KINDS + ("embed",))))
            open_kind, open_line = kind or "?", number  # its closing ':::' is no mistake
            continue
        if kind in TITLED and not (opening and opening.group(2)):
            what = "its source" if kind == "pullquote" else "a title"
            problems.append((number, f"'::: {kind}' needs {what} on the same line"))
        open_kind, open_line = kind, number
    if open_kind:
        problems.append((open_line, f"the '::: {open_kind}' block is never closed; end it "
                                    "with a line ':::'"))
    return problems
