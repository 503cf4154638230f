"""The output of the last build as a new build reads it: its manifest (each file's digest
and size) and the mtimes newsgen left its files with, which let a build trust a file without
reading it (writer.py), and say whether the whole output is still as newsgen left it."""

from __future__ import annotations

import json
import os
import struct
from array import array
from collections.abc import Iterator
from pathlib import Path

from newsgen.engine.journal import sibling
from newsgen.engine.manifest_text import ManifestText
from newsgen.engine.paths import read_memo, write_memo
from newsgen.engine.workers import all_parts

MANIFEST = ".newsgen/manifest.json"
_SIZES = struct.Struct("<qq")  # size, mtime (-1: unknown, never equal to a file's)


class PreviousOutput:
    """The last build's manifest and file mtimes, one packed ``bytes`` per file.

    Read at the start of every build and looked up once per page, also by forked render
    workers; as JSON-loaded lists and ints, with the paths twice, it was 65 MB at 100,000
    articles, and each lookup touched (so copied, in a worker) three small objects."""

    def __init__(self, manifest: dict[str, list], mtimes: dict[str, int]) -> None:
        self._packed: dict[str, bytes] = {}
        for relative in list(manifest):
            digest, size = manifest.pop(relative)
            self._packed[relative] = _SIZES.pack(_count(size), _count(mtimes.get(relative))) \
                + (digest.encode("utf-8", "surrogatepass") if isinstance(digest, str) else b"")

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __contains__(self, relative: object) -> bool:
        return relative in self._packed

    def get(self, relative: str) -> tuple[str, int] | None:
        """(digest, size) of the last build's file, or None."""
        packed = self._packed.get(relative)
        if packed is None:
            return None
        return packed[_SIZES.size:].decode("utf-8", "surrogatepass"), _SIZES.unpack_from(packed)[0]

    def entry(self, relative: str) -> tuple[str, int, int] | None:
        """(digest, size, mtime or -1) of the last build's file in one lookup, or None."""
        packed = self._packed.get(relative)
        if packed is None:
            return None
        size, mtime = _SIZES.unpack_from(packed)
        return packed[_SIZES.size:].decode("utf-8", "surrogatepass"), size, mtime

    def mtime(self, relative: str) -> int | None:
        """The mtime (ns) the last build left the file with, or None."""
        packed = self._packed.get(relative)
        if packed is None:
            return None
        mtime = _SIZES.unpack_from(packed)[1]
        return None if mtime < 0 else mtime


class LoadedOutput(PreviousOutput):
    """The previous output as read, unpacked: for a build that changes a few files and keeps
    the rest (ticker_build.py) when its text cannot be edited in place (TextOutput).
    Packing 240,000 entries costs more than such a build's own work; nothing is forked to
    share them."""

    def __init__(self, manifest: dict[str, list], mtimes: dict[str, int]) -> None:
        self._manifest = manifest
        self._mtimes = mtimes

    def __iter__(self) -> Iterator[str]:
        return iter(self._manifest)

    def __contains__(self, relative: object) -> bool:
        return relative in self._manifest

    def get(self, relative: str) -> tuple[str, int] | None:
        value = self._manifest.get(relative)
        if value is None:
            return None
        return (value[0] if isinstance(value[0], str) else ""), _count(value[1])

    def entry(self, relative: str) -> tuple[str, int, int] | None:
        found = self.get(relative)
        return None if found is None else (*found, _count(self._mtimes.get(relative)))

    def mtime(self, relative: str) -> int | None:
        mtime = _count(self._mtimes.get(relative))
        return None if mtime < 0 else mtime

    def merged(self, manifest: dict[str, list[object]], mtimes: dict[str, int]
               ) -> tuple[dict[str, list[object]], dict[str, int]]:
        """This output's entries with ``manifest`` and ``mtimes`` in their places, in the
        loaded (sorted) order, so that they are written at once (``_dump_sorted``); new
        paths last. Worth keeping only for an output found intact (``output_intact``: its
        entries are then well formed)."""
        new_manifest: dict[str, list[object]] = {}
        new_mtimes: dict[str, int] = {}
        old_mtimes = self._mtimes
        for relative, value in self._manifest.items():
            new_manifest[relative] = manifest.get(relative, value)
            mtime = mtimes.get(relative, old_mtimes.get(relative))
            if mtime is not None:
                new_mtimes[relative] = mtime
        new_manifest.update(manifest)
        new_mtimes.update(mtimes)
        return new_manifest, new_mtimes


