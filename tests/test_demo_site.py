"""The repository's own demo newsroom, built as a user would, checked from the outside.

What is published is worked out here from the content files themselves (front matter read
with PyYAML's BaseLoader, times with ``datetime.fromisoformat``), not from newsgen's loader.
"""

from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import lxml.html
import pytest
import yaml

from tests.conftest import REPO, run_newsgen
from tests.photo_factory import has_gps

NOW = "2026-11-29T12:00"
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
CONFIG = yaml.safe_load((REPO / "newsgen.yaml").read_text(encoding="utf-8"))
BASE = CONFIG["base_url"].rstrip("/")
ZONE = ZoneInfo(CONFIG.get("timezone", "UTC"))


def when(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=ZONE)


@dataclass(frozen=True)
class Source:
    path: Path
    meta: dict[str, object]

    @property
    def slug(self) -> str:
        # a page bundle (``name/index.md``) takes its folder's name, as README says
        stem = self.path.parent.name if self.path.stem == "index" else self.path.stem
        return str(self.meta.get("slug") or stem)

    def published(self, now: datetime) -> bool:
        expires = self.meta.get("expires")
        return (self.meta.get("draft", "false") not in ("true", "True", "yes")
                and when(str(self.meta["date"])) <= now
                and not (expires and when(str(expires)) <= now))


def front_matter(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    _, block, _ = text.split("---\n", 2)
    return yaml.load(block, Loader=yaml.BaseLoader)


SOURCES = [Source(p, front_matter(p))
           for p in sorted((REPO / "content/articles").rglob("*.md"))]
PUBLISHED = [s for s in SOURCES if s.published(when(NOW))]
HIDDEN = [s for s in SOURCES if not s.published(when(NOW))]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    if len(SOURCES) < 24:
        pytest.fail(f"the demo has {len(SOURCES)} articles; at least 24 expected")
    out = tmp_path_factory.mktemp("demo") / "out"
    result = run_newsgen("build", "--now", NOW, "-o", out, "--no-cache", cwd=REPO)
    assert result.returncode == 0, result.stderr
    return out, result


@pytest.fixture(scope="module")
def out(demo: tuple[Path, subprocess.CompletedProcess[str]]) -> Path:
    return demo[0]


def target(out: Path, url: str) -> Path:
    path = url.split("#")[0].split("?")[0]
    relative = path.lstrip("/")
    return out / (relative + "index.html" if path.endswith("/") or not path else relative)


def html_pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def test_demo_is_big_enough() -> None:
    assert len(PUBLISHED) >= 24
    assert len({s.meta["section"] for s in PUBLISHED}) >= 6
    authors = {a for s in PUBLISHED for a in s.meta.get("authors", [])}  # type: ignore[union-attr]
    assert len(authors) >= 3
    days = set()
    for path in sorted((REPO / "content/headlines").glob("*.yaml")):
        for item in yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader):
            days.add(when(item["time"]).astimezone(ZONE).date())
    assert len(days) >= 2


def test_build_succeeds_with_a_summary(demo: tuple[Path, subprocess.CompletedProcess[str]]
                                       ) -> None:
    _, result = demo
    assert "warning" not in result.stderr.lower(), result.stderr
    assert f"{len(PUBLISHED)} articles" in result.stderr + result.stdout


def test_every_page_parses_and_internal_links_resolve(out: Path) -> None:
    pages = html_pages(out)
    assert len(pages) >= 40
    broken, checked = [], 0
    for page in pages:
        doc = lxml.html.fromstring(page.read_bytes())
        for ref in doc.xpath("//@href | //@src"):
            if ref.startswith("/") and not ref.startswith("//"):
                checked += 1
                if not target(out, ref).is_file():
                    broken.append((page.relative_to(out).as_posix(), ref))
    assert broken == []
    assert checked > 1000


def test_every_published_article_has_a_page_and_no_hidden_one_does(out: Path) -> None:
    article_pages = {p.parent.name for p in out.rglob("index.html")}
    assert {s.slug for s in PUBLISHED} <= article_pages
    everything = {p.relative_to(out).as_posix() for p in out.rglob("*")}
    for source in HIDDEN:
        assert not [p for p in everything if source.slug in p.split("/")], source.path


