"""Typed reading of YAML fields, each problem reported at the line of the key that holds it.

Shared by articles, pages and headline files so that every file kind speaks to editors the
same way ("'draft' must be true or false", at the line of ``draft:``).
"""

from __future__ import annotations

import difflib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from newsgen.content.frontmatter import YamlDoc
from newsgen.content.times import TimeError, parse_time
from newsgen.errors import ProblemList

Key = str | int | tuple[str | int, ...]


def _path(key: Key) -> tuple[str | int, ...]:
    return key if isinstance(key, tuple) else (key,)


def _name(path: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in path if not isinstance(p, int)) or "item"


class FieldReader:
    """Reads one YAML document's fields; never raises, only records problems."""

    def __init__(self, doc: YamlDoc, zone: ZoneInfo, problems: ProblemList) -> None:
        self.doc = doc
        self.zone = zone
        self.problems = problems

    def error(self, message: str, *path: str | int, code: str = "field") -> None:
        self.problems.error(self.doc.at(*path), message, code)

    def warn(self, message: str, *path: str | int, code: str = "field") -> None:
        self.problems.warning(self.doc.at(*path), message, code)

    def raw(self, key: Key) -> Any:
        value: Any = self.doc.value
        for part in _path(key):
            if isinstance(part, int):
                if not isinstance(value, list) or part >= len(value):
                    return None
                value = value[part]
            else:
                if not isinstance(value, dict):
                    return None
                value = value.get(part)
        return value

    def warn_unknown(self, allowed: tuple[str, ...], kind: str,
                     base: tuple[str | int, ...] = ()) -> None:
        mapping = self.raw(base) if base else self.doc.value
        if not isinstance(mapping, dict):
            return
        for key in mapping:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.warn(f"unknown {kind} key '{key}'{hint}", *base, key, code="unknown-key")

    def text(self, key: Key, required: bool = False, message: str = "") -> str:
        path = _path(key)
        value = self.raw(path)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(message or f"'{_name(path)}' is required and must not be empty",
                           *path, code="missing-field")
            return ""
        if not isinstance(value, str):
            self.error(f"'{_name(path)}' must be text, not {_describe(value)} "
                       "(put it in quotes)", *path, code="wrong-type")
            return ""
        return " ".join(value.split()) if "\n" in value.strip() else value.strip()

    def time(self, key: Key, required: bool = False) -> datetime | None:
        path = _path(key)
        value = self.raw(path)
        if value is None or value == "":
            if required:
                self.error(f"'{_name(path)}' is required (an ISO 8601 time such as "
                           "2026-03-26T21:05)", *path, code="missing-field")
            return None
        try:
            return parse_time(value, self.zone)
        except TimeError as exc:
            self.error(f"'{_name(path)}': {exc}", *path, code="bad-date")
            return None

    def boolean(self, key: Key) -> bool:
        path = _path(key)
        value = self.raw(path)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.error(f"'{_name(path)}' must be true or false, not {_describe(value)}", *path,
                       code="wrong-type")
            return False
        return value

    def text_list(self, key: Key) -> list[str]:
        path = _path(key)
        value = self.raw(path)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(f"'{_name(path)}' must be a list such as [a, b], not "
                       f"{_describe(value)}", *path, code="wrong-type")
            return []
        result = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.error(f"each item of '{_name(path)}' must be non-empty text", *path, index,
                           code="wrong-type")
                continue
            result.append(item.strip())
        return result

    def mapping(self, key: Key, allowed: tuple[str, ...]) -> dict[str, Any] | None:
        path = _path(key)
        value = self.raw(path)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.error(f"'{_name(path)}' must be a mapping with keys "
                       + ", ".join(allowed), *path, code="wrong-type")
            return None
        self.warn_unknown(allowed, _name(path), path)
        return value

    def mapping_list(self, key: Key, allowed: tuple[str, ...]) -> list[tuple[int, dict]]:
        path = _path(key)
        value = self.raw(path)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(f"'{_name(path)}' must be a list", *path, code="wrong-type")
            return []
        result = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                self.error(f"each item of '{_name(path)}' must be a mapping with keys "
                           + ", ".join(allowed), *path, index, code="wrong-type")
                continue
            self.warn_unknown(allowed, _name(path), path + (index,))
            result.append((index, item))
        return result


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text '{value}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
