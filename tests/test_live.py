"""Live blogs: updates as timestamped headings in one file, shown newest first with key
events pinned, LIVE while coverage is open and "Coverage has ended" after, JSON-LD
LiveBlogPosting, one updated feed item, and every mistake at its line."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import feedparser
import lxml.html
import pytest
from conftest import article, older_ticker_allowed, tree_digest

from newsgen.build.builder import BuildOptions, build_site
from newsgen.commands import main
from newsgen.content.times import parse_time

LIVE = """---
title: Storm live
date: 2026-03-25T08:00
section: city
authors: [ana]
live: true
coverage: {start: 2026-03-25T08:00, end: 2026-03-25T20:00}
---

The storm reaches the coast.

## 2026-03-25 08:05 Winds rise {by=ana}

First text.

## 2026-03-25 11:30 Road closed {key, by=Staff reporter}

Second text with a [link](article:other).

## 2026-03-25 10:15 Ferries cancelled

Third text.
"""


def build(site: Path, capsys: pytest.CaptureFixture[str], now: str = "2026-03-25T12:00",
          *args: str) -> tuple[int, str]:
    code = main(["build", str(site), "--now", now, "-q", *args])
    return code, capsys.readouterr().err


@pytest.fixture
def site(make_site):
    return make_site({"content/articles/live.md": LIVE,
                      "content/articles/other.md": article("Other", slug="other",
                                                           date="2026-03-25T09:00")})


def page(site: Path, relative: str = "city/2026/03/live/index.html") -> lxml.html.HtmlElement:
    return lxml.html.parse(str(site / "public" / relative)).getroot()


def test_updates_newest_first_with_time_author_and_anchor(site, capsys) -> None:
    assert build(site, capsys)[0] == 0
    doc = page(site)
    updates = doc.xpath("//div[@class='live-updates']/article")
    assert [u.xpath(".//h2/text()")[0] for u in updates] == [
        "Road closed", "Ferries cancelled", "Winds rise"]
    assert [u.xpath(".//p[@class='live-update-meta']/time/text()")[0] for u in updates] == [
        "11:30", "10:15", "08:05"]
    anchors = [u.xpath(".//h2/@id")[0] for u in updates]
    assert anchors == ["update-20260325T1130Z", "update-20260325T1015Z",
                       "update-20260325T0805Z"]
    assert [u.xpath(".//h2/a[@class='heading-anchor']/@href")[0] for u in updates] == [
        "#" + a for a in anchors]
    assert updates[0].xpath(".//span[@class='live-update-author']/text()") == ["Staff reporter"]
    assert updates[2].xpath(".//span[@class='live-update-author']/a/@href") == [
        "/authors/ana/"]
    assert updates[0].xpath(".//a[text()='link']/@href") == ["/world/2026/03/other/"]
    assert "live-update-key" in updates[0].get("class")
    assert doc.xpath("//section[@class='live-key-events']//a/@href") == [
        "#update-20260325T1130Z"]
    assert doc.xpath("//div[contains(@class,'live-blog')]/p/text()") == [
        "The storm reaches the coast."]
    assert doc.xpath("//p[contains(@class,'live-status')]//text()") == ["Live"]


def test_live_label_on_front_section_and_ticker_while_open(site, capsys) -> None:
    assert build(site, capsys)[0] == 0
    for relative in ("index.html", "city/index.html"):
        doc = page(site, relative)
        teaser = doc.xpath("//main//a[@href='/city/2026/03/live/']/..")[0]
        assert teaser.xpath(".//span[contains(@class,'flag-live')]/text()") == ["Live"]
        ticker = doc.xpath("//section[@class='ticker']//li[.//a[@href='/city/2026/03/live/']]")
        assert ticker[0].xpath(".//span[contains(@class,'flag-live')]")
        assert ticker[0].xpath("time/text()") == ["11:30"]  # its latest update
    data = json.loads((site / "public/ticker.json").read_text())
    assert [i.get("live") for i in data["items"] if "live" in i["url"]] == [True]
    assert (site / "public/.newsgen/next-change").read_text().startswith("2026-03-25T20:00")
    updates = json.loads((site / "public/city/2026/03/live/updates.json").read_text())
    assert [u["title"] for u in updates["updates"]] == [
        "Road closed", "Ferries cancelled", "Winds rise"]


def test_after_coverage_ends_the_page_says_so_and_labels_go(site, capsys) -> None:
    assert build(site, capsys)[0] == 0
    assert build(site, capsys, "2026-03-25T20:00")[0] == 0
    doc = page(site)
    assert doc.xpath("//p[contains(@class,'live-status')]/text()") == ["Coverage has ended"]
    assert not doc.xpath("//script[contains(@src,'live.js')]")
    assert not doc.xpath("//*[@data-live-updates]")
    assert "flag-live" not in (site / "public/index.html").read_text()
    assert not (site / "public/city/2026/03/live/updates.json").exists()
    clean = site.parent / "clean"
    assert build(site, capsys, "2026-03-25T20:00", "--no-cache", "-o", str(clean))[0] == 0
    older = older_ticker_allowed(site)  # pages keeping an older ticker may keep its label
    assert tree_digest(site / "public", older) == tree_digest(clean, older)


def test_json_ld_is_a_live_blog_posting(site, capsys) -> None:
    assert build(site, capsys)[0] == 0
    blocks = [json.loads(s) for s in page(site).xpath(
        "//script[@type='application/ld+json']/text()")]
    posting = next(b for b in blocks if b["@type"] == "LiveBlogPosting")
    assert parse_time(posting["coverageStartTime"], None) == parse_time(
        "2026-03-25T08:00:00+00:00", None)
    assert posting["coverageEndTime"].startswith("2026-03-25T20:00")
    updates = posting["liveBlogUpdate"]
    assert [u["headline"] for u in updates] == ["Road closed", "Ferries cancelled",
                                                 "Winds rise"]
    assert updates[0] == {"@type": "BlogPosting", "headline": "Road closed",
                          "url": "https://gazette.example.org/city/2026/03/live/"
                                 "#update-20260325T1130Z",
                          "datePublished": updates[0]["datePublished"],
                          "articleBody": "Second text with a link."}
    assert updates[0]["datePublished"].startswith("2026-03-25T11:30")
    assert posting["dateModified"].startswith("2026-03-25T11:30")


def test_feeds_show_the_blog_as_one_item_updated_at_its_latest_update(site, capsys) -> None:
    assert build(site, capsys)[0] == 0
    feed = feedparser.parse((site / "public/atom.xml").read_bytes())
    items = [e for e in feed.entries if e.link.endswith("/city/2026/03/live/")]
    assert len(items) == 1
    assert items[0].updated.startswith("2026-03-25T11:30")
    assert "Road closed" in items[0].content[0].value


def test_without_javascript_the_page_is_complete(site, capsys) -> None:
    """Every update is in the HTML; the script only offers updates written later."""
    assert build(site, capsys)[0] == 0
    doc = page(site)
    assert len(doc.xpath("//div[@class='live-updates']/article")) == 3
    assert len(doc.xpath("//script[contains(@src,'theme/live.js')][@defer]")) == 1


def test_a_new_update_rewrites_only_what_shows_it(site, capsys) -> None:
    assert build(site, capsys)[0] == 0
    out = site / "public"
    before = tree_digest(out)
    path = site / "content/articles/live.md"
    path.write_text(path.read_text().replace(
        "## 2026-03-25 08:05", "## 2026-03-25 11:50 Bridge reopens\n\nText.\n\n"
        "## 2026-03-25 08:05"))
    assert build(site, capsys)[0] == 0
    after = tree_digest(out)
    changed = {p for p in after if before.get(p) != after[p]}
    live_dir = "city/2026/03/live/"
    assert {live_dir + "index.html", live_dir + "updates.json", "ticker.html",
            "ticker.json", "atom.xml", "rss.xml"} <= changed
    # every other changed file is a page that shows the ticker, or a feed or sitemap
    for relative in changed:
        if relative.endswith(".html") and relative != live_dir + "index.html":
            assert "Bridge reopens" not in (out / relative).read_text() or \
                relative in ("ticker.html",)
        assert relative.endswith((".html", ".xml", ".json", "next-change")) or \
            relative.startswith("pagefind/"), relative  # its text is re-indexed
    clean = site.parent / "clean"
    assert build(site, capsys, "2026-03-25T12:00", "--no-cache", "-o", str(clean))[0] == 0
    older = older_ticker_allowed(site)
    assert tree_digest(out, older) == tree_digest(clean, older)


BAD = [
    ("no-time", LIVE.replace("## 2026-03-25 10:15 Ferries", "## Ferries"), 20,
     "must start with its time"),
    ("outside", LIVE.replace("2026-03-25 10:15", "2026-03-26 10:15"), 20,
     "outside the coverage"),
    ("before-start", LIVE.replace("2026-03-25 08:05", "2026-03-25 07:05"), 12,
     "outside the coverage"),
    ("end-before-start", LIVE.replace("end: 2026-03-25T20:00", "end: 2026-03-25T07:00"), 7,
     "'coverage.end' is before 'coverage.start'"),
    ("no-coverage", LIVE.replace("coverage: {start: 2026-03-25T08:00, end: 2026-03-25T20:00}\n",
                                 ""), 6, "needs 'coverage"),
    ("bad-option", LIVE.replace("{key, by=Staff reporter}", "{pinned}"), 16,
     "unknown update option 'pinned'"),
]


@pytest.mark.parametrize(("text", "line", "message"), [b[1:] for b in BAD],
                         ids=[b[0] for b in BAD])
def test_bad_live_blog_is_an_error_at_its_line(site, capsys, text: str, line: int,
                                               message: str) -> None:
    assert build(site, capsys)[0] == 0
    before = tree_digest(site / "public")
    (site / "content/articles/live.md").write_text(text)
    code, err = build(site, capsys)
    assert code == 1, err
    assert re.search(rf"^content/articles/live\.md:{line}: .*{re.escape(message)}", err,
                     re.M), err
    assert "Traceback" not in err
    assert tree_digest(site / "public") == before


def test_check_reports_live_mistakes_too(site, capsys) -> None:
    (site / "content/articles/live.md").write_text(BAD[0][1])
    assert main(["check", str(site), "--now", "2026-03-25T12:00"]) == 1
    captured = capsys.readouterr()
    assert "content/articles/live.md:20: a live update heading" in captured.out + captured.err


def test_demo_live_blog(tmp_path) -> None:
    """The demo's storm: 12+ updates over a day, two key events, one correction."""
    from tests.conftest import REPO
    out = tmp_path / "out"
    build_site(REPO, BuildOptions(out_dir=out, now=parse_time("2026-11-29T08:00",
               __import__("zoneinfo").ZoneInfo("Africa/Casablanca")), use_cache=False))
    doc = lxml.html.parse(str(out / "city/2026/11/storm-ardan-live/index.html")).getroot()
    assert len(doc.xpath("//div[@class='live-updates']/article")) >= 12
    assert len(doc.xpath("//section[@class='live-key-events']//li")) == 2
    assert len(doc.xpath("//section[@class='corrections']//p")) == 1
    shutil.rmtree(out)



