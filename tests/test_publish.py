"""Publication rules end to end: drafts, embargo, expiry, and the ticker with its clock."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import feedparser
import lxml.html
import pytest

from newsgen.build.builder import BuildOptions, build_site
from newsgen.content.config import load_config
from newsgen.content.times import parse_time
from tests.conftest import BASIC_CONFIG, article


def build(site: Path, now: str = "2026-03-25T12:00", out: str = "out",
          **options: bool) -> Path:
    target = site.parent / out
    zone = load_config(site).timezone
    build_site(site, BuildOptions(out_dir=target, now=parse_time(now, zone), **options))
    return target


def mentions(out: Path, text: str) -> list[str]:
    """Output files whose path or bytes mention ``text`` (absence checks only)."""
    found = []
    for path in out.rglob("*"):
        relative = path.relative_to(out).as_posix()
        if relative.startswith(".newsgen"):
            continue
        if text in relative or (path.is_file() and text.encode() in path.read_bytes()):
            found.append(relative)
    return found


def ticker(out: Path) -> list[tuple[str, str, str]]:
    data = json.loads((out / "ticker.json").read_text(encoding="utf-8"))
    return [(item["hhmm"], item["title"], item["url"]) for item in data["items"]]


def ticker_rows(out: Path) -> list[str]:
    """The ticker as a reader sees it on the front page: 'HH:MM Title' per item."""
    doc = lxml.html.fromstring((out / "index.html").read_bytes())
    return [" ".join(li.text_content().split())
            for li in doc.xpath('//*[contains(@class, "ticker")]//li')]


BASE = "https://gazette.example.org"
PUBLISHING: dict[str, str | bytes] = {
    "content/articles/visible.md": article("Visible story", "2026-03-20T10:00",
                                           tags="[common]", authors="[ana]"),
    "content/articles/unfinished.md": article("Unfinishedzz story", "2026-03-20T11:00",
                                              draft="true", tags="[common, draftonly]",
                                              authors="[ana]"),
    "content/articles/embargoed.md": article("Embargoedzz story", "2026-03-30T09:00",
                                             tags="[common, futureonly]", authors="[rui]"),
    "content/articles/expiring.md": article("Expiringzz story", "2026-03-19T10:00",
                                            expires="2026-03-26T00:00", tags="[common]"),
}


@pytest.fixture
def publishing_site(make_site: Callable[..., Path]) -> Path:
    return make_site(PUBLISHING)


def test_drafts_and_embargoed_articles_appear_nowhere(publishing_site: Path) -> None:
    out = build(publishing_site)
    for hidden in ("Unfinishedzz", "unfinished", "Embargoedzz", "embargoed", "draftonly",
                   "futureonly"):
        assert mentions(out, hidden) == [], hidden
    assert not (out / "authors/rui").exists(), "an author with only hidden articles"
    assert (out / "world/2026/03/visible/index.html").is_file()
    assert (out / "world/2026/03/expiring/index.html").is_file()
    feed = feedparser.parse((out / "rss.xml").read_bytes())
    assert [e.title for e in feed.entries] == ["Visible story", "Expiringzz story"]


def test_drafts_flag_shows_drafts_only(publishing_site: Path) -> None:
    out = build(publishing_site, drafts=True)
    assert (out / "world/2026/03/unfinished/index.html").is_file()
    assert (out / "tags/draftonly/index.html").is_file()
    assert mentions(out, "Embargoedzz") == []


def test_future_flag_shows_embargoed_only(publishing_site: Path) -> None:
    out = build(publishing_site, future=True)
    assert (out / "world/2026/03/embargoed/index.html").is_file()
    assert (out / "authors/rui/index.html").is_file()
    assert mentions(out, "Unfinishedzz") == []


def test_embargo_lifts_when_now_passes_the_date(publishing_site: Path) -> None:
    out = build(publishing_site, now="2026-03-30T08:59")
    assert mentions(out, "Embargoedzz") == []
    out = build(publishing_site, now="2026-03-30T09:00")  # same output folder and cache
    assert (out / "world/2026/03/embargoed/index.html").is_file()
    for listing in ("index.html", "world/index.html", "tags/futureonly/index.html",
                    "authors/rui/index.html"):
        doc = lxml.html.fromstring((out / listing).read_bytes())
        assert "/world/2026/03/embargoed/" in doc.xpath("//main//a/@href"), listing
    feed = feedparser.parse((out / "rss.xml").read_bytes())
    assert feed.entries[0].title == "Embargoedzz story"
    assert ticker(out)[0][1] == "Embargoedzz story"


def test_expired_articles_are_dropped_everywhere(publishing_site: Path) -> None:
    assert mentions(build(publishing_site, now="2026-03-25T23:59"), "Expiringzz")
    out = build(publishing_site, now="2026-03-26T00:00")
    assert mentions(out, "Expiringzz") == [] and mentions(out, "expiring") == []


# -- ticker -------------------------------------------------------------------------------------

def headline(time: str, title: str, link: str = "") -> str:
    return f"- time: {time}\n  title: {title}\n" + (f"  link: {link}\n" if link else "")


def test_ticker_mixes_articles_and_headlines_newest_first_up_to_size(
        make_site: Callable[..., Path]) -> None:
    files = {f"content/articles/a{n}.md": article(f"Article {n}", f"2026-03-20T{10 + n}:00")
             for n in range(4)}
    files["content/headlines/day.yaml"] = "".join(
        headline(f"2026-03-20T{10 + n}:30", f"Headline {n}") for n in range(4))
    site = make_site(files, config=BASIC_CONFIG + "ticker: {size: 5}\n")
    out = build(site)
    assert [title for _, title, _ in ticker(out)] == [
        "Headline 3", "Article 3", "Headline 2", "Article 2", "Headline 1"]
    assert ticker_rows(out)[:2] == ["13:30 Headline 3", "13:00 Article 3"]


def test_headline_linking_to_an_article_stands_in_for_it(
        make_site: Callable[..., Path]) -> None:
    files = {
        "content/articles/fire.md": article("Fire at the harbour", "2026-03-20T10:00"),
        "content/articles/other.md": article("Other story", "2026-03-20T09:00"),
        "content/headlines/day.yaml": headline("2026-03-20T10:40", "King to lead vigil", "fire"),
    }
    out = build(make_site(files))
    assert ticker(out) == [
        ("10:40", "King to lead vigil", f"{BASE}/world/2026/03/fire/"),
        ("09:00", "Other story", f"{BASE}/world/2026/03/other/"),
    ]
    doc = lxml.html.fromstring((out / "index.html").read_bytes())
    links = doc.xpath('//*[contains(@class, "ticker")]//li//a/@href')
    assert links == ["/world/2026/03/fire/", "/world/2026/03/other/"]


def test_headline_to_unpublished_article_waits_for_it(make_site: Callable[..., Path]) -> None:
    files = {
        "content/articles/draft.md": article("Draft story", "2026-03-20T09:00", draft="true"),
        "content/articles/later.md": article("Later story", "2026-03-26T09:00"),
        "content/headlines/day.yaml": (headline("2026-03-20T10:00", "About the draft", "draft")
                                       + headline("2026-03-20T11:00", "About later", "later")),
    }
    site = make_site(files)
    assert ticker(build(site)) == []
    assert [t for _, t, _ in ticker(build(site, drafts=True))] == ["About the draft"]
    assert [t for _, t, _ in ticker(build(site, future=True))] == ["About later"]
    assert [t for _, t, _ in ticker(build(site, now="2026-03-26T09:00"))] == ["About later"]


def test_future_headlines_wait_for_their_time(make_site: Callable[..., Path]) -> None:
    files = {"content/headlines/day.yaml": (headline("2026-03-25T11:59", "Now")
                                            + headline("2026-03-25T12:01", "Soon"))}
    site = make_site(files)
    assert [t for _, t, _ in ticker(build(site))] == ["Now"]
    assert [t for _, t, _ in ticker(build(site, now="2026-03-25T12:01"))] == ["Soon", "Now"]


LISBON_TIMES = [  # (time as written, HH:MM in Lisbon)
    ("2026-03-28T20:40", "20:40"),               # no offset, winter time (UTC+0)
    ("2026-03-29T20:41", "20:41"),               # no offset, summer time (UTC+1)
    ("2026-03-28T18:00:00Z", "18:00"),
    ("2026-03-29T18:01:00Z", "19:01"),           # after the change: +1 hour
    ("2026-03-29T00:30:00+00:00", "00:30"),      # just before 01:00 UTC
    ("2026-03-29T01:30:00+00:00", "02:30"),      # just after
    ("2026-03-29T12:02:00-05:00", "18:02"),
    ("2026-03-29T23:30:00+09:00", "15:30"),
]


def test_ticker_clock_in_lisbon_across_the_march_change(make_site: Callable[..., Path]) -> None:
    files = {"content/headlines/h.yaml": "".join(headline(t, f"H {hhmm}")
                                                 for t, hhmm in LISBON_TIMES)}
    out = build(make_site(files, config=BASIC_CONFIG + "ticker: {size: 20}\n"),
                now="2026-03-31T12:00")
    shown = {title: hhmm for hhmm, title, _ in ticker(out)}
    assert shown == {f"H {hhmm}": hhmm for _, hhmm in LISBON_TIMES}
    assert sorted(ticker_rows(out)) == sorted(f"{hhmm} H {hhmm}" for _, hhmm in LISBON_TIMES)


CASABLANCA_TIMES = [
    ("2026-02-20T21:05", "21:05", "+00:00"),          # Ramadan: UTC+0
    ("2026-02-20T12:00:00Z", "12:00", "+00:00"),
    ("2026-02-20T12:01:00+01:00", "11:01", "+00:00"),
    ("2026-01-20T12:02:00Z", "13:02", "+01:00"),      # before Ramadan: UTC+1
    ("2026-01-20T09:15", "09:15", "+01:00"),
    ("2026-03-25T12:03:00Z", "13:03", "+01:00"),      # after Ramadan
]


def test_ticker_clock_in_casablanca_during_ramadan(make_site: Callable[..., Path]) -> None:
    config = BASIC_CONFIG.replace("Europe/Lisbon", "Africa/Casablanca") + "ticker: {size: 20}\n"
    files = {"content/headlines/h.yaml": "".join(headline(t, f"H {hhmm}")
                                                 for t, hhmm, _ in CASABLANCA_TIMES)}
    out = build(make_site(files, config=config), now="2026-03-31T12:00")
    data = json.loads((out / "ticker.json").read_text())
    shown = {item["title"]: (item["hhmm"], item["time"][-6:]) for item in data["items"]}
    assert shown == {f"H {hhmm}": (hhmm, offset) for _, hhmm, offset in CASABLANCA_TIMES}
    fragment = lxml.html.fragment_fromstring((out / "ticker.html").read_text(),
                                             create_parent="div")
    times = {li.xpath("string(.//time)"): li.xpath("string(.//time/@datetime)")
             for li in fragment.iter("li")}
    assert times["21:05"] == "2026-02-20T21:05:00+00:00"
    assert times["09:15"] == "2026-01-20T09:15:00+01:00"


def test_article_times_in_the_ticker_use_the_site_zone(make_site: Callable[..., Path]) -> None:
    files = {"content/articles/a.md": article("Offset story", "2026-03-29T10:00:00-03:00")}
    assert ticker(build(make_site(files), now="2026-03-30T12:00")) == [
        ("14:00", "Offset story", f"{BASE}/world/2026/03/a/")]


@pytest.mark.parametrize("embed", ["inline", "live"])
def test_every_page_shows_the_current_ticker_after_a_rebuild(
        make_site: Callable[..., Path], embed: str) -> None:
    """Inline: every page. Live: the front page and section fronts; the rest keep the ticker
    of their last build (ticker.js shows the current one), as the README's contract says."""
    files = {f"content/articles/a{n}.md": article(f"Article {n}", f"2026-03-2{n}T10:00")
             for n in range(3)}
    files["content/headlines/day.yaml"] = headline("2026-03-22T11:00", "Short")
    site = make_site(files, config=BASIC_CONFIG + f"ticker: {{embed: {embed}}}\n")
    out = build(site)
    first = [f"{hhmm} {title}" for hhmm, title, _ in ticker(out)]
    (site / "content/headlines/day.yaml").write_text(
        headline("2026-03-22T11:00", "Short") +
        headline("2026-03-22T12:00", "A much longer headline that shifts every offset <&>"))
    out = build(site)
    expected = [f"{hhmm} {title}" for hhmm, title, _ in ticker(out)]
    assert expected[0] == "12:00 A much longer headline that shifts every offset <&>"
    current = {"index.html", "world/index.html", "city/index.html"}
    pages = [p for p in out.rglob("*.html") if p.name not in ("ticker.html",)]
    with_ticker = 0
    for path in pages:
        doc = lxml.html.fromstring(path.read_bytes())
        rows = [" ".join(li.text_content().split())
                for li in doc.xpath('//*[contains(@class, "ticker")]//li')]
        if rows:
            with_ticker += 1
            relative = path.relative_to(out).as_posix()
            assert rows == (expected if embed == "inline" or relative in current
                            else first), path
    assert with_ticker >= len(pages) - 1
