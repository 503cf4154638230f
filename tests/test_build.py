"""End to end: small sites built in temporary folders, every output kind parsed, not grepped."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import feedparser
import lxml.html
import pytest

from newsgen.build.builder import BuildOptions, build_site
from newsgen.content.config import load_config
from newsgen.content.times import parse_time
from newsgen.engine import workers
from newsgen.errors import BuildFailed
from tests.conftest import BASIC_CONFIG, article, older_ticker_allowed, tree_digest
from tests.photo_factory import png, same_picture

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
PNG = png(1, 1)  # a real image: the build decodes it


def build(site: Path, out: Path | None = None, now: str = "2026-03-25T12:00",
          **options: bool | int) -> Path:
    """Build ``site`` in-process at ``now`` (site zone) into ``out``; returns ``out``."""
    out = out or site.parent / "out"
    zone = load_config(site).timezone
    build_site(site, BuildOptions(out_dir=out, now=parse_time(now, zone), **options))
    return out


def html(out: Path, relative: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((out / relative).read_bytes())


def internal_target(out: Path, href: str) -> Path:
    """The output file that serves a root-relative URL (``/x/`` -> ``x/index.html``)."""
    path = href.split("#")[0].split("?")[0]
    relative = path.lstrip("/")
    return out / (relative + "index.html" if path.endswith("/") else relative)


SMALL_SITE: dict[str, str | bytes] = {
    "content/articles/harbour-fire.md": article(
        "Fire at the harbour", "2026-03-20T10:00", "city", "First paragraph *about* the fire."
        "\n\nSecond paragraph.\n\n## What next\n\n- one\n- two\n",
        authors="[ana, rui]", tags="[Harbour, Fire Brigade]", featured="true",
        image="{src: /images/fire.png, alt: Smoke over the quay, caption: The quay,"
              " credit: Ana Lima}", location="PORT VELMAR"),
    "content/articles/world/summit.md": article(
        "Summit ends", "2026-03-21T09:00", "world", "Leaders met.", authors="[Guest Writer]",
        tags="[harbour]", summary="A short dek."),
    "content/articles/world/2026/talks.md": article(
        "Talks resume", "2026-03-19T08:00", "world", "Talks.", slug="trade-talks-resume",
        tags="[trade]"),
    "content/pages/about.md": "---\ntitle: About us\n---\n\nWe are a paper.\n",
    "content/pages/contact.md": "---\ntitle: Contact\nslug: write-to-us\n---\n\nWrite.\n",
    "content/headlines/2026-03-21.yaml": (
        "- time: 2026-03-21T11:00\n  title: Ferry delayed\n"
        "- time: 2026-03-21T10:30\n  title: Summit wrap\n  link: summit\n"
        "- time: 2026-03-21T10:00\n  title: Weather\n  link: https://weather.example.org/\n"),
    "static/images/fire.png": PNG,
}

ARTICLE_FILES = ("city/2026/03/harbour-fire/index.html", "world/2026/03/summit/index.html",
                 "world/2026/03/trade-talks-resume/index.html")


@pytest.fixture
def small_out(make_site: Callable[..., Path]) -> Path:
    return build(make_site(SMALL_SITE))


def test_every_output_kind_is_written(small_out: Path) -> None:
    expected = [
        "index.html", "404.html", "rss.xml", "sitemap.xml", "robots.txt", "ticker.html",
        "ticker.json", *ARTICLE_FILES, "city/index.html", "world/index.html",
        "tags/harbour/index.html", "tags/fire-brigade/index.html", "tags/trade/index.html",
        "authors/ana/index.html", "authors/rui/index.html", "about/index.html",
        "write-to-us/index.html", "images/fire.png", "theme/style.css",
    ]
    missing = [p for p in expected if not (small_out / p).is_file()]
    assert not missing
    assert (small_out / ".newsgen").is_dir(), "newsgen's marker folder"
    assert same_picture((small_out / "images/fire.png").read_bytes(), PNG)


def test_plain_name_byline_gets_no_author_page(small_out: Path) -> None:
    assert not (small_out / "authors/guest-writer").exists()
    byline = html(small_out, ARTICLE_FILES[1]).find_class("byline")[0]
    assert byline.text_content().strip() == "By Guest Writer"


def test_every_page_announces_the_rss_feed(small_out: Path) -> None:
    pages = [p for p in small_out.rglob("*.html") if p.name != "ticker.html"]
    assert len(pages) >= 12
    for page in pages:
        doc = lxml.html.fromstring(page.read_bytes())
        feeds = doc.xpath('//head/link[@rel="alternate"][@type="application/rss+xml"]/@href')
        assert "/rss.xml" in feeds, page


def test_every_internal_link_and_image_resolves(small_out: Path) -> None:
    checked = 0
    for page in small_out.rglob("*.html"):
        doc = lxml.html.fromstring(page.read_bytes())
        for ref in doc.xpath("//@href | //@src"):
            if ref.startswith("/") and not ref.startswith("//"):
                assert internal_target(small_out, ref).is_file(), (page, ref)
                checked += 1
    assert checked > 100


def test_article_page_shows_the_content(small_out: Path) -> None:
    doc = html(small_out, ARTICLE_FILES[0])
    assert doc.xpath("string(//h1)") == "Fire at the harbour"
    body = doc.find_class("article-body")[0]
    assert body.xpath(".//h2")[0].text == "What next"
    assert body.xpath(".//li/text()") == ["one", "two"]
    assert body.xpath("string(.//em)") == "about"
    assert "PORT VELMAR" in body.text_content()
    img = doc.xpath('//figure[@class="hero"]//img')[0]  # inside <picture>
    assert (img.get("src"), img.get("alt")) == ("/images/fire.png", "Smoke over the quay")
    caption = doc.xpath("string(//figure/figcaption)")
    assert "The quay" in caption and "Ana Lima" in caption
    assert [a.text for a in doc.xpath('//article//a[@rel="tag"]')] == ["Harbour",
                                                                         "Fire Brigade"]
    datetime_attr = doc.xpath('//article//header//time/@datetime')[0]
    assert datetime_attr == "2026-03-20T10:00:00+00:00"  # Lisbon, winter time


def test_summary_defaults_to_the_first_paragraph_as_plain_text(small_out: Path) -> None:
    fire = html(small_out, ARTICLE_FILES[0])
    assert fire.find_class("dek")[0].text == "First paragraph about the fire."
    summit = html(small_out, ARTICLE_FILES[1])
    assert summit.find_class("dek")[0].text == "A short dek."


def test_tags_that_slugify_alike_are_one_tag(small_out: Path) -> None:
    tag_dirs = sorted(p.name for p in (small_out / "tags").iterdir() if p.is_dir())
    assert tag_dirs == ["fire-brigade", "harbour", "trade"]
    teasers = html(small_out, "tags/harbour/index.html").xpath(
        '//main//*[@class="teaser-title"]/a/@href')
    assert sorted(teasers) == ["/city/2026/03/harbour-fire/", "/world/2026/03/summit/"]


def test_static_pages_use_file_name_or_slug(small_out: Path) -> None:
    assert html(small_out, "about/index.html").xpath("string(//h1)") == "About us"
    assert html(small_out, "write-to-us/index.html").xpath("string(//h1)") == "Contact"
    assert not (small_out / "contact").exists()


def test_robots_names_the_sitemap(small_out: Path) -> None:
    lines = (small_out / "robots.txt").read_text().splitlines()
    assert "Sitemap: https://gazette.example.org/sitemap.xml" in lines


def test_rss_has_full_content_summary_and_absolute_links(small_out: Path) -> None:
    feed = feedparser.parse((small_out / "rss.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    links = [entry.link for entry in feed.entries]
    assert links == ["https://gazette.example.org/world/2026/03/summit/",
                     "https://gazette.example.org/city/2026/03/harbour-fire/",
                     "https://gazette.example.org/world/2026/03/trade-talks-resume/"]
    fire = feed.entries[1]
    assert fire.title == "Fire at the harbour"
    assert fire.summary == "First paragraph about the fire."
    content = lxml.html.fromstring(fire.content[0].value)
    assert content.xpath("//h2")[0].text == "What next"
    for src in content.xpath("//@src | //@href"):
        assert src.startswith("https://gazette.example.org/"), src


def test_rss_holds_the_latest_50_articles(make_site: Callable[..., Path]) -> None:
    files = {f"content/articles/a{n:02d}.md": article(f"Story {n}", f"2026-03-{1 + n // 3:02d}"
                                                      f"T{10 + n % 3}:00", "world")
             for n in range(55)}
    out = build(make_site(files))
    feed = feedparser.parse((out / "rss.xml").read_bytes())
    assert not feed.bozo
    titles = [e.title for e in feed.entries]
    assert len(titles) == 50
    assert titles[0] == "Story 54" and "Story 4" not in titles and "Story 5" in titles


def test_sitemap_lists_published_articles_and_only_existing_pages(
        make_site: Callable[..., Path]) -> None:
    files = dict(SMALL_SITE)
    files["content/articles/secret.md"] = article("Secret", "2026-03-20T09:00", draft="true")
    files["content/articles/later.md"] = article("Later", "2026-04-20T09:00")
    out = build(make_site(files))
    root = ET.parse(out / "sitemap.xml").getroot()
    locs = [e.text or "" for e in root.findall(".//s:loc", SITEMAP_NS)]
    assert len(locs) == len(set(locs))
    base = "https://gazette.example.org"
    for relative in ARTICLE_FILES:
        assert f"{base}/{relative.removesuffix('index.html')}" in locs
    assert not [loc for loc in locs if "secret" in loc or "later" in loc]
    for loc in locs:
        assert loc.startswith(base + "/")
        assert internal_target(out, loc.removeprefix(base)).is_file(), loc


def test_ticker_fragment_and_json(small_out: Path) -> None:
    data = json.loads((small_out / "ticker.json").read_text())
    items = [(i["hhmm"], i["title"], i["url"]) for i in data["items"]]
    assert items == [
        ("11:00", "Ferry delayed", ""),
        ("10:30", "Summit wrap", "https://gazette.example.org/world/2026/03/summit/"),
        ("10:00", "Weather", "https://weather.example.org/"),
        ("10:00", "Fire at the harbour", "https://gazette.example.org/city/2026/03/harbour-fire/"),
        ("08:00", "Talks resume",
         "https://gazette.example.org/world/2026/03/trade-talks-resume/"),
    ]
    fragment = lxml.html.fragment_fromstring((small_out / "ticker.html").read_text(),
                                             create_parent="div")
    rows = [" ".join(li.text_content().split()) for li in fragment.iter("li")]
    assert rows[0] == "11:00 Ferry delayed"
    assert [li.xpath("string(.//a/@href)") for li in fragment.iter("li")][1] == \
        "/world/2026/03/summit/"
    front = html(small_out, "index.html")
    assert [" ".join(li.text_content().split()) for li in
            front.xpath('//*[contains(@class, "ticker")]//li')] == rows


def test_site_static_overrides_theme_file_by_file(make_site: Callable[..., Path]) -> None:
    files = dict(SMALL_SITE)
    files["static/theme/style.css"] = "body { color: red }\n"
    out = build(make_site(files))
    assert (out / "theme/style.css").read_text() == "body { color: red }\n"
    assert same_picture((out / "images/fire.png").read_bytes(), PNG)


def test_permalink_pattern_from_config(make_site: Callable[..., Path]) -> None:
    config = BASIC_CONFIG + "permalink: /{year}/{month}/{day}/{slug}/\n"
    out = build(make_site({"content/articles/x.md": article("X", "2026-03-20T23:30:00Z")},
                          config=config))
    assert (out / "2026/03/20/x/index.html").is_file()
    config = BASIC_CONFIG.replace("Europe/Lisbon", "Asia/Tokyo") + \
        "permalink: /{section}/{year}/{month}/{day}/{slug}/\n"
    out = build(make_site({"content/articles/x.md": article("X", "2026-03-20T23:30:00Z")},
                          config=config, name="tokyo"), now="2026-03-25T12:00")
    assert (out / "world/2026/03/21/x/index.html").is_file(), "date parts in the site zone"


def test_same_content_builds_the_same_bytes(make_site: Callable[..., Path]) -> None:
    site = make_site(SMALL_SITE)
    first = tree_digest(build(site, site.parent / "one"))
    second = tree_digest(build(site, site.parent / "two", use_cache=False))
    assert first == second


def test_forked_workers_build_the_bytes_of_one_process(
        make_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading, Markdown, pages and feeds (entries, then documents staged by the workers)
    fork workers on large sites; forced here on a small one, cold and incremental, the
    output must be that of a build in one process."""
    files = dict(SMALL_SITE)
    for n in range(40):
        files[f"content/articles/extra-{n}.md"] = article(
            f"Extra {n}", f"2026-03-{1 + n % 20:02d}T{n % 24:02d}:00", "world" if n % 2 else "city",
            f"Story {n} *matters*.\n\n## Detail\n\nMore.", tags=f"[t{n % 5}, harbour]")
    site = make_site(files)
    monkeypatch.setattr(workers, "MIN_PARALLEL", 1)
    forked = build(site, site.parent / "forked", workers=2, use_cache=False)
    assert tree_digest(forked) == tree_digest(build(site, site.parent / "one", workers=1))
    story = site / "content/articles/extra-7.md"
    story.write_text(story.read_text().replace("More.", "More, corrected."))
    (site / "content/headlines/2026-03-21.yaml").write_text(
        "- time: 2026-03-21T11:30\n  title: Bridge open\n")
    build(site, forked, workers=2)
    clean = build(site, site.parent / "clean", workers=1, use_cache=False)
    older = older_ticker_allowed(site)
    assert tree_digest(forked, older) == tree_digest(clean, older)