def test_rss_parses_and_every_item_links_to_a_page(out: Path) -> None:
    feed = feedparser.parse((out / "rss.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    english = [s for s in PUBLISHED if s.meta.get("lang", "en") == "en"]  # the root's feed
    assert len(feed.entries) == min(50, len(english))
    for entry in feed.entries:
        assert entry.link.startswith(BASE + "/")
        assert target(out, entry.link.removeprefix(BASE)).is_file(), entry.link
        assert entry.get("summary") and entry.content[0].value
    hidden_titles = {str(s.meta["title"]) for s in HIDDEN}
    assert not hidden_titles & {e.title for e in feed.entries}


def test_sitemap_lists_every_published_article_and_nothing_else(out: Path) -> None:
    root = ET.parse(out / "sitemap.xml").getroot()
    locs = [e.text or "" for e in root.findall(".//s:loc", SITEMAP_NS)]
    assert len(locs) == len(set(locs))
    for loc in locs:
        assert loc.startswith(BASE + "/")
        assert target(out, loc.removeprefix(BASE)).is_file(), loc
    by_slug = {loc.rstrip("/").rsplit("/", 1)[-1]: loc for loc in locs}
    assert {s.slug for s in PUBLISHED} <= set(by_slug)
    assert not {s.slug for s in HIDDEN} & set(by_slug)


def test_robots_and_404(out: Path) -> None:
    assert f"Sitemap: {BASE}/sitemap.xml" in (out / "robots.txt").read_text().splitlines()
    assert lxml.html.fromstring((out / "404.html").read_bytes()).xpath("//h1")


def test_every_page_announces_the_feed(out: Path) -> None:
    for page in html_pages(out):
        if page.name == "ticker.html":
            continue
        doc = lxml.html.fromstring(page.read_bytes())
        if doc.xpath('//meta[@http-equiv="refresh"]'):
            continue  # an old address (aliases:) that sends readers on at once
        edition = page.relative_to(out).parts[0]  # the French and Arabic editions' own
        feed = f"/{edition}/rss.xml" if edition in ("fr", "ar") else "/rss.xml"
        assert doc.xpath('//link[@rel="alternate"][@type="application/rss+xml"]'
                         f'[@href="{feed}"]'), page


def test_articles_use_rich_markdown(out: Path) -> None:
    found = {"h2": 0, "li": 0, "blockquote": 0, "a": 0}
    images = 0
    for source in PUBLISHED:
        page = next(out.rglob(f"{source.slug}/index.html"))
        doc = lxml.html.fromstring(page.read_bytes())
        body = doc.xpath('//*[contains(@class, "article-body")]')[0]
        for tag in found:
            found[tag] += bool(body.xpath(f".//{tag}"))
        images += bool(doc.xpath('//figure[contains(@class, "hero")]//img'))
    assert all(count >= 3 for count in found.values()), found
    assert images >= 3


def test_ticker_matches_the_headlines_in_the_site_zone(out: Path) -> None:
    data = json.loads((out / "ticker.json").read_text(encoding="utf-8"))
    items = data["items"]
    assert len(items) == CONFIG.get("ticker", {}).get("size", 10)
    times = [datetime.fromisoformat(i["time"]) for i in items]
    assert times == sorted(times, reverse=True)
    assert all(t <= when(NOW) for t in times)
    for item, moment in zip(items, times, strict=True):
        assert item["hhmm"] == moment.astimezone(ZONE).strftime("%H:%M")
        if item["url"].startswith(BASE):
            assert target(out, item["url"].removeprefix(BASE)).is_file()
    written = {}
    for path in sorted((REPO / "content/headlines").glob("*.yaml")):
        for entry in yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader):
            written[entry["title"]] = when(entry["time"]).astimezone(ZONE).strftime("%H:%M")
    from_headlines = [i for i in items if i["title"] in written]
    assert from_headlines, "the ticker shows the demo's headlines"
    for item in from_headlines:
        assert item["hhmm"] == written[item["title"]], item
    front = lxml.html.fromstring((out / "index.html").read_bytes())
    rows = [" ".join(li.text_content().split())
            for li in front.xpath('//*[contains(@class, "ticker")]//li')]
    assert rows == [f"{i['hhmm']} {i['title']}" for i in items]


def test_preview_with_drafts_and_future_also_links_cleanly(
        tmp_path: Path) -> None:
    out = tmp_path / "preview"
    result = run_newsgen("build", "--now", NOW, "-o", out, "--no-cache", "--drafts",
                         "--future", cwd=REPO)
    assert result.returncode == 0, result.stderr
    article_pages = {p.parent.name for p in out.rglob("index.html")}
    assert {s.slug for s in SOURCES} <= article_pages
    for page in html_pages(out):
        doc = lxml.html.fromstring(page.read_bytes())
        for ref in doc.xpath("//@href | //@src"):
            if ref.startswith("/") and not ref.startswith("//"):
                assert target(out, ref).is_file(), (page, ref)


RASTER = (".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif")


def test_demo_photos_are_camera_size_with_gps_and_none_leaks(out: Path) -> None:
    """The demo commits camera photos as an editor would (benchmarks/photos.py demo-photos);
    the site publishes none of their metadata, and every page shows them as pictures."""
    from PIL import Image

    sources = [p for p in sorted((REPO / "static").rglob("*")) + sorted(
        (REPO / "content").rglob("*")) if p.suffix.lower() in RASTER]
    cameras = []
    for path in sources:
        with Image.open(path) as image:
            if image.size == (4000, 3000) and has_gps(path.read_bytes()):
                cameras.append(path)
    assert len(cameras) >= 4, cameras
    published = [p for p in out.rglob("*") if p.suffix.lower() in RASTER]
    assert len(published) > 40  # renditions, capped originals and crops
    for path in published:
        data = path.read_bytes()
        assert not has_gps(data), path
        with Image.open(path) as image:
            assert not image.getexif() and max(image.size) <= 1600, path
        assert b"Velmar Optics" not in data, path
    turbine = next(out.rglob("university-team-tests-tidal-turbine/index.html"))
    body = lxml.html.fromstring(turbine.read_bytes()).xpath(
        '//div[contains(@class, "article-body")]')[0]
    img = body.xpath(".//picture//img")[0]
    assert img.get("src") == "support-vessel.jpg" and img.get("loading") == "lazy"
    assert (turbine.parent / "support-vessel.jpg").is_file()
