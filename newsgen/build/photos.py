"""Stage 5, images: every raster file under ``static/`` published as renditions, encoded on
every core and cached in ``.newsgen-cache/images/`` by the source's content hash and the
settings that shape them.

A source is recognised by its size and mtime (``index.json``), so a build where no photo
changed neither hashes nor decodes one: hashing a thousand 5 MB photos would cost seconds.
An mtime within ``RACY_NS`` of now is not trusted (the same guard as the article cache: a
second edit in the same tick would keep the mtime). Cached entries no build used are
deleted, so renditions of a removed photo leave both the output and the cache.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from newsgen.build.cache_meta import CACHE_DIR
from newsgen.build.pages import PagePlan
from newsgen.build.source_records import RACY_NS
from newsgen.content.config import SiteConfig
from newsgen.content.images import (
    CROPS,
    ImageProblem,
    ImageSettings,
    crop_url,
    plan_renditions,
    probe,
)
from newsgen.content.models import Site
from newsgen.engine.digests import digest, file_digest
from newsgen.engine.workers import worker_count
from newsgen.errors import ProblemList, SourceLocation
from newsgen.render.images import ImageJob, encode

FORMAT = "1"  # bump when encoding changes: every cached rendition is made again
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")


class PhotoStats:
    """What the image stage did (the tests and ``--verbose`` read it)."""

    def __init__(self) -> None:
        self.encoded = 0
        self.cached = 0
        self.hashed = 0


def is_photo(name: str) -> bool:
    return name.lower().endswith(IMAGE_SUFFIXES)


def crops_by_path(site: Site, prefix: str) -> dict[str, tuple[tuple[float, float], ...]]:
    """Site path -> the focal points articles crop it around (hero images only)."""
    wanted: dict[str, set[tuple[float, float]]] = {}
    for article in site.articles:
        image = article.image
        if image is not None and image.renditions is not None:
            wanted.setdefault(image.src[len(prefix):], set()).add(image.focus)
    return {path: tuple(sorted(points)) for path, points in wanted.items()}


# long: one pass over the sources: recognise, reuse or queue, then encode and plan each
def add_photos(config: SiteConfig, plan: PagePlan, problems: ProblemList,
               sources: Iterable[tuple[str, Path, str]],
               crops: dict[str, tuple[tuple[float, float], ...]], use_cache: bool,
               workers: int | None = None) -> PhotoStats:
    """Plan every file published for each (out path, file, display) raster source."""
    settings = config.images
    # ``check`` (no writer) encodes nothing, so it must neither read nor prune the cache.
    store = _Store(config.site_dir / CACHE_DIR / "images", use_cache and plan.writer is not None)
    stats = PhotoStats()
    todo: list[tuple[ImageJob, str, str]] = []
    for out, path, display in sources:
        job = ImageJob(path, "/" + out, crops.get("/" + out, ()))
        if plan.writer is None:  # check: the paths are planned, nothing is encoded
            _plan_names(plan, job, display, settings)
            continue
        key = store.key(job, display, settings, stats)
        if key is None:
            problems.error(SourceLocation(display), "cannot read the image", "bad-image")
            continue
        manifest = store.manifest(key)
        if manifest is not None:
            stats.cached += 1
            for site_path, out_digest, _size in manifest:
                _plan_cached(plan, store, key, site_path, out_digest, display)
            continue
        todo.append((job, key, display))
    for (_job, key, display), result in zip(todo, _encode_all([t[0] for t in todo], settings,
                                                             workers), strict=True):
        if isinstance(result, str):
            problems.error(SourceLocation(display), result, "bad-image")
            continue
        stats.encoded += 1
        store.put(key, result)
        for site_path, data in result:
            plan.add(site_path.lstrip("/"), display, data)
    store.finish()
    return stats


def _plan_names(plan: PagePlan, job: ImageJob, display: str, settings: ImageSettings) -> None:
    """The output paths alone, for ``check`` (it writes nothing, so encodes nothing)."""
    try:
        info = probe(job.path, settings.max_pixels)
    except ImageProblem as exc:
        plan.problems.error(SourceLocation(display), str(exc), "bad-image")
        return
    names = [job.site_path]
    renditions = plan_renditions(job.site_path, info, settings)
    if renditions is not None:
        for _mime, series in (*renditions.sources, ("", renditions.fallback)):
            names += [r.url for r in series]
        names += [crop_url(job.site_path, c[0], f) for f in job.crops for c in CROPS]
    for name in names:
        plan.add(name.lstrip("/"), display, b"")


def _plan_cached(plan: PagePlan, store: _Store, key: str, site_path: str, out_digest: str,
                 display: str) -> None:
    relative = site_path.lstrip("/")
    writer = plan.writer
    assert writer is not None
    if writer.is_unchanged(relative, out_digest):
        if plan.claim(relative, display):
            writer.put(relative, b"", out_digest)
        return
    plan.add(relative, display, store.read(key, site_path))


def _encode_all(jobs: list[ImageJob], settings: ImageSettings, workers: int | None
                ) -> Iterator[list[tuple[str, bytes]] | str]:
    """Encode on every core (forked processes: Pillow's encoders are native, one photo a
    task), yielding in order as results arrive: a thousand new photos' files (about 1 MB
    each) are staged one photo at a time, never held together. A problem comes back as
    its message."""
    count = min(len(jobs), workers or worker_count())
    if count < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from (_encode_one(job, settings) for job in jobs)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(count, mp_context=context) as pool:
        yield from pool.map(_encode_one, jobs, [settings] * len(jobs))


def _encode_one(job: ImageJob, settings: ImageSettings) -> list[tuple[str, bytes]] | str:
    try:
        return encode(job, settings)
    except ImageProblem as exc:
        return str(exc)
    except (OSError, SyntaxError, ValueError) as exc:  # Pillow's words for a damaged file
        return f"cannot decode the image: {exc}"


class _Store:
    """``.newsgen-cache/images/``: ``index.json`` (path -> size, mtime, content hash) and one
    folder per cache key holding the encoded files and their manifest."""

    def __init__(self, root: Path, enabled: bool) -> None:
        self.root = root
        self.enabled = enabled
        self.used: set[str] = set()
        self.index: dict[str, list] = {}
        self.new_index: dict[str, list] = {}
        if enabled:
            try:
                loaded = json.loads((root / "index.json").read_text())
                self.index = loaded if isinstance(loaded, dict) else {}
            except (OSError, ValueError):
                self.index = {}

    def key(self, job: ImageJob, display: str, settings: ImageSettings,
            stats: PhotoStats) -> str | None:
        try:
            info = os.stat(job.path)
        except OSError:
            return None
        entry = self.index.get(display)
        trusted = time.time_ns() - info.st_mtime_ns >= RACY_NS
        if entry and entry[:2] == [info.st_size, info.st_mtime_ns] and trusted \
                and isinstance(entry[2], str):
            content = entry[2]
        else:
            stats.hashed += 1
            content = _hash(job.path)
        if trusted:
            self.new_index[display] = [info.st_size, info.st_mtime_ns, content]
        key = digest(FORMAT, content, settings.key, job.site_path, repr(job.crops))
        self.used.add(key)
        return key

    def manifest(self, key: str) -> list[list] | None:
        if not self.enabled:
            return None
        try:
            rows = json.loads((self.root / key / "manifest.json").read_text())
        except (OSError, ValueError):
            return None
        ok = isinstance(rows, list) and all(
            isinstance(r, list) and len(r) == 3 and (self.root / key / _name(r[0])).is_file()
            for r in rows)
        return rows if ok else None

    def read(self, key: str, site_path: str) -> bytes:
        return (self.root / key / _name(site_path)).read_bytes()

    def put(self, key: str, files: list[tuple[str, bytes]]) -> None:
        if not self.enabled:
            return
        folder = self.root / key
        folder.mkdir(parents=True, exist_ok=True)
        for site_path, data in files:
            (folder / _name(site_path)).write_bytes(data)
        rows = [[p, file_digest(d), len(d)] for p, d in files]
        temporary = folder / "manifest.json.tmp"
        temporary.write_text(json.dumps(rows))
        temporary.replace(folder / "manifest.json")

    def finish(self) -> None:
        """Save the index; delete what no source of this build used."""
        if not self.enabled:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        for child in self.root.iterdir():
            if child.is_dir() and child.name not in self.used:
                shutil.rmtree(child, ignore_errors=True)
        temporary = self.root / "index.json.tmp"
        temporary.write_text(json.dumps(self.new_index, sort_keys=True))
        temporary.replace(self.root / "index.json")


def _name(site_path: str) -> str:
    """A cached file's name: its output file name (paths of one source share a folder)."""
    return site_path.rpartition("/")[2]


def _hash(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()[:32]
