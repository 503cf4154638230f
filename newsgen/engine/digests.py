"""The two digests every stage keys on: ``digest`` for inputs (cache keys, fingerprints) and
``file_digest`` for output files (the manifest, write-only-what-changed)."""

from __future__ import annotations

import hashlib


def digest(*parts: str | bytes) -> str:
    """BLAKE2b-128 of the parts, each ended by NUL so that ("ab", "c") != ("a", "bc")."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


def file_digest(data: bytes) -> str:
    """128 bits of SHA-256: every output file is digested once a build that writes it, and
    SHA-256 runs in the CPU's SHA instructions where they exist, twice as fast as BLAKE2b
    on the machines newsgen is benchmarked on (0.24 s against 0.46 s for 14,000 pages)."""
    return hashlib.sha256(data).hexdigest()[:32]
