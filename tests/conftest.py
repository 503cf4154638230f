"""Shared fixtures: small sites built in temporary folders, and the CLI run as a subprocess."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def pytest_configure(config: pytest.Config) -> None:
    """Let the processes the tests start see Ctrl-C. A suite started as a background job
    of a non-interactive shell (``bash .ci/run > log &``) inherits SIGINT ignored, and an
    ignored signal stays ignored across exec: ``newsgen serve`` then never sees the SIGINT
    its tests send. A handled signal is reset to the default in a child, so handling it
    here is enough."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)

BASIC_CONFIG = """\
title: Test Gazette
base_url: https://gazette.example.org
timezone: Europe/Lisbon
sections:
  - {id: world, title: World}
  - {id: city, title: City}
authors:
  ana: {name: Ana Lima, bio: Covers the city.}
  rui: {name: Rui Costa}
"""
NEWEST = "pagination: {order: newest}\n"  # today's URLs: page k holds the k-th newest chunk


def article(title: str = "A story", date: str = "2026-03-20T10:00", section: str = "world",
            body: str = "Some text.", **extra: str) -> str:
    """Front matter + body for one article; extra keys are written as given (YAML text)."""
    lines = ["---", f"title: {title}", f"date: {date}", f"section: {section}"]
    lines += [f"{key}: {value}" for key, value in extra.items()]
    lines += ["---", "", body, ""]
    return "\n".join(lines)


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Path]:
    """Write a site from a {relative path: text or bytes} map; newsgen.yaml defaults to
    BASIC_CONFIG. Returns the site folder."""

    def make(files: dict[str, str | bytes] | None = None, config: str | None = BASIC_CONFIG,
             name: str = "site") -> Path:
        root = tmp_path / name
        root.mkdir(parents=True, exist_ok=True)
        if config is not None:
            (root / "newsgen.yaml").write_text(config, encoding="utf-8")
        for relative, data in (files or {}).items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                path.write_bytes(data)
            else:
                path.write_text(textwrap.dedent(data) if data.startswith("\n") else data,
                                encoding="utf-8")
        return root

    return make


def run_newsgen(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None,
                timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``python -m newsgen`` as a user would, capturing output."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "newsgen", *map(str, args)], cwd=cwd,
                          env=full_env, capture_output=True, text=True, timeout=timeout)


CHANGES = ".newsgen/changes"  # the last build's deploy delta: a log, not output
_TICKER_BLOCK = re.compile(rb'<section class="ticker".*?</section>', re.S)


def tree_digest(root: Path, older_ticker: Callable[[str], bool] | None = None
                ) -> dict[str, str]:
    """Every file under ``root`` (including dot folders) with the hash of its bytes, but for
    ``.newsgen/changes``. ``older_ticker``: the pages that may carry the ticker of their last
    build (README, "The ticker"), whose ticker block is left out of their hash."""
    result = {}
    if not root.exists():
        return result
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and not path.is_symlink() and relative != CHANGES:
            data = path.read_bytes()
            if older_ticker and relative.endswith(".html") and older_ticker(relative):
                data = _TICKER_BLOCK.sub(b"<!-- ticker of an earlier build -->", data)
            elif older_ticker and relative == ".newsgen/manifest.json":
                # the same files; the digests and sizes of those pages follow their ticker
                manifest = json.loads(data)
                data = json.dumps({k: v if not k.endswith(".html") or not older_ticker(k)
                                   else None for k, v in manifest.items()}).encode()
            result[relative] = hashlib.sha256(data).hexdigest()
    return result


def older_ticker_allowed(site: Path) -> Callable[[str], bool]:
    """The contract of ``ticker.embed: live``: every page but the front page and the section
    fronts may keep the ticker of its last build."""
    from newsgen.content.config import load_config

    config = load_config(site)
    if config.ticker_embed != "live":
        return lambda relative: False
    fronts = [""] + [f"{e.tag}/" for e in config.editions[1:]]  # each edition's (languages:)
    current = {f"{front}index.html" for front in fronts} | {
        f"{front}{s.id}/index.html" for front in fronts for s in config.sections}
    return lambda relative: relative not in current


NPM_PACKAGES = ("vnu-jar", "axe-core")  # what the HTML-validation and browser tests run


def npm_file(suffix: Path, variable: str) -> Path:
    """A file of an npm package the tests run: ``$variable``, else ``node_modules`` in the
    repository root or /tmp. Missing and with npm on PATH, the packages are installed in the
    repository root first (as ``.ci/run`` does), so ``pytest`` alone works on a machine that
    has npm; without npm the test fails, saying what to install."""
    candidates = [Path(os.environ[variable])] if os.environ.get(variable) else []
    candidates += [REPO / suffix, Path("/tmp") / suffix]

    def found() -> Path | None:
        return next((c for c in candidates if c.is_file()), None)
    if found() is None and not os.environ.get(variable) and shutil.which("npm"):
        _npm_install()
    path = found()
    if path is None:
        pytest.fail(f"{suffix.name} not found: run `npm install {' '.join(NPM_PACKAGES)}` in "
                    f"the repository root or set {variable} (looked in "
                    f"{', '.join(map(str, candidates))})")
    return path


@functools.cache
def _npm_install() -> None:
    """Once per test run: a failed install is not tried again by every test that asks."""
    subprocess.run(["npm", "install", "--no-save", "--no-audit", "--no-fund",
                    "--loglevel=error", *NPM_PACKAGES], cwd=REPO, check=False,
                   capture_output=True, timeout=600)
