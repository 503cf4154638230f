"""``newsgen serve`` in headless Debian Chromium: an open page follows the editor's saves.

Nothing here calls ``page.reload()``: the page must reload itself through the injected
live-reload script, onto the new text, onto the error page, and back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import article
from tests.test_server import ARTICLE, ARTICLE_URL, SITE_FILES, Preview, write_site
from tests.test_server import preview_factory as preview_factory  # noqa: F401 - fixture

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WAIT_MS = 20_000

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def test_open_article_reloads_itself_after_each_save(
        tmp_path: Path, browser: object, preview_factory: Callable[..., Preview]) -> None:
    site = write_site(tmp_path / "site", SITE_FILES)
    preview = preview_factory(site)
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.goto(preview.url.rstrip("/") + ARTICLE_URL)
        page.get_by_text("Original text.").first.wait_for(timeout=WAIT_MS)
        page.wait_for_timeout(300)  # let the reload channel connect (a miss is also caught)

        (site / ARTICLE).write_text(article("Hello", body="Edited while the tab was open."))
        page.get_by_text("Edited while the tab was open.").first.wait_for(timeout=WAIT_MS)

        (site / ARTICLE).write_text("---\ntitle: Hello\nsummary: a: b\n---\n\nBroken.\n")
        page.get_by_role("heading", name="The site did not build").wait_for(timeout=WAIT_MS)
        assert ARTICLE + ":3: " in page.locator("ul.problems").inner_text()

        (site / ARTICLE).write_text(article("Hello", body="Fixed and back."))
        page.get_by_text("Fixed and back.").first.wait_for(timeout=WAIT_MS)
    finally:
        page.close()
    assert "Traceback" not in preview.stderr()
