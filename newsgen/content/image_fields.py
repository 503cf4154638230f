"""An article's ``image:`` front matter -> an Image model: where the file is (``static/``, or
beside the article when it is a page bundle), what it is (probed with Pillow), the
renditions the site will publish of it, and the focal point of its crops.

Page bundles, as Hugo has them: ``content/articles/2026/11/harbour-lane/index.md`` with
``photo.jpg`` beside it; ``src: photo.jpg`` is relative to that folder and is published
beside the article's page (``/city/2026/11/harbour-lane/photo.jpg``), so a Markdown body's
``![...](photo.jpg)`` resolves there too. Images may sit in subfolders of the bundle
(``photos/photo.jpg``), published under the same path; a relative path must stay in the
article's folder.
"""

from __future__ import annotations

import os
import posixpath
import time
from pathlib import Path
from typing import Any

from newsgen.content.config import AuthorConfig, SiteConfig, static_roots
from newsgen.content.fields import FieldReader
from newsgen.content.images import (
    DISTRIBUTION_WIDTH,
    ImageInfo,
    ImageProblem,
    plan_renditions,
    probe,
)
from newsgen.content.models import Image
from newsgen.engine.digests import digest
from newsgen.engine.paths import symlink_problem

BUNDLE_INDEX = ("index.md", "index.markdown")
BUNDLE_IMAGES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg")
RACY_NS = 2_000_000_000  # as the build cache: an mtime this recent may hide a second edit


def is_bundle(relative: str) -> bool:
    """Whether the article file at ``relative`` (a ``/``-separated path) is a page bundle's
    ``index.md``. Asked three times an article a build: with a PurePosixPath each time it
    was 0.61 CPU-seconds at 100,000 articles, as a string 0.03 (timeit, 300,000 calls)."""
    return relative.rpartition("/")[2] in BUNDLE_INDEX


def bundle_base(url: str) -> str:
    """The folder URL a bundle's files are published under (the article's own URL, or its
    URL without ``.html``)."""
    return url if url.endswith("/") else url.rpartition(".")[0] + "/"


def bundle_files(folder: Path) -> list[tuple[str, Path]]:
    """(path relative to the bundle, file) of each image of a bundle folder, its subfolders
    (``photos/photo.jpg``) included, but not a subfolder that is a bundle of its own (it has
    an ``index.md``), a hidden one, or one reached through a symlink."""
    found: list[tuple[str, Path]] = []
    for current, dirs, names in os.walk(folder, followlinks=False):
        here = Path(current)
        if here != folder and any(n in BUNDLE_INDEX for n in names):
            dirs.clear()
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        relative = here.relative_to(folder).as_posix()
        start = "" if relative == "." else relative + "/"
        found += [(start + n, here / n) for n in sorted(names)
                  if n.lower().endswith(BUNDLE_IMAGES) and not n.startswith(".")
                  and (here / n).is_file()]
    return sorted(found)


def bundle_relative(src: str) -> str | None:
    """A relative image path of a bundle, normalised (``./photos/../p.jpg`` -> ``p.jpg``),
    or None when it leaves the article's folder (or is not a plain relative path): a
    bundle's files are published beside its page, so nothing outside it can be named."""
    normal = posixpath.normpath(src.replace("\\", "/"))
    if src.startswith(("/", "\\")) or normal == ".." or normal.startswith("../") \
            or ":" in normal or normal in (".", ""):
        return None
    return normal


def bundle_signature(folder: Path) -> str | None:
    """Names, sizes and mtimes of a bundle's images: part of the parsed article's cache key
    (they give it its image size), or None when one was written too recently to trust."""
    parts = []
    for name, path in bundle_files(folder):
        info = path.stat()
        if time.time_ns() - info.st_mtime_ns < RACY_NS:
            return None
        parts.append(f"{name}|{info.st_size}|{info.st_mtime_ns}")
    return digest(*parts)


def static_image_size(config: SiteConfig, site_path: str) -> tuple[int, int] | None:
    """The size a site path's image is published at (a raster one: its capped clean copy),
    or None when it is not a local, readable image: the logo's ``width``/``height``."""
    if not site_path.startswith("/"):
        return None
    found = ImageFields(config).static_file(site_path)
    if found is None:
        return None
    try:
        info = probe(found, config.images.max_pixels)
    except ImageProblem:
        return None
    renditions = plan_renditions(site_path, info, config.images)
    if renditions is not None:
        return renditions.original.width, renditions.original.height
    return (info.width, info.height) if info.width and info.height else None


