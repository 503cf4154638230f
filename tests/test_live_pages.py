"""The newsroom formats in the demo, checked by the real tools: the Nu Html Checker and
axe-core (light and dark) on a page with the breaking banner up, the redirect page of an
alias, and the article with story furniture and embeds.

The demo's banner has expired at the demo's usual time, so it is built here an hour before
the banner's expiry.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, run_newsgen
from tests.test_browser import _QuietHandler, browser, find_axe  # noqa: F401 (fixture)
from tests.test_html_valid import find_java, find_vnu_jar

NOW = "2026-11-29T08:00"  # site zone; the demo's banner expires at 09:00
PAGES = {
    "front": "index.html",
    "redirect": "news/2026/11/28/night-shipping-lane.html",
    "furniture": "world/2026/11/delta-floods-displace-thousands/index.html",
    "embeds": "nation/2026/11/weather-service-warns-of-stormier-winter/index.html",
    "live": "city/2026/11/storm-ardan-live/index.html",
}
PROVIDER_HOSTS = ("youtube", "youtu.be", "vimeo", "twitter", "x.com", "instagram", "tiktok",
                  "datawrapper", "dwcdn", "flourish", "flo.uri.sh", "openstreetmap")


@pytest.fixture(scope="module")
def live_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("live") / "public"
    result = run_newsgen("build", REPO, "--now", NOW, "-o", out, "-q", "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_the_pages_show_their_format(live_demo: Path) -> None:
    assert 'class="breaking-banner"' in (live_demo / PAGES["front"]).read_text()
    assert 'http-equiv="refresh"' in (live_demo / PAGES["redirect"]).read_text()
    furniture = (live_demo / PAGES["furniture"]).read_text()
    for name in ("fact-box", "timeline", "pull-quote", "read-more"):
        assert f'class="{name}"' in furniture
    embeds = (live_demo / PAGES["embeds"]).read_text()
    assert embeds.count('<figure class="embed ') == 2
    assert "theme/embeds.js" in embeds and "theme/embeds.js" not in furniture
    live = (live_demo / PAGES["live"]).read_text()
    assert "theme/live.js" in live and 'class="flag flag-live"' in live


@pytest.mark.vnu
def test_live_format_pages_are_valid_html(live_demo: Path) -> None:
    jar, java = find_vnu_jar(), find_java()
    pages = [live_demo / relative for relative in PAGES.values()]
    result = subprocess.run([java, "-jar", str(jar), "--errors-only", "--format", "json",
                             *map(str, pages)], capture_output=True, text=True, timeout=300)
    report = json.loads(result.stderr or result.stdout)
    errors = [f"{m['url'].rsplit('/', 3)[-1]}:{m.get('lastLine')}: {m['message']}"
              for m in report["messages"] if m["type"] == "error"]
    assert errors == []


@pytest.fixture(scope="module")
def live_url(live_demo: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_QuietHandler, directory=str(live_demo)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", [k for k in PAGES if k != "redirect"])
def test_axe_finds_no_violations(kind: str, scheme: str, browser: Any,  # noqa: F811
                                 live_url: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800}, color_scheme=scheme)
    page.goto(live_url + PAGES[kind])
    page.add_script_tag(path=str(find_axe()))
    results = page.evaluate("async () => await axe.run(document)")
    page.close()
    violations = [f"{v['id']} ({v['impact']}): {v['help']} at "
                  f"{[n['target'] for n in v['nodes']][:5]}" for v in results["violations"]]
    assert not violations, f"{kind} ({scheme}):\n" + "\n".join(violations)
    assert results["passes"]


@pytest.mark.browser
def test_redirect_page_sends_the_browser_on(browser: Any, live_url: str) -> None:  # noqa: F811
    """The meta refresh leads to the article's public address (answered here by a stub:
    the demo's domain does not exist)."""
    page = browser.new_page()
    page.route("https://ledger.example.org/**",
               lambda route: route.fulfill(status=200, content_type="text/html",
                                           body="<title>moved</title>"))
    page.goto(live_url + PAGES["redirect"])
    page.wait_for_url("https://ledger.example.org/city/2026/11/"
                      "harbour-authority-approves-night-shipping-lane/", timeout=10000)
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_request_reaches_a_provider_before_the_click(scheme: str, browser: Any,  # noqa: F811
                                                        live_url: str) -> None:
    """Every request the page makes is recorded (and anything leaving this machine is
    answered by a stub): none may go to a provider until the reader clicks; the click
    loads exactly that embed's frame."""
    page = browser.new_page(viewport={"width": 1280, "height": 800}, color_scheme=scheme)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"),
               lambda route: route.fulfill(status=200, content_type="text/html",
                                           body="<title>frame</title>"))
    page.goto(live_url + PAGES["embeds"])
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_timeout(300)
    outside = [u for u in requests if not u.startswith(live_url)]
    assert outside == [], outside
    buttons = page.locator("figure.embed button.embed-load")
    assert buttons.count() == 2
    assert "Datawrapper" in buttons.nth(0).inner_text()
    assert page.locator("figure.embed iframe").count() == 0
    with page.expect_request(lambda request: not request.url.startswith(live_url)):
        buttons.nth(0).click()
    page.wait_for_selector("figure.embed iframe")
    page.wait_for_timeout(300)
    outside = [u for u in requests if not u.startswith(live_url)]
    assert outside == ["https://datawrapper.dwcdn.net/Vq3Lm/2/"], outside
    frame = page.locator("figure.embed iframe")
    assert frame.get_attribute("title") == ("Named storms each winter since 1990, against "
                                            "the long-term average")
    # the map is still a placeholder
    assert page.locator("figure.embed-map .embed-placeholder").count() == 1
    page.close()


