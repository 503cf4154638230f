"""URL rules: slugs, permalinks and output paths that never leave the output folder."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsgen.content.urls import article_url, output_path, slug_problem, slugify
from newsgen.engine import paths
from newsgen.engine.paths import UnsafePath, check_relative, fold_case, safe_join

PLAIN_PATH = paths._PLAIN_PATH


@pytest.mark.parametrize(("text", "slug"), [("Hello, World!", "hello-world"),
                                            ("Café São João", "cafe-sao-joao"),
                                            ("../../etc/passwd", "etc-passwd"),
                                            ("a\\b\x00c", "a-b-c"), ("  ", "")])
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize("slug", ["a" * 201, "", "..", "a/b", "a\\b", "A", "a b", "-a", "a--b",
                                  "con",
                                  "%2e%2e", "c:x", "a\x00"])
def test_slug_problem(slug: str) -> None:
    assert slug_problem(slug)


@pytest.mark.parametrize("relative", ["../x", "a/../../x", "/etc/passwd", "a\\..\\b", "C:/x",
                                      "a/%2e%2e/b", "a\x00b", "a//b", "./a", "nul.txt", "CON",
                                      "a/\x1b/b", "", "x" * 256, "é" * 128])
def test_check_relative_refuses(relative: str) -> None:
    with pytest.raises(UnsafePath):
        check_relative(relative)


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.text(alphabet="aAcCoOnNpPrRuUxXlLtTmM19._-/\\:%\x00é ", max_size=12)
                | st.sampled_from(["con", "CON.x", "com1", "lpt9.html", "..", ".", "", "a" * 256]),
                min_size=1, max_size=4))
def test_the_plain_path_shortcut_accepts_only_what_the_full_tests_accept(parts: list[str]
                                                                          ) -> None:
    """``check_relative`` answers most paths with one regular expression; whatever it lets
    through that way must pass the full tests too."""
    relative = "/".join(parts)
    if paths._PLAIN_PATH.fullmatch(relative):
        paths._PLAIN_PATH = re.compile(r"(?!)")  # the full tests alone
        try:
            check_relative(relative)
        finally:
            paths._PLAIN_PATH = PLAIN_PATH


def test_safe_join_refuses_a_symlink_out(tmp_path: Path) -> None:
    root = tmp_path / "out"
    root.mkdir()
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(UnsafePath, match="leaves"):
        safe_join(root, "link/x.html")
    assert safe_join(root, "a/b.html") == root / "a" / "b.html"


def test_output_path() -> None:
    assert output_path("/world/2026/03/x/") == "world/2026/03/x/index.html"
    assert output_path("/news/a.html", "/news") == "a.html"
    with pytest.raises(UnsafePath):
        output_path("world/")
    with pytest.raises(UnsafePath):
        output_path("/a/../../b/")


def test_article_url_uses_the_site_zone() -> None:
    moment = datetime(2026, 3, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
    url = article_url("/{section}/{year}/{month}/{day}/{slug}/", "", "city", "x", moment,
                      ZoneInfo("Europe/Lisbon"))
    assert url == "/city/2026/04/01/x/"


def test_fold_case() -> None:
    assert fold_case("CSS/Site.css") == fold_case("css/site.css")
