"""Scheduling and corrections as an editor meets them: ``build --now`` in a subprocess.

An embargoed or expired article must be absent from every byte of the output; the build says
(and writes to ``<output>/.newsgen/next-change``) when the site will next change by itself.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import feedparser
import lxml.etree
import lxml.html
import pytest

from tests.conftest import REPO, article
from tests.conftest import run_newsgen as _run_newsgen
from tests.photo_factory import png

SCOOP = {"title": "Quokkazz scoop", "slug": "quokka-scoop",
         "url": "/world/2026/03/quokka-scoop/"}
EXPIRING = {"title": "Wombatzz notice", "slug": "wombat-notice",
            "url": "/city/2026/03/wombat-notice/"}
SCHEDULED = {
    "content/articles/visible.md": article(
        "Visible story", "2026-03-20T10:00", tags="[common]", authors="[ana]",
        body="Background: [the scoop](article:quokka-scoop)."),
    "content/articles/scoop.md": article(
        SCOOP["title"], "2026-03-27T09:00", slug=SCOOP["slug"], tags="[common, quokkatag]",
        authors="[rui]", summary="Quokkazz summary", image="{src: /images/q.png, alt: Quokkazz}"),
    "content/articles/notice.md": article(
        EXPIRING["title"], "2026-03-19T10:00", section="city", slug=EXPIRING["slug"],
        expires="2026-03-26T08:30", tags="[common]"),
    "content/headlines/2026-03-20.yaml":
        "- time: 2026-03-20T12:00\n  title: Quokkazz headline\n  link: quokka-scoop\n",
    "static/images/q.png": png(4, 4),
}


def run_newsgen(*args: str | Path, cwd: Path | None = None
                ) -> subprocess.CompletedProcess[str]:
    return _run_newsgen(*args, cwd=cwd, env={"PYTHONPATH": str(REPO)})


@pytest.fixture
def site(make_site: Callable[..., Path]) -> Path:
    return make_site(SCHEDULED)


def build(site: Path, now: str, *more: str) -> subprocess.CompletedProcess[str]:
    result = run_newsgen("build", site, "--now", now, *more)
    assert result.returncode == 0, result.stderr
    return result


def files_mentioning(out: Path, words: dict[str, str]) -> list[str]:
    """Every output file (any kind, dot folders too) holding any of ``words``, but for the
    deploy delta, which lists the removed page's path so that a deploy removes it too."""
    found = []
    needles = [w.encode() for w in words.values()] + [words["title"].lower().encode()]
    for path in sorted(out.rglob("*")):
        if path.relative_to(out).as_posix() == ".newsgen/changes":
            continue
        if path.is_file() and any(n in path.read_bytes() for n in needles):
            found.append(path.relative_to(out).as_posix())
    return found


def test_embargoed_article_is_absent_from_every_output_file(site: Path) -> None:
    result = build(site, "2026-03-25T12:00")
    out = site / "public"
    assert len(list(out.rglob("*.html"))) > 5
    assert files_mentioning(out, SCOOP) == []
    assert not (out / "tags/quokkatag").exists() and not (out / "authors/rui").exists()
    assert "Quokkazz" not in result.stderr
    assert files_mentioning(out, {"title": "Quokkazz headline", "slug": "Quokkazz summary",
                                  "url": "Quokkazz"}) == []
    visible = lxml.html.parse(str(out / "world/2026/03/visible/index.html")).getroot()
    link = visible.xpath("//a[contains(., 'the scoop')]")[0]
    assert link.get("href") is None


def test_embargo_lifts_at_its_time(site: Path) -> None:
    build(site, "2026-03-27T09:00")
    out = site / "public"
    page = lxml.html.parse(str(out / SCOOP["url"].strip("/") / "index.html")).getroot()
    assert page.findtext(".//h1").strip() == SCOOP["title"]
    visible = lxml.html.parse(str(out / "world/2026/03/visible/index.html")).getroot()
    assert visible.xpath("//a[contains(., 'the scoop')]")[0].get("href") == SCOOP["url"]
    assert SCOOP["title"] in [e.title for e in feedparser.parse(out / "atom.xml").entries]


def test_expired_article_leaves_every_output_file(site: Path) -> None:
    build(site, "2026-03-26T08:29")
    out = site / "public"
    assert (out / EXPIRING["url"].strip("/") / "index.html").is_file()
    build(site, "2026-03-26T08:30")
    assert files_mentioning(out, EXPIRING) == []


