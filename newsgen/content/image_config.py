"""``images:`` in newsgen.yaml -> ImageSettings, checked key by key like the rest of the
configuration (``config._ConfigReader`` passes itself as ``reader``)."""

from __future__ import annotations

from typing import Any

from newsgen.content.images import ImageSettings

_IMAGE_KEYS = ("widths", "formats", "quality", "max_pixels", "publish_originals", "keep")
_FORMATS = ("webp", "avif")
_KEEP = ("copyright", "artist")


def read_image_settings(reader: Any) -> ImageSettings:
    """Every problem goes to ``reader.err`` with its key path; defaults fill in."""
    raw = reader.sub("images", _IMAGE_KEYS)
    default = ImageSettings()
    widths = raw.get("widths", list(default.widths))
    if not isinstance(widths, list) or not widths or not all(
            isinstance(w, int) and not isinstance(w, bool) and 16 <= w <= 8192
            for w in widths):
        reader.err("'images.widths' must be a list of widths in pixels (16 to 8192)",
                   "images", "widths")
        widths = list(default.widths)
    formats = _choices(reader, raw, "formats", _FORMATS, default.formats)
    quality = dict(default.quality)
    given = raw.get("quality", {})
    if not isinstance(given, dict):
        reader.err("'images.quality' must map a format to a quality (1-100)", "images",
                   "quality")
        given = {}
    for name, value in given.items():
        if name not in quality or isinstance(value, bool) or not isinstance(value, int) \
                or not 1 <= value <= 100:
            reader.err(f"'images.quality.{name}' must be jpeg, webp or avif with a "
                       "quality from 1 to 100", "images", "quality", name)
        else:
            quality[name] = value
    originals = raw.get("publish_originals", False)
    if not isinstance(originals, bool):
        reader.err("'images.publish_originals' must be true or false", "images",
                   "publish_originals")
        originals = False
    return ImageSettings(tuple(sorted(set(widths))), formats, tuple(sorted(quality.items())),
                         reader.integer(raw.get("max_pixels"), default.max_pixels, "images",
                                        "max_pixels"),
                         originals, _choices(reader, raw, "keep", _KEEP, ()))


def _choices(reader: Any, raw: dict[str, Any], key: str, allowed: tuple[str, ...],
             default: tuple[str, ...]) -> tuple[str, ...]:
    value = raw.get(key, list(default))
    if not isinstance(value, list) or not all(v in allowed for v in value):
        reader.err(f"'images.{key}' must be a list of: {', '.join(allowed)}", "images", key)
        return default
    return tuple(dict.fromkeys(value))
