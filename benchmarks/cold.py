"""Cold builds only, alternated: newsgen (search on and off) against Hugo, round by round.

``run.py --cold-only`` lands here. The full run measures each tool's repeats back to back,
so a tool that happens to run while the machine is busy loses; on a shared machine that
decides a ratio near its target. Here every round builds each variant once, in an order
that rotates from round to round, and every build records the load average when it started,
its wall time, its CPU seconds (user + system of the build and the processes it reaped: less
sensitive to other users than wall time) and its peak memory. Hugo builds no search index,
so newsgen runs both with its default search and with ``search: false``: the like-with-like
comparison is the second.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path

import generate as gen
from tools import BENCH, Hugo, Newsgen, Tool, Venv

TARGET = 0.75  # issue #18: newsgen cold <= 0.75 x Hugo cold at 10,000 articles


def measure_result(tool: Tool, cold: bool, python: str, timeout: float) -> dict[str, float]:
    """One build in a fresh measurement child (see measure.py); raises RuntimeError with a
    short reason when the harness or the build fails."""
    cmd = [python, str(BENCH / "measure.py"), str(timeout), str(tool.cwd), "--",
           *tool.command(cold)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError("harness: " + (done.stderr.strip().splitlines() or ["?"])[-1])
    result = json.loads(done.stdout)
    if result["rc"] != 0:
        reason = "timeout" if result["rc"] == "timeout" else f"exit {result['rc']}"
        lines = [ln for ln in result["stderr"].splitlines() if ln.strip()]
        raise RuntimeError(f"{reason}: {lines[-1][:140] if lines else 'no message'}")
    return result


@dataclass
class Sample:
    label: str
    round: int
    load: float  # 1-minute load average when the build started
    seconds: float
    cpu: float
    sys: float  # of which system time
    peak: float
    pages: int


def variants(venv: Venv, corpus: Path, out: Path, templates: str, search: str) -> list[Tool]:
    """newsgen with search on and off (``search``: both, on or off), then Hugo."""
    tools: list[Tool] = []
    if search in ("both", "on"):
        tools.append(Newsgen(venv, corpus / "newsgen", out / "newsgen", templates))
    if search in ("both", "off"):
        tools.append(Newsgen(venv, corpus / "newsgen", out / "newsgen-nosearch", templates,
                             search=False))
    return [*tools, Hugo(venv, corpus / "hugo", out / "hugo", templates)]


def compare(args: argparse.Namespace, venv: Venv) -> str:
    """Every size: generate the corpus, then ``--repeat`` rounds of one cold build each."""
    parts = []
    for n in args.sizes:
        corpus, out = args.work / f"corpus-{n}", args.work / f"out-{n}"
        if not (corpus / "newsgen" / "newsgen.yaml").exists():  # same seed: same corpus
            gen.generate(n, corpus, args.seed)
        tools = variants(venv, corpus, out, args.templates, args.search)
        for tool in tools:
            tool.prepare()
        samples = []
        for k in range(args.repeat):
            for tool in tools[k % len(tools):] + tools[:k % len(tools)]:
                tool.configure()
                tool.reset()
                os.sync()
                load = os.getloadavg()[0]
                print(f"  N={n} round {k + 1}: {tool.label} (load {load:.2f})", flush=True)
                result = measure_result(tool, True, venv.measure_python(), args.timeout)
                samples.append(Sample(tool.label, k + 1, load, result["seconds"],
                                      result["cpu_seconds"], result["sys_seconds"],
                                      result["peak_mb"], tool.article_pages()))
        parts.append(table(n, args.templates, samples))
    return "\n".join(parts)


def table(n: int, templates: str, samples: list[Sample]) -> str:
    rows = [f"N = {n:,}, templates: {templates}", "",
            "| round | build | load (1 min) at start | wall s | CPU s (user+sys) | of which sys "
            "| peak MiB | article pages |", "|---|---|---|---|---|---|---|---|"]
    rows += [f"| {s.round} | {s.label} | {s.load:.2f} | {s.seconds:.2f} | {s.cpu:.2f} "
             f"| {s.sys:.2f} | {s.peak:.0f} | {s.pages} |" for s in samples]
    medians = {}
    for label in dict.fromkeys(s.label for s in samples):
        mine = [s for s in samples if s.label == label]
        medians[label] = (statistics.median(s.seconds for s in mine),
                          statistics.median(s.cpu for s in mine))
    rows += ["", "| build | median wall s | median CPU s | wall / Hugo | CPU / Hugo "
             f"| wall target <= {TARGET} |", "|---|---|---|---|---|---|"]
    hugo_wall, hugo_cpu = medians.get("hugo", (0.0, 0.0))
    for label, (wall, cpu) in medians.items():
        if label == "hugo" or not hugo_wall:
            rows.append(f"| {label} | {wall:.2f} | {cpu:.2f} | | | |")
            continue
        ratio = wall / hugo_wall
        rows.append(f"| {label} | {wall:.2f} | {cpu:.2f} | {ratio:.3f} "
                    f"| {cpu / hugo_cpu:.3f} | {'met' if ratio <= TARGET else 'not met'} |")
    return "\n".join(rows) + "\n"