def test_new_update_goes_above_the_newest_and_builds(site, capsys) -> None:
    path = site / "content/articles/live.md"
    before = path.read_text()
    code = main(["new", "update", "live", "Bridge reopens", "--key", "--by", "ana",
                 "--text", "Traffic flows again.", "--site", str(site),
                 "--now", "2026-03-25T11:45"])
    assert code == 0, capsys.readouterr().err
    after = path.read_text()
    heading = "## 2026-03-25 11:45 Bridge reopens {key, by=ana}\n\nTraffic flows again.\n\n"
    assert after == before.replace("## 2026-03-25 08:05", heading + "## 2026-03-25 08:05")
    assert build(site, capsys)[0] == 0
    titles = page(site).xpath("//div[@class='live-updates']/article//h2/text()")
    assert titles[0] == "Bridge reopens"


@pytest.mark.parametrize(("slug", "now", "message"), [
    ("live", "2026-03-25T21:00", "outside the coverage"),
    ("other", "2026-03-25T11:00", "is not a live blog"),
    ("nothing", "2026-03-25T11:00", "has the slug 'nothing'"),
])
def test_new_update_refuses_what_the_build_would(site, capsys, slug: str, now: str,
                                                 message: str) -> None:
    before = tree_digest(site / "content")
    assert main(["new", "update", slug, "Late", "--site", str(site), "--now", now]) == 1
    assert message in capsys.readouterr().err
    assert tree_digest(site / "content") == before
