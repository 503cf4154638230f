"""Reading editors' files: bytes to text, the ``---`` block, and YAML with file line numbers.

YAML is composed into nodes (which keep their marks) and turned into Python values here, not by
PyYAML's constructor: that is how every key keeps its line in file coordinates, duplicate keys
are caught with both lines, tags such as ``!!python/object`` are refused instead of run, and an
alias bomb stops at a value budget instead of filling memory.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from typing import Any

import yaml

from newsgen.errors import ContentError, SourceLocation

try:  # libyaml keeps line marks and is about seven times faster than the pure-Python parser
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - wheels ship libyaml
    _Loader = yaml.SafeLoader

MAX_VALUES = 20_000
MAX_DEPTH = 32
_SCALARS = yaml.constructor.SafeConstructor()
_STD = "tag:yaml.org,2002:"

Path = tuple[str | int, ...]


@dataclass
class YamlDoc:
    """Parsed YAML plus the file line of every key and list item, addressed by path."""

    value: Any
    lines: dict[Path, int] = field(default_factory=dict)
    source: str = ""

    def line(self, *path: str | int) -> int | None:
        """Line of the deepest known prefix of ``path``: a missing key points at its parent."""
        key: Path = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), None)

    def at(self, *path: str | int) -> SourceLocation:
        return SourceLocation(self.source, self.line(*path))


def decode_source(raw: bytes, path: str) -> str:
    """UTF-8 (BOM allowed) to text with LF line ends; anything else is a precise error."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16(raw):
        raise ContentError(SourceLocation(path, 1),
                           "file is UTF-16 encoded; save it as UTF-8", "encoding")
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise ContentError(
            SourceLocation(path, line),
            f"invalid UTF-8 (byte 0x{raw[exc.start]:02x} at column {column}); "
            "save the file as UTF-8",
            "encoding",
        ) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _looks_utf16(raw: bytes) -> bool:
    sample = raw[:200]
    return len(sample) >= 4 and sample.count(0) >= len(sample) // 3


def split_front_matter(text: str, path: str) -> tuple[str, str, int]:
    """Return (yaml text, body, file line where the body starts).

    The YAML text keeps its own line numbering from file line 2, so a mark at YAML line n is
    file line n + 2.
    """
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise ContentError(SourceLocation(path, 1),
                           "expected front matter: the file must start with a line '---'",
                           "front-matter")
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            yaml_text = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1:])
            return yaml_text, body, index + 2
    raise ContentError(SourceLocation(path, 1),
                       "front matter opened with '---' on line 1 is never closed "
                       "(add a line '---' after the last key)", "front-matter")


def parse_yaml(text: str, path: str, first_line: int = 1) -> YamlDoc:
    """Parse one YAML document; ``first_line`` is the file line of the text's first line."""
    offset = first_line - 1
    try:
        _check_depth(text, path, offset)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + offset if mark is not None else first_line
        problem = exc.problem or exc.context or "invalid YAML"
        if "nesting depth" in problem:  # PyYAML >= 6.0.4 has a parser limit of its own
            raise ContentError(SourceLocation(path, line),
                               f"YAML is nested more than {MAX_DEPTH} levels deep",
                               "yaml") from None
        raise ContentError(SourceLocation(path, line), f"YAML syntax error: {problem}",
                           "yaml") from None
    except yaml.YAMLError as exc:
        raise ContentError(SourceLocation(path, first_line), f"YAML error: {exc}",
                           "yaml") from None
    except RecursionError:
        raise ContentError(SourceLocation(path, first_line),
                           "YAML is nested too deeply", "yaml") from None
    doc = YamlDoc(None, {}, path)
    if node is None:
        return doc
    builder = _Builder(doc, offset)
    doc.lines[()] = node.start_mark.line + 1 + offset
    doc.value = builder.build(node, (), 0)
    return doc


def _check_depth(text: str, path: str, offset: int) -> None:
    """Refuse deep nesting from the event stream, before composing: libyaml's composer
    recurses in C, and a hundred thousand ``[`` would crash the process, not raise."""
    if text.count("[") + text.count("{") + text.count("\n") <= MAX_DEPTH:
        return  # not enough brackets and lines to nest that deep: skip the second parse
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH + 1:  # the same limit as _Builder, whose root is depth 0
                mark = event.start_mark
                line = (mark.line if mark is not None else 0) + 1 + offset
                raise ContentError(SourceLocation(path, line),
                                   f"YAML is nested more than {MAX_DEPTH} levels deep", "yaml")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


class _Builder:
    """Nodes to plain values, recording lines, with budgets for size and depth."""

    def __init__(self, doc: YamlDoc, offset: int) -> None:
        self.doc = doc
        self.offset = offset
        self.count = 0

    def line_of(self, node: yaml.Node) -> int:
        return int(node.start_mark.line) + 1 + self.offset

    def fail(self, node: yaml.Node, message: str) -> ContentError:
        return ContentError(SourceLocation(self.doc.source, self.line_of(node)), message, "yaml")

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise self.fail(node, f"YAML holds more than {MAX_VALUES} values "
                                  "(are aliases expanding it?)")
        if depth > MAX_DEPTH:
            raise self.fail(node, f"YAML is nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag not in (_STD + "seq",):
                raise self.fail(node, f"YAML tag '{node.tag}' is not allowed")
            items = []
            for index, child in enumerate(node.value):
                self.doc.lines[path + (index,)] = self.line_of(child)
                items.append(self.build(child, path + (index,), depth + 1))
            return items
        return self.scalar(node)

    def mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[Any, Any]:
        if node.tag != _STD + "map":
            raise self.fail(node, f"YAML tag '{node.tag}' is not allowed")
        result: dict[Any, Any] = {}
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _STD + "merge":
                raise self.fail(key_node, "YAML merge keys ('<<') are not supported")
            key = self.build(key_node, path, depth + 1)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise self.fail(key_node, "keys must be plain text")
            line = self.line_of(key_node)
            if key in seen:
                raise self.fail(key_node, f"duplicate key '{key}': first on line {seen[key]}, "
                                          f"again on line {line}")
            seen[key] = line
            self.doc.lines[path + (key,)] = line
            result[key] = self.build(value_node, path + (key,), depth + 1)
        return result

    def scalar(self, node: yaml.Node) -> Any:
        tag = node.tag
        if tag == _STD + "str":
            return node.value
        if tag == _STD + "timestamp":
            return node.value  # parsed by newsgen.content.times so errors quote the editor's text
        if tag == _STD + "null":
            return None
        constructors = {
            _STD + "bool": _SCALARS.construct_yaml_bool,
            _STD + "int": _SCALARS.construct_yaml_int,
            _STD + "float": _SCALARS.construct_yaml_float,
        }
        if tag in constructors and isinstance(node, yaml.ScalarNode):
            return constructors[tag](node)
        raise self.fail(node, f"YAML tag '{tag}' is not allowed")