class ImageFields:
    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        self.static = static_roots(config)
        self.photos: dict[str, Image | None] = {}

    def author_photo(self, author: AuthorConfig) -> Image | None:
        """``authors.<id>.photo`` as an Image (checked when newsgen.yaml was read), once
        per author and process."""
        if not author.photo:
            return None
        if author.id not in self.photos:
            size = static_image_size(self.config, author.photo)
            found = self.static_file(author.photo)
            renditions = None
            if found is not None:
                try:
                    info = probe(found, self.config.images.max_pixels)
                    renditions = plan_renditions(self.config.url_prefix + author.photo, info,
                                                 self.config.images)
                except ImageProblem:
                    pass
            self.photos[author.id] = Image(self.config.url_prefix + author.photo, author.name,
                                           width=size[0] if size else None,
                                           height=size[1] if size else None,
                                           renditions=renditions)
        return self.photos[author.id]

    # long: one field's cases in order (static, bundle, URL), each with its own error line
    def read(self, fields: FieldReader, source: str, url: str) -> Image | None:
        value = fields.mapping("image", ("src", "alt", "caption", "credit", "focus"))
        if value is None:
            return None
        src = fields.text(("image", "src"), required=True)
        alt = fields.text(("image", "alt"), required=True,
                          message="image needs 'alt' text describing the picture for readers "
                                  "who cannot see it")
        focus = self._focus(fields, value.get("focus"))
        if not src:
            return None
        caption, credit = fields.text(("image", "caption")), fields.text(("image", "credit"))
        if src.startswith(("https://", "http://")):
            return Image(src, alt, caption, credit, focus=focus)
        if src.startswith("/"):
            found, file = self.static_file(src), ""
            site_path = self.config.url_prefix + src
            if found is None:
                fields.error(f"image '{src}' is not in static/", "image", "src",
                             code="missing-image")
                return Image(site_path, alt, caption, credit, focus=focus)
        elif is_bundle(source):
            found = self._bundle_file(fields, source, src)
            if found is None:
                return None
            file = found.relative_to(self.config.site_dir).as_posix()
            site_path = bundle_base(url) + found.relative_to(
                (self.config.site_dir / source).parent).as_posix()
        else:
            fields.error("image src must be a site path such as /images/photo.jpg, an "
                         "http(s) URL, or (in a page bundle: a folder with index.md) a file "
                         "beside the article", "image", "src")
            return None
        try:
            info = probe(found, self.config.images.max_pixels)
        except ImageProblem as exc:
            fields.error(f"image '{src}': {exc}", "image", "src", code="bad-image")
            return Image(site_path, alt, caption, credit, focus=focus)
        self._warnings(fields, src, alt, info)
        renditions = plan_renditions(site_path, info, self.config.images)
        width, height = (info.width or None), (info.height or None)
        if renditions:
            width, height = renditions.original.width, renditions.original.height
        return Image(site_path, alt, caption, credit, width, height, renditions, focus, file)

    def _bundle_file(self, fields: FieldReader, source: str, src: str) -> Path | None:
        """The file ``src`` names beside the bundle's index.md; a path that leaves the
        article's folder is an error."""
        folder = (self.config.site_dir / source).parent
        normal = bundle_relative(src)
        if normal is None:
            fields.error(f"image '{src}' leaves the article's folder: name a file in it "
                         "(photo.jpg, photos/photo.jpg), or a site path such as "
                         "/images/photo.jpg", "image", "src", code="image-path")
            return None
        path = folder / normal
        if "/" in normal and (folder / normal).parent.resolve() != \
                folder.resolve().joinpath(*normal.split("/")[:-1]):
            fields.error(f"image '{src}' is in a subfolder reached through a symlink: "
                         "bundles publish real folders only", "image", "src",
                         code="image-path")
            return None
        if path.is_symlink():
            problem = symlink_problem(path, self.config.site_dir.resolve())
            if problem:
                fields.error(f"image '{src}': {problem}", "image", "src", code="image-path")
                return None
        if not path.is_file():
            fields.error(f"image '{src}' is not in the article's folder", "image", "src",
                         code="missing-image")
            return None
        return path

    @staticmethod
    def _warnings(fields: FieldReader, src: str, alt: str, info: ImageInfo) -> None:
        """What a photo desk would flag: a photo too narrow for social cards and the
        article's widest slot, and alt text that is only the file's name."""
        if info.raster and info.width < DISTRIBUTION_WIDTH:
            fields.warn(f"image '{src}' is {info.width} px wide: social cards and Google's "
                        f"article images want at least {DISTRIBUTION_WIDTH} px (it is used at "
                        "its own width)", "image", "src", code="small-image")
        name = src.rpartition("/")[2]
        if alt.strip().lower() in (name.lower(), name.rpartition(".")[0].lower()):
            fields.warn(f"image alt text '{alt}' is the file's name: describe the picture "
                        "for readers who cannot see it", "image", "alt", code="image-alt")

    @staticmethod
    def _focus(fields: FieldReader, value: Any) -> tuple[float, float]:
        """``image.focus: [x, y]``: the point distribution crops keep, as fractions."""
        if value is None:
            return (0.5, 0.5)
        if isinstance(value, list) and len(value) == 2 and all(
                isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1
                for v in value):
            return (float(value[0]), float(value[1]))
        fields.error("image focus must be [x, y], two fractions from 0 to 1 (the point "
                     "crops keep; [0.5, 0.5] is the centre)", "image", "focus")
        return (0.5, 0.5)

    def static_file(self, site_path: str) -> Path | None:
        """The file a site path is served from, site static first, or None."""
        relative = site_path.lstrip("/").split("?", 1)[0].split("#", 1)[0]
        if ".." in relative.split("/"):
            return None
        for root, prefix in reversed(self.static):
            if prefix:
                if not relative.startswith(prefix + "/"):
                    continue
                candidate = root / relative[len(prefix) + 1:]
            else:
                candidate = root / relative
            if candidate.is_file():
                return candidate
        return None
