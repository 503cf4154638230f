"""Site search: the Pagefind index built with the site (what it holds, its shards, its
rebuilds), the search page and masthead box, and searching in Chromium on a served build."""

from __future__ import annotations

import contextlib
import functools
import gzip
import json
import re
import subprocess
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from newsgen.build.builder import BuildOptions, BuildResult, build_site
from newsgen.distribution import search
from tests.conftest import BASIC_CONFIG, article, older_ticker_allowed, run_newsgen, tree_digest
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, find_axe
from tests.test_html_valid import find_java, find_vnu_jar

NOW = "2026-11-29T12:00"
WORDS = {"published": "zanzibarite", "embargoed": "quokkafence", "draft": "wombatlantern",
         "expired": "ptarmigold", "old": "narwhalcopse"}


DREDGE = "dredgeling"  # in three stories of the served site: 2026, 2025 and 2024


def search_site() -> dict[str, str]:
    """Articles in two years and two sections, plus one of each kind never published."""
    return {
        "content/articles/ferry.md": article(
            "Ferry strike ends", "2026-11-20T09:00", "city",
            f"The ferry strike ended after talks. A {WORDS['published']} was seen.",
            summary="Crews return on Monday.", authors="[ana]", tags="[transport]"),
        "content/articles/ferry-world.md": article(
            "Ferry makers meet abroad", "2026-11-18T09:00", "world",
            "Ferry builders met in Oslo.", authors="[rui]"),
        "content/articles/budget.md": article(
            "Last year's budget", "2025-03-10T09:00", "city",
            f"The council passed the budget. Ferry fares rose. {WORDS['old']}."),
        "content/articles/embargoed.md": article(
            "Future story", "2027-01-05T09:00", "city", f"Secret {WORDS['embargoed']}."),
        "content/articles/draft.md": article(
            "Draft story", "2026-11-01T09:00", "city", f"Unfinished {WORDS['draft']}.",
            draft="true"),
        "content/articles/expired.md": article(
            "Gone story", "2026-10-01T09:00", "city", f"Old news {WORDS['expired']}.",
            expires="2026-11-01T00:00"),
    }


def build(site: Path, out: Path, **options: Any) -> BuildResult:
    now = datetime.fromisoformat(NOW + ":00+00:00")
    return build_site(site, BuildOptions(out_dir=out, now=now, **options))


