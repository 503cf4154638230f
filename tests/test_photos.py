"""Photos end to end: renditions, clean originals, no camera metadata, bad files at their
line, and the rendition cache. Images are made with Pillow here (tests/photo_factory.py)."""

from __future__ import annotations

import io
import os
import struct
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import ExifTags, Image

from newsgen.build.builder import BuildOptions, build_site
from newsgen.content.config import load_config
from newsgen.content.times import parse_time
from newsgen.errors import BuildFailed
from newsgen.reporter import Reporter
from tests.conftest import (
    BASIC_CONFIG,
    article,
    older_ticker_allowed,
    run_newsgen,
    tree_digest,
)
from tests.photo_factory import camera_jpeg, has_gps, picture, png

HERO = '{src: /images/harbour.jpg, alt: "Cranes over the harbour at dusk"}'
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif")


class Listener(Reporter):
    def __init__(self) -> None:
        self.lines: list[str] = []

    def detail(self, message: str) -> None:
        self.lines.append(message)

    def images(self) -> tuple[int, int, int]:
        """(encoded, from the cache, read to hash) of the last build that ran the stage."""
        line = [x for x in self.lines if x.startswith("images:")][-1]
        numbers = [int(word) for word in line.replace(",", "").split() if word.isdigit()]
        return numbers[0], numbers[1], numbers[2]

    def probed(self) -> int:
        """Body images whose header the last build read (``build.body_images``)."""
        line = [x for x in self.lines if x.startswith("body images:")][-1]
        return int(line.split()[2])


def build(site: Path, out: Path | None = None, reporter: Reporter | None = None,
          **options: bool | int) -> Path:
    out = out or site.parent / "out"
    zone = load_config(site).timezone
    build_site(site, BuildOptions(out_dir=out, now=parse_time("2026-03-25T12:00", zone),
                                  **options), reporter)
    return out


def photo_site(make_site: Callable[..., Path], config: str = BASIC_CONFIG,
               **files: str | bytes) -> Path:
    base: dict[str, str | bytes] = {
        "static/images/harbour.jpg": camera_jpeg(2000, 1500, orientation=6),
        "static/images/chart.png": png(300, 200),
        "static/files/unused-shot.jpg": camera_jpeg(900, 600),
        "content/articles/a.md": article("Harbour", image=HERO, featured="true",
                                         body="Text.\n\n![A chart of arrivals](/images/chart.png)"),
    }
    base.update({k.replace("__", "/"): v for k, v in files.items()})
    return make_site(base, config=config)


def images_in(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.suffix.lower() in IMAGE_SUFFIXES}


def test_no_published_image_carries_camera_metadata(make_site: Callable[..., Path]) -> None:
    out = build(photo_site(make_site))
    found = images_in(out)
    assert len(found) > 10  # renditions of all three sources, and the crops
    for name, data in found.items():
        assert not has_gps(data), name
        with Image.open(io.BytesIO(data)) as image:
            assert not image.getexif(), name
            assert "xmp" not in image.info and "icc_profile" not in image.info, name
        assert b"Velmar Optics" not in data and b"Ana Lima" not in data, name


def test_orientation_applied_and_nothing_upscaled(make_site: Callable[..., Path]) -> None:
    out = build(photo_site(make_site))
    with Image.open(out / "images/harbour.jpg") as image:
        assert image.size == (1500, 2000)  # turned upright: the camera wrote orientation 6
    for width in (480, 800, 1200, 1500):
        for fmt in ("webp", "jpg"):
            with Image.open(out / f"images/harbour-jpg-{width}w.{fmt}") as image:
                assert image.size == (width, round(2000 * width / 1500))
    assert not (out / "images/harbour-jpg-1600w.webp").exists()  # wider than the source
    with Image.open(out / "images/chart-png-300w.png") as image:
        assert image.mode == "RGBA" and image.size == (300, 200)  # transparency: PNG fallback


