"""URL rules: slugs, permalinks and output paths that never leave the output folder."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from newsgen.urls import (
    UnsafePath,
    article_url,
    check_relative,
    fold_case,
    output_path,
    safe_join,
    slug_problem,
    slugify,
)


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
