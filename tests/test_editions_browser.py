"""The demo's Arabic edition in headless Debian Chromium: right-to-left layout that mirrors
the English one, no horizontal overflow, axe-core in light and dark, and screenshots.

Screenshots of the Arabic front page and an Arabic article at 375 and 1280 px are saved
under a temporary folder whose path is printed (run with ``-s``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lxml.html
import pytest

from tests.test_browser import HEIGHT, _href, base_url, browser, demo, find_axe  # noqa: F401

pytestmark = pytest.mark.browser

ARABIC = {"front": "/ar/",
          "article": "/ar/city/2026/11/mina-velmar-mamarr-milahi-layli/",
          "section": "/ar/science/",
          "about": "/ar/about/"}
ENGLISH_ARTICLE = "/city/2026/11/harbour-authority-approves-night-shipping-lane/"


def _box(page: Any, selector: str) -> dict[str, float]:
    return page.eval_on_selector(selector, "e => e.getBoundingClientRect().toJSON()")


def test_arabic_article_mirrors_the_english_one(browser: Any, base_url: str  # noqa: F811
                                                ) -> None:
    """At 1280 px the ticker column sits left of the story in Arabic and right of it in
    English; the byline and the share row start at the right edge in Arabic."""
    sides = {}
    for lang, path in (("en", ENGLISH_ARTICLE), ("ar", ARABIC["article"])):
        page = browser.new_page(viewport={"width": 1280, "height": HEIGHT})
        page.goto(base_url + path)
        main, aside = _box(page, "main"), _box(page, "aside.sidebar")
        byline, share = _box(page, ".byline"), _box(page, ".share-list")
        headline = _box(page, "main h1")
        sides[lang] = (aside["x"] < main["x"], byline, share, headline)
        page.close()
    assert sides["en"][0] is False and sides["ar"][0] is True
    _, byline, share, headline = sides["ar"]
    right = headline["x"] + headline["width"]
    assert abs(byline["x"] + byline["width"] - right) < 2
    assert abs(share["x"] + share["width"] - right) < 2


EDITIONS = ("en", "fr", "ar")
KINDS = ("front", "article", "section", "tag", "author", "about", "404", "ticker")
TICKER_HOST = ("<!DOCTYPE html><html lang={lang} dir={dir}><head><meta charset=utf-8>"
               "<meta name=viewport content='width=device-width, initial-scale=1'>"
               "<title>Ticker</title><link rel=stylesheet href=/theme/style.css></head>"
               "<body><main><h1>{title}</h1>{fragment}</main></body></html>")


@pytest.fixture(scope="module")
def edition_pages(demo: Path) -> dict[str, dict[str, str]]:  # noqa: F811
    """Every page kind of every edition, found by following each edition's own links. The
    ticker is the embeddable fragment (``ticker.html``), inside a host page of the
    edition's language and direction (with its own h1), as another site would embed it."""
    result = {}
    for edition in EDITIONS:
        root = "/" if edition == "en" else f"/{edition}/"
        front = lxml.html.parse(str(demo / root.strip("/") / "index.html")).getroot()
        article = _href(front, "lead-title")
        article_doc = lxml.html.parse(str(demo / article.strip("/") / "index.html")).getroot()
        fragment = (demo / root.strip("/") / "ticker.html").read_text(encoding="utf-8")
        host = demo / root.strip("/") / "ticker-host.html"
        host.write_text(TICKER_HOST.format(lang=edition, dir=front.get("dir"),
                                           title=front.xpath("string(//title)"),
                                           fragment=fragment), encoding="utf-8")
        result[edition] = {
            "front": root, "article": article,
            "section": front.xpath("//nav[contains(@class, 'sections-nav')]//a/@href")[1],
            "tag": _href(article_doc, "tag-list", "a[@rel='tag']"),
            "author": _href(article_doc, "byline", "a[@rel='author']"),
            "about": _href(front, "footer-nav"),
            "404": f"{root}404.html",
            "ticker": f"{root}ticker-host.html",
        }
    return result


@pytest.mark.parametrize("width", [320, 375, 1280])
@pytest.mark.parametrize("kind", KINDS)
def test_no_arabic_page_kind_overflows(kind: str, width: int, browser: Any,  # noqa: F811
                                       base_url: str,  # noqa: F811
                                       edition_pages: dict[str, dict[str, str]]) -> None:
    path = edition_pages["ar"][kind]
    page = browser.new_page(viewport={"width": width, "height": HEIGHT})
    page.goto(base_url + path)
    assert page.evaluate("document.documentElement.dir") == "rtl"
    scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    page.close()
    assert scroll <= inner, f"{path} at {width}px is {scroll}px wide"


@pytest.mark.parametrize(("edition", "scheme"),
                         [("en", "light"), ("fr", "light"), ("ar", "light"), ("ar", "dark")])
@pytest.mark.parametrize("kind", KINDS)
def test_axe_finds_no_violations_in_the_editions(kind: str, edition: str, scheme: str,
                                                 browser: Any,  # noqa: F811
                                                 base_url: str,  # noqa: F811
                                                 edition_pages: dict[str, dict[str, str]]
                                                 ) -> None:
    """Every page kind of every edition; Arabic in light and dark (the English pages'
    dark scheme is test_browser's). Run with -s for the counts."""
    path = edition_pages[edition][kind]
    page = browser.new_page(viewport={"width": 1280, "height": HEIGHT}, color_scheme=scheme)
    page.goto(base_url + path)
    assert page.evaluate("document.documentElement.lang") == edition
    page.add_script_tag(path=str(find_axe()))
    results = page.evaluate("async () => await axe.run(document)")
    page.close()
    violations = [f"{v['id']} ({v['impact']}): {v['help']} at "
                  f"{[n['target'] for n in v['nodes']][:5]}" for v in results["violations"]]
    print(f"axe {edition} {kind} {scheme} {path}: {len(violations)} violations, "
          f"{len(results['passes'])} rules passed")
    assert not violations, f"{path} ({scheme}):\n" + "\n".join(violations)
    assert results["passes"]


def test_language_switcher_goes_to_the_translation(browser: Any, base_url: str  # noqa: F811
                                                   ) -> None:
    page = browser.new_page(viewport={"width": 375, "height": HEIGHT})
    page.goto(base_url + ARABIC["article"])
    page.click(".language-switcher a[lang=fr]")
    assert page.url.endswith("/fr/city/2026/11/le-port-ouvre-un-couloir-de-navigation-nocturne/")
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") \
        == ["fr", "ltr"]
    page.goto(base_url + "/city/2026/11/eastmere-water-main-burst/")
    page.click(".language-switcher a[lang=ar]")  # no Arabic version: the edition's front page
    assert page.url == base_url + "/ar/"
    page.close()


def test_screenshots(browser: Any, base_url: str, tmp_path_factory: pytest.TempPathFactory  # noqa: F811
                     ) -> None:
    folder = Path(tmp_path_factory.mktemp("arabic-screenshots"))
    for kind in ("front", "article"):
        for width in (375, 1280):
            page = browser.new_page(viewport={"width": width, "height": HEIGHT})
            page.goto(base_url + ARABIC[kind])
            path = folder / f"ar-{kind}-{width}.png"
            page.screenshot(path=str(path), full_page=True)
            page.close()
            assert path.stat().st_size > 10_000
    print(f"Arabic screenshots: {folder}")
