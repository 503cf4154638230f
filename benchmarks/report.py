"""The benchmark's one table: timings per tool and size, the machine line, the issue's ratios.

Kept apart from run.py so the table's shape (and the targets of issue #5) live in one place.
"""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from run import ToolRun

SCENARIOS = ("cold", "no-change", "one edit", "new article", "new headline")
MARKER = "<!-- runs: newest first; benchmarks/run.py inserts each run below this line -->"
HEADER = f"""# Benchmark results

Produced by `python benchmarks/run.py` (see benchmarks/README.md for what each number means).
Times are wall-clock seconds, the median of the run's repeats; memory is the peak of the build's
whole process tree in MiB. The machines these runs come from are shared, so check the load
average recorded with each run before comparing runs.

{MARKER}
"""

# (label, newsgen scenario, other tool, its scenario, target ratio) from issue #5
RATIOS = (
    ("newsgen cold / Pelican cold", "cold", "pelican", "cold", 0.35),
    ("newsgen cold / Hugo cold", "cold", "hugo", "cold", 0.8),
    ("newsgen no-change / Hugo cold", "no-change", "hugo", "cold", 1 / 16),
    ("newsgen one edit / Hugo cold", "one edit", "hugo", "cold", 1 / 16),
    ("newsgen new article / Hugo cold", "new article", "hugo", "cold", 0.2),
    ("newsgen new headline / Hugo cold", "new headline", "hugo", "cold", 0.2),
)


def machine_line(versions: dict[str, str], load: tuple[float, float, float]) -> str:
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    tools = ", ".join(f"{name} {version}" for name, version in versions.items())
    now_load = os.getloadavg()
    return (f"{platform.platform()}; {os.cpu_count()} CPUs; RAM {mem}; "
            f"Python {platform.python_version()}; {tools}; load average at start "
            f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}, at end {now_load[0]:.2f}")


def _cell(run: ToolRun, name: str) -> str:
    if name == "new headline" and name not in run.cells:
        return "n/a"
    cell = run.cells.get(name)
    if cell is None:
        return "–"
    if cell.failure:
        return cell.failure.replace("|", "/")
    value = cell.median()
    return "–" if value is None else f"{value:.2f}"


def _peaks(run: ToolRun) -> tuple[str, str]:
    cold = run.cells.get("cold")
    rebuilds = [c.peak() or 0.0 for name, c in run.cells.items() if name != "cold"]
    return ((f"{cold.peak():.0f}" if cold and cold.peak() else "–"),
            (f"{max(rebuilds):.0f}" if any(rebuilds) else "–"))


def timings_table(runs: list[ToolRun]) -> str:
    head = ("| N | tool | cold s | no-change s | one edit s | new article s | new headline s "
            "| peak MiB cold | peak MiB rebuilds | article pages |")
    rows = [head, "|" + "---|" * 10]
    for run in runs:
        if run.failure:
            rows.append(f"| {run.n:,} | {run.tool} | {run.failure.replace('|', '/')} "
                        "| | | | | | | |")
            continue
        cold_peak, rebuild_peak = _peaks(run)
        cells = " | ".join(_cell(run, name) for name in SCENARIOS)
        rows.append(f"| {run.n:,} | {run.tool} | {cells} | {cold_peak} | {rebuild_peak} "
                    f"| {run.article_pages if run.article_pages is not None else '–'} |")
    return "\n".join(rows)


def ratios_table(runs: list[ToolRun]) -> str:
    rows = ["| N | ratio (issue #5 target) | measured | target | met |", "|---|---|---|---|---|"]
    by_key = {(r.n, r.tool): r for r in runs}
    for n in sorted({r.n for r in runs}):
        ours = by_key.get((n, "newsgen"))
        for label, mine, other, theirs, target in RATIOS:
            a = ours.cells.get(mine) if ours else None
            b = by_key[(n, other)].cells.get(theirs) if (n, other) in by_key else None
            x, y = (a.median() if a else None), (b.median() if b else None)
            if x is None or not y:
                rows.append(f"| {n:,} | {label} | – | <= {target:.3g} | no data |")
                continue
            rows.append(f"| {n:,} | {label} | {x / y:.3f} | <= {target:.3g} "
                        f"| {'yes' if x / y <= target else 'no'} |")
        peak = max((c.peak() or 0 for c in ours.cells.values()), default=0) if ours else 0
        limit = 1000 if n >= 100_000 else 300
        verdict = ("yes" if peak <= limit else "no") if peak else "no data"
        rows.append(f"| {n:,} | newsgen peak memory, MiB | {peak:.0f} | <= {limit} | {verdict} |")
    return "\n".join(rows)


# Issue #18's deploy-delta targets: files a rebuild may change (a body edit: 20 plus the
# feeds that show the article, which the table counts apart).
DELTA_TARGETS = {"no-change": 0, "one edit": 20, "new article": 300, "new headline": 50}


def delta_table(runs: list[ToolRun]) -> str:
    """newsgen's deploy delta per rebuild (the largest of the repeats), against #18."""
    rows = ["| N | rebuild | files changed | of which feeds | target | met |",
            "|---|---|---|---|---|---|"]
    for run in runs:
        if run.tool != "newsgen" or run.failure:
            continue
        for name, target in DELTA_TARGETS.items():
            cell = run.cells.get(name)
            if cell is None or not cell.deltas:
                continue
            worst = max(cell.deltas)
            feeds = max(cell.feeds) if cell.feeds else 0
            met = worst - (feeds if name == "one edit" else 0) <= target
            rows.append(f"| {run.n:,} | {name} | {worst} | {feeds} | <= {target}"
                        f"{' + feeds' if name == 'one edit' else ''} | {'yes' if met else 'no'} |")
    return "\n".join(rows)


def render(runs: list[ToolRun], args: Any, versions: dict[str, str],
           load: tuple[float, float, float]) -> str:
    """The run as Markdown: heading with the date, machine line, timings, ratios."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = " ".join(["python benchmarks/run.py", *sys.argv[1:]])
    return (f"## Run of {stamp}\n\n`{command}` (repeat {args.repeat}, seed {args.seed})\n\n"
            f"Machine: {machine_line(versions, load)}\n\n{timings_table(runs)}\n\n"
            f"Targets of issue #5 (they are stated for N = 10,000; smaller N shown for trend):"
            f"\n\n{ratios_table(runs)}\n\nDeploy delta of newsgen's rebuilds (files in "
            f"`.newsgen/changes`; targets of issue #18):\n\n{delta_table(runs)}\n")


def record(path: Path, text: str) -> None:
    """Insert the run at the top of the runs in RESULTS.md, keeping earlier runs and notes."""
    old = path.read_text(encoding="utf-8") if path.exists() else HEADER
    if MARKER not in old:
        old = HEADER + "\n" + old
    head, tail = old.split(MARKER, 1)
    path.write_text(f"{head}{MARKER}\n\n{text}\n{tail.lstrip()}", encoding="utf-8")
