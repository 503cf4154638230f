"""Live updates timed after the build's now are held back like an embargoed article: on no
page, in no updates JSON, JSON-LD, feed, ticker or search index until their time, which is
the site's next change; ``newsgen check`` names them without failing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import article, older_ticker_allowed, tree_digest
from test_live import LIVE, build, page

from newsgen.commands import main

HELD = LIVE.replace("## 2026-03-25 08:05", "## 2026-03-25 14:00 Bridge reopens {key}\n\n"
                    "Scheduled paragraph.\n\n## 2026-03-25 08:05")
LIVE_DIR = "city/2026/03/live/"


@pytest.fixture
def site(make_site):
    return make_site({"content/articles/live.md": HELD,
                      "content/articles/other.md": article("Other", slug="other",
                                                           date="2026-03-25T09:00")})


def _everywhere(out: Path, text: str) -> list[str]:
    """Every output file holding ``text`` (bytes: feeds, JSON, search shards, pages)."""
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                  if p.is_file() and text.encode() in p.read_bytes())


def test_a_later_update_is_nowhere_until_its_time(site, capsys) -> None:
    assert build(site, capsys)[0] == 0
    out = site / "public"
    assert _everywhere(out, "Bridge reopens") == []
    assert _everywhere(out, "Scheduled paragraph") == []
    doc = page(site)
    assert len(doc.xpath("//div[@class='live-updates']/article")) == 3
    assert not doc.xpath("//section[@class='live-key-events']//a[contains(@href,'1400')]")
    updates = json.loads((out / LIVE_DIR / "updates.json").read_text())
    assert [u["title"] for u in updates["updates"]] == [
        "Road closed", "Ferries cancelled", "Winds rise"]
    blocks = [json.loads(s) for s in doc.xpath("//script[@type='application/ld+json']/text()")]
    posting = next(b for b in blocks if b["@type"] == "LiveBlogPosting")
    assert posting["dateModified"].startswith("2026-03-25T11:30")  # not 14:00
    ticker = json.loads((out / "ticker.json").read_text())
    live_item = next(i for i in ticker["items"] if "live" in i["url"])
    assert live_item["time"].startswith("2026-03-25T11:30")
    assert (out / ".newsgen/next-change").read_text().startswith("2026-03-25T14:00")


def test_it_appears_at_its_time_and_incremental_equals_clean(site, capsys) -> None:
    assert build(site, capsys)[0] == 0
    assert build(site, capsys, "2026-03-25T14:00")[0] == 0
    out = site / "public"
    titles = page(site).xpath("//div[@class='live-updates']/article//h2/text()")
    assert titles[0] == "Bridge reopens"
    assert "Scheduled paragraph" in (out / "atom.xml").read_text()
    updates = json.loads((out / LIVE_DIR / "updates.json").read_text())
    assert updates["updates"][0]["title"] == "Bridge reopens"
    assert (out / ".newsgen/next-change").read_text().startswith("2026-03-25T20:00")
    clean = site.parent / "clean"
    assert build(site, capsys, "2026-03-25T14:00", "--no-cache", "-o", str(clean))[0] == 0
    older = older_ticker_allowed(site)
    assert tree_digest(out, older) == tree_digest(clean, older)
    # and back: a build at an earlier now (a corrected clock) hides it again, like clean
    assert build(site, capsys, "2026-03-25T12:00")[0] == 0
    assert _everywhere(out, "Scheduled paragraph") == []
    early = site.parent / "early"
    assert build(site, capsys, "2026-03-25T12:00", "--no-cache", "-o", str(early))[0] == 0
    assert tree_digest(out, older) == tree_digest(early, older)


def test_future_previews_it(site, capsys) -> None:
    assert build(site, capsys, "2026-03-25T12:00", "--future")[0] == 0
    assert page(site).xpath("//div[@class='live-updates']/article//h2/text()")[0] == \
        "Bridge reopens"


def test_check_names_held_updates_without_failing(site, capsys) -> None:
    assert main(["check", str(site), "--now", "2026-03-25T12:00", "--strict"]) == 0
    captured = capsys.readouterr()
    assert ("content/articles/live.md:12: live update 'Bridge reopens' is held back until "
            "2026-03-25T14:00") in captured.err
    assert "held back" not in captured.out  # not a finding
