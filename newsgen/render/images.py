"""Images -> published bytes: each raster source becomes its renditions (the widths and
formats ``content.images.plan_renditions`` named), a clean copy at the original's URL and the
distribution crops, all upright, in sRGB and without camera metadata.

Pure functions of a file and the settings, so they run in forked workers and their results
can be cached by the source's content hash (``build.photos``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageCms, ImageOps

from newsgen.content.images import (
    CROPS,
    EXTENSION,
    ImageSettings,
    crop_size,
    crop_url,
    open_image,
    original_format,
    plan_renditions,
    probe,
)

_EXIF_FIELDS = {"copyright": 0x8298, "artist": 0x013B}
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@dataclass(frozen=True)
class ImageJob:
    """One source to encode: the file, the site path it is published at (without the URL
    prefix), and the focal points of the crops articles ask of it."""

    path: Path
    site_path: str
    crops: tuple[tuple[float, float], ...] = ()


def encode(job: ImageJob, settings: ImageSettings) -> list[tuple[str, bytes]]:
    """Every file published for ``job``: (site path, bytes), in a fixed order."""
    info = probe(job.path, settings.max_pixels)
    if info.animated or info.format == "svg":  # kept as it is, so a GIF stays animated
        return [(job.site_path, job.path.read_bytes())]
    plan = plan_renditions(job.site_path, info, settings)
    assert plan is not None
    with open_image(job.path, settings.max_pixels) as opened:
        exif = opened.getexif()
        if opened.format == "JPEG" and not settings.publish_originals:
            # libjpeg decodes at 1/2, 1/4 or 1/8 scale when that still covers every file
            # made here: a 4000 px photo whose largest rendition is 1600 px decodes at 2000.
            need = _largest_need(plan.original.width, plan.original.height, info.width,
                                 info.height, bool(job.crops))
            turned = opened.size != (info.width, info.height)
            opened.draft(None, (need[1], need[0]) if turned else need)
        image = _upright_srgb(opened)
    kept = _kept_exif(exif, settings.keep)
    out: list[tuple[str, bytes]] = []
    for _mime, series in (*plan.sources, ("", plan.fallback)):
        for rendition in series:
            fmt = rendition.url.rpartition(".")[2]
            scaled = _scaled(image, rendition.width, rendition.height)
            out.append((rendition.url, _save(scaled, fmt, settings, kept)))
    if settings.publish_originals:
        out.append((job.site_path, job.path.read_bytes()))
    else:
        top = plan.original
        fmt = EXTENSION[original_format(job.site_path, info)]
        out.append((job.site_path, _save(_scaled(image, top.width, top.height), fmt, settings,
                                         kept)))
    for focus in job.crops:
        for name, _w, _h in CROPS:
            size = crop_size(name, info.width, info.height)
            cropped = ImageOps.fit(image.convert("RGB"), size, PILImage.Resampling.LANCZOS,
                                   centering=focus)
            out.append((crop_url(job.site_path, name, focus),
                        _save(cropped, "jpg", settings, kept)))
    return out


def _largest_need(width: int, height: int, source_w: int, source_h: int, crops: bool
                  ) -> tuple[int, int]:
    """The smallest source size (as displayed) every rendition and crop can be cut from
    without upscaling."""
    need_w, need_h = width, height
    if crops:
        for name, _w, _h in CROPS:
            crop_w, crop_h = crop_size(name, source_w, source_h)
            scale = max(crop_w / source_w, crop_h / source_h)
            need_w, need_h = max(need_w, round(source_w * scale)), \
                max(need_h, round(source_h * scale))
    return need_w, need_h


def _upright_srgb(image: PILImage.Image) -> PILImage.Image:
    """The picture as a reader should see it: EXIF orientation applied, colours in sRGB
    (CMYK and wide-gamut profiles converted), 8 bits a channel."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.point(lambda v: v / 256).convert("L")
    icc = image.info.get("icc_profile")
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") else "RGB"
            if image.mode in ("LA", "PA", "P"):
                image = image.convert("RGBA" if mode == "RGBA" else "RGB")
            if image.mode != "L":
                image = ImageCms.profileToProfile(image, source, _SRGB, outputMode=mode)
        except (OSError, ImageCms.PyCMSError):
            pass  # a damaged profile: the pixels are used as they are
    if image.mode == "CMYK":
        image = image.convert("RGB")
    if image.mode == "P" or image.mode == "LA" or image.mode == "PA":
        image = image.convert("RGBA")
    if image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGB")
    image.info.clear()
    return image


def _scaled(image: PILImage.Image, width: int, height: int) -> PILImage.Image:
    if (width, height) == image.size:
        return image
    return image.resize((width, height), PILImage.Resampling.LANCZOS, reducing_gap=3.0)


def _kept_exif(exif: PILImage.Exif, keep: tuple[str, ...]) -> bytes:
    """Only the EXIF fields the site asked to keep (never GPS, never the camera)."""
    clean = PILImage.Exif()
    for name in keep:
        value = exif.get(_EXIF_FIELDS[name])
        if value:
            clean[_EXIF_FIELDS[name]] = value
    return clean.tobytes() if len(clean) else b""


def _save(image: PILImage.Image, fmt: str, settings: ImageSettings, exif: bytes) -> bytes:
    buffer = io.BytesIO()
    options: dict[str, object] = {"exif": exif} if exif else {}
    if fmt == "jpg":
        if image.mode == "RGBA":
            flat = PILImage.new("RGB", image.size, (255, 255, 255))
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        image.save(buffer, "JPEG", quality=settings.quality_of("jpeg"), optimize=True,
                   progressive=True, subsampling="4:2:0", **options)
    elif fmt == "png":
        image.save(buffer, "PNG", optimize=True, **options)
    elif fmt == "webp":
        image.save(buffer, "WEBP", quality=settings.quality_of("webp"), method=4, **options)
    elif fmt == "avif":
        image.save(buffer, "AVIF", quality=settings.quality_of("avif"), speed=8, **options)
    elif fmt == "gif":
        image.save(buffer, "GIF", optimize=True)
    else:  # pragma: no cover - formats come from plan_renditions
        raise ValueError(fmt)
    return buffer.getvalue()
