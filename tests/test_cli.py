"""The command line as a user runs it (``python -m newsgen`` in a subprocess): exit codes,
messages, defaults, and the output folders it refuses."""

from __future__ import annotations

import importlib
import re
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

import newsgen
from tests.conftest import REPO, article, tree_digest
from tests.conftest import run_newsgen as _run_newsgen

NOW = ("--now", "2026-03-25T12:00")
GOOD = {
    "content/articles/one.md": article("One", "2026-03-20T10:00"),
    "content/articles/two.md": article("Two", "2026-03-21T10:00", section="city"),
    "content/pages/about.md": "---\ntitle: About\n---\n\nUs.\n",
}
SUMMARY = re.compile(r"\b2 articles\b.*\b\d+(\.\d+)? ?s\b")


def run_newsgen(*args: str | Path, cwd: Path | None = None
                ) -> subprocess.CompletedProcess[str]:
    """``python -m newsgen`` from any folder, with this checkout importable even when it is
    not installed."""
    return _run_newsgen(*args, cwd=cwd, env={"PYTHONPATH": str(REPO)})


@pytest.fixture
def site(make_site: Callable[..., Path]) -> Path:
    return make_site(GOOD)


def test_version() -> None:
    result = run_newsgen("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"newsgen {newsgen.__version__}"
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    module, _, name = project["scripts"]["newsgen"].partition(":")
    entry = getattr(importlib.import_module(module), name)
    with pytest.raises(SystemExit) as exited:
        entry(["--version"])
    assert exited.value.code == 0


def test_python_dash_m_builds(site: Path) -> None:
    result = run_newsgen("build", site, *NOW)
    assert result.returncode == 0, result.stderr
    assert (site / "public/index.html").is_file(), "output_dir defaults to public/"


@pytest.mark.parametrize("args", [
    ("build", "--no-such-option"),
    ("frobnicate",),
    ("build", "--now", "yesterday"),
    ("build", "--now", "2026-02-30T10:00"),
    ("build", "a", "b"),
])
def test_usage_errors_exit_2(site: Path, args: tuple[str, ...]) -> None:
    result = run_newsgen(*args, cwd=site)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stderr.strip()
    assert not (site / "public").exists()


def test_missing_site_dir_is_a_usage_error(tmp_path: Path) -> None:
    result = run_newsgen("build", tmp_path / "nowhere")
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_malformed_article_exit_1_with_location_and_old_output_kept(site: Path) -> None:
    assert run_newsgen("build", site, *NOW).returncode == 0
    before = tree_digest(site / "public")
    (site / "content/articles/bad.md").write_text(
        "---\ntitle: Bad\ndate: 2026-03-20T10:00\nsection: world\ntags: [a, b\n---\n\nText.\n")
    (site / "content/articles/worse.md").write_text(
        "---\ntitle: Worse\ndate: not a date\nsection: world\n---\n\nText.\n")
    result = run_newsgen("build", site, *NOW)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert any(re.match(r"content/articles/bad\.md:[5-6]: ", line) for line in lines), lines
    assert any(line.startswith("content/articles/worse.md:3: ") for line in lines), lines
    assert "Traceback" not in result.stderr
    assert tree_digest(site / "public") == before
    leftovers = [p.name for p in site.iterdir() if p.name.startswith(".public.staging")]
    assert leftovers == []


def test_summary_line_at_the_end(site: Path) -> None:
    (site / "content/articles/two.md").write_text(
        article("Two", "2026-03-21T10:00", section="city", authors="[jane-doe]"))
    result = run_newsgen("build", site, *NOW)
    assert result.returncode == 0
    output = (result.stdout + result.stderr).strip().splitlines()
    assert output[0].startswith("content/articles/two.md:"), "the warning comes first"
    assert SUMMARY.search(output[-1]), output


def test_site_dir_defaults_to_the_current_folder(site: Path) -> None:
    result = run_newsgen("build", *NOW, cwd=site)
    assert result.returncode == 0, result.stderr
    assert (site / "public/world/2026/03/one/index.html").is_file()


def test_output_option_relative_to_the_current_folder(site: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    result = run_newsgen("build", site, "-o", "out", *NOW, cwd=work)
    assert result.returncode == 0, result.stderr
    assert (work / "out/index.html").is_file()
    assert not (site / "public").exists()
    result = run_newsgen("build", site, "--output", tmp_path / "abs", *NOW)
    assert result.returncode == 0 and (tmp_path / "abs/index.html").is_file()


def test_output_dir_from_config_is_relative_to_the_site(make_site: Callable[..., Path],
                                                        tmp_path: Path) -> None:
    from tests.conftest import BASIC_CONFIG
    site = make_site(GOOD, config=BASIC_CONFIG + "output_dir: build/html\n")
    result = run_newsgen("build", "site", *NOW, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (site / "build/html/index.html").is_file()


@pytest.mark.parametrize("out", [".", "..", "content", "content/articles/out", "templates",
                                 "static/built", "../.."])
def test_refuses_dangerous_output_folders(site: Path, out: str) -> None:
    (site / "static").mkdir(exist_ok=True)  # templates/ does not exist: refused all the same
    before = tree_digest(site.parent)
    result = run_newsgen("build", ".", "-o", out, *NOW, cwd=site)
    assert result.returncode == 1, (out, result.stderr)
    assert "Traceback" not in result.stderr and "output folder" in result.stderr
    assert tree_digest(site.parent) == before


def test_refuses_dangerous_output_dir_in_config(make_site: Callable[..., Path]) -> None:
    from tests.conftest import BASIC_CONFIG
    site = make_site(GOOD, config=BASIC_CONFIG + "output_dir: content/site\n")
    result = run_newsgen("build", site, *NOW)
    assert result.returncode == 1
    assert result.stderr.startswith("newsgen.yaml")
    assert not (site / "content/site").exists()


def test_refuses_a_non_empty_folder_newsgen_did_not_write(site: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "thesis.txt").write_text("years of work")
    result = run_newsgen("build", site, "-o", foreign, *NOW)
    assert result.returncode == 1 and "not empty" in result.stderr
    assert tree_digest(foreign) == {"thesis.txt": tree_digest(foreign)["thesis.txt"]}
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_newsgen("build", site, "-o", empty, *NOW).returncode == 0


def test_rebuilds_into_its_own_output(site: Path) -> None:
    assert run_newsgen("build", site, *NOW).returncode == 0
    assert (site / "public/.newsgen").is_dir()
    (site / "content/articles/two.md").unlink()
    result = run_newsgen("build", site, *NOW)
    assert result.returncode == 0, result.stderr
    assert not (site / "public/city/2026/03/two").exists()


def test_drafts_and_future_flags(site: Path) -> None:
    (site / "content/articles/draft.md").write_text(article("D", "2026-03-20T10:00",
                                                            draft="true"))
    (site / "content/articles/later.md").write_text(article("L", "2026-03-30T10:00"))
    assert run_newsgen("build", site, *NOW).returncode == 0
    assert not (site / "public/world/2026/03/draft").exists()
    assert not (site / "public/world/2026/03/later").exists()
    assert run_newsgen("build", site, *NOW, "--drafts", "--future").returncode == 0
    assert (site / "public/world/2026/03/draft/index.html").is_file()
    assert (site / "public/world/2026/03/later/index.html").is_file()


def test_now_without_offset_is_in_the_site_zone(site: Path) -> None:
    (site / "content/articles/later.md").write_text(article("L", "2026-03-30T10:00:00+01:00"))
    # 09:30 Lisbon summer time is 08:30 UTC, before 09:00 UTC.
    assert run_newsgen("build", site, "--now", "2026-03-30T09:30").returncode == 0
    assert not (site / "public/world/2026/03/later").exists()
    assert run_newsgen("build", site, "--now", "2026-03-30T10:00").returncode == 0
    assert (site / "public/world/2026/03/later/index.html").is_file()
