"""The Nu Html Checker on every page of the demo site: the default theme must be valid HTML.

vnu comes from npm (``npm install vnu-jar`` in the repository root, as CI does) and runs on the
Debian Java. Missing tools fail the test with instructions instead of skipping it: a theme
that was never validated must not pass CI silently.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, npm_file, run_newsgen

DEMO_NOW = "2026-11-29T12:00"
JAR_SUFFIX = Path("node_modules/vnu-jar/build/dist/vnu.jar")


def find_vnu_jar() -> Path:
    return npm_file(JAR_SUFFIX, "VNU_JAR")


def find_java() -> str:
    java = shutil.which("java")
    if not java:
        pytest.fail("java not found on PATH: install a JRE (Debian: apt-get install "
                    "default-jre-headless) to run the Nu Html Checker")
    return java


def build_demo(out: Path) -> Path:
    """The repository's demo site, built at a fixed time into ``out``."""
    result = run_newsgen("build", REPO, "--now", DEMO_NOW, "-o", out, "-q", "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.mark.vnu
def test_every_demo_page_is_valid_html(tmp_path: Path) -> None:
    jar, java = find_vnu_jar(), find_java()
    site = build_demo(tmp_path / "public")
    pages = sorted(p for p in site.rglob("*.html") if p.name != "ticker.html")
    assert len(pages) >= 30, f"the demo site has only {len(pages)} pages: is content/ there?"
    # ticker.html is a fragment for other sites to embed: check each edition's inside a
    # minimal page of that edition's language and direction.
    fragments = []
    for ticker in sorted(site.rglob("ticker.html")):
        front = (ticker.parent / "index.html").read_text(encoding="utf-8")
        lang_dir = front[front.index("<html"):front.index(">", front.index("<html"))]
        fragment = tmp_path / f"ticker-fragment-{ticker.parent.name}.html"
        fragment.write_text(f"<!DOCTYPE html>{lang_dir}><head><meta charset=utf-8>"
                            "<title>Ticker</title></head><body>"
                            + ticker.read_text(encoding="utf-8")
                            + "</body></html>", encoding="utf-8")
        fragments.append(fragment)
    assert len(fragments) == 3, fragments  # the demo's en, fr and ar editions
    checked = [*pages, *fragments, site / "theme" / "style.css"]
    result = subprocess.run(
        [java, "-jar", str(jar), "--errors-only", "--also-check-css", "--format", "json",
         *map(str, checked)],
        capture_output=True, text=True, timeout=300)
    # vnu writes its JSON report to stderr and exits 1 when it found errors.
    report = json.loads(result.stderr or result.stdout)
    errors = [m for m in report["messages"] if m.get("type") in ("error", "non-document-error")]
    listing = "\n".join(
        f"{m.get('url', '?').removeprefix('file:')}:{m.get('lastLine', '?')}: {m['message']}"
        for m in errors[:40])
    assert not errors, f"{len(errors)} HTML errors in {len(checked)} files:\n{listing}"
    for edition in ("fr", "ar"):
        print(f"vnu {edition}: 0 errors in "
              f"{sum(1 for p in pages if p.relative_to(site).parts[0] == edition)} pages")
    print(f"vnu: 0 errors in {len(checked)} files ({len(pages)} pages)")