def test_url_collision_names_both_files_and_writes_nothing(
        make_site: Callable[..., Path]) -> None:
    site = make_site(SMALL_SITE)
    out = build(site)
    before = tree_digest(out)
    (site / "content/articles/copy.md").write_text(
        article("Copy", "2026-03-21T09:30", "world", slug="summit"))
    with pytest.raises(BuildFailed) as failed:
        build(site)
    text = "\n".join(str(p) for p in failed.value.problems)
    assert "content/articles/copy.md" in text and "content/articles/world/summit.md" in text
    assert tree_digest(out) == before


def test_site_without_sections_or_authors_config(make_site: Callable[..., Path]) -> None:
    config = "title: Bare\nbase_url: https://bare.example.org\n"
    out = build(make_site({"content/articles/x.md": article("X", section="misc",
                                                            authors="[Jo Bloggs]")},
                          config=config))
    assert (out / "misc/index.html").is_file()
    assert (out / "misc/2026/03/x/index.html").is_file()
    sections = html(out, "index.html").xpath('//nav[@class="sections-nav"]//a/@href')
    assert sections[-1:] == ["/misc/"] and "/misc/" not in sections[:-1]


def test_site_settings_reach_the_pages(make_site: Callable[..., Path]) -> None:
    config = ("title: Diário\nbase_url: https://diario.example.pt/\nlanguage: pt\n"
              "description: Notícias do porto\nlogo: /images/logo.png\n"
              "social: {facebook: 'https://facebook.example/diario'}\n")
    files = {"content/articles/x.md": article("X", section="porto"),
             "static/images/logo.png": PNG}
    out = build(make_site(files, config=config))
    front = html(out, "index.html")
    assert front.get("lang") == "pt"
    assert front.xpath("string(//head/meta[@name='description']/@content)") == \
        "Notícias do porto"
    assert "https://facebook.example/diario" in front.xpath("//a/@href")
    logos = [json.loads(s).get("logo") or json.loads(s).get("publisher", {}).get("logo")
             for s in front.xpath("//script[@type='application/ld+json']/text()")]
    assert any("https://diario.example.pt/images/logo.png" in json.dumps(logo)
               for logo in logos if logo), logos
    assert (out / "porto/2026/03/x/index.html").is_file(), "base_url's slash is not doubled"
    assert html(out, "porto/2026/03/x/index.html").xpath(
        "string(//link[@rel='canonical']/@href)") == \
        "https://diario.example.pt/porto/2026/03/x/"