def fragments(out: Path) -> dict[str, str]:
    """Every indexed record's URL and text, read from the Pagefind fragments written."""
    records = {}
    for path in sorted((out / "pagefind").glob("*/fragment/*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        record = json.loads(data[len(b"pagefind_dcd"):])
        records[record["url"]] = record["content"]
    return records


def test_index_holds_published_stories_only(make_site: Any, tmp_path: Path) -> None:
    site = make_site(search_site())
    out = tmp_path / "out"
    result = build(site, out, use_cache=False)
    assert result.shards_indexed == 2 and result.index_seconds > 0
    assert sorted(p.name for p in (out / "pagefind").iterdir()) == ["2025", "2026"]
    records = fragments(out)
    assert sorted(records) == ["/city/2025/03/budget/", "/city/2026/11/ferry/",
                               "/world/2026/11/ferry-world/"]
    ferry = records["/city/2026/11/ferry/"]
    assert ferry.startswith("Ferry strike ends") and "Crews return on Monday." in ferry
    assert "By Ana Lima" in ferry and WORDS["published"] in ferry
    everything = " ".join(records.values())
    for kind in ("embargoed", "draft", "expired"):
        assert WORDS[kind] not in everything
    # the story only: not the ticker, menus or footer of its page
    assert "Latest news" not in everything and "Our journalists" not in everything
    # Pagefind's own UI bundles are not shipped: the theme has its own page
    assert not list((out / "pagefind").glob("*/pagefind-ui*"))
    # nor its web worker: the page runs Pagefind on the main thread (40 KiB less to fetch)
    assert not list((out / "pagefind").glob("*/pagefind-worker.js"))
    assert (out / "pagefind/2026/pagefind.js").is_file()


def test_result_image_is_the_smallest_rendition(make_site: Any, tmp_path: Path) -> None:
    from tests.photo_factory import camera_jpeg
    files: dict[str, Any] = {**search_site(), "static/images/quay.jpg": camera_jpeg(1000, 750)}
    files["content/articles/quay.md"] = article(
        "Quay rebuilt", "2026-11-21T09:00", "city", "The quay reopened.",
        image="{src: /images/quay.jpg, alt: The new quay}")
    site = make_site(files)
    out = tmp_path / "out"
    build(site, out, use_cache=False)
    metas = {}
    for path in (out / "pagefind").glob("*/fragment/*.pf_fragment"):
        fragment = json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd"):])
        metas[fragment["url"]] = fragment["meta"]
    meta = metas["/city/2026/11/quay/"]
    assert meta["image"] == "/images/quay-jpg-480w.jpg" and meta["image_alt"] == "The new quay"
    assert (meta["image_width"], meta["image_height"]) == ("480", "360")
    assert (out / "images/quay-jpg-480w.jpg").stat().st_size < (out / "images/quay.jpg"
                                                                ).stat().st_size
    assert "image" not in metas["/city/2026/11/ferry/"]


def test_search_page_and_masthead_box(make_site: Any, tmp_path: Path) -> None:
    site = make_site(search_site())
    out = tmp_path / "out"
    build(site, out, use_cache=False)
    page = lxml.html.parse(str(out / "search" / "index.html")).getroot()
    form = page.get_element_by_id("search-form")
    assert form.get("action") == "/search/" and form.get("method") == "get"
    assert form.get("data-bundles") == "/pagefind/2026/ /pagefind/2025/"
    sections = page.xpath("//select[@id='search-section']/option/@value")
    assert sections == ["", "World", "City"]
    nojs = page.get_element_by_id("search-nojs")
    assert nojs.xpath(".//a/@href") == ["/archive/"]
    assert page.xpath("//meta[@name='robots']/@content") == ["noindex"]
    assert not page.xpath("//form[contains(@class, 'masthead-search')]")
    front = lxml.html.parse(str(out / "index.html")).getroot()
    box = front.xpath("//header[@class='masthead']//form[@role='search']")[0]
    assert box.get("action") == "/search/" and box.xpath(".//input/@name") == ["q"]


def test_search_false_builds_no_index_page_or_box(make_site: Any, tmp_path: Path) -> None:
    site = make_site(search_site(), config=BASIC_CONFIG + "search: false\n")
    out = tmp_path / "out"
    result = build(site, out, use_cache=False)
    assert result.shards_indexed == 0
    assert not (out / "pagefind").exists() and not (out / "search").exists()
    assert b"masthead-search" not in (out / "index.html").read_bytes()


def test_search_must_be_a_boolean(make_site: Any) -> None:
    site = make_site(search_site(), config=BASIC_CONFIG + "search: maybe\n")
    result = run_newsgen("build", site, "--now", NOW)
    assert result.returncode == 1
    assert "newsgen.yaml:10: 'search' must be true or false" in result.stderr


def test_missing_indexer_is_a_clear_error_and_keeps_the_output(make_site: Any,
                                                                tmp_path: Path) -> None:
    site = make_site(search_site())
    out = tmp_path / "out"
    assert run_newsgen("build", site, "--now", NOW, "-o", out).returncode == 0
    before = tree_digest(out)
    (site / "content/articles/new.md").write_text(article("New", "2026-11-25T09:00"))
    missing = tmp_path / "no-such" / "pagefind"
    result = run_newsgen("build", site, "--now", NOW, "-o", out,
                         env={"PAGEFIND_BINARY_PATH": str(missing)})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "newsgen.yaml: search is on but the Pagefind indexer binary was not found" \
        in result.stderr
    assert "pip install 'pagefind[bin]'" in result.stderr and "search: false" in result.stderr
    assert tree_digest(out) == before


def test_rebuilds_index_only_the_shard_that_changed(make_site: Any, tmp_path: Path) -> None:
    site = make_site(search_site())
    out = tmp_path / "out"
    assert build(site, out).shards_indexed == 2
    old_shard = {p: p.stat().st_mtime_ns for p in (out / "pagefind/2025").rglob("*")}
    # a ticker headline changes every page but no indexed text: nothing is re-indexed
    (site / "content/headlines/2026-11-29.yaml").parent.mkdir(parents=True, exist_ok=True)
    (site / "content/headlines/2026-11-29.yaml").write_text(
        "- {time: 2026-11-29T10:00, title: Roads reopen}\n")
    result = build(site, out)
    assert result.site is not None and result.shards_indexed == 0
    # a new article re-indexes its year only
    (site / "content/articles/new.md").write_text(
        article("Harbour news", "2026-11-26T09:00", "city", "A new pier."))
    result = build(site, out)
    assert result.shards_indexed == 1
    assert {p: p.stat().st_mtime_ns for p in (out / "pagefind/2025").rglob("*")} == old_shard
    assert "/city/2026/11/new/" in fragments(out)
    clean = tmp_path / "clean"
    build(site, clean, use_cache=False)
    older = older_ticker_allowed(site)
    assert _without_marker(tree_digest(out, older)) == _without_marker(tree_digest(clean, older))
    # the last article of a year gone: its shard goes with it
    (site / "content/articles/budget.md").unlink()
    assert build(site, out).shards_indexed == 0
    assert not (out / "pagefind/2025").exists()
    assert "/pagefind/2025/" not in (out / "search/index.html").read_text()



def test_a_byline_renamed_in_the_config_re_indexes_the_shards_showing_it(
        make_site: Any, tmp_path: Path) -> None:
    """Shard keys are made from the articles' own keys, which do not cover what a record
    takes from newsgen.yaml: an author's name must still reach the index."""
    site = make_site(search_site())
    out = tmp_path / "out"
    build(site, out)
    old_shard = {p: p.stat().st_mtime_ns for p in (out / "pagefind/2025").rglob("*")}
    config = site / "newsgen.yaml"
    config.write_text(config.read_text().replace("Ana Lima", "Ana Lima Duarte"))
    result = build(site, out)
    assert result.shards_indexed == 1  # 2026 has Ana's story; 2025 has no byline of hers
    assert {p: p.stat().st_mtime_ns for p in (out / "pagefind/2025").rglob("*")} == old_shard
    metas = [gzip.decompress(p.read_bytes()) for p in
             (out / "pagefind/2026").glob("fragment/*.pf_fragment")]
    assert any(b"Ana Lima Duarte" in data for data in metas)
    clean = tmp_path / "clean"
    build(site, clean, use_cache=False)
    older = older_ticker_allowed(site)
    assert _without_marker(tree_digest(out, older)) == _without_marker(tree_digest(clean, older))


def _without_marker(files: dict[str, str]) -> dict[str, str]:
    return {path: digest for path, digest in files.items() if not path.startswith(".newsgen/")}


def test_build_summary_reports_index_time(make_site: Any, tmp_path: Path) -> None:
    site = make_site(search_site())
    result = run_newsgen("build", site, "--now", NOW, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    summary = result.stderr.strip().splitlines()[-2]  # the reporter's stream; then next change
    assert re.search(r"; search index: 2 shards indexed in \d+\.\d\d s\) into ", summary)


# -- in Chromium, against a built site served on loopback --------------------------------------

class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def test_a_year_over_the_limit_is_split_by_the_calendar(make_site: Any, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_MAX", 2)
    files = search_site()
    for name, date in (("feb", "2026-02-03T09:00"), ("mar", "2026-03-03T09:00"),
                       ("jul", "2026-07-03T09:00")):
        files[f"content/articles/{name}.md"] = article(name, date, "city", "A story.")
    site = make_site(files)
    out = tmp_path / "out"
    build(site, out, use_cache=False)
    # 2026 holds 5: halved, the half holding the newest month down to that month
    assert sorted(p.name for p in (out / "pagefind").iterdir()) == [
        "2025", "2026-01_06", "2026-07_09", "2026-11"]
    page = lxml.html.parse(str(out / "search" / "index.html")).getroot()
    form = page.get_element_by_id("search-form")
    assert form.get("data-bundles") == ("/pagefind/2026-11/ /pagefind/2026-07_09/ "
                                        "/pagefind/2026-01_06/ /pagefind/2025/")
    assert form.get("data-sizes") == "2 1 2 1" and form.get("data-first") == "500"
    assert page.xpath("//select[@id='search-year']/option/text()") == [
        "Any year", "2026", "2025"]


def test_the_newest_month_is_split_into_days_and_merged_back(make_site: Any, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    monkeypatch.setattr(search, "SHARD_MAX", 2)
    monkeypatch.setattr(search, "RECENT_MAX", 1)
    files = search_site()
    files["content/articles/october.md"] = article(
        "October ferry", "2026-10-02T09:00", "city", "An October ferry.")
    files["content/articles/october-2.md"] = article(
        "October bus", "2026-10-03T09:00", "city", "An October bus.")
    site = make_site(files)
    out = tmp_path / "out"
    build(site, out)
    # only the newest month is split by day: an older one only past SHARD_MAX
    assert sorted(p.name for p in (out / "pagefind").iterdir()) == [
        "2025", "2026-10", "2026-11-18", "2026-11-20"]
    day = {p: p.stat().st_mtime_ns for p in (out / "pagefind/2026-11-18").rglob("*")}
    # a new article on another day of the month indexes its day only
    (site / "content/articles/pier.md").write_text(
        article("Pier opens", "2026-11-26T09:00", "city", "A new pier."))
    assert build(site, out).shards_indexed == 1
    assert {p: p.stat().st_mtime_ns for p in (out / "pagefind/2026-11-18").rglob("*")} == day
    assert "/city/2026/11/pier/" in fragments(out)
    # once the embargo on a December story lifts, November's days are grouped as an older
    # month's: its 3 articles are over SHARD_MAX, so by halves of its days
    (site / "content/articles/december.md").write_text(
        article("Winter timetable", "2026-12-01T09:00", "city", "Ferries run less."))
    result = build_site(site, BuildOptions(out_dir=out, now=datetime.fromisoformat(
        "2026-12-02T12:00:00+00:00")))
    assert result.shards_indexed == 3  # 2026-11-16_23, 2026-11-24_30 and 2026-12
    assert sorted(p.name for p in (out / "pagefind").iterdir()) == [
        "2025", "2026-10", "2026-11-16_23", "2026-11-24_30", "2026-12"]
    form = lxml.html.parse(str(out / "search" / "index.html")).getroot().get_element_by_id(
        "search-form")
    assert form.get("data-sizes") == "1 1 2 2 1"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The test site built with two day shards (2026-11-20, 2026-11-18) and two year shards
    (2025, 2024), and a first batch of one story: searches start with the newest day only."""
    root = tmp_path_factory.mktemp("search-site")
    (root / "newsgen.yaml").write_text(BASIC_CONFIG)
    files = search_site()
    for name, date in (("toll", "2026-11-18T08:00"), ("plan", "2024-05-02T09:00"),
                       ("lights", "2025-07-02T09:00")):
        files[f"content/articles/harbour-{name}.md"] = article(
            f"Harbour {name}", date, "city", f"The {DREDGE} is busy.")
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    out = root / "public"
    build_small_shards(root, out)
    assert (out / "pagefind" / "2026-11-18").is_dir()
    with serving(out) as address:
        yield address


def build_small_shards(root: Path, out: Path) -> None:
    """A clean build of ``root`` with shards of at most 2 stories, the newest month by day
    past 1, and a first batch of 1: a handful of stories exercise every kind of shard."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "SHARD_MAX", 2)
        patch.setattr(search, "RECENT_MAX", 1)
        patch.setattr(search, "FIRST_BATCH", 1)
        build(root, out, use_cache=False)


@contextlib.contextmanager
def serving(out: Path) -> Iterator[str]:
    """``out`` served over HTTP on a free local port, for as long as the block runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_QuietHandler, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _shards_fetched(page: Any) -> list[str]:
    """The shard folder of every request ``page`` makes under ``/pagefind/``, as made."""
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url.split("/pagefind/")[1].split("/")[0])
            if "/pagefind/" in r.url else None)
    return fetched


def _search_all(page: Any, term: str) -> list[str]:
    """Search ``term`` and ask for older stories until every shard is searched."""
    _search(page, term)
    while page.locator(".search-older").is_visible():
        shown = page.locator("#search-status").inner_text()
        page.locator(".search-older").click()
        page.wait_for_function("s => document.getElementById('search-status').textContent"
                               " !== s", arg=shown)
    return page.locator("#search-results .search-title a").all_inner_texts()


def _search(page: Any, term: str) -> list[str]:
    """Type ``term`` and wait for the status line; the result titles shown."""
    page.fill("#search-q", "")
    page.type("#search-q", term)
    page.wait_for_function(
        "t => document.getElementById('search-status').textContent.includes(t)", arg=term)
    return page.locator("#search-results .search-title a").all_inner_texts()


@pytest.mark.browser
def test_typing_finds_a_story_and_its_link_works(browser: Any, served: str) -> None:
    page = browser.new_page()
    page.goto(served + "/search/")
    assert page.locator("#search-nojs").is_hidden()
    assert _search(page, WORDS["published"]) == ["Ferry strike ends"]
    result = page.locator("#search-results .search-result").first
    assert result.locator(".kicker").text_content() == "City"
    assert "Crews return on Monday." in result.locator(".search-dek").inner_text()
    assert result.locator(".search-date").inner_text()
    assert result.locator(".search-excerpt mark").first.inner_text() == WORDS["published"]
    page.locator("#search-results .search-title a").first.click()
    page.wait_for_url(served + "/city/2026/11/ferry/")
    assert page.locator("h1").first.inner_text() == "Ferry strike ends"
    page.close()


@pytest.mark.browser
def test_filters_narrow_and_shards_merge(browser: Any, served: str) -> None:
    page = browser.new_page()
    page.goto(served + "/search/")
    # "ferry" is in both years (three shards merged) and both sections
    assert sorted(_search_all(page, "ferry")) == ["Ferry makers meet abroad", "Ferry strike ends",
                                              "Last year's budget"]
    page.select_option("#search-section", "City")
    page.wait_for_function("() => document.querySelectorAll('.search-result').length === 2")
    assert sorted(page.locator(".search-title a").all_inner_texts()) == [
        "Ferry strike ends", "Last year's budget"]
    page.select_option("#search-year", "2025")
    page.wait_for_function("() => document.querySelectorAll('.search-result').length === 1")
    assert page.locator(".search-title a").all_inner_texts() == ["Last year's budget"]
    assert "section=City" in page.url and "year=2025" in page.url
    page.close()


@pytest.mark.browser
def test_older_results_load_on_demand(browser: Any, served: str) -> None:
    page = browser.new_page()
    fetched = _shards_fetched(page)
    page.goto(served + "/search/")
    # the first batch is the newest shard only: nothing older is fetched
    assert _search(page, "ferry") == ["Ferry strike ends"]
    assert "among the newest 1 of 6 stories" in page.locator("#search-status").inner_text()
    assert set(fetched) == {"2026-11-20"}
    older = page.locator(".search-older")
    assert older.is_visible()
    older.click()
    page.wait_for_function("() => document.querySelectorAll('.search-result').length === 2")
    assert set(fetched) == {"2026-11-20", "2026-11-18"}
    older.click()
    page.wait_for_function("() => document.querySelectorAll('.search-result').length === 3")
    assert set(fetched) == {"2026-11-20", "2026-11-18", "2025", "2024"}
    assert older.is_hidden()
    assert page.locator("#search-status").inner_text() == '3 stories match \u201cferry\u201d.'
    page.close()


@pytest.mark.browser
def test_newest_first_holds_across_shards(browser: Any, served: str) -> None:
    """Pagefind ranks a sorted shard's results by their place in that shard, so merging
    would put 2025's second story (place 1) before 2026's (place 0 of its day)."""
    page = browser.new_page()
    page.goto(served + "/search/?sort=date")
    assert _search_all(page, DREDGE) == ["Harbour toll", "Harbour lights", "Harbour plan"]
    page.select_option("#search-sort", "")
    page.wait_for_function("() => !location.search.includes('sort')")
    page.select_option("#search-sort", "date")
    page.wait_for_function("() => location.search.includes('sort')")
    page.wait_for_function("() => document.querySelectorAll('.search-result').length === 3")
    assert page.locator(".search-title a").all_inner_texts() == [
        "Harbour toll", "Harbour lights", "Harbour plan"]
    page.close()


@pytest.mark.browser
def test_a_year_filter_loads_that_years_shards_only(browser: Any, served: str) -> None:
    page = browser.new_page()
    fetched = _shards_fetched(page)
    page.goto(served + "/search/?q=ferry&year=2025")
    page.wait_for_selector(".search-result")
    assert page.locator(".search-title a").all_inner_texts() == ["Last year's budget"]
    assert set(fetched) == {"2026-11-20", "2025"}  # the client, then 2025's shard
    assert page.locator(".search-older").is_hidden()
    # back to any year: 2025 stays merged, but the search keeps to the newest batch again,
    # as its status line says
    page.select_option("#search-year", "")
    page.wait_for_function("() => document.getElementById('search-status').textContent"
                           ".includes('among the newest 1 of 6')")
    assert page.locator(".search-title a").all_inner_texts() == ["Ferry strike ends"]
    for sort in ("date", ""):
        page.select_option("#search-sort", sort)
        page.wait_for_function("s => new URLSearchParams(location.search).get('sort') === s",
                               arg=sort or None)
        page.wait_for_function("() => document.querySelectorAll('.search-result').length"
                               " === 1")
        assert page.locator(".search-title a").all_inner_texts() == ["Ferry strike ends"]
    page.close()


@pytest.mark.browser
def test_a_word_only_in_old_stories_is_found_without_asking(browser: Any, served: str
                                                            ) -> None:
    page = browser.new_page()
    page.goto(served + "/search/")
    assert _search(page, WORDS["old"]) == ["Last year's budget"]
    page.close()


@pytest.mark.browser
def test_unpublished_words_find_nothing(browser: Any, served: str) -> None:
    page = browser.new_page()
    page.goto(served + "/search/")
    for kind in ("embargoed", "draft", "expired"):
        assert _search(page, WORDS[kind]) == []
        assert page.locator("#search-status").inner_text().startswith("No stories match")
    page.close()


@pytest.mark.browser
def test_masthead_box_lands_on_results_and_keyboard_works(browser: Any, served: str) -> None:
    page = browser.new_page()
    page.goto(served + "/")
    page.focus("#masthead-q")
    page.keyboard.type(WORDS["old"])
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=" + WORDS["old"])
    page.wait_for_selector(".search-result")
    assert page.locator(".search-title a").all_inner_texts() == ["Last year's budget"]
    page.focus("#search-q")
    page.keyboard.press("Tab")  # the submit button, then the filters, then the results
    assert page.evaluate("document.activeElement.type") == "submit"
    page.close()


@pytest.mark.browser
def test_without_javascript_the_page_points_to_the_archive(browser: Any, served: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served + "/search/?q=ferry")
    assert page.locator("#search-nojs").is_visible()
    page.locator("#search-nojs a").click()
    page.wait_for_url(served + "/archive/")
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_with_results_shown(scheme: str, browser: Any,
                                                    served: str) -> None:
    page = browser.new_page(color_scheme=scheme)
    page.goto(served + "/search/?q=ferry")
    page.wait_for_selector(".search-result")
    violations = axe_violations(page)
    page.close()
    assert not violations, "\n".join(violations)


def axe_violations(page: Any) -> list[str]:
    """axe's violations on the page as the browser holds it (and that axe ran at all)."""
    page.add_script_tag(path=str(find_axe()))
    results = page.evaluate("async () => await axe.run(document)")
    assert results["passes"]
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            f"{[n['target'] for n in v['nodes']][:5]}" for v in results["violations"]]


@pytest.mark.browser
@pytest.mark.vnu
def test_the_page_with_results_shown_is_valid_html(browser: Any, served: str,
                                                   tmp_path: Path) -> None:
    """The markup the script adds (results, highlighted excerpts, the older-stories button)
    checked by the Nu Html Checker, as the browser holds it."""
    page = browser.new_page()
    page.goto(served + "/search/?q=ferry")
    page.wait_for_selector(".search-excerpt mark")
    assert page.locator(".search-older").is_visible()
    assert vnu_errors(page, tmp_path) == []
    page.close()


def vnu_errors(page: Any, tmp_path: Path) -> list[str]:
    """The Nu Html Checker's errors on the page as the browser holds it."""
    shown = tmp_path / "shown.html"
    shown.write_text("<!DOCTYPE html>\n" + page.evaluate("document.documentElement.outerHTML"),
                     encoding="utf-8")
    result = subprocess.run([find_java(), "-jar", str(find_vnu_jar()), "--errors-only",
                             "--format", "json", str(shown)], capture_output=True, text=True,
                            timeout=300)
    report = json.loads(result.stderr or result.stdout)
    return [f"{m.get('lastLine')}: {m['message']}" for m in report["messages"]
            if m["type"] == "error"]
