"""Listings paginated from the oldest (the default): archive pages keep their URL and their
articles once they exist, so a new article rewrites a listing's own URL and no archive page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import lxml.html
import pytest

from newsgen.build import pages as pages_module
from newsgen.build.builder import BuildOptions, build_site
from newsgen.build.dependencies import Changes, changes
from newsgen.content.pagination import (
    Pagination,
    archive_pages,
    changed_pages,
    listing_pages,
    page_url,
)
from newsgen.engine.journal import CHANGES
from newsgen.errors import BuildFailed
from tests.conftest import BASIC_CONFIG, NEWEST, article

NOW = datetime(2026, 3, 30, 12, 0, tzinfo=ZoneInfo("Europe/Lisbon"))
LISTINGS = ("world/", "tags/harbour/", "authors/ana/", "archive/2026/03/")


def chunks(count: int, per_page: int) -> dict[int, list[int]]:
    """Page number -> the articles it shows, articles numbered from the oldest (0)."""
    newest_first = list(range(count - 1, -1, -1))
    return {p.number: newest_first[p.start: p.stop]
            for p in listing_pages(count, per_page, "oldest")}


@pytest.mark.parametrize("per_page", [1, 2, 3, 20])
def test_a_full_page_keeps_its_articles_when_newer_ones_arrive(per_page: int) -> None:
    for count in range(0, 3 * per_page + 2):
        before, after = chunks(count, per_page), chunks(count + 1, per_page)
        assert before[0] == list(range(count - 1, max(-1, count - 1 - per_page), -1))
        for number in range(1, archive_pages(count, per_page) + 1):
            assert after[number] == before[number], (count, number)
            assert sorted(before[number]) == list(range((number - 1) * per_page,
                                                        number * per_page))
        shown = {a for page in after.values() for a in page}
        assert shown == set(range(count + 1)), "every article is on some page"


def test_newest_order_keeps_todays_pages() -> None:
    pages = listing_pages(5, 2, "newest")
    assert [(p.number, p.start, p.stop, p.first) for p in pages] == [
        (1, 0, 2, True), (2, 2, 4, False), (3, 4, 5, False)]
    assert [page_url("/world/", p) for p in pages] == [
        "/world/", "/world/page/2/", "/world/page/3/"]


def test_links_from_the_oldest() -> None:
    urls = ("/w/", *(f"/w/page/{k}/" for k in range(1, 7)))  # six archive pages
    latest, newest, middle, oldest = (Pagination(n, 7, urls, "oldest") for n in (0, 6, 3, 1))
    assert latest.first and not oldest.first
    assert (latest.prev_url, latest.next_url) == ("", "/w/page/6/")
    assert (newest.prev_url, newest.next_url) == ("/w/", "/w/page/5/")
    assert (middle.prev_url, middle.next_url) == ("/w/page/4/", "/w/page/2/")
    assert (oldest.prev_url, oldest.next_url) == ("/w/page/2/", "")
    assert [n for n, _ in latest.links] == [0, 6, 5, 1]
    assert [n for n, _ in middle.links] == [0, 5, 4, 3, 2, 1]
    assert [n for n, _ in oldest.links] == [0, 3, 2, 1]
    assert dict(middle.links)[0] == "/w/" and dict(middle.links)[5] == "/w/page/5/"
    alone = Pagination(0, 1, ("/w/",), "oldest")
    assert (alone.prev_url, alone.next_url, alone.links) == ("", "", [(0, "/w/")])


def test_changed_pages_are_the_own_url_unless_a_page_appears() -> None:
    assert changed_pages(8, 2, "oldest", [0]) == {0}  # 7 -> 8: still pages 1-3
    assert changed_pages(9, 2, "oldest", [0]) == {0, 2, 3, 4}  # page 4 appears
    assert changed_pages(9, 2, "oldest", [8]) == {0, 1, 2, 3, 4}  # the oldest, back-dated
    assert changed_pages(41, 2, "oldest", [30]) == {0, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                                    17, 18, 19, 20}
    assert changed_pages(8, 2, "newest", [0]) is None


def _site(make_site: Callable[..., Path], count: int, config: str = "") -> Path:
    files = {f"content/articles/s{n}.md": article(f"Story {n}", f"2026-03-{n + 1:02d}T10:00",
                                                  tags="[harbour]", authors="[ana]")
             for n in range(count)}
    return make_site(files, config=BASIC_CONFIG + config + "per_page: 2\n")


def _add(site: Path, n: int) -> None:
    (site / f"content/articles/s{n}.md").write_text(article(
        f"Story {n}", f"2026-03-{n + 1:02d}T10:00", tags="[harbour]", authors="[ana]"))


def _build(site: Path) -> dict[str, str]:
    """Build, and the listing pages the deploy delta names, with their status."""
    out = site.parent / "public"
    build_site(site, BuildOptions(out_dir=out, now=NOW, workers=1))
    lines = (out / CHANGES).read_text().splitlines()
    delta = dict(reversed(line.split("\t", 1)) for line in lines)
    return {path: status for path, status in delta.items()
            if any(path == base + "index.html" or path.startswith(base + "page/")
                   for base in LISTINGS)}


def test_pages_and_links_from_the_oldest(make_site: Callable[..., Path]) -> None:
    site = _site(make_site, 7)
    _build(site)
    out = site.parent / "public"
    titles = {}
    for relative in ("world/", "world/page/3/", "world/page/2/", "world/page/1/"):
        doc = lxml.html.parse(str(out / relative / "index.html")).getroot()
        titles[relative] = [a.text_content().strip()
                            for a in doc.xpath('//main//*[@class="teaser-title"]/a')]
    assert titles == {"world/": ["Story 6", "Story 5"], "world/page/3/": ["Story 5", "Story 4"],
                      "world/page/2/": ["Story 3", "Story 2"],
                      "world/page/1/": ["Story 1", "Story 0"]}
    assert not (out / "world/page/4").exists()
    middle = lxml.html.parse(str(out / "world/page/2/index.html")).getroot()
    pager = middle.xpath("//nav[@class='pagination']")[0]
    assert pager.xpath(".//a[@rel='prev']/@href") == ["/world/page/3/"]
    assert pager.xpath(".//a[@rel='next']/@href") == ["/world/page/1/"]
    assert middle.xpath("//head/link[@rel='prev']/@href") == ["/world/page/3/"]
    numbered = [a.text_content() for a in pager.xpath(".//li[not(@class)]/a")]
    assert numbered == ["Latest", "Page 3", "Page 1"]
    assert middle.xpath("//h1/span[@class='page-number']")[0].text == "page 2"
    first = lxml.html.parse(str(out / "world/index.html")).getroot()
    assert first.xpath("//head/link[@rel='next']/@href") == ["/world/page/3/"]
    assert not first.xpath("//h1/span[@class='page-number']")


def test_a_new_article_rewrites_no_archive_page(make_site: Callable[..., Path]) -> None:
    site = _site(make_site, 7)
    _build(site)
    _add(site, 7)  # 8 articles: the newest chunk fills, no page appears
    assert _build(site) == {f"{base}index.html": "M" for base in LISTINGS}
    _add(site, 8)  # 9: page 4 appears; pages 3 and 2 link to it
    changed = _build(site)
    for base in LISTINGS:
        assert {p: s for p, s in changed.items() if p.startswith(base)} == {
            f"{base}index.html": "M", f"{base}page/4/index.html": "A",
            f"{base}page/3/index.html": "M", f"{base}page/2/index.html": "M"}


def _rebuild(monkeypatch: pytest.MonkeyPatch, site: Path) -> tuple[set[str], dict[str, str]]:
    """Build: the archive pages (past a listing's own URL) that the dependency model has
    fingerprinted again (recorded from the real ``changes``), and the listings' delta."""
    seen: list[Changes | None] = []

    def recording(*args: Any) -> Changes | None:
        seen.append(changes(*args))
        return seen[-1]

    monkeypatch.setattr(pages_module, "changes", recording)
    delta = _build(site)
    assert seen and seen[0] is not None, "a new article is a change the model knows"
    return {p for p in seen[0].forced if "/page/" in p}, delta


def test_the_dependency_model_looks_only_at_the_pages_that_change(
        make_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    site = _site(make_site, 7)
    _build(site)
    _add(site, 7)
    assert _rebuild(monkeypatch, site)[0] == set()
    _add(site, 8)
    assert _rebuild(monkeypatch, site)[0] == {f"{base}page/{n}/index.html"
                                              for base in LISTINGS for n in (2, 3, 4)}


def test_newest_order_shifts_every_page(make_site: Callable[..., Path],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    site = _site(make_site, 7, NEWEST)
    _build(site)
    _add(site, 7)
    shifted = {f"{base}page/{n}/index.html" for base in LISTINGS for n in (2, 3, 4)}
    looked_at, changed = _rebuild(monkeypatch, site)
    assert looked_at == shifted
    assert set(changed) == shifted | {f"{base}index.html" for base in LISTINGS}


def test_an_unknown_order_is_a_located_error(make_site: Callable[..., Path]) -> None:
    site = _site(make_site, 1, "pagination: {order: sideways}\n")
    with pytest.raises(BuildFailed) as info:
        build_site(site, BuildOptions(out_dir=site.parent / "public", now=NOW))
    line = (BASIC_CONFIG.count("\n") + 1)
    assert [str(p) for p in info.value.problems] == [
        f"newsgen.yaml:{line}: 'pagination.order' must be 'oldest' or 'newest'"]