@pytest.mark.parametrize(("now", "expected"), [
    ("2026-03-25T12:00", "2026-03-26T08:30:00+00:00"),   # the notice expires first
    ("2026-03-26T09:00", "2026-03-27T09:00:00+00:00"),   # then the scoop's embargo lifts
    ("2026-03-28T00:00", "2026-03-29T09:00:00+00:00"),   # the scoop leaves the news sitemap
    ("2026-03-29T10:00", "none"),  # 48 hours later: Lisbon is an hour ahead of UTC by then
])
def test_next_change_is_printed_and_written(site: Path, now: str, expected: str) -> None:
    result = build(site, now)
    marker = (site / "public/.newsgen/next-change").read_text().strip()
    assert marker == expected
    if expected == "none":
        assert "next scheduled change" not in result.stderr
    else:
        assert f"next scheduled change: {expected}" in result.stderr


def test_next_change_counts_future_headlines_and_dst(make_site: Callable[..., Path]) -> None:
    site = make_site({
        "content/articles/a.md": article("A", "2026-03-20T10:00"),
        "content/articles/b.md": article("B", "2026-03-29T09:00"),  # Lisbon summer time
        "content/headlines/2026-03-28.yaml": "- time: 2026-03-28T23:00\n  title: Late\n",
    })
    build(site, "2026-03-28T22:00")
    assert (site / "public/.newsgen/next-change").read_text().strip() == \
        "2026-03-28T23:00:00+00:00"
    build(site, "2026-03-28T23:30")
    assert (site / "public/.newsgen/next-change").read_text().strip() == \
        "2026-03-29T09:00:00+01:00"


CORRECTED = article(
    "Bridge reopens", "2026-03-20T10:00", slug="bridge", updated="2026-03-20T15:30",
    corrections="\n  - {date: 2026-03-21T09:00, text: An earlier version gave the wrong span.}"
                "\n  - {date: 2026-03-22T11:30,"
                " text: 'The engineer is Rui Costa, not Rui Costas.'}")
LATER = article("Ferry strike", "2026-03-20T10:00", slug="ferry", updated="2026-03-22T11:45")


def test_corrections_box_newest_first_and_modified_time(make_site: Callable[..., Path]) -> None:
    site = make_site({"content/articles/bridge.md": CORRECTED,
                      "content/articles/ferry.md": LATER})
    build(site, "2026-03-25T12:00")
    out = site / "public"
    page = lxml.html.parse(str(out / "world/2026/03/bridge/index.html")).getroot()
    box = page.xpath("//section[contains(@class, 'corrections')]")
    assert len(box) == 1
    items = box[0].xpath(".//*[contains(@class, 'correction')]")
    texts = [" ".join(i.text_content().split()) for i in items]
    assert "Rui Costas" in texts[0] and "wrong span" in texts[1]
    assert "22 March 2026" in texts[0] and "11:30" in texts[0]
    assert [i.xpath(".//time/@datetime")[0] for i in items] == \
        ["2026-03-22T11:30:00+00:00", "2026-03-21T09:00:00+00:00"]
    updated = page.xpath("//*[contains(@class, 'updated')]")[0]
    assert " ".join(updated.text_content().split()) == "Updated 15:30"
    ld = [json.loads(t) for t in page.xpath("//script[@type='application/ld+json']/text()")]
    news = next(d for d in ld if d["@type"] == "NewsArticle")
    assert news["dateModified"] == "2026-03-22T11:30:00+00:00"
    entries = {e.title: e for e in feedparser.parse(out / "atom.xml").entries}
    assert entries["Bridge reopens"].updated.startswith("2026-03-22T11:30")
    sitemap = lxml.etree.parse(str(out / "sitemap.xml"))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    lastmod = sitemap.xpath("//s:url[contains(s:loc, '/bridge/')]/s:lastmod/text()",
                            namespaces=ns)
    assert lastmod and lastmod[0].startswith("2026-03-22T11:30")


def test_update_on_another_day_shows_the_full_date(make_site: Callable[..., Path]) -> None:
    site = make_site({"content/articles/ferry.md": LATER})
    build(site, "2026-03-25T12:00")
    page = lxml.html.parse(str(site / "public/world/2026/03/ferry/index.html")).getroot()
    updated = page.xpath("//*[contains(@class, 'updated')]")[0]
    assert " ".join(updated.text_content().split()) == "Updated 22 March 2026, 11:45"
    assert not page.xpath("//section[contains(@class, 'corrections')]")
