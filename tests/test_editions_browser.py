"""The demo's Arabic edition in headless Debian Chromium: right-to-left layout that mirrors
the English one, no horizontal overflow, axe-core in light and dark, and screenshots.

Screenshots of the Arabic front page and an Arabic article at 375 and 1280 px are saved
under a temporary folder whose path is printed (run with ``-s``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.test_browser import HEIGHT, base_url, browser, demo, find_axe  # noqa: F401

pytestmark = pytest.mark.browser

ARABIC = {"front": "/ar/",
          "article": "/ar/city/2026/11/mina-velmar-mamarr-milahi-layli/",
          "section": "/ar/science/",
          "about": "/ar/about/"}
ENGLISH_ARTICLE = "/city/2026/11/harbour-authority-approves-night-shipping-lane/"


def _box(page: Any, selector: str) -> dict[str, float]:
    return page.eval_on_selector(selector, "e => e.getBoundingClientRect().toJSON()")


@pytest.mark.parametrize("width", [320, 375, 1280])
@pytest.mark.parametrize("kind", sorted(ARABIC))
def test_arabic_pages_do_not_overflow(kind: str, width: int, browser: Any,  # noqa: F811
                                      base_url: str) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": HEIGHT})
    page.goto(base_url + ARABIC[kind])
    assert page.evaluate("document.documentElement.dir") == "rtl"
    scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    page.close()
    assert scroll <= inner, f"{ARABIC[kind]} at {width}px is {scroll}px wide"


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


FRENCH = {"fr-front": "/fr/",
          "fr-article": "/fr/city/2026/11/le-port-ouvre-un-couloir-de-navigation-nocturne/"}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", sorted(ARABIC) + sorted(FRENCH))
def test_axe_finds_no_violations_in_the_editions(kind: str, scheme: str,
                                                 browser: Any,  # noqa: F811
                                                 base_url: str) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": HEIGHT}, color_scheme=scheme)
    page.goto(base_url + {**ARABIC, **FRENCH}[kind])
    page.add_script_tag(path=str(find_axe()))
    results = page.evaluate("async () => await axe.run(document)")
    page.close()
    violations = [f"{v['id']} ({v['impact']}): {v['help']} at "
                  f"{[n['target'] for n in v['nodes']][:5]}" for v in results["violations"]]
    assert not violations, f"{kind} ({scheme}):\n" + "\n".join(violations)
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
