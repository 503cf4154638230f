"""Images as content: what a picture is (format, size as displayed, animation) and which
renditions the site will publish of it, read with Pillow from the file's header.

Probing never decodes pixels: a 40,000 x 40,000 PNG is refused from its header, before a
byte of it is decompressed. The renditions are planned here (their URLs and sizes follow
from the header and the settings alone), so pages and feeds can name them while the
encoding itself happens later, on every core (``render.images``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image as PILImage

RASTER = {"JPEG": "jpeg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
MIME = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "avif": "image/avif",
        "gif": "image/gif"}
EXTENSION = {"jpeg": "jpg", "png": "png", "webp": "webp", "avif": "avif", "gif": "gif"}
RASTER_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".tif", ".tiff",
                   ".bmp", ".heic", ".heif")
# Open Graph and X cards want 1200 x 630; Google's article guidance asks for 16:9, 4:3 and
# 1:1 images at least 1200 px wide.
CROPS = (("og", 1200, 630), ("16x9", 1200, 675), ("4x3", 1200, 900), ("1x1", 1200, 1200))
DISTRIBUTION_WIDTH = 1200
# EXIF orientations 5-8 turn the picture a quarter: width and height swap.
_TURNED = {5, 6, 7, 8}
_SVG_ROOT = re.compile(rb"<svg\b[^>]*>", re.S)
_SVG_ATTR = re.compile(rb'\b(width|height|viewBox)\s*=\s*["\']([^"\']*)["\']')
_NUMBER = re.compile(rb"^\s*([0-9]+(?:\.[0-9]+)?)\s*(px)?\s*$")


@dataclass(frozen=True)
class ImageSettings:
    """``images:`` in newsgen.yaml. Defaults measured on a 4000 x 3000 camera-like JPEG
    (``benchmarks/photos.py formats``): WebP at quality 75 is 47% of the bytes of JPEG at 80
    at 800 px and 33% at 1600 px; AVIF at 55 saves only 7-11% more than WebP and takes 1.7-2.5
    times as long to encode, so it is opt-in. Four widths: 480 for a 375 px phone's slots,
    800 and 1200 for 2x screens and the hero, 1600 as the cap for a 44rem hero at 2x."""

    widths: tuple[int, ...] = (480, 800, 1200, 1600)
    formats: tuple[str, ...] = ("webp",)
    quality: tuple[tuple[str, int], ...] = (("avif", 55), ("jpeg", 80), ("webp", 75))
    max_pixels: int = 50_000_000
    publish_originals: bool = False
    keep: tuple[str, ...] = ()

    def quality_of(self, fmt: str) -> int:
        return dict(self.quality).get(fmt, 80)

    @property
    def key(self) -> str:
        """Everything that shapes an encoded file: part of each rendition's cache key."""
        return repr((self.widths, self.formats, self.quality, self.keep,
                     self.publish_originals))


@dataclass(frozen=True)
class ImageInfo:
    """A probed image: its format, and its size as a reader sees it (after the EXIF
    orientation is applied)."""

    format: str  # "jpeg", "png", "gif", "webp" or "svg"
    width: int
    height: int
    mode: str = ""
    animated: bool = False
    alpha: bool = False

    @property
    def raster(self) -> bool:
        """Published as renditions (an animated GIF is published as it is, to stay animated)."""
        return self.format != "svg" and not self.animated


class ImageProblem(ValueError):
    """Why a file cannot be published as an image, in words for the editor."""


@dataclass(frozen=True)
class Rendition:
    url: str
    width: int
    height: int
    mime: str


@dataclass(frozen=True)
class Renditions:
    """What the site publishes for one raster image: ``sources`` (one srcset per modern
    format), ``fallback`` (JPEG, or PNG for images with transparency), and the original's
    own URL, which answers with a clean copy no wider than the largest width."""

    sources: tuple[tuple[str, tuple[Rendition, ...]], ...]
    fallback: tuple[Rendition, ...]
    original: Rendition
    source: tuple[int, int] = (0, 0)  # the source's size as displayed (crops start from it)

    def srcset(self, renditions: tuple[Rendition, ...]) -> str:
        return ", ".join(f"{r.url} {r.width}w" for r in renditions)


def probe(path: Path, max_pixels: int) -> ImageInfo:
    """The image at ``path``; raise ImageProblem when it cannot be published."""
    if path.suffix.lower() == ".svg":
        info = svg_size(path)
        return ImageInfo("svg", *(info or (0, 0)))
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImageProblem(f"cannot read the image ({exc.strerror})") from None
    if size == 0:
        raise ImageProblem("the image file is empty (0 bytes)")
    with open_image(path, max_pixels) as image:
        fmt = RASTER.get(image.format or "")
        if fmt is None:
            raise ImageProblem(f"{image.format} images are not supported; publish JPEG, PNG, "
                               "GIF or WebP")
        _check_complete(path, fmt)
        width, height = image.size
        # Only EXIF read with the header: PNG's getexif() would decode the whole image.
        if "exif" in image.info and image.getexif().get(0x0112, 1) in _TURNED:
            width, height = height, width
        frames = getattr(image, "n_frames", 1)
        alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        return ImageInfo(fmt, width, height, image.mode, frames > 1, alpha)


def open_image(path: Path, max_pixels: int) -> PILImage.Image:
    """Open (header only) with newsgen's pixel limit; the caller closes it. Pillow is
    imported here, on the first image (a build with nothing to do opens none), with its
    own fixed pixel guard off: newsgen applies its configurable limit from the header
    (``ImageSettings``) on every image it opens, here."""
    from PIL import Image, UnidentifiedImageError
    Image.MAX_IMAGE_PIXELS = None
    try:
        image = Image.open(path)
    except UnidentifiedImageError:
        raise ImageProblem(_not_an_image(path)) from None
    except (OSError, SyntaxError, ValueError) as exc:  # Pillow's words for a damaged header
        raise ImageProblem(f"cannot read the image: {exc}") from None
    width, height = image.size
    if width * height > max_pixels:
        image.close()
        raise ImageProblem(f"the image declares {width} x {height} pixels, over the limit of "
                           f"{max_pixels:,} (images: {{max_pixels: N}} raises it); refused "
                           "before decoding")
    return image


