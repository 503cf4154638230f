"""``newsgen init``: a commented skeleton that builds at once, and refuses to overwrite."""

from __future__ import annotations

import subprocess
from pathlib import Path

import lxml.html
import yaml

from newsgen.content.config import KNOWN_KEYS
from tests.conftest import REPO
from tests.conftest import run_newsgen as _run_newsgen

NOW = ("--now", "2026-03-25T12:00")


def run_newsgen(*args: str | Path, cwd: Path | None = None
                ) -> subprocess.CompletedProcess[str]:
    return _run_newsgen(*args, cwd=cwd, env={"PYTHONPATH": str(REPO)})


def test_init_writes_a_site_that_builds_and_checks_clean(tmp_path: Path) -> None:
    site = tmp_path / "paper"
    result = run_newsgen("init", site, "--timezone", "Europe/Lisbon", "--title",
                         "The Harbour Post", *NOW)
    assert result.returncode == 0, result.stderr
    assert (site / "content/articles/2026/03/welcome-to-the-newsroom.md").is_file()
    assert (site / "content/headlines/2026-03-25.yaml").is_file()
    assert (site / "content/pages/about.md").is_file()
    ignored = (site / ".gitignore").read_text().split()
    assert "/public/" in ignored and "/.newsgen-cache/" in ignored

    built = run_newsgen("build", site, *NOW)
    assert built.returncode == 0, built.stderr
    assert "warning" not in built.stderr
    subprocess.run(["git", "init", "-q"], cwd=site, check=True)
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"],
                            cwd=site, check=True, capture_output=True, text=True).stdout
    untracked = [line[3:] for line in status.splitlines()]  # the build left nothing to add
    assert untracked and all(p.startswith(("content/", "static/")) or p in (
        ".gitignore", "newsgen.yaml") for p in untracked), untracked
    front = lxml.html.parse(str(site / "public/index.html")).getroot()
    assert "The Harbour Post" in front.findtext(".//title")
    assert front.xpath("//a[contains(., 'Welcome to the newsroom')]")
    assert (site / "public/about/index.html").is_file()
    checked = run_newsgen("check", site, "--strict", *NOW)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout == ""


def test_init_config_explains_every_key(tmp_path: Path) -> None:
    site = tmp_path / "paper"
    assert run_newsgen("init", site, *NOW).returncode == 0
    text = (site / "newsgen.yaml").read_text()
    config = yaml.safe_load(text)
    assert set(config) == set(KNOWN_KEYS)
    nested = {"ticker": "size", "feeds": "size", "markdown": "unsafe_html",
              "limits": "file_size", "news": "publication_name"}
    for key, sub in nested.items():
        assert sub in config[key], key
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line and not line.startswith((" ", "#", "-")):
            assert lines[index - 1].startswith("#"), f"no comment above {line!r}"


def test_init_now_is_read_in_the_new_sites_zone(tmp_path: Path) -> None:
    site = tmp_path / "kiribati"
    now = ("--now", "2026-03-25T23:30")  # 25 March in Kiritimati (UTC+14)
    assert run_newsgen("init", site, "--timezone", "Pacific/Kiritimati", *now).returncode == 0
    assert (site / "content/headlines/2026-03-25.yaml").is_file()
    built = run_newsgen("build", site, *now)
    assert built.returncode == 0, built.stderr
    assert "built 1 article," in built.stderr


def test_init_builds_from_another_folder_with_the_default_clock(tmp_path: Path) -> None:
    assert run_newsgen("init", "paper", cwd=tmp_path).returncode == 0
    built = run_newsgen("build", cwd=tmp_path / "paper")
    assert built.returncode == 0, built.stderr
    assert "built 1 article," in built.stderr


def test_init_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    result = run_newsgen("init", tmp_path, *NOW)
    assert result.returncode == 1
    assert "not empty" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_init_accepts_an_empty_folder_and_refuses_a_bad_zone(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert run_newsgen("init", tmp_path / "empty", *NOW).returncode == 0
    bad = run_newsgen("init", tmp_path / "other", "--timezone", "Mars/Olympus", *NOW)
    assert bad.returncode == 1
    assert "Mars/Olympus" in bad.stderr
    assert not (tmp_path / "other").exists()
    url = run_newsgen("init", tmp_path / "other", "--base-url", "news.example.org", *NOW)
    assert url.returncode == 1 and "http(s)" in url.stderr
    assert not (tmp_path / "other").exists()


def test_init_help_has_examples_and_quiet_is_quiet(tmp_path: Path) -> None:
    shown = run_newsgen("init", "--help")
    assert shown.returncode == 0
    assert "examples:" in shown.stdout and "newsgen init mypaper" in shown.stdout
    assert "--quiet" in shown.stdout and "--verbose" in shown.stdout
    quiet = run_newsgen("init", tmp_path / "q", "--quiet", *NOW)
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""
    verbose = run_newsgen("init", tmp_path / "v", "--verbose", *NOW)
    assert "newsgen.yaml" in verbose.stderr
    assert run_newsgen("init").returncode == 2
