"""Sitemaps: every page with a lastmod, index splitting, the Google News sitemap and
robots.txt, validated against the published schemas shipped in tests/xsd/."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
from conftest import BASIC_CONFIG, NEWEST, REPO, article
from lxml import etree

from newsgen.build.builder import BuildOptions, BuildResult, build_site
from newsgen.distribution.sitemaps import (
    Entry,
    news_language,
    news_sitemap_files,
    site_entries,
    sitemap_files,
)

XSD = Path(__file__).parent / "xsd"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
LISBON = ZoneInfo("Europe/Lisbon")
NOW = datetime(2026, 3, 21, 12, 0, tzinfo=LISBON)
ORIGIN = "https://gazette.example.org"

SITE = {
    "content/articles/a.md": article("Ferries resume", "2026-03-20T10:00", "world", "Text.",
                                     slug="ferries", tags="[Ports]", authors="[ana]"),
    "content/articles/b.md": article("Bridge <closed> & reopened", "2026-03-19T15:30", "city",
                                     "Text.", slug="bridge", tags="[Ports]", authors="[rui]",
                                     updated="2026-03-21T09:00"),
    "content/articles/c.md": article("Last week's market", "2026-03-12T09:00", "city", "Text.",
                                     slug="market", authors="[rui]"),
    "content/articles/d.md": article("February story", "2026-02-02T09:00", "world", "Text.",
                                     slug="february"),
    "content/articles/draft.md": article("Draft", "2026-03-20T09:00", "world", "x",
                                         slug="draft-one", draft="true"),
    "content/articles/future.md": article("Future", "2026-03-22T09:00", "world", "x",
                                          slug="future-one"),
    "content/pages/about.md": "---\ntitle: About\n---\n\nUs.\n",
    "content/pages/contact.md": "---\ntitle: Contact\nupdated: 2026-01-05T10:00\n---\n\nWrite.\n",
}


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD / name)))


def assert_valid(xsd: str, data: bytes) -> etree._Element:
    document = etree.fromstring(data)
    checker = schema(xsd)
    assert checker.validate(document), checker.error_log
    return document


@pytest.fixture
def built(make_site: Callable[..., Path], tmp_path: Path) -> tuple[Path, BuildResult]:
    site = make_site(SITE, BASIC_CONFIG + NEWEST + "per_page: 1\n")
    out = tmp_path / "out"
    return out, build_site(site, BuildOptions(out_dir=out, now=NOW))


def locs(document: etree._Element) -> dict[str, str | None]:
    return {url.findtext(f"{SM}loc"): url.findtext(f"{SM}lastmod")
            for url in document.iter(f"{SM}url")}


def test_sitemap_validates_and_lists_every_page_with_lastmod(
        built: tuple[Path, BuildResult]) -> None:
    out, _ = built
    listed = locs(assert_valid("sitemap.xsd", (out / "sitemap.xml").read_bytes()))
    pages = {ORIGIN + "/" + str(p.parent.relative_to(out)).replace(".", "").strip("/")
             for p in out.rglob("index.html") if p.parent.name != "search"}  # noindex
    pages = {p if p.endswith("/") else p + "/" for p in pages}
    assert set(listed) == pages
    # every page but a static one without 'updated' (a file's mtime is not content)
    assert [loc for loc, mod in listed.items() if not mod] == [ORIGIN + "/about/"]
    assert listed[ORIGIN + "/contact/"] == "2026-01-05T10:00:00+00:00"
    kinds = ("/", "/world/2026/03/ferries/", "/world/", "/city/page/2/", "/tags/ports/",
             "/tags/", "/authors/ana/", "/authors/", "/archive/", "/archive/2026/03/page/2/",
             "/about/")
    assert all(ORIGIN + k in listed for k in kinds)
    assert "draft-one" not in str(listed) and "future-one" not in str(listed)


def test_lastmod_follows_the_content_shown(built: tuple[Path, BuildResult]) -> None:
    out, _ = built
    listed = locs(etree.fromstring((out / "sitemap.xml").read_bytes()))
    assert listed[ORIGIN + "/city/2026/03/bridge/"] == "2026-03-21T09:00:00+00:00"
    assert listed[ORIGIN + "/world/2026/03/ferries/"] == "2026-03-20T10:00:00+00:00"
    assert listed[ORIGIN + "/"] == "2026-03-21T09:00:00+00:00"
    assert listed[ORIGIN + "/world/"] == "2026-03-20T10:00:00+00:00"
    # Page 2 of the city listing shows the market story, but shifts when page 1 changes.
    assert listed[ORIGIN + "/city/page/2/"] == "2026-03-21T09:00:00+00:00"
    assert listed[ORIGIN + "/archive/2026/02/"] == "2026-02-02T09:00:00+00:00"


def test_sitemap_mirrors_pagination_from_the_oldest(make_site: Callable[..., Path],
                                                    tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_site(make_site(SITE, BASIC_CONFIG + "per_page: 1\n"), BuildOptions(out_dir=out,
                                                                           now=NOW))
    listed = locs(etree.fromstring((out / "sitemap.xml").read_bytes()))
    pages = {"/" + str(p.parent.relative_to(out)).replace(".", "").strip("/") + "/"
             for p in out.rglob("index.html") if p.parent.name != "search"}
    assert set(listed) == {ORIGIN + p.replace("//", "/") for p in pages}
    months = sorted(p for p in listed if "/archive/2026/03/" in p)
    assert months == [ORIGIN + "/archive/2026/03/", ORIGIN + "/archive/2026/03/page/1/",
                      ORIGIN + "/archive/2026/03/page/2/"]
    assert ORIGIN + "/city/page/2/" not in listed
    # Each archive page's lastmod is that of its own articles: later ones never shift it.
    assert listed[ORIGIN + "/city/page/1/"] == "2026-03-12T09:00:00+00:00"
    assert listed[ORIGIN + "/archive/2026/03/page/2/"] == "2026-03-21T09:00:00+00:00"


def test_large_sitemaps_become_an_index(built: tuple[Path, BuildResult]) -> None:
    _, result = built
    config = result.site.config
    entries = site_entries(result.site)
    files = dict(sitemap_files(config, entries, max_urls=5))
    assert sorted(files) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap-4.xml",
                             "sitemap-5.xml", "sitemap.xml"][: len(files)]
    index = assert_valid("siteindex.xsd", files["sitemap.xml"])
    parts = [s.findtext(f"{SM}loc") for s in index.iter(f"{SM}sitemap")]
    assert parts == [f"{ORIGIN}/sitemap-{n}.xml" for n in range(1, len(files))]
    assert all(s.findtext(f"{SM}lastmod") for s in index.iter(f"{SM}sitemap"))
    seen: list[str] = []
    for name in sorted(files)[:-1]:
        urls = locs(assert_valid("sitemap.xsd", files[name]))
        assert 1 <= len(urls) <= 5
        seen += list(urls)
    assert seen == [config.absolute(e.path) for e in entries]


def test_byte_limit_also_splits(built: tuple[Path, BuildResult]) -> None:
    _, result = built
    entries = [Entry(f"/p{n}/", NOW) for n in range(40)]
    files = dict(sitemap_files(result.site.config, entries, max_bytes=2_000))
    assert len(files) > 3
    for name, data in files.items():
        if name != "sitemap.xml":
            assert len(data) <= 2_000
            assert_valid("sitemap.xsd", data)
    single = dict(sitemap_files(result.site.config, entries))
    assert list(single) == ["sitemap.xml"]


def test_news_sitemap_has_the_last_48_hours_only(built: tuple[Path, BuildResult]) -> None:
    out, _ = built
    document = assert_valid("news-urlset.xsd", (out / "news-sitemap.xml").read_bytes())
    urls = list(document.iter(f"{SM}url"))
    assert [u.findtext(f"{SM}loc") for u in urls] == [
        ORIGIN + "/world/2026/03/ferries/", ORIGIN + "/city/2026/03/bridge/"]
    news = urls[1].find(f"{NEWS}news")
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "Test Gazette"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    assert news.findtext(f"{NEWS}publication_date") == "2026-03-19T15:30:00+00:00"
    assert news.findtext(f"{NEWS}title") == "Bridge <closed> & reopened"


def test_news_sitemap_splits_above_the_limit(built: tuple[Path, BuildResult]) -> None:
    _, result = built
    files = dict(news_sitemap_files(result.site, max_urls=1))
    assert sorted(files) == ["news-sitemap-1.xml", "news-sitemap-2.xml", "news-sitemap.xml"]
    assert_valid("siteindex.xsd", files["news-sitemap.xml"])
    for name in ("news-sitemap-1.xml", "news-sitemap-2.xml"):
        assert len(locs(assert_valid("news-urlset.xsd", files[name]))) == 1


def test_news_sitemap_is_empty_when_nothing_is_recent(built: tuple[Path, BuildResult]) -> None:
    _, result = built
    later = dataclasses.replace(result.site, now=datetime(2026, 4, 30, tzinfo=LISBON))
    (name, data), = news_sitemap_files(later)
    assert name == "news-sitemap.xml"
    assert list(etree.fromstring(data).iter(f"{SM}url")) == []


def test_publication_name_and_language_from_config(make_site: Callable[..., Path],
                                                   tmp_path: Path) -> None:
    config = BASIC_CONFIG + "language: pt-BR\nnews: {publication_name: Gazeta Diária}\n"
    site = make_site({"content/articles/a.md": SITE["content/articles/a.md"]}, config)
    out = tmp_path / "out"
    build_site(site, BuildOptions(out_dir=out, now=NOW))
    document = assert_valid("news-urlset.xsd", (out / "news-sitemap.xml").read_bytes())
    assert document.findtext(f".//{NEWS}name") == "Gazeta Diária"
    assert document.findtext(f".//{NEWS}language") == "pt"


def test_an_unchanged_sitemap_is_kept_and_a_changed_one_rewritten(
        make_site: Callable[..., Path], tmp_path: Path) -> None:
    """A body edit changes no page's lastmod: sitemap.xml is kept (same inode, no write);
    an edited ``updated`` date is in it at the next build."""
    site = make_site(SITE, BASIC_CONFIG)
    out = tmp_path / "out"
    build_site(site, BuildOptions(out_dir=out, now=NOW))
    sitemap = out / "sitemap.xml"
    before = sitemap.stat()
    story = site / "content/articles/a.md"
    story.write_text(story.read_text() + "\nOne more paragraph.\n")
    result = build_site(site, BuildOptions(out_dir=out, now=NOW))
    assert "sitemap.xml" not in result.stats.changed
    assert (sitemap.stat().st_ino, sitemap.stat().st_mtime_ns) == (before.st_ino,
                                                                   before.st_mtime_ns)
    story.write_text(story.read_text().replace("slug: ferries", "slug: ferries\n"
                                               "updated: 2026-03-21T11:00"))
    result = build_site(site, BuildOptions(out_dir=out, now=NOW))
    assert "sitemap.xml" in result.stats.changed
    document = assert_valid("sitemap.xsd", sitemap.read_bytes())
    assert "2026-03-21T11:00:00+00:00" in locs(document).values()


def test_news_language_codes() -> None:
    assert [news_language(x) for x in ("en", "en-GB", "pt-BR", "zh-Hans", "zh-TW", "fil")] == [
        "en", "en", "pt", "zh-cn", "zh-tw", "fil"]


def test_the_schemas_have_teeth(built: tuple[Path, BuildResult]) -> None:
    out, _ = built
    news = schema("news-urlset.xsd")
    good = (out / "news-sitemap.xml").read_bytes()
    assert not news.validate(etree.fromstring(good.replace(b">en<", b">en-GB<")))
    assert not news.validate(etree.fromstring(
        good.replace(b"news:publication_date>", b"news:published>")))
    assert not schema("sitemap.xsd").validate(etree.fromstring(good))  # news needs its XSD


def test_robots_names_both_sitemaps(built: tuple[Path, BuildResult]) -> None:
    out, _ = built
    lines = (out / "robots.txt").read_text().splitlines()
    assert f"Sitemap: {ORIGIN}/sitemap.xml" in lines
    assert f"Sitemap: {ORIGIN}/news-sitemap.xml" in lines


def test_a_url_prefix_reaches_every_location(make_site: Callable[..., Path],
                                             tmp_path: Path) -> None:
    config = BASIC_CONFIG.replace(ORIGIN, ORIGIN + "/news")
    site = make_site({"content/articles/a.md": SITE["content/articles/a.md"]}, config)
    out = tmp_path / "out"
    result = build_site(site, BuildOptions(out_dir=out, now=NOW))
    listed = locs(assert_valid("sitemap.xsd", (out / "sitemap.xml").read_bytes()))
    assert all(loc.startswith(ORIGIN + "/news/") for loc in listed)
    assert ORIGIN + "/news/world/2026/03/ferries/" in listed
    assert f"Sitemap: {ORIGIN}/news/news-sitemap.xml" in (out / "robots.txt").read_text()
    files = dict(sitemap_files(result.site.config, site_entries(result.site), max_urls=2))
    index = etree.fromstring(files["sitemap.xml"])
    assert index.findtext(f"{SM}sitemap/{SM}loc") == ORIGIN + "/news/sitemap-1.xml"
    assert (out / "world" / "rss.xml").is_file()


def test_the_demo_site_is_ready_for_distribution(tmp_path: Path) -> None:
    """The repository's own site: every feed parses, both sitemaps validate."""
    out = tmp_path / "demo"
    result = build_site(REPO, BuildOptions(out_dir=out, now=datetime(2026, 11, 28, 20, 0,
                                                                     tzinfo=ZoneInfo("UTC")),
                                           use_cache=False))
    origin = result.site.config.base_url
    feeds = [p for p in out.rglob("*.xml") if p.name in ("rss.xml", "atom.xml")]
    assert len(feeds) >= 2 * (1 + len(result.site.sections))
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert all(e.link.startswith(origin + "/") for e in parsed.entries)
    # the demo is trilingual: translated pages carry xhtml:link alternates
    listed = locs(assert_valid("alternates-urlset.xsd", (out / "sitemap.xml").read_bytes()))
    # every page but the search pages, one per edition (noindex, like the 404 pages)
    searches = list(out.rglob("search/index.html"))
    assert len(searches) == 3
    assert len(listed) == len(list(out.rglob("index.html"))) - len(searches)
    news = (out / "news-sitemap.xml").read_bytes()
    if b"<url>" in news:
        assert_valid("news-urlset.xsd", news)
    robots = (out / "robots.txt").read_text()
    assert f"Sitemap: {origin}/sitemap.xml" in robots
    assert f"Sitemap: {origin}/news-sitemap.xml" in robots