def _not_an_image(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(512).lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "not an image: the file is an HTML page (saved from a browser?)"
    return "not an image newsgen can read (unknown or damaged format)"


def _check_complete(path: Path, fmt: str) -> None:
    """A truncated upload (an interrupted copy) is refused here, from the file's last
    bytes, rather than published with a grey band or failing while encoding."""
    with path.open("rb") as handle:
        handle.seek(0, 2)
        end = handle.tell()
        handle.seek(max(0, end - 1024))
        tail = handle.read()
    if fmt == "jpeg" and b"\xff\xd9" not in tail:
        raise ImageProblem("the JPEG is truncated (no end-of-image marker): upload it again")
    if fmt == "png" and b"IEND" not in tail:
        raise ImageProblem("the PNG is truncated (no IEND chunk): upload it again")


def plan_renditions(site_path: str, info: ImageInfo, settings: ImageSettings
                    ) -> Renditions | None:
    """The renditions of the raster image served at ``site_path``, never wider than the
    source; None for SVG and animated GIF (published as they are)."""
    if not info.raster or not info.width or not info.height:
        return None
    widths = sorted({w for w in settings.widths if w < info.width}
                    | {min(info.width, max(settings.widths))})
    stem = file_stem(site_path)
    fallback_fmt = "png" if info.alpha or info.format in ("png", "gif") else "jpeg"

    def series(fmt: str) -> tuple[Rendition, ...]:
        return tuple(Rendition(f"{stem}-{w}w.{EXTENSION[fmt]}", w,
                               max(1, round(info.height * w / info.width)), MIME[fmt])
                     for w in widths)
    top = widths[-1]
    original_fmt = original_format(site_path, info)
    original = Rendition(site_path, info.width if settings.publish_originals else top,
                         info.height if settings.publish_originals else
                         max(1, round(info.height * top / info.width)), MIME[original_fmt])
    sources = tuple((MIME[fmt], series(fmt)) for fmt in settings.formats)
    return Renditions(sources, series(fallback_fmt), original, (info.width, info.height))


def file_stem(site_path: str) -> str:
    """What a source's renditions and crops are named from: its path with the extension
    kept (``/images/pic-jpg``), so ``pic.jpg`` and a ``pic.webp`` beside it never share
    a rendition's name."""
    folder, _slash, name = site_path.rpartition("/")
    base, dot, ext = name.rpartition(".")
    return f"{folder}/{base}-{ext.lower()}" if dot and base else site_path


def crop_url(site_path: str, name: str, focus: tuple[float, float]) -> str:
    """Where the ``name`` crop of an image, centred on ``focus``, is published."""
    stem = file_stem(site_path)
    where = "" if focus == (0.5, 0.5) else f"-{round(focus[0] * 100)}-{round(focus[1] * 100)}"
    return f"{stem}-{name}{where}.jpg"


def crop_size(name: str, width: int, height: int) -> tuple[int, int]:
    """The size of a crop of a ``width`` x ``height`` source: 1200 px wide, or as wide as the
    source allows in the crop's proportions (never upscaled)."""
    _name, w, h = next(c for c in CROPS if c[0] == name)
    scale = min(1.0, width / w, height / h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def crops(src: str, renditions: Renditions, focus: tuple[float, float]
          ) -> list[Rendition]:
    """The distribution crops of a hero image, in ``CROPS`` order: og, 16x9, 4x3, 1x1."""
    return [Rendition(crop_url(src, name, focus), *crop_size(name, *renditions.source),
                      "image/jpeg") for name, _w, _h in CROPS]


def original_format(site_path: str, info: ImageInfo) -> str:
    """The format the original's URL is served in: the one its extension names (a PNG
    saved as .jpg is served as JPEG, as its name promises), else its own."""
    ext = site_path.rpartition(".")[2].lower()
    return {"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "webp": "webp"}.get(ext, info.format)


def author_photo_problem(site_dir: Path, site_path: str, settings: ImageSettings) -> str | None:
    """Why ``authors.<id>.photo`` cannot be used (read while newsgen.yaml is, so the error
    names its line), or None."""
    relative = site_path.lstrip("/")
    if ".." in relative.split("/") or not (site_dir / "static" / relative).is_file():
        return "not in static/"
    try:
        probe(site_dir / "static" / relative, settings.max_pixels)
    except ImageProblem as exc:
        return str(exc)
    return None


def svg_size(path: Path) -> tuple[int, int] | None:
    """(width, height) of an SVG's root element, in CSS pixels, or None."""
    try:
        with path.open("rb") as handle:
            head = handle.read(65536)
    except OSError:
        return None
    root = _SVG_ROOT.search(head)
    if not root:
        return None
    attrs = {name.decode(): value for name, value in _SVG_ATTR.findall(root.group(0))}
    width, height = _px(attrs.get("width")), _px(attrs.get("height"))
    if width and height:
        return width, height
    box = attrs.get("viewBox", b"").replace(b",", b" ").split()
    if len(box) == 4:
        try:
            return round(float(box[2])), round(float(box[3]))
        except ValueError:
            return None
    return None


def _px(value: bytes | None) -> int | None:
    if value is None:
        return None
    match = _NUMBER.match(value)
    return round(float(match.group(1))) if match else None
