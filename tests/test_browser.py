"""The demo site in headless Debian Chromium: layout at phone and desktop widths, images,
the ticker, keyboard access, print and dark styles, and axe-core accessibility checks.

Screenshots of every page kind are saved under a temporary folder whose path is printed (run
with ``-s`` to see it) so that people can look at the theme. Missing tools fail with
instructions: CI installs Chromium and ``npm install axe-core``.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from tests.conftest import REPO, npm_file, run_newsgen

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DEMO_NOW = "2026-11-29T12:00"
AXE_SUFFIX = Path("node_modules/axe-core/axe.min.js")
WIDTHS = (375, 1280)
EDGE_WIDTHS = (320, 1600)  # the ends of the supported range: overflow only
HEIGHT = 800

pytestmark = pytest.mark.browser

# Scroll down a screen at a time so that lazy images start loading; any image still waiting
# is then asked for eagerly. Resolves with the images that did not load (10 s at most).
LOAD_ALL_IMAGES = """async () => {
  const step = Math.max(200, window.innerHeight - 100);
  for (let y = 0; y < document.documentElement.scrollHeight; y += step) {
    window.scrollTo(0, y);
    await new Promise(r => setTimeout(r, 20));
  }
  window.scrollTo(0, 0);
  const waiting = [...document.images].filter(img => !img.complete);
  const loaded = Promise.all(waiting.map(img => new Promise(r => {
    img.addEventListener('load', r); img.addEventListener('error', r); img.loading = 'eager';
  })));
  await Promise.race([loaded, new Promise(r => setTimeout(r, 10000))]);
  return [...document.images].filter(img => !(img.complete && img.naturalWidth > 0))
    .map(img => img.src);
}"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "public"
    result = run_newsgen("build", REPO, "--now", DEMO_NOW, "-o", out, "-q", "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.fixture(scope="module")
def base_url(demo: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_QuietHandler, directory=str(demo)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright for Python is missing: pip install playwright")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _href(doc: Any, class_name: str, link: str = "a") -> str:
    """The first link inside an element of ``class_name`` (lxml without cssselect)."""
    klass = f"contains(concat(' ', normalize-space(@class), ' '), ' {class_name} ')"
    return doc.xpath(f"//*[{klass}]//{link}/@href")[0]


@pytest.fixture(scope="module")
def page_kinds(demo: Path) -> dict[str, str]:
    """One URL path per page kind, found by following the demo's own links."""
    front = lxml.html.parse(str(demo / "index.html")).getroot()
    article = _href(front, "lead-title")
    article_doc = lxml.html.parse(str(demo / article.strip("/") / "index.html")).getroot()
    archive = lxml.html.parse(str(demo / "archive" / "index.html")).getroot()
    month = _href(archive, "archive-index")
    month_doc = lxml.html.parse(str(demo / month.strip("/") / "index.html")).getroot()
    return {
        "front": "/",
        "article": article,
        "section": front.xpath("//nav[@aria-label='Sections']//a/@href")[1],
        "tag": _href(article_doc, "tag-list", "a[@rel='tag']"),
        "author": _href(article_doc, "byline", "a[@rel='author']"),
        "archive-index": "/archive/",
        "archive-month": month,
        # its "Older" link: a page numbered from the oldest, with the full pager
        "archive-page": _href(month_doc, "pagination", "a[@rel='next']"),
        "tags": "/tags/",
        "authors": "/authors/",
        "page": _href(front, "footer-nav"),
        "404": "/404.html",
    }


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("screenshots")
    print(f"\nscreenshots: {folder}")
    return folder


@pytest.mark.parametrize("width", WIDTHS + EDGE_WIDTHS)
def test_every_page_kind_lays_out_at(width: int, browser: Any, base_url: str,
                                     page_kinds: dict[str, str], screenshots: Path) -> None:
    """No sideways scrolling, no broken image, and a screenshot of each kind of page."""
    context = browser.new_context(viewport={"width": width, "height": HEIGHT})
    page = context.new_page()
    problems = []
    for kind, path in page_kinds.items():
        page.goto(base_url + path)
        broken = page.evaluate(LOAD_ALL_IMAGES)
        if broken:
            problems.append(f"{kind} {path}: images not loaded: {broken}")
        scroll_width, inner = page.evaluate(
            "[document.scrollingElement.scrollWidth, window.innerWidth]")
        if scroll_width > inner:
            problems.append(f"{kind} {path}: {scroll_width}px wide in a {inner}px window")
        page.screenshot(path=str(screenshots / f"{kind}-{width}.png"), full_page=True)
    context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", WIDTHS)
def test_front_page_shows_ticker_and_lead(width: int, browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport={"width": width, "height": HEIGHT})
    page = context.new_page()
    page.goto(base_url + "/")
    assert page.locator(".ticker").is_visible()
    items = page.locator(".ticker-list li")
    assert items.count() > 0 and items.first.is_visible()
    times = page.locator(".ticker-list time").all_inner_texts()
    assert times and all(len(t) == 5 and t[2] == ":" for t in times), times
    if width >= 1280:
        for selector in (".lead-title", ".lead-story .dek", ".lead-image img", ".ticker-heading"):
            box = page.locator(selector).bounding_box()
            assert box and box["y"] + box["height"] <= HEIGHT, f"{selector} below the fold: {box}"
        assert page.locator(".lead-image img").get_attribute("loading") is None
    context.close()


def test_skip_link_is_first_and_moves_focus_to_main(browser: Any, base_url: str,
                                                    page_kinds: dict[str, str]) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": HEIGHT})
    page.goto(base_url + page_kinds["article"])
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.close()


def test_print_keeps_the_article_and_drops_the_chrome(browser: Any, base_url: str,
                                                      page_kinds: dict[str, str]) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": HEIGHT})
    page.goto(base_url + page_kinds["article"])
    page.emulate_media(media="print")
    for hidden in (".sections-nav", ".sidebar", ".site-footer", ".share", ".related"):
        assert not page.locator(hidden).first.is_visible(), hidden
    for shown in (".headline", ".article-body", ".byline"):
        assert page.locator(shown).is_visible(), shown
    page.close()


def test_dark_scheme_changes_the_palette(browser: Any, base_url: str) -> None:
    backgrounds = {}
    for scheme in ("light", "dark"):
        page = browser.new_page(color_scheme=scheme)
        page.goto(base_url + "/")
        backgrounds[scheme] = page.evaluate("getComputedStyle(document.body).backgroundColor")
        page.close()
    assert backgrounds == {"light": "rgb(255, 255, 255)", "dark": "rgb(20, 20, 20)"}


def find_axe() -> Path:
    return npm_file(AXE_SUFFIX, "AXE_JS")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", ["front", "article", "section", "author", "archive-page"])
def test_axe_finds_no_violations(kind: str, scheme: str, browser: Any, base_url: str,
                                 page_kinds: dict[str, str]) -> None:
    axe = find_axe()
    page = browser.new_page(viewport={"width": 1280, "height": HEIGHT}, color_scheme=scheme)
    page.goto(base_url + page_kinds[kind])
    page.add_script_tag(path=str(axe))
    results = page.evaluate("async () => await axe.run(document)")
    page.close()
    violations = [f"{v['id']} ({v['impact']}): {v['help']} at "
                  f"{[n['target'] for n in v['nodes']][:5]}" for v in results["violations"]]
    assert not violations, f"{kind} page ({scheme}):\n" + "\n".join(violations)
    assert results["passes"], "axe ran no checks at all"