def test_original_url_is_capped_unless_originals_are_published(
        make_site: Callable[..., Path]) -> None:
    big = camera_jpeg(2400, 1200)
    out = build(photo_site(make_site, **{"static/images/big.jpg": big}))
    with Image.open(out / "images/big.jpg") as image:
        assert image.size == (1600, 800) and image.format == "JPEG"
    site = photo_site(make_site, config=BASIC_CONFIG + "images: {publish_originals: true}\n",
                      **{"static/images/big.jpg": big})
    out = build(site, site.parent / "out2")
    assert (out / "images/big.jpg").read_bytes() == big


def test_keep_names_the_only_fields_kept(make_site: Callable[..., Path]) -> None:
    site = photo_site(make_site, config=BASIC_CONFIG + "images: {keep: [copyright, artist]}\n")
    out = build(site)
    with Image.open(out / "images/harbour-jpg-800w.jpg") as image:
        exif = image.getexif()
        assert exif[ExifTags.Base.Artist] == "Ana Lima"
        assert exif[ExifTags.Base.Copyright] == "(c) The Velmar Ledger"
        assert ExifTags.Base.Make not in exif
    assert not any(has_gps(data) for data in images_in(out).values())


def _save(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def test_cmyk_16_bit_and_wrong_extension_are_handled(make_site: Callable[..., Path]) -> None:
    files = {
        "static/images/cmyk.jpg": _save(picture(200, 100).convert("CMYK"), "JPEG"),
        "static/images/deep.png": _save(Image.linear_gradient("L").resize((64, 64))
                                        .convert("I").point(lambda v: v * 256)
                                        .convert("I;16"), "PNG"),
        "static/images/really-png.jpg": png(120, 80, "RGB"),
    }
    out = build(photo_site(make_site, **files))
    with Image.open(out / "images/cmyk-jpg-200w.jpg") as image:
        assert image.mode == "RGB"
        red, green, blue = image.getpixel((100, 50))  # the yellow disc stays yellow
        assert red > 200 and green > 200 and blue < 150
    with Image.open(out / "images/deep-png-64w.png") as image:  # 16 bits scaled, not clipped
        assert image.mode == "L" and image.getpixel((0, 63)) > 200 > 40 > image.getpixel((0, 0))
    with Image.open(out / "images/really-png.jpg") as image:
        assert image.format == "JPEG" and image.size == (120, 80)


def _bomb() -> bytes:
    """A PNG whose header declares 40,000 x 40,000 pixels (its data is a few bytes)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 40000, 40000, 8, 2,
                                                               0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


BAD_FILES: dict[str, tuple[bytes | None, str]] = {
    "missing": (None, "is not in static/"),
    "empty": (b"", "empty (0 bytes)"),
    "truncated": (camera_jpeg(400, 300)[:3000], "truncated"),
    "html": (b"<!DOCTYPE html><html><body>Not found</body></html>", "HTML page"),
    "unsupported": (_save(picture(40, 30), "BMP"), "BMP images are not supported"),
    "bomb": (_bomb(), "40000 x 40000 pixels, over the limit"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_image_is_reported_at_its_front_matter_line(
        make_site: Callable[..., Path], case: str) -> None:
    data, words = BAD_FILES[case]
    files: dict[str, str | bytes] = {
        "content/articles/a.md": article("Harbour", image=HERO, featured="true")}
    if data is not None:
        files["static/images/harbour.jpg"] = data
    site = make_site(files)
    with pytest.raises(BuildFailed) as failed:
        build(site)
    problems = [p for p in failed.value.problems if p.severity == "error"]
    assert [(p.location.path, p.location.line) for p in problems][:1] == \
        [("content/articles/a.md", 5)]
    assert words in problems[0].message


def test_pixel_limit_is_configurable_and_the_cli_keeps_old_output(
        make_site: Callable[..., Path]) -> None:
    site = photo_site(make_site)
    out = site.parent / "cli-out"
    assert run_newsgen("build", site, "-o", out, "-q").returncode == 0
    before = tree_digest(out)
    (site / "newsgen.yaml").write_text(BASIC_CONFIG + "images: {max_pixels: 1000000}\n")
    result = run_newsgen("build", site, "-o", out)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "content/articles/a.md:5: image '/images/harbour.jpg': the image declares 1500 x " \
           "2000 pixels" in result.stderr.replace("2000 x 1500", "1500 x 2000")
    assert tree_digest(out) == before


def _age(site: Path) -> None:
    """Move every file's mtime a minute back: out of the racy window, as an old checkout."""
    old = time.time() - 60
    for path in site.rglob("*"):
        if path.is_file():
            os.utime(path, (old, old))


def test_rebuild_encodes_and_hashes_nothing_unchanged(make_site: Callable[..., Path]) -> None:
    site = photo_site(make_site)
    _age(site)
    listener = Listener()
    out = build(site, reporter=listener)
    assert listener.images() == (3, 0, 3)
    assert listener.probed() == 1  # the chart in a's body
    (site / "content/articles/b.md").write_text(article("Another"))  # the build must run
    build(site, out, reporter=listener)
    assert listener.images() == (0, 3, 0)  # by size and mtime: no photo read at all
    assert listener.probed() == 0
    (site / "static/images/new.jpg").write_bytes(camera_jpeg(500, 400))
    build(site, out, reporter=listener)
    assert listener.images() == (1, 3, 1)
    (site / "static/files/unused-shot.jpg").unlink()
    build(site, out, reporter=listener)
    assert not list(out.glob("files/unused-shot*"))
    clean = build(site, site.parent / "clean", use_cache=False)
    assert _published(clean, site) == _published(out, site)
    cached = {p.name for p in (site / ".newsgen-cache/images").iterdir() if p.is_dir()}
    assert len(cached) == 3  # the removed photo's renditions left the cache too


def _published(out: Path, site: Path) -> dict[str, str]:
    """The output as the incremental-equals-clean contract compares it (README, "The
    ticker": pages other than the fronts may carry the ticker of their last build)."""
    return {k: v for k, v in tree_digest(out, older_ticker_allowed(site)).items()
            if not k.startswith(".newsgen/")}


def test_check_encodes_nothing_and_keeps_the_cache(make_site: Callable[..., Path]) -> None:
    site = photo_site(make_site)
    build(site)
    cached = sorted((site / ".newsgen-cache/images").iterdir())
    result = run_newsgen("check", site)
    assert result.returncode == 0, result.stderr
    assert sorted((site / ".newsgen-cache/images").iterdir()) == cached
    listener = Listener()
    (site / "content/articles/b.md").write_text(article("Another"))
    build(site, reporter=listener)
    assert listener.images()[0] == 0


def test_encoding_on_two_cores_gives_the_same_bytes(make_site: Callable[..., Path]) -> None:
    site = photo_site(make_site)
    one = build(site, site.parent / "one", use_cache=False, workers=1)
    two = build(site, site.parent / "two", use_cache=False, workers=2)
    assert images_in(one) == images_in(two)


def test_photo_demo_builds_and_leaks_no_position(tmp_path: Path) -> None:
    """The demo with camera photos (benchmarks/photos.py, at a small size to stay fast):
    the sources carry GPS, the output does not."""
    import runpy
    make_demo = runpy.run_path(str(Path(__file__).parent.parent / "benchmarks" / "photos.py")
                               )["make_demo"]
    photos = make_demo(tmp_path / "demo", width=1280)
    assert len(photos) == 8 and all(has_gps(p.read_bytes()) for p in photos)
    out = tmp_path / "out"
    result = run_newsgen("build", tmp_path / "demo", "--now", "2026-11-29T12:00", "-o", out,
                         "-q", "--no-cache")
    assert result.returncode == 0, result.stderr
    found = images_in(out)
    assert sum(name.startswith("images/photos/") for name in found) >= 8 * 5
    assert not [name for name, data in found.items() if has_gps(data)]


def test_same_name_in_two_formats_do_not_collide(make_site: Callable[..., Path]) -> None:
    """A site that already commits pic.webp beside pic.jpg (common before this feature)."""
    from tests.photo_factory import webp
    out = build(make_site({"static/images/pic.jpg": camera_jpeg(300, 200),
                           "static/images/pic.webp": webp(300, 200),
                           "content/articles/a.md": article("A")}))
    assert (out / "images/pic-jpg-300w.webp").is_file()
    assert (out / "images/pic-webp-300w.webp").is_file()
    with Image.open(out / "images/pic.webp") as image:
        assert image.format == "WEBP"
