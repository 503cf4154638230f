"""Stage 3c: what the images in bodies are (probed once, remembered by size and mtime), so
pages can show them as ``<picture>`` with their renditions and sizes.

A body's HTML is cached by its text, but its pictures depend on the files it names: those
files' renditions go into the article's digest (``keys``), and the pictures are written when
the body is read back (``resolve``). Probes are kept in ``.newsgen-cache/images/probes.json``
by path, size and mtime (not trusted within ``RACY_NS`` of now, as the article cache), so a
build where no image changed opens none.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from newsgen.build.cache_meta import CACHE_DIR
from newsgen.build.source_records import RACY_NS
from newsgen.content.config import SiteConfig
from newsgen.content.image_fields import (
    ImageFields,
    bundle_base,
    bundle_files,
    bundle_relative,
    is_bundle,
)
from newsgen.content.images import ImageInfo, ImageProblem, Renditions, plan_renditions, probe
from newsgen.content.models import Article
from newsgen.errors import ProblemList, SourceLocation
from newsgen.render.body_images import BODY_SLOT_PX, image_url, pictures

# (src, alt or None) -> the file line of the image's path (alt None) or of its alt text
Locate = Callable[[str, "str | None"], int]

PROBES = "probes.json"
_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")


class BodyImages:
    """Site path (URL prefix included) -> the renditions of the image published there."""

    def __init__(self, config: SiteConfig, articles: Iterable[Article], use_cache: bool
                 ) -> None:
        self.config = config
        self.fields = ImageFields(config)
        self.use_cache = use_cache
        self.probed = 0  # images whose header was read this build (the tests count them)
        self._bundles: dict[str, Path] = {}
        self._by_base: dict[str, list[str]] = {}
        for article in articles:
            if is_bundle(article.source):
                base = bundle_base(article.url)
                for name, path in bundle_files((config.site_dir / article.source).parent):
                    self._bundles[base + name] = path
                    self._by_base.setdefault(base, []).append(base + name)
        self._memo: dict[str, Renditions | None] = {}
        self._info: dict[Path, ImageInfo | None] = {}
        self._failed: dict[Path, str] = {}  # file -> why it cannot be read (not cached)
        self._path = config.site_dir / CACHE_DIR / "images" / PROBES
        self._known: dict[str, list] = {}
        self._seen: dict[str, list] = {}
        if use_cache:
            try:
                loaded = json.loads(self._path.read_text())
                self._known = loaded if isinstance(loaded, dict) else {}
            except (OSError, ValueError):
                self._known = {}

    def renditions(self, url: str) -> Renditions | None:
        """The renditions published for ``url``; None for anything that is not a local
        raster image newsgen publishes as renditions (a broken one is reported where the
        static files are published)."""
        if url not in self._memo:
            self._memo[url] = self._plan(url)
        return self._memo[url]

    def keys(self, url: str, site_paths: Iterable[str]) -> list[str]:
        """What the pictures of a body at ``url`` depend on: each image it names (its
        absolute site paths, and every image of its page bundle) with its renditions."""
        urls = [u for u in (image_url(p, url) for p in site_paths)
                if u and u.lower().endswith(_SUFFIXES)]
        urls += self._by_base.get(bundle_base(url), [])
        return [f"{u}={self.renditions(u)!r}" for u in dict.fromkeys(urls)]

    def resolve(self, body_html: str, url: str) -> str:
        return pictures(body_html, url, self.renditions)

    # long: one message per case, each at the line an editor fixes it on
    def report(self, source: str, page_url: str, images: Iterable[tuple[str, str]],
               locate: Locate, problems: ProblemList) -> None:
        """Every problem of a body's images, at the Markdown line of each: a path that
        leaves the site (or a bundle's folder), a missing or unreadable file (errors);
        an image narrower than the body column, alt text empty or only the file's name
        (warnings). Images on other sites are checked for their alt text only."""
        files: set[str] = set()
        for src, alt in dict.fromkeys(images):
            url = image_url(src, page_url)
            prefix = self.config.url_prefix
            shown = src[len(prefix):] if prefix and src.startswith(prefix + "/") else src
            name = src.split("#", 1)[0].split("?", 1)[0].rpartition("/")[2]
            if not alt.strip():
                problems.warning(SourceLocation(source, locate(shown, alt)),
                                 f"image '{shown}' has no alt text: describe the picture for "
                                 "readers who cannot see it", "image-alt")
            elif alt.strip().lower() in (name.lower(), name.rpartition(".")[0].lower()):
                problems.warning(SourceLocation(source, locate(shown, alt)),
                                 f"image alt text '{alt}' is the file's name: describe the "
                                 "picture for readers who cannot see it", "image-alt")
            if url is None or src in files:
                continue
            files.add(src)
            at = SourceLocation(source, locate(shown, None))
            leaves = self._leaves(source, page_url, src)
            if leaves:
                problems.error(at, f"image '{shown}' {leaves}", "image-path")
                continue
            path = self._file(url)
            if path is None:
                problems.error(at, f"image '{shown}' {self._missing(source, src)}",
                               "missing-image")
                continue
            info = self._probe(path) if url.lower().endswith(_SUFFIXES) else None
            if path in self._failed:
                problems.error(at, f"image '{shown}': {self._failed[path]}", "bad-image")
                continue
            if info is not None and info.raster and info.width < BODY_SLOT_PX:
                problems.warning(at, f"image '{shown}' is {info.width} px wide, narrower than "
                                 f"the article column ({BODY_SLOT_PX} px): it is shown at its "
                                 "own width", "small-image")

    def _leaves(self, source: str, page_url: str, src: str) -> str | None:
        """Why a relative ``src`` names nothing newsgen may publish, or None: in a page
        bundle it must stay in the article's folder; anywhere it must stay in the site."""
        path = src.split("#", 1)[0].split("?", 1)[0]
        if is_bundle(source) and not path.startswith("/") and bundle_relative(path) is None:
            return ("leaves the article's folder: name a file in it (photo.jpg, "
                    "photos/photo.jpg), or a site path such as /images/photo.jpg")
        root = self.config.url_prefix + "/"
        folder = page_url if page_url.endswith("/") else page_url.rpartition("/")[0] + "/"
        joined = path if path.startswith("/") else folder + path
        depth = 0
        for part in joined[len(root):].split("/") if joined.startswith(root) else [".."]:
            depth += -1 if part == ".." else 0 if part in ("", ".") else 1
            if depth < 0:
                return "leaves the site: name a file in static/ by its site path, such as " \
                       "/images/photo.jpg"
        return None

    @staticmethod
    def _missing(source: str, src: str) -> str:
        if src.startswith("/"):
            return "is not in static/"
        if is_bundle(source):
            return "is not in the article's folder"
        return ("is not a file of the site: outside a page bundle, name an image by its "
                "site path, such as /images/photo.jpg")

    def _file(self, url: str) -> Path | None:
        path = self._bundles.get(url)
        if path is None and url.startswith(self.config.url_prefix + "/"):
            path = self.fields.static_file(url[len(self.config.url_prefix):])
        return path

    def _plan(self, url: str) -> Renditions | None:
        path = self._file(url)
        if path is None or not url.lower().endswith(_SUFFIXES):
            return None
        info = self._probe(path)
        return plan_renditions(url, info, self.config.images) if info else None

    def _probe(self, path: Path) -> ImageInfo | None:
        """What the file at ``path`` is, once per build; a file that cannot be read is
        None, and ``_failed`` says why."""
        if path not in self._info:
            self._info[path] = self._read_probe(path)
        return self._info[path]

    def _read_probe(self, path: Path) -> ImageInfo | None:
        try:
            stat = os.stat(path)
        except OSError:
            return None
        name = str(path)
        entry = self._known.get(name)
        trusted = time.time_ns() - stat.st_mtime_ns >= RACY_NS
        if trusted and isinstance(entry, list) and len(entry) == 8 and entry[2] \
                and entry[:2] == [stat.st_size, stat.st_mtime_ns]:
            info = ImageInfo(*entry[2:])
        else:
            self.probed += 1
            try:
                info = probe(path, self.config.images.max_pixels)
            except ImageProblem as exc:
                self._failed[path] = str(exc)
                return None  # not remembered: the next build says why again
        if trusted:
            self._seen[name] = [stat.st_size, stat.st_mtime_ns, info.format, info.width,
                                info.height, info.mode, info.animated, info.alpha]
        return info

    def save(self) -> None:
        """Remember this build's probes (only those: a removed image is forgotten)."""
        if not self.use_cache or self._seen == self._known:
            return
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self._path.with_suffix(".tmp")
            temporary.write_text(json.dumps(self._seen, sort_keys=True))
            temporary.replace(self._path)
        except OSError:
            pass  # a read-only site: the next build probes again
