"""Feeds: RSS 2.0 and Atom for the site, each section, tag and author, read back with
feedparser as an aggregator would."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import feedparser
import lxml.html
import pytest
from conftest import BASIC_CONFIG, article, tree_digest

from newsgen.build.builder import BuildOptions, BuildResult, build_site
from newsgen.distribution import feeds as feeds_module
from newsgen.distribution.feeds import Channel, FeedSet, _channel_documents, feed_files
from newsgen.distribution.weblinks import absolutize, xml_safe
from newsgen.engine import workers
from newsgen.errors import BuildFailed

LISBON = ZoneInfo("Europe/Lisbon")
NOW = datetime(2026, 3, 21, 12, 0, tzinfo=LISBON)
ORIGIN = "https://gazette.example.org"
PICTURE = ('<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="675" '
           'viewBox="0 0 1200 675"><rect width="1200" height="675"/></svg>')

SAMPLE = {
    "content/articles/harbour.md": article(
        "Harbour reopens", "2026-03-20T10:00", "world",
        "Read [the city desk](/city/) and [the port](../port.html).\n\n"
        "![Quay](/images/quay.svg)\n\n## Background\n\nMore [above](#background).",
        slug="harbour-reopens", authors="[ana]", tags="[Ports, Shipping]",
        summary="The harbour is open again.",
        image="{src: /images/quay.svg, alt: The quay at dawn}"),
    "content/articles/council.md": article(
        "Council votes on ferries", "2026-03-19T09:00", "city", "The council voted.",
        slug="council-votes", authors="[ana, rui]", tags="[ports]",
        updated="2026-03-21T08:00", location="LISBON"),
    "content/articles/old.md": article(
        "Old market closes", "2026-03-10T09:00", "city", "It closed.", slug="old-market",
        authors="[rui]"),
    "content/articles/draft.md": article(
        "Secret draft story", "2026-03-20T11:00", "world", "Not yet.", slug="secret-draft",
        authors="[ana]", tags="[Ports]", draft="true"),
    "content/articles/embargo.md": article(
        "Embargoed budget story", "2026-03-25T09:00", "world", "Later.",
        slug="embargoed-budget", authors="[ana]", tags="[Ports]"),
    "content/pages/about.md": "---\ntitle: About us\n---\n\nWho we are.\n",
    "content/headlines/2026-03-20.yaml": "- time: 2026-03-20T12:00\n  title: Ferry delayed\n",
    "static/images/quay.svg": PICTURE,
}
HIDDEN = ("secret-draft", "Secret draft story", "embargoed-budget", "Embargoed budget story")
FEEDS = ["rss.xml", "atom.xml", "world/rss.xml", "world/atom.xml", "city/rss.xml",
         "city/atom.xml", "tags/ports/rss.xml", "tags/ports/atom.xml", "tags/shipping/rss.xml",
         "tags/shipping/atom.xml", "authors/ana/rss.xml", "authors/ana/atom.xml",
         "authors/rui/rss.xml", "authors/rui/atom.xml"]


def build(site: Path, out: Path, now: datetime = NOW) -> BuildResult:
    return build_site(site, BuildOptions(out_dir=out, now=now))


@pytest.fixture
def built(make_site: Callable[..., Path], tmp_path: Path) -> tuple[Path, BuildResult]:
    site = make_site(SAMPLE)
    out = tmp_path / "out"
    return out, build(site, out)


def parse(out: Path, name: str) -> feedparser.FeedParserDict:
    parsed = feedparser.parse((out / name).read_bytes())
    assert not parsed.bozo, (name, parsed.get("bozo_exception"))
    return parsed


def page_exists(out: Path, url: str) -> bool:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == ORIGIN, url
    path = parts.path.lstrip("/")
    return (out / path / "index.html").is_file() if url.endswith("/") else (out / path).is_file()


def test_every_feed_parses_and_links_to_built_pages(built: tuple[Path, BuildResult]) -> None:
    out, _ = built
    for name in FEEDS:
        feed = parse(out, name)
        assert feed.entries, name
        for entry in feed.entries:
            assert entry.link.startswith(ORIGIN + "/") and page_exists(out, entry.link), entry.link
            assert entry.id == entry.link
        assert page_exists(out, feed.feed.link), (name, feed.feed.link)


def test_item_counts_and_newest_first(built: tuple[Path, BuildResult]) -> None:
    out, _ = built
    expected = {"rss.xml": 3, "world/rss.xml": 1, "city/rss.xml": 2, "tags/ports/rss.xml": 2,
                "authors/ana/rss.xml": 2, "authors/rui/rss.xml": 2}
    for name, count in expected.items():
        for variant in (name, name.replace("rss.xml", "atom.xml")):
            entries = parse(out, variant).entries
            assert len(entries) == count, variant
            published = [e.published_parsed for e in entries]
            assert published == sorted(published, reverse=True), variant
    titles = [e.title for e in parse(out, "rss.xml").entries]
    assert titles == ["Harbour reopens", "Council votes on ferries", "Old market closes"]


def test_entries_carry_content_summary_authors_categories_and_image(
        built: tuple[Path, BuildResult]) -> None:
    out, _ = built
    for name in ("rss.xml", "atom.xml"):
        entry = parse(out, name).entries[0]
        assert entry.title == "Harbour reopens"
        assert entry.summary == "The harbour is open again."
        assert [t.term for t in entry.tags] == ["World", "Ports", "Shipping"]
        assert entry.author == "Ana Lima"
        assert entry.media_content[0]["url"] == ORIGIN + "/images/quay.svg"
        assert entry.media_content[0]["width"] == "1200"
        assert entry.media_content[0]["height"] == "675"
        content = lxml.html.fragment_fromstring(entry.content[0].value, create_parent="div")
        links = [el.get("href") or el.get("src") for el in content.iter("a", "img")]
        assert links and all(link.startswith(ORIGIN + "/") for link in links), links
        assert ORIGIN + "/city/" in links
        assert ORIGIN + "/world/2026/03/harbour-reopens/#background" in links


def test_updated_is_set_only_where_the_article_changed(built: tuple[Path, BuildResult]) -> None:
    out, _ = built
    rss = {e.title: e for e in parse(out, "rss.xml").entries}
    assert rss["Council votes on ferries"].updated.startswith("2026-03-21T08:00:00")
    assert "updated" not in rss["Harbour reopens"]
    atom = {e.title: e for e in parse(out, "atom.xml").entries}
    assert atom["Council votes on ferries"].updated == "2026-03-21T08:00:00+00:00"
    assert atom["Harbour reopens"].updated == atom["Harbour reopens"].published


def test_feed_times_come_from_content_not_the_clock(built: tuple[Path, BuildResult]) -> None:
    out, _ = built
    # Newest content time is the council update, 2026-03-21 08:00 Lisbon (UTC+0 in March).
    assert parse(out, "rss.xml").feed.updated == "Sat, 21 Mar 2026 08:00:00 +0000"
    assert parse(out, "atom.xml").feed.updated == "2026-03-21T08:00:00+00:00"
    assert parse(out, "world/atom.xml").feed.updated == "2026-03-20T10:00:00+00:00"
    raw = (out / "atom.xml").read_text()
    assert "version=" not in raw.split("<generator", 1)[1].split(">", 1)[0]


def test_two_builds_of_the_same_content_are_byte_identical(
        make_site: Callable[..., Path], tmp_path: Path) -> None:
    site = make_site(SAMPLE)
    first, second = tmp_path / "first", tmp_path / "second"
    build(site, first)
    build(site, second, datetime(2026, 3, 21, 12, 30, tzinfo=LISBON))  # a later clock
    a, b = tree_digest(first), tree_digest(second)
    distribution = [n for n in a if n.endswith((".xml", ".txt"))]
    assert set(FEEDS) <= set(distribution)
    assert {n: a[n] for n in distribution} == {n: b[n] for n in distribution}


def test_size_limit_keeps_the_newest(make_site: Callable[..., Path], tmp_path: Path) -> None:
    files = {f"content/articles/a{n}.md": article(f"Story {n}", f"2026-03-{n + 1:02d}T10:00",
                                                  slug=f"story-{n}") for n in range(6)}
    site = make_site(files, BASIC_CONFIG + "feeds: {size: 4}\n")
    out = tmp_path / "out"
    build(site, out)
    titles = [e.title for e in parse(out, "rss.xml").entries]
    assert titles == ["Story 5", "Story 4", "Story 3", "Story 2"]


def test_hidden_articles_reach_no_feed_sitemap_ticker_or_listing(
        built: tuple[Path, BuildResult]) -> None:
    out, _ = built
    distribution = [p for p in out.rglob("*") if p.is_file() and p.suffix in (".xml", ".json",
                                                                              ".txt", ".html")]
    assert len(distribution) > 30
    for path in distribution:
        text = path.read_text(encoding="utf-8")
        for secret in HIDDEN:
            assert secret not in text, (path, secret)
    assert not (out / "world/2026/03/secret-draft").exists()
    assert not (out / "world/2026/03/embargoed-budget").exists()


def test_control_characters_never_reach_the_xml(built: tuple[Path, BuildResult]) -> None:
    _, result = built
    site = result.site
    bad = dataclasses.replace(site.articles[0], title="Bell\x07 and\x00 null\ufffe",
                              summary="Form\x0cfeed", body_html="<p>Tab\x0b here</p>", bodies=None)
    files = dict(feed_files(dataclasses.replace(site, articles=(bad, *site.articles[1:]))))
    for name in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse(files[name])
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.entries[0].title == "Bell and null"


def test_xml_safe_and_absolutize_units() -> None:
    assert xml_safe("a\x00b\x1fc\td\ne\ud800") == "abc\td\ne"
    base = ORIGIN + "/world/2026/03/x/"
    html = ('<p>See <a href="/a/">a</a>, <a href="b.html">b</a>, <a href="#c">c</a>, '
            '<a href="//cdn.example.net/d">d</a>, <a href="mailto:e@x.org">e</a>.</p>'
            '<img srcset="/s1.jpg 1x, s2.jpg 2x" src="/i.jpg">')
    root = lxml.html.fragment_fromstring(absolutize(html, base), create_parent="div")
    assert [a.get("href") for a in root.iter("a")] == [
        ORIGIN + "/a/", base + "b.html", base + "#c", "https://cdn.example.net/d",
        "mailto:e@x.org"]
    image = next(root.iter("img"))
    assert image.get("src") == ORIGIN + "/i.jpg"
    assert image.get("srcset") == f"{ORIGIN}/s1.jpg 1x, {base}s2.jpg 2x"
    assert absolutize("", base) == ""
    # Python-Markdown's output (double-quoted href/src only) keeps its bytes but the URLs.
    markdown = '<p>A &amp; B <a href="/q?x=1&amp;y=2">q</a> <img alt="i" src="p.png"></p>'
    assert absolutize(markdown, base) == (
        f'<p>A &amp; B <a href="{ORIGIN}/q?x=1&amp;y=2">q</a> <img alt="i" src="{base}p.png"></p>')
    raw = "<p><a href='/single/'>s</a></p>"  # raw HTML goes through lxml
    assert absolutize(raw, base) == f'<p><a href="{ORIGIN}/single/">s</a></p>'


def test_a_warm_rebuild_matches_a_cold_one(make_site: Callable[..., Path],
                                           tmp_path: Path) -> None:
    """Feeds whose inputs did not change are kept from the last build; the result must be
    what a build from scratch writes."""
    site = make_site(SAMPLE)
    warm, cold = tmp_path / "warm", tmp_path / "cold"
    build(site, warm)
    before = tree_digest(warm)
    (site / "content/articles/old.md").write_text(article(
        "Old market reopens", "2026-03-10T09:00", "city", "It [reopened](/city/).",
        slug="old-market", authors="[rui]", tags="[Markets]"), encoding="utf-8")
    build(site, warm)
    build_site(site, BuildOptions(out_dir=cold, now=NOW, use_cache=False))
    after, fresh = tree_digest(warm), tree_digest(cold)
    feeds = [n for n in fresh if n.endswith(".xml")]
    assert {n: after[n] for n in feeds} == {n: fresh[n] for n in feeds}
    assert after["authors/rui/rss.xml"] != before["authors/rui/rss.xml"]
    assert after["world/rss.xml"] == before["world/rss.xml"]
    assert "tags/markets/atom.xml" in after
    assert [e.title for e in parse(warm, "city/rss.xml").entries][-1] == "Old market reopens"


def test_a_static_file_cannot_take_a_feed_path(make_site: Callable[..., Path],
                                               tmp_path: Path) -> None:
    site = make_site({**SAMPLE, "static/world/rss.xml": "<rss/>"})
    with pytest.raises(BuildFailed) as failure:
        build(site, tmp_path / "out")
    assert any("world/rss.xml" in p.message and p.location.path == "static/world/rss.xml"
               for p in failure.value.problems)


def test_absolutize_fast_path_edges() -> None:
    """The fast path finds ``href``/``src`` from their ``="`` and the unusual forms from
    their ``=``: the same links as a scan of every whitespace character would."""
    base = ORIGIN + "/a/b/"
    # Any whitespace before the name counts, case matters, and a name must end at the "=".
    assert absolutize('<a\thref="/t">t</a><a\nhref="/n">n</a>', base) == (
        f'<a\thref="{ORIGIN}/t">t</a><a\nhref="{ORIGIN}/n">n</a>')
    other = lxml.html.fragment_fromstring(absolutize('<p xsrc="/x" data-src="/y">', base))
    assert (other.get("xsrc"), other.get("data-src")) == ("/x", "/y")
    # An "=" after one of the unusual names, or with a space beside it, goes through lxml.
    for unusual in ('<form action="/f"></form>', '<q CITE="/c">q</q>',
                    '<a href = "/s">s</a>', '<a href= "/s">s</a>'):
        root = lxml.html.fragment_fromstring(absolutize(unusual, base), create_parent="div")
        assert all(v.startswith(ORIGIN + "/") for el in root.iter()
                   for k, v in el.attrib.items() if k in ("action", "cite", "href")), unusual
    assert xml_safe("plain ascii\ttext\n") == "plain ascii\ttext\n"
    assert xml_safe("bell\x07 del\x7f caf\u00e9\x01") == "bell del caf\u00e9"


def test_feeds_are_the_bytes_of_feedgen_holding_every_entry(
        built: tuple[Path, BuildResult], monkeypatch: pytest.MonkeyPatch) -> None:
    """Each entry is serialized once and put into feedgen's channel without entries: the
    result must be byte for byte what one feedgen generator holding every entry writes,
    in one process or with the entries made by forked workers."""
    _, result = built
    site = result.site
    assert site is not None
    odd = dataclasses.replace(site.articles[0], title="Caf\u00e9 \u201cquoted\u201d <b> & \x07",
                              body_html="<p>Na\u00efve &amp; <a href='/x/'>raw</a>\x0b \u2028</p>",
                              bodies=None)
    site = dataclasses.replace(site, articles=(odd, *site.articles[1:]))
    feeds = FeedSet(site)
    feeds.jobs.append(feeds._job(Channel("Empty", "Nothing yet", "/empty/", ())))
    for job in feeds.jobs:
        entries = [feeds.entries._make(article) for article in job.channel.articles]
        expected = _channel_documents(site.config, job.channel, feeds.site_newest, entries)
        assert feeds.render(job) == expected, job.rss_path
    monkeypatch.setattr(workers, "MIN_PARALLEL", 1)
    forked = FeedSet(site)
    forked.jobs.append(feeds.jobs[-1])
    assert list(forked.render_all(forked.jobs, 2)) == [feeds.render(job) for job in feeds.jobs]
    # entries made a few articles at a time and dropped after their last feed: same bytes
    monkeypatch.setattr(feeds_module, "ENTRY_BATCH", 3)
    batched = FeedSet(site)
    batched.jobs.append(feeds.jobs[-1])
    assert list(batched.render_all(batched.jobs, 2)) == [feeds.render(j) for j in feeds.jobs]
    assert not batched.entries.made, "every entry is let go after the last feed showing it"
