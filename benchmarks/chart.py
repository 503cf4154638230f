"""The harness's chart: build time against archive size, newsgen and Hugo, cold and one new
article, as an SVG that a README or RESULTS.md can show (issue #18).

Built as data with ElementTree (no string templates), on log-log axes: sizes span 1,000 to
100,000 articles and times 0.1 s to minutes.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from run import ToolRun

SVG = "http://www.w3.org/2000/svg"
WIDTH, HEIGHT = 640, 400
LEFT, RIGHT, TOP, BOTTOM = 70, 190, 30, 50
# (tool, scenario, colour, dashed)
SERIES = (
    ("newsgen", "cold", "#b5121b", False),
    ("hugo", "cold", "#1f5fa8", False),
    ("newsgen", "new article", "#b5121b", True),
    ("hugo", "new article", "#1f5fa8", True),
)


def points(runs: Sequence[ToolRun], tool: str, scenario: str) -> list[tuple[int, float]]:
    """(articles, median seconds) of one tool's scenario at every size that has it."""
    found = []
    for run in runs:
        cell = run.cells.get(scenario) if run.tool == tool and not run.failure else None
        value = cell.median() if cell else None
        if value:
            found.append((run.n, value))
    return sorted(found)


def _scale(low: float, high: float, start: float, end: float):  # type: ignore[no-untyped-def]
    """A log-scale mapping of [low, high] onto [start, end] (pixels)."""
    span = math.log10(high) - math.log10(low) or 1.0
    return lambda v: start + (math.log10(v) - math.log10(low)) / span * (end - start)


def _decades(low: float, high: float) -> list[float]:
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    return [10.0 ** k for k in range(first, last + 1)]


def chart(runs: Sequence[ToolRun], title: str) -> ET.Element:
    """The SVG element; an empty chart (axes and a note) when no series has two sizes."""
    series = [(tool, name, colour, dashed, points(runs, tool, name))
              for tool, name, colour, dashed in SERIES]
    values = [p for *_rest, pts in series for p in pts]
    sizes = [n for n, _ in values] or [1000, 10000]
    times = [t for _, t in values] or [1.0, 10.0]
    xs, ys = _decades(min(sizes), max(sizes)), _decades(min(times), max(times))
    x = _scale(xs[0], xs[-1], LEFT, WIDTH - RIGHT)
    y = _scale(ys[0], ys[-1], HEIGHT - BOTTOM, TOP)
    root = ET.Element("svg", xmlns=SVG, width=str(WIDTH), height=str(HEIGHT),
                      viewBox=f"0 0 {WIDTH} {HEIGHT}", role="img")
    ET.SubElement(root, "title").text = title
    ET.SubElement(root, "rect", width=str(WIDTH), height=str(HEIGHT), fill="#ffffff")
    style = {"font-family": "sans-serif", "font-size": "12", "fill": "#222222"}
    _axes(root, xs, ys, x, y, style)
    ET.SubElement(root, "text", x=str(LEFT), y="18", **{**style, "font-size": "14"}).text = title
    for index, (tool, name, colour, dashed, pts) in enumerate(series):
        _line(root, pts, x, y, colour, dashed)
        ly = TOP + 10 + 20 * index
        lx = WIDTH - RIGHT + 15
        ET.SubElement(root, "line", x1=str(lx), y1=str(ly), x2=str(lx + 24), y2=str(ly),
                      stroke=colour, **{"stroke-width": "2"},
                      **({"stroke-dasharray": "6 4"} if dashed else {}))
        ET.SubElement(root, "text", x=str(lx + 30), y=str(ly + 4), **style).text = \
            f"{tool}, {name}"
    return root


def _axes(root: ET.Element, xs: list[float], ys: list[float], x, y,  # type: ignore[no-untyped-def]
          style: dict[str, str]) -> None:
    grid = {"stroke": "#dddddd", "stroke-width": "1"}
    for value in xs:
        px = f"{x(value):.1f}"
        ET.SubElement(root, "line", x1=px, x2=px, y1=str(TOP), y2=str(HEIGHT - BOTTOM), **grid)
        ET.SubElement(root, "text", x=px, y=str(HEIGHT - BOTTOM + 18),
                      **{**style, "text-anchor": "middle"}).text = f"{value:,.0f}"
    for value in ys:
        py = f"{y(value):.1f}"
        ET.SubElement(root, "line", x1=str(LEFT), x2=str(WIDTH - RIGHT), y1=py, y2=py, **grid)
        label = f"{value:g} s" if value >= 1 else f"{value:.1f} s"
        ET.SubElement(root, "text", x=str(LEFT - 8), y=py,
                      **{**style, "text-anchor": "end", "dominant-baseline": "middle"}
                      ).text = label
    ET.SubElement(root, "text", x=str((LEFT + WIDTH - RIGHT) / 2), y=str(HEIGHT - 12),
                  **{**style, "text-anchor": "middle"}).text = "articles in the archive"


def _line(root: ET.Element, pts: list[tuple[int, float]], x, y,  # type: ignore[no-untyped-def]
          colour: str, dashed: bool) -> None:
    if not pts:
        return
    coords = " ".join(f"{x(n):.1f},{y(t):.1f}" for n, t in pts)
    ET.SubElement(root, "polyline", points=coords, fill="none", stroke=colour,
                  **{"stroke-width": "2"}, **({"stroke-dasharray": "6 4"} if dashed else {}))
    for n, t in pts:
        ET.SubElement(root, "circle", cx=f"{x(n):.1f}", cy=f"{y(t):.1f}", r="3", fill=colour)


def write(runs: Sequence[ToolRun], path: Path, title: str) -> None:
    tree = ET.ElementTree(chart(runs, title))
    ET.indent(tree)
    path.write_bytes(ET.tostring(tree.getroot(), encoding="utf-8", xml_declaration=True)
                     + b"\n")
