"""Image sizes read from file headers, so pages carry ``width``/``height`` (no layout shift)
without adding an imaging library to the runtime dependencies."""

from __future__ import annotations

import re
import struct
from pathlib import Path

_SVG_ROOT = re.compile(rb"<svg\b[^>]*>", re.S)
_SVG_ATTR = re.compile(rb'\b(width|height|viewBox)\s*=\s*["\']([^"\']*)["\']')
_NUMBER = re.compile(rb"^\s*([0-9]+(?:\.[0-9]+)?)\s*(px)?\s*$")


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) in CSS pixels, or None when the format or header is unknown."""
    try:
        with path.open("rb") as handle:
            head = handle.read(65536)
    except OSError:
        return None
    try:
        return _sniff(head)
    except (struct.error, ValueError, IndexError):
        return None


def _sniff(head: bytes) -> tuple[int, int] | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        width, height = struct.unpack(">II", head[16:24])
        return width, height
    if head[:6] in (b"GIF87a", b"GIF89a"):
        width, height = struct.unpack("<HH", head[6:10])
        return width, height
    if head.startswith(b"\xff\xd8"):
        return _jpeg(head)
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return _webp(head)
    if b"<svg" in head[:4096]:
        return _svg(head)
    return None


def _jpeg(head: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 < len(head):
        if head[index] != 0xFF:
            index += 1
            continue
        marker = head[index + 1]
        length = struct.unpack(">H", head[index + 2:index + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", head[index + 5:index + 9])
            return width, height
        index += 2 + length
    return None


def _webp(head: bytes) -> tuple[int, int] | None:
    chunk = head[12:16]
    if chunk == b"VP8X":
        width = int.from_bytes(head[24:27], "little") + 1
        height = int.from_bytes(head[27:30], "little") + 1
        return width, height
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", head[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L":
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _svg(head: bytes) -> tuple[int, int] | None:
    root = _SVG_ROOT.search(head)
    if not root:
        return None
    attrs = {name.decode(): value for name, value in _SVG_ATTR.findall(root.group(0))}
    width, height = _px(attrs.get("width")), _px(attrs.get("height"))
    if width and height:
        return width, height
    box = attrs.get("viewBox", b"").replace(b",", b" ").split()
    if len(box) == 4:
        return round(float(box[2])), round(float(box[3]))
    return None


def _px(value: bytes | None) -> int | None:
    if value is None:
        return None
    match = _NUMBER.match(value)
    return round(float(match.group(1))) if match else None