@pytest.mark.browser
def test_an_embed_frame_from_another_origin_is_refused(browser: Any,  # noqa: F811
                                                       live_url: str, live_demo: Path) -> None:
    """The script loads only provider frames: a figure whose data-embed points elsewhere
    gets no button."""
    page_path = live_demo / "forged.html"
    page_path.write_text('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
                         '<title>x</title></head><body><div class="article-body">'
                         '<figure class="embed" data-embed="https://evil.example.com/">'
                         '<div class="embed-placeholder"><p class="embed-title">x</p></div>'
                         '</figure></div><script src="theme/embeds.js"></script></body></html>')
    page = browser.new_page()
    page.goto(live_url + "forged.html")
    assert page.locator("button").count() == 0
    page.close()


@pytest.mark.browser
def test_open_live_page_offers_new_updates_without_moving(browser: Any,  # noqa: F811
                                                          live_url: str,
                                                          live_demo: Path) -> None:
    """A new update in updates.json becomes a "1 new update" button; the page does not
    move while the reader reads, and the click puts the update on top."""
    feed = live_demo / "city/2026/11/storm-ardan-live/updates.json"
    original = feed.read_text()
    data = json.loads(original)
    data["updates"].insert(0, {"id": "update-20261129T0700Z", "time": "2026-11-29T08:00:00+01:00",
                               "hhmm": "08:00", "title": "Barrier opens early", "key": False,
                               "author": "Amara Haddad",
                               "html": '<h2 id="update-20261129T0700Z">Barrier opens early'
                                       "</h2><p>New text.</p>"})
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.goto(live_url + PAGES["live"])
        page.evaluate("window.scrollTo(0, 1500)")
        # where the update the reader is looking at sits on the screen
        spot = "document.querySelectorAll('.live-updates > article')[5]" \
               ".getBoundingClientRect().top"
        before = page.evaluate(spot)
        count = page.locator(".live-updates > article").count()
        assert page.locator("button.live-new-updates").is_hidden()
        feed.write_text(json.dumps(data))
        page.evaluate("window.NEWSGEN_LIVE_POLL()")
        button = page.locator("button.live-new-updates")
        button.wait_for(state="visible", timeout=10000)
        assert button.inner_text() == "1 new update"
        assert page.locator(".live-updates > article").count() == count
        assert abs(page.evaluate(spot) - before) < 1  # no jump
        button.click()
        assert page.locator(".live-updates > article").count() == count + 1
        assert page.locator(".live-updates > article h2").first.inner_text() == \
            "Barrier opens early"
        assert button.is_hidden()
    finally:
        feed.write_text(original)
        page.close()
