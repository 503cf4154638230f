"""What the last build produced for each output file, packed small (``PageRecords``), and
what those records were computed from (``PagesState``): kept in the build cache (cache.py)
and compared by the next build (pages.py, page_work.py, dependencies.py)."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import NamedTuple


class PageRecord(NamedTuple):
    """What the last build produced for one output file: the fingerprint of its inputs, the
    digest of its bytes, where the ticker sits in it, and which articles (by their stable
    id, ``fingerprint.article_ids``, packed as ``array('I')``) its context showed."""

    fingerprint: str
    digest: str
    splices: tuple[int, ...]
    refs: bytes = b""


_HEADER = struct.Struct("<HHH")  # lengths of the fingerprint, the digest, the splices


class PageRecords:
    """Page records by output path, each packed into one ``bytes`` (a
    :class:`PageRecord` is made again on every lookup).

    A large site has one record per page (140,000 at 100,000 articles), and a rebuild holds
    the last build's and this build's: as named tuples of small strings that was 150 MB.
    Packed it is a third of that, and a forked render worker looking records up touches
    (and so copies) one small object per page instead of five."""

    def __init__(self) -> None:
        self._packed: dict[str, bytes] = {}

    def __len__(self) -> int:
        return len(self._packed)

    def __contains__(self, path: object) -> bool:
        return path in self._packed

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __setitem__(self, path: str, record: PageRecord) -> None:
        self._packed[path] = pack_record(record)

    def get(self, path: str) -> PageRecord | None:
        packed = self._packed.get(path)
        return None if packed is None else unpack_record(packed)

    def packed(self, path: str) -> bytes | None:
        """The record of ``path`` as :func:`pack_record` made it (no copy), or None."""
        return self._packed.get(path)

    def put_packed(self, path: str, packed: bytes) -> None:
        self._packed[path] = packed

    def clear(self) -> None:
        self._packed.clear()


def pack_record(record: PageRecord) -> bytes:
    fingerprint, out = record.fingerprint.encode(), record.digest.encode()
    return b"".join((_HEADER.pack(len(fingerprint), len(out), len(record.splices)),
                     fingerprint, out, struct.pack(f"<{len(record.splices)}Q",
                                                   *record.splices), record.refs))


def unpack_record(packed: bytes) -> PageRecord:
    fingerprint_size, digest_size, splice_count = _HEADER.unpack_from(packed)
    start = _HEADER.size
    middle = start + fingerprint_size
    end = middle + digest_size
    splices = struct.unpack_from(f"<{splice_count}Q", packed, end)
    return PageRecord(packed[start:middle].decode(), packed[middle:end].decode(), splices,
                      packed[end + 8 * splice_count:])


def well_formed(packed: object) -> bool:
    """A packed record as :func:`pack_record` writes them (a damaged cache row must cost a
    render, never an exception or a wrong page)."""
    if not isinstance(packed, bytes) or len(packed) < _HEADER.size:
        return False
    fingerprint_size, digest_size, splice_count = _HEADER.unpack_from(packed)
    refs = len(packed) - _HEADER.size - fingerprint_size - digest_size - 8 * splice_count
    return refs >= 0 and refs % 4 == 0 and \
        packed[_HEADER.size:_HEADER.size + fingerprint_size + digest_size].isascii()


def packed_fingerprint(packed: bytes) -> str:
    """The fingerprint of a packed record, without unpacking the rest."""
    fingerprint_size = _HEADER.unpack_from(packed)[0]
    return packed[_HEADER.size:_HEADER.size + fingerprint_size].decode()


def packed_digest(packed: bytes) -> str:
    """The output digest of a packed record, without unpacking the rest."""
    fingerprint_size, digest_size, _count = _HEADER.unpack_from(packed)
    start = _HEADER.size + fingerprint_size
    return packed[start:start + digest_size].decode()


class PagesState(NamedTuple):
    """What the last build's page records were computed from: the key of what every page
    shares and one entry per article, in order (``build/dependencies.py``, which compares
    two of them to find the pages a change can touch). The state an older newsgen saved
    (page refs by position) has a key this one never computes, so its first build
    fingerprints every page again and records refs by id."""

    site_key: str
    entries: tuple[str, ...]


def state_text(state: PagesState | None) -> str:
    """A state as the cache keeps it: the key, then an entry a line ("" for none). Made
    once pages are rendered, so that the entries (30 MB at 100,000 articles) are not held
    beside their text while the build is saved."""
    return "" if state is None else "\n".join((state.site_key, *state.entries))


def read_state(text: str) -> PagesState | None:
    """The state :func:`state_text` wrote, or None."""
    if not text:
        return None
    key, *entries = text.split("\n")
    return PagesState(key, tuple(entries))
