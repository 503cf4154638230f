"""Bodies too deep for Markdown: a guard the loader runs on every body before anything
converts it, so a pathological file is a content error at its line, not a hung build."""

from __future__ import annotations

MAX_NESTING = 200

def nesting_problem(text: str) -> tuple[int, str] | None:
    """(line within ``text``, message) if the body nests deeper than Python-Markdown can take.

    Its inline patterns recurse and rescan: a few thousand ``[``, ``(``, ``_`` or ``*`` in a
    row make conversion take minutes or end in RecursionError. No article nests brackets,
    emphasis or indentation 200 deep, so such a body is refused with its line instead.
    """
    if not _may_nest_deeply(text):
        return None
    for number, line in enumerate(text.split("\n"), start=1):
        indent = len(line) - len(line.lstrip(" \t>"))
        if indent > MAX_NESTING:
            return number, f"line is indented or quoted more than {MAX_NESTING} levels deep"
        if line.count("[") + line.count("(") <= MAX_NESTING and not _long_run(line):
            continue
        run = depth = deepest = 0
        previous = ""
        for char in line:
            run = run + 1 if char == previous and char in "_*" else 1
            if char in "[(":
                depth += 1
                deepest = max(deepest, depth)
            elif char in "])":
                depth = max(depth - 1, 0)
            previous = char
            if run > MAX_NESTING or deepest > MAX_NESTING:
                return number, (f"brackets or emphasis nested more than {MAX_NESTING} deep; "
                                "Markdown cannot convert this line")
    return None


_LONG_RUNS = ("_" * (MAX_NESTING + 1), "*" * (MAX_NESTING + 1))
_DEEP_INDENT = "\n" + " " * (MAX_NESTING + 1)
_INDENT_CHARS = str.maketrans("\t>", "  ")


def _long_run(text: str) -> bool:
    return any(run in text for run in _LONG_RUNS)


def _may_nest_deeply(text: str) -> bool:
    """A cheap necessary condition for :func:`nesting_problem` (the per-character scan
    costs more than loading the rest of the file): bracket depth on a line never exceeds
    the number of opening brackets in the whole body. Substring tests, not regular
    expressions: a regex for 201 repeats scans at a tenth of the speed."""
    return (text.count("[") + text.count("(") > MAX_NESTING or _long_run(text)
            or _DEEP_INDENT in ("\n" + text).translate(_INDENT_CHARS))
