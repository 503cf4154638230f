"""Photos in pages and for other machines: <picture>/srcset/sizes per slot, sizes that do not
shift, eager only where it counts, crops for cards and JSON-LD, feeds naming a rendition."""

from __future__ import annotations

import io
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import lxml.html
import pytest
from PIL import Image

from tests.conftest import BASIC_CONFIG, article, run_newsgen
from tests.photo_factory import camera_jpeg, has_gps, png
from tests.test_html_valid import find_java, find_vnu_jar
from tests.test_photos import _age, _published, build

HERO = '{src: /images/harbour.jpg, alt: "Cranes over the harbour at dusk", focus: [0.25, 0.4]}'


@pytest.fixture
def photo_out(make_site: Callable[..., Path]) -> Path:
    files: dict[str, str | bytes] = {
        "static/images/harbour.jpg": camera_jpeg(2000, 1500),
        "static/images/small.jpg": camera_jpeg(900, 600),
        "static/images/map.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="40" '
                                 'height="20"></svg>',
        "content/articles/lead.md": article("Harbour lead", image=HERO, featured="true",
                                            date="2026-03-22T10:00"),
        "content/articles/small.md": article("Small photo", date="2026-03-21T10:00",
                                             image='{src: /images/small.jpg, alt: "A quay"}'),
        "content/articles/svg.md": article("Map story", date="2026-03-20T10:00", section="city",
                                           image='{src: /images/map.svg, alt: "A map"}'),
    }
    for n in range(4):
        files[f"content/articles/more-{n}.md"] = article(
            f"More {n}", date=f"2026-03-1{n}T10:00",
            image='{src: /images/small.jpg, alt: "A quay"}')
    return build(make_site(files))