def test_timezone_defaults_to_utc(make_site: Callable[..., Path]) -> None:
    config = "title: T\nbase_url: https://t.example.org\n"
    out = build(make_site({"content/articles/x.md": article("X", "2026-07-01T10:00")},
                          config=config), now="2026-07-02T00:00")
    doc = html(out, "world/2026/07/x/index.html")
    assert doc.get("lang") == "en"
    assert doc.xpath("//article//header//time/@datetime")[0] == "2026-07-01T10:00:00+00:00"


def test_slug_defaults_to_the_slugified_file_name(make_site: Callable[..., Path]) -> None:
    files = {"content/articles/Café Olé Night!.md": article("Cafe"),
             "content/articles/2026/03/Budget_Vote.md": article("Budget")}
    out = build(make_site(files))
    assert (out / "world/2026/03/cafe-ole-night/index.html").is_file()
    assert (out / "world/2026/03/budget-vote/index.html").is_file()


def test_updated_time_and_external_image(make_site: Callable[..., Path]) -> None:
    files = {"content/articles/x.md": article(
        "X", "2026-03-20T10:00", updated="2026-03-21T18:30:00Z",
        image="{src: 'https://cdn.example.org/a.jpg', alt: A picture}")}
    out = build(make_site(files))
    doc = html(out, "world/2026/03/x/index.html")
    assert "2026-03-21T18:30:00+00:00" in doc.xpath("//article//header//time/@datetime")
    assert doc.xpath("//article//img/@src")[0] == "https://cdn.example.org/a.jpg"


