"""Camera-size demo photos, made here from procedural content (no third-party pictures), and
the photo benchmarks of issue #17.

    python benchmarks/photos.py demo DEST [--width 4000]   # the demo with 8 camera photos
    python benchmarks/photos.py encode N [--width 4000]    # cold seconds per photo, newsgen
    python benchmarks/photos.py formats [--width 4000]     # bytes and seconds per format
    python benchmarks/photos.py lighthouse OUT --lighthouse BIN / /city/ /city/...  # scores
    python benchmarks/photos.py demo-photos                # (re)make the demo's committed photos
    python benchmarks/photos.py rebuilds CORPUS --photos 40 --repeat 3
        # 10k rebuilds, plain against 40 photos, alternated: medians and photos / plain

``demo`` copies this repository's demo site to DEST and gives its 8 illustrated articles
camera photos instead of their SVGs: 4000 x 3000 JPEGs at quality 92 with the EXIF a phone
writes (make, model, time, GPS position), as an editor would commit them. They are generated,
not committed: eight of them are about 30 MB.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

from PIL import ExifTags, Image, ImageDraw, ImageFilter

REPO = Path(__file__).resolve().parent.parent
DEMO_PHOTOS = ("delta-floods", "customs-house", "theatre", "seagrass", "harbour-lane",
               "stadium", "tidal-turbine", "shipyard")
# A fictional coast; what matters is that the files carry a position to leak.
VELMAR = (38.7025, -9.1717)
# The demo's own photos, committed as an editor would (4000 x 3000, EXIF with camera and
# GPS): file -> seed of its ``smooth_scene``. Smooth scenes (no sensor grain) are 0.4-0.45 MB
# each at quality 92; grainy ones (``scene``) are 3.5 MB, too heavy to commit.
DEMO_COMMITTED = {
    "static/images/photos/harbour-lane.jpg": 11,
    "static/images/photos/shipyard.jpg": 12,
    "static/images/photos/seagrass.jpg": 13,
    "content/articles/2026/11/university-team-tests-tidal-turbine/photo.jpg": 14,
    "content/articles/2026/11/university-team-tests-tidal-turbine/support-vessel.jpg": 15,
}


def _sun_and_hills(image: Image.Image, rnd: random.Random, horizon: int, step: int,
                   jitter: int) -> ImageDraw.ImageDraw:
    """The sun and three hill ridges over the sky (``step`` px between ridge points, each
    up to ``jitter`` px from the last); both scenes draw them, with their own ridges."""
    width, height = image.size
    draw = ImageDraw.Draw(image)
    sun = (rnd.randint(width // 8, width * 7 // 8), rnd.randint(horizon // 5, horizon * 3 // 4))
    radius = rnd.randint(width // 40, width // 18)
    draw.ellipse((sun[0] - radius, sun[1] - radius, sun[0] + radius, sun[1] + radius),
                 fill=(255, 236, 190))
    for layer in range(3):  # hills, nearer ones darker
        points = [(0, horizon)]
        y = horizon - rnd.randint(height // 20, height // 6)
        for x in range(0, width + step, step):
            y = max(horizon // 3, min(horizon, y + rnd.randint(-jitter, jitter)))
            points.append((x, y + layer * 30))
        points.append((width, horizon))
        shade = 90 - layer * 25
        draw.polygon(points, fill=(shade // 2, shade, shade // 2 + 10))
    return draw


def smooth_scene(seed: int, width: int = 4000, height: int = 3000) -> Image.Image:
    """A calm harbour: graded sky and water, a low sun, hills, moored boats; all from
    ``seed``, and smooth enough to compress well (the demo commits these)."""
    rnd = random.Random(seed)
    horizon = int(height * rnd.uniform(0.45, 0.6))
    top = tuple(rnd.randint(40, 120) for _ in range(3))
    low = tuple(min(255, c + rnd.randint(60, 130)) for c in top)
    deep = tuple(c // 3 for c in low)
    image = Image.new("RGB", (width, height))
    for box, (a_colour, b_colour) in (((0, 0, width, horizon), (top, low)),
                                      ((0, horizon, width, height), (low, deep))):
        ramp = Image.linear_gradient("L").resize((box[2] - box[0], box[3] - box[1]))
        image.paste(Image.merge("RGB", [ramp.point(lambda v, a=a, b=b: a + (b - a) * v // 255)
                                        for a, b in zip(a_colour, b_colour, strict=True)]),
                    box[:2])
    draw = _sun_and_hills(image, rnd, horizon, step=200, jitter=90)
    for _ in range(rnd.randint(3, 7)):  # boats with their masts
        x, y = rnd.randint(0, width), rnd.randint(horizon + 50, height - height // 10)
        w, h = rnd.randint(width // 20, width // 8), rnd.randint(height // 40, height // 18)
        hull = tuple(rnd.randint(60, 230) for _ in range(3))
        draw.polygon([(x, y), (x + w, y), (x + w - h, y + h), (x + h, y + h)], fill=hull)
        draw.rectangle((x + w // 3, y - h * 3, x + w // 3 + max(6, w // 30), y),
                       fill=(40, 40, 40))
    return image.filter(ImageFilter.GaussianBlur(2.5))


def make_demo_photos(root: Path = REPO) -> list[Path]:
    """Write the demo's committed photos (``DEMO_COMMITTED``) under ``root``."""
    written = []
    for relative, seed in DEMO_COMMITTED.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(camera_jpeg(smooth_scene(seed), seed))
        written.append(path)
    return written


