"""Problems found in a site, each pinned to the file and line an editor must open."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class SourceLocation:
    """A place in the site: a path relative to the site root and, where the file has lines, a line.

    Paths always use forward slashes so that messages read the same on every platform.
    """

    path: str
    line: int | None = None
    column: int | None = None

    def __post_init__(self) -> None:
        if os.sep != "/" and os.sep in self.path:  # Windows: a path made with os.path
            object.__setattr__(self, "path", self.path.replace(os.sep, "/"))

    def __str__(self) -> str:
        text = self.path
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


@dataclass(frozen=True, order=True)
class Problem:
    """One finding: printed as ``path:line: message`` and ordered by file, then line."""

    location: SourceLocation
    message: str
    severity: Severity = "error"
    code: str = "content"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.location}: {prefix}{self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.location.path,
            "line": self.location.line,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


class ContentError(Exception):
    """Raised by a parsing helper for a single problem; loaders catch it and collect it."""

    def __init__(self, location: SourceLocation, message: str, code: str = "content") -> None:
        super().__init__(f"{location}: {message}")
        self.problem = Problem(location, message, "error", code)


class BuildFailed(Exception):
    """The build found problems; the previous output is untouched.

    Carries every problem found in the run, so an editor fixes them all at once.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems), key=_sort_key)
        super().__init__("\n".join(str(p) for p in self.problems))


def _sort_key(problem: Problem) -> tuple[str, int, str]:
    return (problem.location.path, problem.location.line or 0, problem.message)


@dataclass
class ProblemList:
    """An append-only collector that stages hand around; keeps errors and warnings apart."""

    items: list[Problem] = field(default_factory=list)

    def error(self, location: SourceLocation, message: str, code: str = "content") -> None:
        self.items.append(Problem(location, message, "error", code))

    def warning(self, location: SourceLocation, message: str, code: str = "content") -> None:
        self.items.append(Problem(location, message, "warning", code))

    def add(self, problem: Problem) -> None:
        self.items.append(problem)

    def extend(self, problems: list[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def sorted(self) -> list[Problem]:
        return sorted(set(self.items), key=_sort_key)