def test_a_failed_first_build_creates_no_output(make_site: Callable[..., Path]) -> None:
    site = make_site({"content/articles/x.md": "---\ntitle: X\n---\n"})
    with pytest.raises(BuildFailed):
        build(site)
    assert not (site.parent / "out").exists()
    assert not [p for p in site.parent.iterdir() if "staging" in p.name]


def test_broken_internal_link_in_markdown_is_reported(make_site: Callable[..., Path]) -> None:
    files = {"content/articles/x.md": article(
        "X", body="See [map](/images/nope.png) and [the list](/nowhere/).")}
    # (a missing *image* is an error of its own: tests/test_body_images.py)
    site = make_site(files)
    try:
        result = build_site(site, BuildOptions(out_dir=site.parent / "out",
                                               now=parse_time("2026-03-25T12:00",
                                                              load_config(site).timezone)))
        problems = result.warnings
    except BuildFailed as failed:
        problems = failed.problems
    located = [str(p) for p in problems if p.location.path == "content/articles/x.md"]
    assert any("/nowhere/" in text for text in located), located
    assert any("/images/nope.png" in text for text in located), located


def test_base_url_with_a_path_prefixes_every_internal_link(
        make_site: Callable[..., Path]) -> None:
    config = BASIC_CONFIG.replace("https://gazette.example.org",
                                  "https://example.org/gazette/") + "logo: /images/fire.png\n"
    out = build(make_site(SMALL_SITE, config=config))
    assert (out / ARTICLE_FILES[0]).is_file(), "files stay at the output's root"
    checked = 0
    for page in out.rglob("*.html"):
        doc = lxml.html.fromstring(page.read_bytes())
        for ref in doc.xpath("//@href | //@src"):
            if ref.startswith("/") and not ref.startswith("//"):
                assert ref.startswith("/gazette/"), (page, ref)
                assert internal_target(out, ref.removeprefix("/gazette")).is_file(), (page, ref)
                checked += 1
    assert checked > 100
    feed = feedparser.parse((out / "rss.xml").read_bytes())
    assert not feed.bozo
    assert all(e.link.startswith("https://example.org/gazette/") for e in feed.entries)
    assert "Sitemap: https://example.org/gazette/sitemap.xml" in \
        (out / "robots.txt").read_text().splitlines()