def test_unchanged_sitemap_parts_are_kept(make_site: Callable[..., Path], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Past 50,000 URLs (here 3) the index and every part are kept while the key holds."""
    from newsgen.distribution import sitemaps
    monkeypatch.setattr(sitemaps, "MAX_URLS", 3)
    site = make_site(SITE, BASIC_CONFIG)
    out = tmp_path / "out"
    build_site(site, BuildOptions(out_dir=out, now=NOW))
    parts = sorted(p.name for p in out.glob("sitemap-*.xml"))
    assert len(parts) >= 2
    story = site / "content/articles/a.md"
    story.write_text(story.read_text() + "\nOne more paragraph.\n")
    result = build_site(site, BuildOptions(out_dir=out, now=NOW))
    assert not {"sitemap.xml", *parts} & set(result.stats.changed)
    assert sorted(p.name for p in out.glob("sitemap-*.xml")) == parts
    story.write_text(story.read_text().replace("slug: ferries", "slug: ferries\n"
                                               "updated: 2026-03-21T11:00"))
    result = build_site(site, BuildOptions(out_dir=out, now=NOW))
    assert any(name in result.stats.changed for name in parts)


def test_a_new_article_rewrites_only_the_sitemap_parts_it_reaches(
        make_site: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Articles come first in the sitemap, oldest first, so the newest story lands after
    every part that lists only older ones: those parts are kept (not even rewritten), the
    rest and the index are written again, and the files are those of a clean build."""
    from newsgen.distribution import sitemaps
    monkeypatch.setattr(sitemaps, "MAX_URLS", 3)
    site = make_site(SITE, BASIC_CONFIG)
    out = tmp_path / "out"
    build_site(site, BuildOptions(out_dir=out, now=NOW))
    first = out / "sitemap-1.xml"
    before = first.stat()
    (site / "content/articles/e.md").write_text(article(
        "Harbour fog lifts", "2026-03-21T08:00", "world", "Text.", slug="fog"))
    build_site(site, BuildOptions(out_dir=out, now=NOW))
    parts = sorted(p.name for p in out.glob("sitemap-*.xml"))
    delta = {line.split("\t")[1] for line in (out / ".newsgen/changes").read_text().splitlines()}
    rewritten = delta & {"sitemap.xml", *parts}
    assert "sitemap.xml" in rewritten and "sitemap-1.xml" not in rewritten
    assert 0 < len(rewritten - {"sitemap.xml"}) < len(parts)
    assert (first.stat().st_ino, first.stat().st_mtime_ns) == (before.st_ino,
                                                               before.st_mtime_ns)
    clean = tmp_path / "clean"
    build_site(site, BuildOptions(out_dir=clean, now=NOW, use_cache=False))
    for name in ["sitemap.xml", *parts]:
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name
    index = assert_valid("siteindex.xsd", (out / "sitemap.xml").read_bytes())
    listed = [loc.text for loc in index.iter(f"{SM}loc")]
    assert listed == [f"{ORIGIN}/{name}" for name in sorted(parts, key=lambda n: int(
        n.removeprefix("sitemap-").removesuffix(".xml")))]
    urls = [url for name in parts for url in locs(
        assert_valid("sitemap.xsd", (out / name).read_bytes()))]
    assert f"{ORIGIN}/world/2026/03/fog/" in urls and len(urls) == len(set(urls))


def test_cutting_by_count_gives_the_files_measuring_does(
        built: tuple[Path, BuildResult], monkeypatch: pytest.MonkeyPatch) -> None:
    """Under the byte limit by the bound, parts are cut by count: the same bytes as when
    every ``<url>`` is serialised and measured."""
    from newsgen.distribution import sitemaps
    _, result = built
    entries = site_entries(result.site)
    by_count = sitemap_files(result.site.config, entries, max_urls=4)
    assert len(by_count) > 2
    monkeypatch.setattr(sitemaps, "_fits_by_count", lambda *args: False)
    assert sitemap_files(result.site.config, entries, max_urls=4) == by_count
    assert not sitemaps._fits_by_count(result.site.config, entries, 4, 1_000)