class TextOutput(PreviousOutput):
    """The previous output as the text of its manifest and mtimes (manifest_text.py), for a
    writer that changes a few files and keeps every other: each entry is looked up when
    asked for, once."""

    def __init__(self, manifest: ManifestText, mtimes: ManifestText) -> None:
        self.manifest_text = manifest
        self.mtimes_text = mtimes
        self._entries: dict[str, tuple[str, int, int] | None] = {}

    @classmethod
    def read(cls, out_dir: Path) -> TextOutput | None:
        manifest = ManifestText.read(out_dir / MANIFEST)
        mtimes = ManifestText.read(sibling(out_dir, "state"))
        return None if manifest is None or mtimes is None else cls(manifest, mtimes)

    def __iter__(self) -> Iterator[str]:
        raise TypeError("a text output is not listed: parse it (LoadedOutput)")

    def __contains__(self, relative: object) -> bool:
        return isinstance(relative, str) and self.entry(relative) is not None

    def __len__(self) -> int:
        return self.manifest_text.count()

    def get(self, relative: str) -> tuple[str, int] | None:
        found = self.entry(relative)
        return None if found is None else found[:2]

    def entry(self, relative: str) -> tuple[str, int, int] | None:
        if relative not in self._entries:
            value = self.manifest_text.get(relative)
            state = self.mtimes_text.get(relative)
            mtime = state[1] if isinstance(state, list) and len(state) == 2 else None
            self._entries[relative] = None if not (isinstance(value, list) and
                                                   len(value) == 2) else \
                (value[0] if isinstance(value[0], str) else "", _count(value[1]),
                 _count(mtime))
        return self._entries[relative]

    def mtime(self, relative: str) -> int | None:
        found = self.entry(relative)
        return None if found is None or found[2] < 0 else found[2]

    def loaded(self) -> LoadedOutput:
        """The same output parsed, for what the text cannot do (a new file's entry)."""
        manifest, state = json.loads(self.manifest_text.text), json.loads(self.mtimes_text.text)
        return LoadedOutput({k: v for k, v in manifest.items()
                             if isinstance(v, list) and len(v) == 2},
                            {k: v[1] if isinstance(v, list) and len(v) == 2 else -1
                             for k, v in state.items()})


def _count(value: object) -> int:
    """A size or mtime from the JSON files as stored, or -1 if it is not one."""
    return value if type(value) is int and 0 <= value < 2**63 else -1


def read_manifest(out_dir: Path) -> dict[str, list]:
    try:
        data = json.loads((out_dir / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items()
            if isinstance(k, str) and isinstance(v, list) and len(v) == 2}


def output_intact(out_dir: Path, parts: int = 1, memo: Path | None = None) -> bool:
    """Every file of the last build is there, with the size and mtime newsgen left it (the
    state beside the output holds both; the manifest is only counted). ``parts``: processes
    to share the ``lstat`` calls (``workers.all_parts``), most of its time. ``memo``: where
    the state is kept ready to read (:func:`_listed`)."""
    listed = _listed(out_dir, memo)
    if listed is None:
        return False
    names, sizes, mtimes = listed
    lstat, root = os.lstat, os.path.join(out_dir, "")

    def intact(start: int, stop: int) -> bool:
        for index in range(start, stop):
            try:
                info = lstat(root + names[index])
            except OSError:
                return False
            if info.st_size != sizes[index] or info.st_mtime_ns != mtimes[index]:
                return False
        return True
    return all_parts(intact, len(names), parts)


Listed = tuple[list[str], array, array]  # the state's paths, sizes and mtimes


def _listed(out_dir: Path, memo: Path | None) -> Listed | None:
    """The state's files, sizes and mtimes, None when it does not list the manifest's
    files or holds an entry of another form. Parsing the state (21 MB of JSON at 100,000
    articles) and counting the manifest took 0.3 of the 1.8 CPU-seconds of a build with
    nothing to do, so the result is kept in ``memo`` (a pickle of the lists and arrays:
    0.03 s to read) under the output's path and the two files' sizes and mtimes (in ns):
    newsgen replaces both whole on every build. Not their inodes, which a deploy
    pipeline's restored output changes while keeping the mtimes. One memo a site: a build
    into another folder replaces it."""
    state, manifest_path = sibling(out_dir, "state"), out_dir / MANIFEST
    try:
        key = (str(out_dir.resolve()), *((i.st_size, i.st_mtime_ns)
                                         for i in (os.stat(state), os.stat(manifest_path))))
    except OSError:
        return None
    kept = read_memo(memo) if memo is not None else None
    if type(kept) is tuple and len(kept) == 2 and kept[0] == key and _well_formed(kept[1]):
        return kept[1]
    manifest = ManifestText.read(manifest_path)
    data = _read_state(out_dir)
    if manifest is None or len(data) != manifest.count():
        return None
    names, sizes, mtimes = list(data), array("q"), array("q")
    for value in data.values():
        if not (type(value) is list and len(value) == 2 and
                all(type(n) is int and 0 <= n < 2**63 for n in value)):
            return None
        sizes.append(value[0])
        mtimes.append(value[1])
    listed = (names, sizes, mtimes)
    if memo is not None:
        write_memo(memo, (key, listed))
    return listed


def _well_formed(listed: object) -> bool:
    return type(listed) is tuple and len(listed) == 3 and type(listed[0]) is list and \
        all(type(part) is array and part.typecode == "q" for part in listed[1:]) and \
        len(listed[0]) == len(listed[1]) == len(listed[2]) and \
        all(type(name) is str for name in listed[0])



def read_mtimes(out_dir: Path) -> dict[str, int]:
    """Each file's mtime as newsgen left it; a state of the older form holds the mtime
    alone (which output_intact does not take: a first build after the change is full)."""
    return {relative: value[1] if isinstance(value, list) and len(value) == 2 else value
            for relative, value in _read_state(out_dir).items()}


def state_entry(size: object, mtime: int) -> list[object]:
    """A file's entry in the state beside the output: its size and mtime."""
    return [size, mtime]


def _read_state(out_dir: Path) -> dict[str, object]:
    try:
        data = json.loads(sibling(out_dir, "state").read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
