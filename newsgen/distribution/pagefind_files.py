"""Distribution: Pagefind's index files made byte-identical from one run to the next.

Pagefind 1.5 writes each filter's values, and the list of filters in its metadata file, in
the order of a Rust ``HashMap``, which changes with every process: the same site gave three
different filter files in four runs (measured). newsgen promises the same bytes for the same
input, so the filter files and the metadata file are put in a fixed order here, and renamed
the way Pagefind names them (``<lang>_`` + the SHA-1 of the file's content, 7 hex digits for
a filter and 10 for the metadata), with ``pagefind-entry.json`` pointing at the new name.
Every other file Pagefind writes was already the same in every run.

The files are gzip streams of ``pagefind_dcd`` + CBOR; the codec below reads and writes the
subset of CBOR they use (unsigned integers, byte and text strings, arrays) in the shortest
form, as Pagefind's encoder does.
"""

from __future__ import annotations

import gzip
import hashlib
import struct
from typing import Any

SIGNATURE = b"pagefind_dcd"


def canonical(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """``files`` (path relative to the bundle, bytes) with filters and metadata in order."""
    renamed: dict[str, str] = {}  # old hash -> new hash
    result: list[tuple[str, bytes]] = []
    metas = []
    for path, data in files:
        if path.startswith("filter/") and path.endswith(".pf_filter"):
            name, values = _read(data)
            body = _encode([name, sorted(values, key=lambda v: v[0])])
            old = path[len("filter/"):-len(".pf_filter")]
            new = _hashed(old, body, 7)
            renamed[old] = new
            result.append((f"filter/{new}.pf_filter", _pack(body)))
        elif path.endswith(".pf_meta"):
            metas.append((path, data))
        else:
            result.append((path, data))
    entry_changes: dict[str, str] = {}
    for path, data in metas:
        meta = _read(data)
        meta[3] = sorted(([name, renamed.get(h, h)] for name, h in meta[3]),
                         key=lambda f: f[0])
        body = _encode(meta)
        old = path[len("pagefind."):-len(".pf_meta")]
        new = _hashed(old, body, 10)
        entry_changes[old] = new
        result.append((f"pagefind.{new}.pf_meta", _pack(body)))
    for index, (path, data) in enumerate(result):
        if path == "pagefind-entry.json":
            text = data.decode()
            for old, new in entry_changes.items():
                text = text.replace(f'"{old}"', f'"{new}"')
            result[index] = (path, text.encode())
    return result


def _hashed(old: str, body: bytes, length: int) -> str:
    language = old.rsplit("_", 1)[0]
    return f"{language}_{hashlib.sha1(body).hexdigest()[:length]}"


def _read(data: bytes) -> Any:
    raw = gzip.decompress(data)
    if not raw.startswith(SIGNATURE):
        raise ValueError("not a Pagefind data file")
    value, end = _decode(raw, len(SIGNATURE))
    if end != len(raw):
        raise ValueError("trailing bytes in a Pagefind data file")
    return value


def _pack(body: bytes) -> bytes:
    return gzip.compress(SIGNATURE + body, mtime=0)


def _decode(data: bytes, at: int) -> tuple[Any, int]:
    major, info = data[at] >> 5, data[at] & 0x1F
    at += 1
    if info < 24:
        size = info
    elif info in (24, 25, 26, 27):
        width = 1 << (info - 24)
        size = int.from_bytes(data[at:at + width], "big")
        at += width
    else:
        raise ValueError(f"unsupported CBOR item {data[at - 1]:#x}")
    if major == 0:
        return size, at
    if major in (2, 3):
        chunk = data[at:at + size]
        return (chunk if major == 2 else chunk.decode()), at + size
    if major == 4:
        items = []
        for _ in range(size):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    raise ValueError(f"unsupported CBOR major type {major}")


def _head(major: int, size: int) -> bytes:
    if size < 24:
        return bytes([major << 5 | size])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if size < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | info]) + struct.pack(fmt, size)
    raise ValueError("integer too large for CBOR")


def _encode(value: Any) -> bytes:
    if isinstance(value, bool) or not isinstance(value, int | str | bytes | list):
        raise TypeError(f"cannot encode {type(value).__name__}")
    if isinstance(value, int):
        return _head(0, value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        encoded = value.encode()
        return _head(3, len(encoded)) + encoded
    return _head(4, len(value)) + b"".join(_encode(item) for item in value)