def page(out: Path, relative: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((out / relative).read_bytes())


def test_pictures_name_existing_renditions_with_their_sizes(photo_out: Path) -> None:
    front = page(photo_out, "index.html")
    pictures = front.xpath("//picture")
    assert len(pictures) >= 3
    for picture in pictures:
        img = picture.xpath(".//img")[0]
        sources = picture.xpath(".//source")
        assert [s.get("type") for s in sources] == ["image/webp"]
        assert img.get("sizes") == sources[0].get("sizes") and img.get("sizes")
        for srcset in [img.get("srcset"), sources[0].get("srcset")]:
            for candidate in srcset.split(", "):
                url, width = candidate.split()
                with Image.open(photo_out / url.lstrip("/")) as image:
                    assert f"{image.width}w" == width
        with Image.open(photo_out / img.get("src").lstrip("/")) as image:
            assert (str(image.width), str(image.height)) == (img.get("width"), img.get("height"))


def test_only_lead_and_hero_are_eager(photo_out: Path) -> None:
    front = page(photo_out, "index.html")
    lead = front.xpath("//figure[@class='lead-image']//img")[0]
    assert lead.get("fetchpriority") == "high" and lead.get("loading") is None
    assert "33rem" in lead.get("sizes")
    others = [i for i in front.xpath("//picture//img") if i is not lead]
    assert others and all(i.get("loading") == "lazy" for i in others)
    hero = page(photo_out, "world/2026/03/lead/index.html").xpath(
        "//article//figure//img")[0]
    assert hero.get("fetchpriority") == "high" and "44rem" in hero.get("sizes")


def test_svg_passes_through(photo_out: Path) -> None:
    img = page(photo_out, "city/2026/03/svg/index.html").xpath("//article//figure//img")[0]
    assert img.getparent().tag != "picture" and img.get("src") == "/images/map.svg"
    assert (img.get("width"), img.get("height")) == ("40", "20")


def test_cards_and_json_ld_use_the_focused_crops(photo_out: Path) -> None:
    doc = page(photo_out, "world/2026/03/lead/index.html")
    meta = {m.get("property") or m.get("name"): m.get("content") for m in doc.xpath("//meta")}
    og = meta["og:image"]
    assert og == meta["twitter:image"] == \
        "https://gazette.example.org/images/harbour-jpg-og-25-40.jpg"
    with Image.open(photo_out / "images/harbour-jpg-og-25-40.jpg") as image:
        assert image.size == (1200, 630) == (int(meta["og:image:width"]),
                                             int(meta["og:image:height"]))
    article_ld = [json.loads(s) for s in doc.xpath("//script[@type='application/ld+json']/text()")
                  if json.loads(s).get("@type") == "NewsArticle"][0]
    ratios = []
    for item in article_ld["image"]:
        with Image.open(photo_out / item["url"].split(".org/", 1)[1]) as image:
            assert image.size == (item["width"], item["height"]) and image.width >= 1200
            ratios.append(round(image.width / image.height, 2))
    assert ratios == [1.78, 1.33, 1.0]


def test_narrow_source_crops_at_its_own_width(photo_out: Path) -> None:
    with Image.open(photo_out / "images/small-jpg-og.jpg") as image:
        assert image.size == (900, round(900 * 630 / 1200))


def test_feed_media_content_is_a_rendition_with_its_size(photo_out: Path) -> None:
    feed = feedparser.parse((photo_out / "rss.xml").read_bytes())
    entry = [e for e in feed.entries if e.title == "Harbour lead"][0]
    media = entry.media_content[0]
    assert media["url"] == "https://gazette.example.org/images/harbour-jpg-1200w.jpg"
    with Image.open(photo_out / "images/harbour-jpg-1200w.jpg") as image:
        assert (str(image.width), str(image.height)) == (media["width"], media["height"])


def test_check_warns_on_narrow_photo_and_file_name_alt(make_site: Callable[..., Path]) -> None:
    site = make_site({"static/images/p.jpg": camera_jpeg(600, 400),
                      "content/articles/a.md": article("A", image="{src: /images/p.jpg, alt: "
                                                       "p.jpg}")}, config=BASIC_CONFIG)
    result = run_newsgen("check", site)
    said = result.stderr + result.stdout
    assert "content/articles/a.md:5: warning: image '/images/p.jpg' is 600 px wide" in said
    assert "content/articles/a.md:5: warning: image alt text 'p.jpg' is the file's name" in said


@pytest.mark.vnu
def test_photo_pages_are_valid_html(photo_out: Path, tmp_path: Path) -> None:
    jar, java = find_vnu_jar(), find_java()
    pages = [photo_out / "index.html", photo_out / "world/2026/03/lead/index.html",
             photo_out / "world/index.html"]
    result = subprocess.run([java, "-jar", str(jar), "--errors-only", "--format", "json",
                             *map(str, pages)], capture_output=True, text=True, timeout=300)
    report = json.loads(result.stderr or result.stdout)
    assert report["messages"] == []


def test_page_bundle_and_static_layouts_in_one_site(make_site: Callable[..., Path]) -> None:
    bundle = "content/articles/2026/03/harbour-lane"
    site = make_site({
        f"{bundle}/index.md": article(
            "Night lane", image='{src: photo.jpg, alt: "A pilot boat", focus: [0.7, 0.5]}',
            body="Text.\n\n![The quay at night](quay.png)", featured="true"),
        f"{bundle}/photo.jpg": camera_jpeg(1600, 1200),
        f"{bundle}/quay.png": camera_jpeg(300, 200),  # a JPEG named .png: still published
        "static/images/harbour.jpg": camera_jpeg(1300, 900),
        "content/articles/flat.md": article("Flat", image=HERO.replace("0.25, 0.4", "0.5, 0.5")),
    })
    out = build(site)
    folder = out / "world/2026/03/harbour-lane"
    doc = page(out, "world/2026/03/harbour-lane/index.html")
    hero = doc.xpath("//article//figure//img")[0]
    assert hero.get("src") == "/world/2026/03/harbour-lane/photo.jpg"
    for candidate in hero.get("srcset").split(", "):
        assert (out / candidate.split()[0].lstrip("/")).is_file()
    assert (folder / "photo-jpg-og-70-50.jpg").is_file()
    body_img = doc.xpath("//div[contains(@class, 'article-body')]//img")[0]
    assert (folder / body_img.get("src")).is_file()  # relative, beside the page
    assert not has_gps((folder / "quay.png").read_bytes())
    assert (out / "images/harbour-jpg-1200w.webp").is_file()
    assert page(out, "world/2026/03/flat/index.html").xpath("//picture")


def test_bundle_path_leaving_its_folder_is_refused(make_site: Callable[..., Path]) -> None:
    site = make_site({
        "content/articles/lane/index.md": article(
            "Lane", image='{src: ../../../static/images/x.jpg, alt: "A lane"}'),
        "static/images/x.jpg": camera_jpeg(300, 200)})
    result = run_newsgen("build", site, "-o", site.parent / "o")
    assert result.returncode == 1
    assert "content/articles/lane/index.md:5: image '../../../static/images/x.jpg' leaves " \
           "the article's folder" in result.stderr


def test_replaced_bundle_photo_reaches_the_page(make_site: Callable[..., Path]) -> None:
    bundle = "content/articles/lane"
    site = make_site({f"{bundle}/index.md": article("Lane", image="{src: p.jpg, alt: A lane}"),
                      f"{bundle}/p.jpg": camera_jpeg(1400, 700)})
    _age(site)
    out = build(site)
    (site / bundle / "p.jpg").write_bytes(camera_jpeg(1400, 1050))
    _age(site)
    build(site, out)
    img = page(out, "world/2026/03/lane/index.html").xpath("//article//figure//img")[0]
    assert (img.get("width"), img.get("height")) == ("1400", "1050")
    clean = build(site, site.parent / "clean", use_cache=False)
    assert _published(out, site) == _published(clean, site)


def test_logo_has_its_published_size_and_is_the_icon(make_site: Callable[..., Path]) -> None:
    site = make_site({"static/images/logo.png": png(2400, 480),
                      "content/articles/a.md": article("A")},
                     config=BASIC_CONFIG + "logo: /images/logo.png\n")
    out = build(site)
    logo = page(out, "index.html").xpath("//img[@class='logo']")[0]
    with Image.open(out / "images/logo.png") as image:  # the clean copy, capped at 1600
        assert (str(image.width), str(image.height)) == (logo.get("width"), logo.get("height"))
        assert image.width == 1600
    assert page(out, "index.html").xpath("//link[@rel='icon']/@href") == ["/images/logo.png"]


def test_animated_gif_stays_animated(make_site: Callable[..., Path]) -> None:
    frames = [Image.new("RGB", (60, 40), colour) for colour in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100,
                   loop=0)
    gif = buffer.getvalue()
    out = build(make_site({"static/images/loop.gif": gif, "content/articles/a.md": article(
        "A", image='{src: /images/loop.gif, alt: "Tide over a day"}')}))
    assert (out / "images/loop.gif").read_bytes() == gif
    img = page(out, "world/2026/03/a/index.html").xpath("//article//figure//img")[0]
    assert img.getparent().tag != "picture" and (img.get("width"), img.get("height")) == \
        ("60", "40")


def test_avif_is_opt_in(make_site: Callable[..., Path]) -> None:
    config = BASIC_CONFIG + "images: {formats: [avif, webp], widths: [320, 640]}\n"
    out = build(make_site({"static/images/p.jpg": camera_jpeg(800, 600),
                           "content/articles/a.md": article(
                               "A", image='{src: /images/p.jpg, alt: "A quay"}')},
                          config=config))
    picture = page(out, "world/2026/03/a/index.html").xpath("//article//picture")[0]
    assert [s.get("type") for s in picture.xpath(".//source")] == ["image/avif", "image/webp"]
    with Image.open(out / "images/p-jpg-640w.avif") as image:
        assert image.format == "AVIF" and image.size == (640, 480)


def test_author_photo_on_the_author_page(make_site: Callable[..., Path]) -> None:
    config = BASIC_CONFIG.replace("ana: {name: Ana Lima, bio: Covers the city.}",
                                  "ana: {name: Ana Lima, bio: Covers the city., "
                                  "photo: /images/staff/ana.jpg}")
    out = build(make_site({"static/images/staff/ana.jpg": camera_jpeg(900, 1200),
                           "content/articles/a.md": article("A", authors="[ana]")},
                          config=config))
    img = page(out, "authors/ana/index.html").xpath("//div[@class='author-photo']//img")[0]
    assert img.get("sizes") == "8rem" and img.get("alt") == "Ana Lima"
    with Image.open(out / img.get("src").lstrip("/")) as image:
        assert (str(image.width), str(image.height)) == (img.get("width"), img.get("height"))
        assert not image.getexif()


@pytest.mark.parametrize(("photo", "data", "words"), [
    ("/images/staff/none.jpg", None, "not in static/"),
    ("/images/staff/ana.jpg", b"<html><body>404</body></html>", "HTML page"),
    ("images/ana.jpg", None, "must be a site path"),
])
def test_bad_author_photo_names_its_config_line(make_site: Callable[..., Path], photo: str,
                                                data: bytes | None, words: str) -> None:
    config = BASIC_CONFIG.replace("ana: {name: Ana Lima, bio: Covers the city.}",
                                  "ana:\n    name: Ana Lima\n    photo: " + photo)
    files: dict[str, str | bytes] = {"content/articles/a.md": article("A")}
    if data is not None:
        files["static/images/staff/ana.jpg"] = data
    result = run_newsgen("build", make_site(files, config=config))
    assert result.returncode == 1
    line = config.split("\n").index("    photo: " + photo) + 1
    assert f"newsgen.yaml:{line}: author 'ana': photo" in result.stderr and words in \
        result.stderr


BODY_SIZES = "(min-width: 46em) 44rem, calc(100vw - 2rem)"


def _body_picture_site(make_site: Callable[..., Path]) -> Path:
    return make_site({
        "static/images/quay.jpg": camera_jpeg(2400, 1600),
        "static/images/chart.png": png(300, 200),
        "static/images/map.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="40" '
                                 'height="20"></svg>',
        "content/articles/a.md": article(
            "Quay", body="Text.\n\n![Boats at the quay](/images/quay.jpg \"At dawn\")\n\n"
                         "![Arrivals by month](/images/chart.png)\n\n![A map](/images/map.svg)"
                         "\n\n![Elsewhere](https://example.org/x.jpg)"),
        "content/articles/lane/index.md": article(
            "Lane", date="2026-03-21T10:00", body="![The lane at night](night.jpg)"),
        "content/articles/lane/night.jpg": camera_jpeg(1000, 500),
        "content/pages/about.md": "---\ntitle: About\n---\n\n![Our newsroom](/images/quay.jpg)\n",
    })


def _check_picture(out: Path, picture: lxml.html.HtmlElement, size: tuple[int, int],
                   page_url: str = "/") -> None:
    """A body <picture>: every candidate exists at its stated width, the body slot's sizes,
    the published size as width/height, lazy."""
    img = picture.xpath(".//img")[0]
    (source,) = picture.xpath(".//source")
    assert source.get("type") == "image/webp"
    assert img.get("sizes") == source.get("sizes") == BODY_SIZES
    assert (img.get("width"), img.get("height")) == tuple(str(n) for n in size)
    assert img.get("loading") == "lazy" and img.get("fetchpriority") is None
    for srcset in (img.get("srcset"), source.get("srcset")):
        for candidate in srcset.split(", "):
            url, width = candidate.split()
            with Image.open(out / url.lstrip("/")) as image:
                assert f"{image.width}w" == width
    with Image.open(out / urljoin(page_url, img.get("src")).lstrip("/")) as image:
        assert image.size == size and not image.getexif()


def test_body_images_are_pictures_with_renditions(make_site: Callable[..., Path]) -> None:
    out = build(_body_picture_site(make_site))
    body = page(out, "world/2026/03/a/index.html").xpath(
        "//div[contains(@class, 'article-body')]")[0]
    quay, chart = body.xpath(".//picture")
    _check_picture(out, quay, (1600, 1067))
    assert quay.xpath(".//img")[0].get("alt") == "Boats at the quay"
    assert quay.xpath(".//img")[0].get("title") == "At dawn"
    _check_picture(out, chart, (300, 200))
    assert "chart-png-300w.png" in chart.xpath(".//img")[0].get("srcset")  # PNG fallback
    svg = body.xpath(".//img[@src='/images/map.svg']")[0]
    assert svg.getparent().tag != "picture" and svg.get("srcset") is None
    assert body.xpath(".//img[@src='https://example.org/x.jpg']")[0].getparent().tag == "p"
    bundle = page(out, "world/2026/03/lane/index.html").xpath(
        "//div[contains(@class, 'article-body')]//picture")[0]
    assert bundle.xpath(".//img")[0].get("src") == "night.jpg"  # relative, as written
    _check_picture(out, bundle, (1000, 500), "/world/2026/03/lane/")
    about = page(out, "about/index.html").xpath("//picture")[0]
    _check_picture(out, about, (1600, 1067))


def test_feed_body_images_are_absolute(make_site: Callable[..., Path]) -> None:
    out = build(_body_picture_site(make_site))
    feed = feedparser.parse((out / "rss.xml").read_bytes())
    entry = next(e for e in feed.entries if e.title == "Quay")
    doc = lxml.html.fromstring(entry.content[0].value)
    img = doc.xpath("//img[@alt='Boats at the quay']")[0]
    assert img.get("src") == "https://gazette.example.org/images/quay.jpg"
    assert (img.get("width"), img.get("height")) == ("1600", "1067")
    raw = (out / "rss.xml").read_text()
    assert 'srcset="/images' not in raw.replace("&quot;", '"')


def test_replaced_body_image_reaches_the_page(make_site: Callable[..., Path]) -> None:
    site = _body_picture_site(make_site)
    _age(site)
    out = build(site)
    (site / "static/images/chart.png").write_bytes(png(600, 150))
    _age(site)
    build(site, out)
    chart = page(out, "world/2026/03/a/index.html").xpath("//picture")[1]
    _check_picture(out, chart, (600, 150))
    clean = build(site, site.parent / "clean", use_cache=False)
    assert _published(out, site) == _published(clean, site)
