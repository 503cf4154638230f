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
from collections.abc import Iterable
from pathlib import Path

from newsgen.build.cache import CACHE_DIR, RACY_NS
from newsgen.content.config import SiteConfig
from newsgen.content.image_fields import ImageFields, bundle_base, bundle_files, is_bundle
from newsgen.content.images import ImageInfo, ImageProblem, Renditions, plan_renditions, probe
from newsgen.content.models import Article
from newsgen.render.body_images import image_url, pictures

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
                for path in bundle_files((config.site_dir / article.source).parent):
                    self._bundles[base + path.name] = path
                    self._by_base.setdefault(base, []).append(base + path.name)
        self._memo: dict[str, Renditions | None] = {}
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

    def _plan(self, url: str) -> Renditions | None:
        path = self._bundles.get(url)
        if path is None and url.startswith(self.config.url_prefix + "/"):
            path = self.fields.static_file(url[len(self.config.url_prefix):])
        if path is None or not url.lower().endswith(_SUFFIXES):
            return None
        info = self._probe(path)
        return plan_renditions(url, info, self.config.images) if info else None

    def _probe(self, path: Path) -> ImageInfo | None:
        try:
            stat = os.stat(path)
        except OSError:
            return None
        name = str(path)
        entry = self._known.get(name)
        trusted = time.time_ns() - stat.st_mtime_ns >= RACY_NS
        if trusted and isinstance(entry, list) and len(entry) == 8 \
                and entry[:2] == [stat.st_size, stat.st_mtime_ns]:
            info: ImageInfo | None = ImageInfo(*entry[2:]) if entry[2] else None
        else:
            self.probed += 1
            try:
                info = probe(path, self.config.images.max_pixels)
            except ImageProblem:
                info = None
        if trusted:
            fields = [info.format, info.width, info.height, info.mode, info.animated,
                      info.alpha] if info else ["", 0, 0, "", False, False]
            self._seen[name] = [stat.st_size, stat.st_mtime_ns, *fields]
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