def scene(seed: int, width: int = 4000, height: int = 3000) -> Image.Image:
    """A harbour at some hour: sky, hills, water, boats, sensor grain; all from ``seed``."""
    rnd = random.Random(seed)
    horizon = int(height * rnd.uniform(0.45, 0.6))
    top = tuple(rnd.randint(40, 120) for _ in range(3))
    low = tuple(min(255, c + rnd.randint(60, 130)) for c in top)
    sky = Image.linear_gradient("L").resize((width, horizon))
    image = Image.new("RGB", (width, height))
    image.paste(Image.merge("RGB", [sky.point(lambda v, a=a, b=b: a + (b - a) * v // 255)
                                    for a, b in zip(top, low, strict=True)]), (0, 0))
    draw = _sun_and_hills(image, rnd, horizon, step=80, jitter=40)
    for y in range(horizon, height, 6):  # water: bands with ripples
        tone = 40 + (y - horizon) * 60 // (height - horizon)
        colour = (tone // 3, tone + 20 + rnd.randint(-8, 8), tone + 60 + rnd.randint(-10, 10))
        draw.rectangle((0, y, width, y + 6), fill=colour)
        for _ in range(width // 400):
            x = rnd.randint(0, width)
            draw.line((x, y + 2, x + rnd.randint(20, 160), y + 2), fill=(200, 210, 220), width=2)
    for _ in range(rnd.randint(3, 9)):  # boats and sheds
        x, y = rnd.randint(0, width), rnd.randint(horizon, height - height // 10)
        w, h = rnd.randint(width // 40, width // 12), rnd.randint(height // 60, height // 25)
        hull = tuple(rnd.randint(60, 230) for _ in range(3))
        draw.polygon([(x, y), (x + w, y), (x + w - h, y + h), (x + h, y + h)], fill=hull)
        draw.rectangle((x + w // 3, y - h * 2, x + w // 3 + max(3, w // 30), y), fill=(40, 40, 40))
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    # Sensor grain: brings the files to the 3-4 MB of a phone's 12 MP JPEG.
    grain = Image.effect_noise((width, height), 40).convert("RGB")
    return Image.blend(image, grain, 0.12)


def camera_jpeg(image: Image.Image, seed: int) -> bytes:
    """``image`` as a phone would save it: quality 92, EXIF with camera, time and GPS."""
    rnd = random.Random(seed)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Velmar Optics"
    exif[ExifTags.Base.Model] = "VX-12 Pro"
    exif[ExifTags.Base.DateTime] = f"2026:11:{20 + seed % 8:02d} 0{seed % 9}:14:05"
    exif[ExifTags.Base.Artist] = "Ledger staff"
    exif[ExifTags.Base.Copyright] = "(c) The Velmar Ledger"
    lat, lon = VELMAR[0] + rnd.uniform(-0.02, 0.02), VELMAR[1] + rnd.uniform(-0.02, 0.02)
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update({1: "N", 2: _dms(lat), 3: "W" if lon < 0 else "E", 4: _dms(abs(lon))})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92, exif=exif.tobytes(), subsampling="4:2:2")
    return buffer.getvalue()


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return (float(degrees), float(minutes), round(((value - degrees) * 60 - minutes) * 60, 2))


def make_demo(dest: Path, width: int = 4000) -> list[Path]:
    """This repository's demo site in ``dest`` with its 8 illustrated articles given camera
    photos; returns the photo files."""
    if dest.exists():
        shutil.rmtree(dest)
    for part in ("content", "static", "templates"):
        shutil.copytree(REPO / part, dest / part)
    shutil.copy(REPO / "newsgen.yaml", dest / "newsgen.yaml")
    height = width * 3 // 4
    photos = []
    for seed, name in enumerate(DEMO_PHOTOS):
        path = dest / "static" / "images" / "photos" / f"{name}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(camera_jpeg(scene(seed, width, height), seed))
        photos.append(path)
    for article in (dest / "content" / "articles").rglob("*.md"):
        text = article.read_text(encoding="utf-8")
        changed = re.sub(r"src: /images/(" + "|".join(DEMO_PHOTOS) + r")\.svg",
                         r"src: /images/photos/\1.jpg", text)
        if changed != text:
            article.write_text(changed, encoding="utf-8")
    return photos


HUGO_LAYOUT = """{{ range resources.Match "photos/*.jpg" }}{{ $src := . }}
{{ range slice 480 800 1200 1600 }}{{ $w := . }}
{{ with $src.Process (printf "resize %dx webp q75" $w) }}<img src="{{ .RelPermalink }}">{{ end }}
{{ with $src.Process (printf "resize %dx jpg q80" $w) }}<img src="{{ .RelPermalink }}">{{ end }}
{{ end }}{{ end }}
"""


def bench_encode(count: int, width: int, workdir: Path, hugo: str | None) -> dict[str, object]:
    """Cold: ``count`` camera photos built by newsgen with the default settings and no cache
    (4 widths x WebP + JPEG, and the capped original), and by Hugo making the same widths
    and formats with ``.Process`` (``resize Nx webp q75`` / ``jpg q80``) with an empty cache;
    seconds per photo for each. Image-free parts of both builds are negligible here (one
    page)."""
    import subprocess
    photos = workdir / "photos"
    photos.mkdir(parents=True, exist_ok=True)
    wanted = {f"p{seed:03d}.jpg": seed for seed in range(count)}
    for stale in photos.glob("*.jpg"):
        if stale.name not in wanted:
            stale.unlink()
    for name, seed in wanted.items():  # photos of an earlier run are kept (same seeds)
        if not (photos / name).is_file() or Image.open(photos / name).width != width:
            (photos / name).write_bytes(camera_jpeg(scene(seed, width, width * 3 // 4), seed))
    site = workdir / "newsgen-site"
    shutil.rmtree(site, ignore_errors=True)
    (site / "content" / "articles").mkdir(parents=True)
    (site / "newsgen.yaml").write_text("title: Bench\nbase_url: https://bench.example.org\n")
    shutil.copytree(photos, site / "static" / "photos")
    result: dict[str, object] = {"photos": count, "width": width}

    def timed(command: list[str], cwd: Path, tool: str) -> float:
        """Wall seconds, and the CPU seconds (user + sys of the tool and its children,
        steadier than wall time on a shared machine) recorded per photo under ``tool``."""
        cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, check=True, cwd=cwd, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = after.ru_utime - cpu.ru_utime + after.ru_stime - cpu.ru_stime
        result[f"{tool}_cpu_per_photo"] = round(used / count, 3)
        result[f"load_after_{tool}"] = round(os.getloadavg()[0], 1)
        return wall
    result["load_before"] = round(os.getloadavg()[0], 1)
    seconds = timed([sys.executable, "-m", "newsgen", "build", str(site), "-q", "--no-cache",
                     "-o", str(workdir / "newsgen-out")], REPO, "newsgen")
    result["newsgen_per_photo"] = round(seconds / count, 3)
    if hugo:
        hsite = workdir / "hugo-site"
        shutil.rmtree(hsite, ignore_errors=True)
        (hsite / "layouts").mkdir(parents=True)
        (hsite / "hugo.toml").write_text('baseURL = "https://bench.example.org/"\n'
                                         'disableKinds = ["taxonomy", "term", "RSS", '
                                         '"sitemap", "robotsTXT", "404"]\n')
        (hsite / "layouts" / "home.html").write_text(HUGO_LAYOUT)
        shutil.copytree(photos, hsite / "assets" / "photos")
        cache = workdir / "hugo-cache"
        shutil.rmtree(cache, ignore_errors=True)
        seconds = timed([hugo, "--quiet", "--cacheDir", str(cache), "--destination",
                         str(workdir / "hugo-out")], hsite, "hugo")
        result["hugo_per_photo"] = round(seconds / count, 3)
        for key in ("", "cpu_"):
            result[f"{key}ratio"] = round(
                float(result[f"newsgen_{key}per_photo"])  # type: ignore[arg-type]
                / float(result[f"hugo_{key}per_photo"]), 2)  # type: ignore[arg-type]
    return result


def _with_photos(site: Path, count: int) -> None:
    """Give the ``count`` newest articles of a ``generate.py`` corpus a camera hero photo
    and the same photo in their body (smooth scenes: quick to make, real camera size and
    EXIF with GPS)."""
    articles = sorted((site / "content" / "articles").rglob("*.md"), key=lambda p: p.name)
    dated = sorted(articles, key=lambda p: p.read_text(encoding="utf-8").split("date: ")[1][:16],
                   reverse=True)[:count]
    for seed, path in enumerate(dated):
        photo = site / "static" / "images" / "photos" / f"p{seed:03d}.jpg"
        photo.parent.mkdir(parents=True, exist_ok=True)
        photo.write_bytes(camera_jpeg(smooth_scene(seed), seed))
        text = path.read_text(encoding="utf-8")
        head, _, body = text.partition("\n---\n")
        src = f"/images/photos/{photo.name}"
        path.write_text(f"{head}\nimage: {{src: {src}, alt: \"Boats on calm water\"}}\n---\n"
                        f"\n![Boats on calm water at dusk]({src})\n{body}", encoding="utf-8")


def _rebuild_site(corpus: Path, site: Path, photos: int) -> Path:
    """A fresh copy of ``corpus`` at ``site`` with ``photos`` camera photos added, every file
    dated a minute back (older than the caches' racy-mtime guard)."""
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(corpus, site, ignore=shutil.ignore_patterns("public", ".newsgen-cache"))
    _with_photos(site, photos)
    old = time.time() - 60
    for path in site.rglob("*"):
        os.utime(path, (old, old))
    return site


def _timed(command: list[str]) -> tuple[dict[str, float], str]:
    """Run ``command``: wall seconds, CPU seconds (user + sys of it and the workers it
    reaped: steadier than wall time on a shared machine) and the load before it; its log."""
    import subprocess
    load = os.getloadavg()[0]
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ({"seconds": round(seconds, 2),
             "cpu": round(after.ru_utime - cpu.ru_utime + after.ru_stime - cpu.ru_stime, 2),
             "load": round(load, 1)}, done.stdout + done.stderr)


def _timed_build(site: Path) -> dict[str, object]:
    """One ``newsgen build`` of ``site``, timed, with what its image stages did (encoded,
    read to hash, body images probed)."""
    row, log = _timed([sys.executable, "-m", "newsgen", "build", str(site), "--verbose",
                       "--now", "2026-11-29T12:00"])
    images = re.search(r"images: (\d+) encoded, (\d+) from the cache, (\d+) read", log)
    probed = re.search(r"body images: (\d+) read to probe", log)
    return {**row, "encoded": int(images.group(1)) if images else 0,
            "hashed": int(images.group(3)) if images else 0,
            "probed": int(probed.group(1)) if probed else 0}


def _hugo_cold(hugo: str, corpus: Path, workdir: Path) -> dict[str, object]:
    """Hugo's cold build of the same corpus (its ``hugo/`` folder, the benchmark's layouts,
    no resources, empty cache): the denominator of the benchmark's rebuild targets,
    measured in the same run as the rebuilds it judges."""
    site = workdir / "hugo"
    if not site.exists():
        shutil.copytree(corpus.parent / "hugo", site,
                        ignore=shutil.ignore_patterns("public", "resources"))
        shutil.copytree(REPO / "benchmarks" / "hugo" / "layouts", site / "layouts",
                        dirs_exist_ok=True)
    for stale in (site / "resources", workdir / "hugo-cache", workdir / "hugo-out"):
        shutil.rmtree(stale, ignore_errors=True)
    row, _ = _timed([hugo, "--source", str(site), "--destination", str(workdir / "hugo-out"),
                     "--buildFuture", "--quiet", "--cacheDir", str(workdir / "hugo-cache")])
    return row


def bench_rebuilds(corpus: Path, photos: int, repeat: int, workdir: Path,
                   hugo: str | None = None) -> list[dict[str, object]]:
    """Two fresh copies of a ``generate.py`` corpus's newsgen site, plain and with ``photos``
    camera photos, each built cold once; then ``repeat`` rounds alternating no-change on
    plain, no-change on photos, one edit on plain, one edit on photos (each round edits a
    different article, the same one in both copies), so that both sites meet the same load.
    With ``hugo``, each round starts with Hugo's cold build of the corpus."""
    sites = {"plain": _rebuild_site(corpus, workdir / "plain", 0),
             "photos": _rebuild_site(corpus, workdir / "photos", photos)}
    rows: list[dict[str, object]] = []
    for name, site in sites.items():
        rows.append({"round": 0, "build": "cold", "site": name, **_timed_build(site)})
    articles = sorted(path.relative_to(sites["plain"])
                      for path in (sites["plain"] / "content" / "articles").rglob("*.md"))
    edited_at = time.time() - 30  # newer than the copies, older than the racy-mtime guard
    for round_ in range(1, repeat + 1):
        if hugo:
            rows.append({"round": round_, "build": "cold", "site": "hugo",
                         **_hugo_cold(hugo, corpus, workdir)})
        for name, site in sites.items():
            rows.append({"round": round_, "build": "no-change", "site": name,
                         **_timed_build(site)})
        edited = articles[round_ * 997 % len(articles)]
        for name, site in sites.items():
            with (site / edited).open("a", encoding="utf-8") as handle:
                handle.write(f"\nOne more sentence for the one-edit rebuild {round_}.\n")
            os.utime(site / edited, (edited_at, edited_at))
            rows.append({"round": round_, "build": "one edit", "site": name,
                         "edited": edited.name, **_timed_build(site)})
    return rows


def rebuild_ratios(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Per scenario, the median wall and CPU seconds of each site and photos / plain; with
    Hugo's cold builds in ``rows``, each rebuild's median over Hugo's median cold wall time
    (the benchmark's target is <= 1/16 = 0.0625)."""
    def median(build: str, site: str, key: str) -> float | None:
        values = [float(row[key]) for row in rows  # type: ignore[arg-type]
                  if row["build"] == build and row["site"] == site]
        return round(statistics.median(values), 2) if values else None
    hugo = median("cold", "hugo", "seconds")
    summary: list[dict[str, object]] = [{"build": "cold", "site": "hugo", "seconds": hugo,
                                         "cpu": median("cold", "hugo", "cpu")}] if hugo else []
    for build in ("cold", "no-change", "one edit"):
        entry: dict[str, object] = {"build": build}
        for site in ("plain", "photos"):
            for key in ("seconds", "cpu"):
                entry[f"{site}_{key}"] = median(build, site, key)
            if hugo and build != "cold":
                entry[f"{site}_per_hugo_cold"] = round(
                    float(entry[f"{site}_seconds"]) / hugo, 3)  # type: ignore[arg-type]
        for key in ("seconds", "cpu"):
            plain = float(entry[f"plain_{key}"])  # type: ignore[arg-type]
            entry[f"ratio_{key}"] = round(float(entry[f"photos_{key}"])  # type: ignore[arg-type]
                                          / plain, 2) if plain else None
        summary.append(entry)
    return summary


def lighthouse(out: Path, binary: str, pages: list[str]) -> list[dict[str, object]]:
    """Lighthouse (mobile, 375 px wide, simulated throttling) on ``pages`` of the built site
    ``out``, served over HTTP on loopback: the four category scores, LCP and transfer."""
    import functools
    import http.server
    import json
    import os
    import subprocess
    import tempfile
    import threading
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    rows = []
    try:
        for page in pages:
            with tempfile.NamedTemporaryFile(suffix=".json") as report:
                subprocess.run(
                    [binary, f"http://127.0.0.1:{server.server_port}{page}", "--quiet",
                     "--output=json", f"--output-path={report.name}",
                     "--chrome-flags=--headless --no-sandbox --disable-gpu",
                     "--screenEmulation.width=375", "--screenEmulation.height=667",
                     "--screenEmulation.deviceScaleFactor=2", "--screenEmulation.mobile"],
                    check=True, env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"})
                data = json.loads(Path(report.name).read_text())
            audits = data["audits"]
            rows.append({"page": page, **{k: round(v["score"] * 100)
                                          for k, v in data["categories"].items()},
                         "lcp_s": round(audits["largest-contentful-paint"]["numericValue"]
                                        / 1000, 2),
                         "transfer_kb": round(audits["total-byte-weight"]["numericValue"]
                                              / 1024)})
    finally:
        server.shutdown()
    return rows


def bench_formats(width: int) -> list[dict[str, object]]:
    """Bytes and encoding seconds of one camera photo at 800 and 1600 px in each format."""
    source = scene(1, width, width * 3 // 4)
    rows = []
    for target in (800, 1600):
        scaled = source.resize((target, target * 3 // 4), Image.Resampling.LANCZOS)
        for fmt, options in (("JPEG", {"quality": 80, "optimize": True, "progressive": True}),
                             ("WEBP", {"quality": 75, "method": 4}),
                             ("AVIF", {"quality": 55, "speed": 8})):
            times = []
            for _ in range(3):
                buffer = io.BytesIO()
                started = time.perf_counter()
                scaled.save(buffer, fmt, **options)
                times.append(time.perf_counter() - started)
            rows.append({"width": target, "format": fmt, "bytes": len(buffer.getvalue()),
                         "seconds": round(statistics.median(times), 3)})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo")
    demo.add_argument("dest", type=Path)
    encode = sub.add_parser("encode")
    encode.add_argument("count", type=int)
    encode.add_argument("--workdir", type=Path, default=REPO / "benchmarks" / ".work" / "photos")
    encode.add_argument("--hugo", help="a Hugo binary to compare with")
    formats = sub.add_parser("formats")
    sub.add_parser("demo-photos", help="(re)make the demo's committed photos")
    rebuilds = sub.add_parser("rebuilds", help="no-change and one-edit rebuilds, photos / plain")
    rebuilds.add_argument("corpus", type=Path, help="a generate.py corpus's newsgen/ folder")
    rebuilds.add_argument("--photos", type=int, default=40)
    rebuilds.add_argument("--repeat", type=int, default=3)
    rebuilds.add_argument("--hugo", help="a Hugo binary: its cold build of CORPUS/../hugo "
                          "at the start of each round")
    rebuilds.add_argument("--workdir", type=Path,
                          default=REPO / "benchmarks" / ".work" / "rebuilds")
    light = sub.add_parser("lighthouse", help="Lighthouse on a built photo demo")
    light.add_argument("out", type=Path)
    light.add_argument("--lighthouse", required=True, help="the lighthouse binary (npm)")
    light.add_argument("pages", nargs="+")
    for command in (demo, encode, formats):
        command.add_argument("--width", type=int, default=4000)
    args = parser.parse_args(argv)
    if args.command == "demo":
        for path in make_demo(args.dest, args.width):
            print(f"{path.relative_to(args.dest)}  {path.stat().st_size:,} bytes")
    elif args.command == "encode":
        print(bench_encode(args.count, args.width, args.workdir, args.hugo))
    elif args.command == "rebuilds":
        rows = bench_rebuilds(args.corpus, args.photos, args.repeat, args.workdir,
                              args.hugo)
        for row in rows + rebuild_ratios(rows):
            print(row)
    elif args.command == "demo-photos":
        for path in make_demo_photos():
            print(f"{path.relative_to(REPO)}  {path.stat().st_size:,} bytes")
    elif args.command == "lighthouse":
        for row in lighthouse(args.out, args.lighthouse, args.pages):
            print(row)
    else:
        for row in bench_formats(args.width):
            print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
