"""The live ticker and the deploy delta: a new headline rewrites only the pages that must
show it, and ``.newsgen/changes`` lists exactly what a build added, changed and removed."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import lxml.html
import pytest

from newsgen.build.builder import BuildOptions, BuildResult, build_site
from newsgen.engine import journal as journal_module
from newsgen.engine.journal import CHANGES, recover
from newsgen.errors import BuildFailed
from tests.conftest import BASIC_CONFIG, article, run_newsgen

NOW = datetime(2026, 3, 21, 12, 0, tzinfo=ZoneInfo("Europe/Lisbon"))
CURRENT = {"index.html", "world/index.html", "city/index.html", "ticker.html", "ticker.json"}


def _site(make_site: Callable[..., Path], embed: str = "") -> Path:
    files = {f"content/articles/story-{n}.md": article(
        f"Story {n}", f"2026-03-{10 + n:02d}T09:00", "world" if n % 2 else "city",
        f"Body {n}.", tags="[harbour]", authors="[ana]") for n in range(6)}
    files["content/headlines/2026-03-21.yaml"] = (
        "- time: 2026-03-21T08:00\n  title: Bridge closed for repairs\n")
    files["content/pages/about.md"] = "---\ntitle: About\n---\n\nWho we are.\n"
    config = BASIC_CONFIG + (f"ticker: {{embed: {embed}}}\n" if embed else "")
    return make_site(files, config=config)


def _build(site: Path, out: str = "public", **options: Any) -> BuildResult:
    return build_site(site, BuildOptions(out_dir=site.parent / out, now=NOW, workers=1,
                                         **options))


def _changes(site: Path) -> dict[str, str]:
    lines = (site.parent / "public" / CHANGES).read_text().splitlines()
    return {line.split("\t", 1)[1]: line.split("\t", 1)[0] for line in lines}


def _headline(site: Path, title: str = "Ferry strike called off", time: str = "11:30") -> None:
    path = site / "content/headlines/2026-03-21.yaml"
    path.write_text(path.read_text() + f"- time: 2026-03-21T{time}\n  title: {title}\n")


def _mtimes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns
            for p in out.rglob("*.html") if p.is_file()}


def test_a_headline_rewrites_only_the_front_section_and_ticker_files(
        make_site: Callable[..., Path]) -> None:
    site = _site(make_site)
    first = _build(site)
    assert set(_changes(site).values()) == {"A"}
    assert len(_changes(site)) == first.files - 1  # all but .newsgen/next-change
    out = site.parent / "public"
    before = _mtimes(out)
    _headline(site)
    result = _build(site)
    assert _changes(site) == {path: "M" for path in CURRENT}
    stats = result.stats
    assert (stats.added, stats.modified, stats.deleted) == (0, len(CURRENT), 0)
    after = _mtimes(out)
    untouched = {p for p in before if p not in CURRENT}
    assert untouched and all(after[p] == before[p] for p in untouched)
    for page in ("index.html", "world/index.html"):
        assert "Ferry strike called off" in (out / page).read_text()
    story = (out / "world/2026/03/story-1/index.html").read_text()
    assert "Ferry strike called off" not in story, "an article page keeps its last ticker"
    assert '"Ferry strike called off"' in (out / "ticker.json").read_text()


def test_inline_ticker_rewrites_every_page(make_site: Callable[..., Path]) -> None:
    site = _site(make_site, embed="inline")
    _build(site)
    _headline(site)
    _build(site)
    out = site.parent / "public"
    pages = {p.relative_to(out).as_posix() for p in out.rglob("*.html")}
    assert set(_changes(site)) == pages | {"ticker.json"}
    story = (out / "world/2026/03/story-1/index.html").read_text()
    assert "Ferry strike called off" in story
    doc = lxml.html.fromstring(story)
    assert not doc.xpath("//script[@src]"), "inline pages need no script"


def test_new_article_and_removed_article_in_the_delta(make_site: Callable[..., Path]) -> None:
    site = _site(make_site)
    _build(site)
    (site / "content/articles/fresh.md").write_text(article(
        "Fresh story", "2026-03-21T10:00", "world", "New.", tags="[harbour]"))
    _build(site)
    changes = _changes(site)
    assert changes["world/2026/03/fresh/index.html"] == "A"
    assert changes["tags/harbour/index.html"] == "M"
    assert not any(path.startswith(".newsgen/") for path in changes)
    assert "about/index.html" not in changes, "a page that does not list it is kept"
    (site / "content/articles/story-0.md").unlink()
    _build(site)
    changes = _changes(site)
    assert changes["city/2026/03/story-0/index.html"] == "D"
    # story-0 was in the ticker: a withdrawn story leaves every page's ticker
    assert changes["about/index.html"] == "M"


def test_a_build_with_nothing_new_leaves_an_empty_delta(make_site: Callable[..., Path]) -> None:
    site = _site(make_site)
    _build(site)
    assert _build(site).stats.written == 0
    assert (site.parent / "public" / CHANGES).read_text() == ""
    _headline(site)
    for path in (site / "content").rglob("*"):  # old enough for the no-change shortcut
        os.utime(path, ns=(int(NOW.timestamp()) * 10**9,) * 2)
    _build(site)
    assert _changes(site)
    result = _build(site)
    assert result.site is None, "the no-change shortcut"
    assert (site.parent / "public" / CHANGES).read_text() == ""


def test_a_failed_build_leaves_the_last_delta(make_site: Callable[..., Path]) -> None:
    site = _site(make_site)
    _build(site)
    before = (site.parent / "public" / CHANGES).read_bytes()
    (site / "content/articles/broken.md").write_text("---\ntitle: [\n---\n")
    with pytest.raises(BuildFailed):
        _build(site)
    assert (site.parent / "public" / CHANGES).read_bytes() == before


def test_a_build_killed_after_its_commit_point_still_lists_its_delta(
        make_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    site = _site(make_site)
    _build(site)
    _headline(site)

    def killed(out_dir: Path, journal: dict[str, Any], resumed: bool = False) -> None:
        raise KeyboardInterrupt("killed right after the commit point")

    monkeypatch.setattr(journal_module, "apply_journal", killed)
    with pytest.raises(KeyboardInterrupt):
        _build(site)
    monkeypatch.undo()
    out = site.parent / "public"
    assert set(_changes(site).values()) == {"A"}, "not applied yet: the cold build's list"
    recover(out)
    assert _changes(site) == {path: "M" for path in CURRENT}


def test_the_summary_prints_the_delta(make_site: Callable[..., Path]) -> None:
    site = _site(make_site)
    _build(site)
    _headline(site)
    result = run_newsgen("build", site, "--now", "2026-03-21T12:00", "-o", site.parent / "public")
    assert result.returncode == 0, result.stderr
    assert f"deploy delta: 0 added, {len(CURRENT)} changed, 0 removed" in result.stderr


def test_unknown_embed_is_a_config_error(make_site: Callable[..., Path]) -> None:
    site = _site(make_site, embed="sometimes")
    with pytest.raises(BuildFailed) as failed:
        _build(site)
    assert any("'ticker.embed' must be 'live' or 'inline'" in str(p) and
               str(p).startswith("newsgen.yaml:") for p in failed.value.problems)


# -- in the browser -----------------------------------------------------------------------
class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture
def served(make_site: Callable[..., Path]) -> Iterator[tuple[Path, str]]:
    """A site whose article pages carry an older ticker than ticker.json, on loopback."""
    site = _site(make_site)
    for n in range(9):
        _headline(site, f"Earlier headline number {n}", f"10:{n:02d}")
    _build(site)
    _headline(site, "Ferry strike called off after a night of talks at the port authority")
    _build(site)
    out = site.parent / "public"
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_QuietHandler, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield out, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


# Resolves with the layout shifts seen, once the ticker says it is current (or after 5 s).
WATCH_TICKER = """async () => {
  const shifts = [];
  new PerformanceObserver(list => { for (const e of list.getEntries()) shifts.push(e.value); })
    .observe({type: "layout-shift", buffered: true});
  const block = document.querySelector("section.ticker");
  for (let i = 0; i < 100 && block.dataset.tickerState !== "current"; i++)
    await new Promise(r => setTimeout(r, 50));
  await new Promise(r => setTimeout(r, 200));
  return {state: block.dataset.tickerState || "", shifts,
          items: [...block.querySelectorAll(".ticker-list li")].map(li => li.textContent.trim()),
          links: [...block.querySelectorAll(".ticker-list a")].map(a => a.getAttribute("href"))};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("width", [375, 1280])
def test_an_article_page_shows_the_current_ticker_without_moving(
        served: tuple[Path, str], width: int) -> None:
    from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

    out, base = served
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.goto(base + "/world/2026/03/story-1/")
        stale = (out / "world/2026/03/story-1/index.html").read_text()
        assert "Ferry strike called off" not in stale
        seen = page.evaluate(WATCH_TICKER)
        assert seen["state"] == "current"
        assert seen["items"][0].startswith("11:30 ") and "Ferry strike called off" in \
            seen["items"][0]
        assert len(seen["items"]) == 10
        assert sum(seen["shifts"]) == 0, seen["shifts"]
        page.close()
        quiet = browser.new_page(viewport={"width": width, "height": 800},
                                 java_script_enabled=False)
        quiet.goto(base + "/world/2026/03/story-1/")
        assert quiet.locator("section.ticker .ticker-list li").count() == 10
        assert quiet.locator(".ticker-more a").get_attribute("href") == "/#ticker-heading"
        quiet.close()
        broken = browser.new_page()
        broken.route("**/ticker.json", lambda route: route.fulfill(status=200, body="{oops"))
        broken.goto(base + "/world/2026/03/story-1/")
        broken.wait_for_timeout(300)
        items = broken.locator("section.ticker .ticker-list li").all_inner_texts()
        assert len(items) == 10 and "Ferry strike" not in " ".join(items), "fails safe"
        browser.close()


def test_a_withdrawn_story_leaves_every_older_ticker(make_site: Callable[..., Path]) -> None:
    """Pages may keep an older ticker, but not one showing a story that is gone: deleting
    an article pushed out of the current ticker still removes it from every page."""
    site = _site(make_site)
    (site / "content/articles/takedown.md").write_text(article(
        "Takedown story about the mayor", "2026-03-21T09:30", "world", "Text."))
    _build(site)
    out = site.parent / "public"
    story = out / "city/2026/03/story-0/index.html"
    assert "Takedown story about the mayor" in story.read_text()
    for n in range(12):  # push it out of the current ticker
        _headline(site, f"Later headline {n}", f"11:{n:02d}")
    _build(site)
    assert "Takedown story" not in (out / "ticker.json").read_text()
    assert "Takedown story about the mayor" in story.read_text(), "an older ticker is kept"
    (site / "content/articles/takedown.md").unlink()
    _build(site)
    mentions = [p.relative_to(out).as_posix() for p in out.rglob("*")
                if p.is_file() and b"Takedown story" in p.read_bytes()]
    assert mentions == []
    assert "Later headline 11" in story.read_text(), "rendered again with the current ticker"
