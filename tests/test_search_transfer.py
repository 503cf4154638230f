"""The search benchmark's byte counts (issue #20's "a query's first results transfer <= 150 KB"):
what Chromium received from a raw host and from a real gzipping nginx, so that the figures in
benchmarks/RESULTS.md stay measurements rather than estimates."""

from __future__ import annotations

import runpy
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BASIC_CONFIG
from tests.test_browser import CHROMIUM
from tests.test_search import build, search_site

BENCH = runpy.run_path(str(Path(__file__).parent.parent / "benchmarks" / "search.py"))


@pytest.fixture(scope="module")
def built() -> Iterator[Path]:
    """The search test site, built in a folder of its own under the system temp folder and
    readable by all: nginx's workers run as nobody when root starts it, and pytest's own
    temp folders are private."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed")
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        pytest.skip("nginx is not installed")
    with tempfile.TemporaryDirectory(prefix="newsgen-transfer-") as folder:
        root = Path(folder)
        root.chmod(0o755)
        site = root / "site"
        for name, text in search_site().items():
            (site / name).parent.mkdir(parents=True, exist_ok=True)
            (site / name).write_text(text)
        (site / "newsgen.yaml").write_text(BASIC_CONFIG)
        build(site, root / "out")
        yield root / "out"


def _by_file(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["url"].split("?")[0].split("/", 1)[1]: m for m in found["first"]["files"]}


def test_nginx_gzips_pagefind_js_and_the_count_is_what_was_sent(built: Path) -> None:
    raw = BENCH["query_bytes"](built, "ferry", server="raw")
    hosted = BENCH["query_bytes"](built, "ferry", server="nginx")
    assert raw["first"]["results"] == hosted["first"]["results"] > 0
    raw_files, hosted_files = _by_file(raw), _by_file(hosted)
    assert raw_files.keys() == hosted_files.keys()
    assert raw["first"]["gzipped"] == 0
    for m in raw_files.values():  # uncompressed: the body as sent is the file, plus headers
        assert m["encoded_body"] == m["body"] and m["wire"] > m["body"]
    script = hosted_files["pagefind.js"]
    assert script["gzip"] and script["encoded_body"] < script["body"] / 3
    assert hosted_files["pagefind-entry.json"]["gzip"]
    wasm = next(m for name, m in hosted_files.items() if name.startswith("wasm."))
    assert not wasm["gzip"] and wasm["encoded_body"] == wasm["body"]  # gzip already
    assert hosted["first"]["kb"] < raw["first"]["kb"] - 20
    assert hosted["first"]["body_kb"] == raw["first"]["body_kb"]


def test_compressing_wasm_too_gzips_every_response(built: Path) -> None:
    found = BENCH["query_bytes"](built, "ferry", server="nginx-wasm")
    assert found["first"]["gzipped"] == found["first"]["requests"] > 0
