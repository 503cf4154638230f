"""``newsgen check``: every error and warning at once, as text or JSON, nothing written."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO, article
from tests.conftest import run_newsgen as _run_newsgen

NOW = ("--now", "2026-03-25T12:00")
LONG_TITLE = "Council " + "x" * 103  # 111 characters
LONG_SUMMARY = '"' + "y" * 301 + '"'
WARNED = {
    "content/articles/long.md": article(LONG_TITLE, summary=LONG_SUMMARY, slug="long",
                                        body="See [the city desk](/city/) and [us](/about/)."),
    "content/articles/bylines.md": article("Bylines", authors="[ana, anna, ana-lima, Reuters]",
                                           updated="2026-03-19T10:00"),
    "content/articles/links.md": article(
        "Links", body="Intro.\n\n[Gone](/nowhere/) and [map](/images/missing.png \"m\").\n\n"
        "[Fine](/world/#top) [ext](https://example.org/x) [feed](/rss.xml) "
        "[css](/theme/style.css)"),
    "content/pages/about.md": "---\ntitle: About\n---\n\nUs.\n",
}


def run_newsgen(*args: str | Path, cwd: Path | None = None
                ) -> subprocess.CompletedProcess[str]:
    return _run_newsgen(*args, cwd=cwd, env={"PYTHONPATH": str(REPO)})


def line_of(site: Path, relative: str, needle: str) -> int:
    lines = (site / relative).read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def findings(site: Path, *args: str) -> tuple[int, list[dict]]:
    result = run_newsgen("check", site, "--format", "json", *NOW, *args)
    return result.returncode, json.loads(result.stdout)


@pytest.fixture
def warned(make_site: Callable[..., Path]) -> Path:
    return make_site(WARNED)


def test_clean_site_exits_0_and_writes_nothing(make_site: Callable[..., Path]) -> None:
    site = make_site({"content/articles/a.md": article("Fine")})
    result = run_newsgen("check", site, "--strict", *NOW)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "0 errors, 0 warnings" in result.stderr
    assert not (site / "public").exists() and not (site / ".newsgen-cache").exists()
    assert run_newsgen("check", site, "--quiet", *NOW).stderr == ""


def test_editorial_warnings_with_lines_and_codes(warned: Path) -> None:
    code, found = findings(warned)
    assert code == 0, found
    assert {f["severity"] for f in found} == {"warning"}
    by_code: dict[str, list[dict]] = {}
    for finding in found:
        assert set(finding) == {"file", "line", "severity", "code", "message"}
        by_code.setdefault(finding["code"], []).append(finding)
    long_file = "content/articles/long.md"
    assert [(f["file"], f["line"]) for f in by_code["long-title"]] == \
        [(long_file, line_of(warned, long_file, "title:"))]
    assert "111" in by_code["long-title"][0]["message"]
    assert [(f["file"], f["line"]) for f in by_code["long-summary"]] == \
        [(long_file, line_of(warned, long_file, "summary:"))]
    authors = {f["message"].split("'")[1] for f in by_code["unknown-author"]}
    assert authors == {"anna", "ana-lima"}
    assert by_code["updated-before-date"][0]["line"] == \
        line_of(warned, "content/articles/bylines.md", "updated:")
    links = "content/articles/links.md"
    broken = {(f["line"], f["message"].split("'")[1]) for f in by_code["broken-site-link"]}
    assert broken == {(line_of(warned, links, "/nowhere/"), "/nowhere/"),
                      (line_of(warned, links, "/nowhere/"), "/images/missing.png")}
    assert not (warned / "public").exists()


def test_text_format_and_strict(warned: Path) -> None:
    result = run_newsgen("check", warned, *NOW)
    assert result.returncode == 0
    line = line_of(warned, "content/articles/links.md", "/nowhere/")
    assert f"content/articles/links.md:{line}: warning: link to '/nowhere/'" in result.stdout
    strict = run_newsgen("check", warned, "--strict", *NOW)
    assert strict.returncode == 1
    assert "warning:" not in strict.stdout
    assert f"content/articles/links.md:{line}: link to '/nowhere/'" in strict.stdout
    code, found = findings(warned, "--strict")
    assert code == 1 and {f["severity"] for f in found} == {"error"}


def test_errors_and_warnings_are_reported_together(make_site: Callable[..., Path]) -> None:
    site = make_site({
        **WARNED,
        "content/articles/broken.md": article(
            "Broken", body="Read [this](article:no-such-slug).\n\nAnd [that](../gone.md)."),
        "content/articles/image.md": article("Pictured", image="{src: /images/none.jpg}"),
    })
    code, found = findings(site)
    assert code == 1
    codes = {(f["code"], f["severity"]) for f in found}
    assert ("broken-link", "error") in codes
    assert ("long-title", "warning") in codes and ("unknown-author", "warning") in codes
    broken = [f for f in found if f["code"] == "broken-link"]
    where = "content/articles/broken.md"
    assert {(f["file"], f["line"]) for f in broken} == {
        (where, line_of(site, where, "no-such-slug")), (where, line_of(site, where, "gone.md"))}
    image = [f for f in found if f["file"] == "content/articles/image.md"]
    assert {f["severity"] for f in image} == {"error"}
    assert any("alt" in f["message"] for f in image)
    assert any(f["code"] == "missing-image" for f in image)
    text = run_newsgen("check", site, *NOW)
    assert text.returncode == 1
    assert "error" in text.stderr and "warning" in text.stderr


def test_embargoed_articles_are_checked_with_future(make_site: Callable[..., Path]) -> None:
    site = make_site({"content/articles/later.md": article(
        "Later", "2026-04-01T10:00", body="See [x](article:missing).")})
    assert run_newsgen("check", site, *NOW).returncode == 0
    code, found = findings(site, "--future")
    assert code == 1 and found[0]["code"] == "broken-link"


def test_config_problems_are_findings(make_site: Callable[..., Path]) -> None:
    site = make_site({}, config="title: X\nbase_url: https://x.org\ntimezone: Mars/Base\n")
    code, found = findings(site)
    assert code == 1
    assert found[0]["file"] == "newsgen.yaml" and found[0]["line"] == 3
    missing = run_newsgen("check", site.parent / "nope")
    assert missing.returncode == 2


def test_check_help_has_examples() -> None:
    shown = run_newsgen("check", "--help")
    assert shown.returncode == 0
    for text in ("examples:", "--strict", "--format", "--now", "--quiet", "--verbose"):
        assert text in shown.stdout
