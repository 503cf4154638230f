"""What one search shard costs to index, by its size, and how a corpus is sharded.

    python benchmarks/search_shards.py /tmp/c100k/newsgen --sizes 250,500,1000,2000,3000
    python benchmarks/search_shards.py /tmp/c100k/newsgen --groups    # shards, no indexing
    python benchmarks/search.py SITE --shard-sizes 250,500,1000       # the same, from there

``--sizes`` indexes shards made of the corpus's own articles (the oldest of its fullest
months, read and converted as a build would) through newsgen's own indexer driver
(``distribution.search.index_shard``), one fresh ``pagefind --service`` process a shard,
and reports that process's CPU time (user + system, from /proc/PID/stat) and its peak
resident memory (VmHWM) read just before it exits: both hold on a loaded machine, where
the wall time (printed too) does not. ``--rounds`` repeats the sizes, alternating their
order, for a spread. ``--groups`` loads the corpus's front matter only and prints the
shards today's rules make of it (count, largest, how many over each size): what a reader
who searches the whole archive loads one entry of each. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from newsgen.content.config import load_config
from newsgen.content.loader import load_content
from newsgen.content.models import Article, Site
from newsgen.content.sources import read_body
from newsgen.distribution import search
from newsgen.errors import ProblemList
from newsgen.render.markup import MarkdownConverter

NOW = "2026-11-29T12:00"


def _site(site_dir: Path, articles: list[Article]) -> Site:
    config = load_config(site_dir)
    now = datetime.fromisoformat(NOW).replace(tzinfo=config.timezone)
    shown = tuple(sorted((a for a in articles if a.date <= now), key=lambda a: a.date))
    return Site(config, now, shown, (), (), config.sections, (), ())


def load(site_dir: Path) -> Site:
    """The corpus's published articles, front matter only (no body is read)."""
    config = load_config(site_dir)
    return _site(site_dir, load_content(config, ProblemList()).articles)


def groups(site_dir: Path, caps: list[int]) -> None:
    started = time.perf_counter()
    site = load(site_dir)
    default = search.SHARD_MAX
    try:
        for cap in caps:
            search.SHARD_MAX = cap
            _print_groups(site, f"SHARD_MAX {cap}: ", time.perf_counter() - started)
    finally:
        search.SHARD_MAX = default


def _print_groups(site: Site, label: str, seconds: float) -> None:
    started = time.perf_counter()
    sizes = search.shard_sizes(site)
    grouped = time.perf_counter() - started
    counts = [n for _, n in sizes]
    print(f"{label}{len(site.articles)} articles -> {len(sizes)} shards (loaded in "
          f"{seconds:.0f} s, grouped in {grouped:.3f} s); largest "
          f"{max(counts, default=0)}, median {sorted(counts)[len(counts) // 2]}; over "
          f"500: {sum(n > 500 for n in counts)}, over 1000: {sum(n > 1000 for n in counts)}")
    kinds = Counter(re.sub(r"\d", "N", name) for name, _ in sizes)
    print("  by kind:", ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items())))


def sample(site_dir: Path, largest: int, work: Path) -> Site:
    """A copy of the corpus holding its fullest months until they hold ``largest``
    articles, loaded, each article's body converted as a build converts it."""
    months = Counter(p.parent for p in (site_dir / "content" / "articles").rglob("*.md"))
    (work / "content" / "articles").mkdir(parents=True)
    shutil.copy(site_dir / "newsgen.yaml", work / "newsgen.yaml")
    held = 0
    for folder, count in sorted(months.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        if held >= largest:
            break
        shutil.copytree(folder, work / "content" / "articles" / folder.relative_to(site_dir))
        held += count
    site = load(work)
    converter = MarkdownConverter(site.config.unsafe_html, site.config.url_prefix)
    articles = tuple(replace(a, body_html=converter.convert(
        read_body(site.config, a.source)[0], a.source).html) for a in site.articles)
    return replace(site, articles=articles)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _hwm_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(site: Site, size: int) -> dict[str, float]:
    """One shard of the ``size`` oldest articles of the sample, in a new indexer."""
    articles = site.articles[:size]
    shard = search.Shard(f"bench-{size}", articles, "")
    started = time.perf_counter()
    with search.Indexer() as indexer:
        files = search.index_shard(indexer, site, shard)
        pid = indexer._process.pid  # noqa: SLF001 - the harness reads its /proc entry
        cpu, peak = _cpu_seconds(pid), _hwm_mib(pid)
    opened = [data for path, data in files if _OPENED.search(path)]
    return {"records": len(articles), "cpu": cpu, "peak_mib": peak,
            "wall": time.perf_counter() - started, "files": len(files),
            "bytes": sum(len(data) for _, data in files), "opened": sum(map(len, opened))}


# What the search page fetches of every shard it merges, whatever the query: its entry, its
# metadata and its filters (the page filters every query by shard).
_OPENED = re.compile(r"/(pagefind-entry\.json|pagefind\.[^/]*\.pf_meta|filter/[^/]*)$")


def shard_costs(site_dir: Path, sizes: list[int], rounds: int = 1) -> None:
    work = Path(tempfile.mkdtemp(prefix="newsgen-shard-bench-"))
    try:
        started = time.perf_counter()
        site = sample(site_dir, max(sizes), work / "site")
        print(f"sample: {len(site.articles)} articles, read and converted in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
        for round_ in range(rounds):
            for size in sizes if round_ % 2 == 0 else sizes[::-1]:
                m = measure(site, size)
                print(f"{m['records']:>5.0f} records: indexer CPU {m['cpu']:6.2f} s, peak RSS "
                      f"{m['peak_mib']:5.0f} MiB, wall {m['wall']:6.2f} s, "
                      f"{m['files']:.0f} files, {m['bytes'] / 1e6:.2f} MB; entry, metadata and "
                      f"filters {m['opened'] / 1024:.1f} KiB", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="a generated site (benchmarks/generate.py)")
    parser.add_argument("--sizes", default="250,500,1000,2000,3000",
                        help="records a shard holds, comma-separated")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--groups", action="store_true",
                        help="print the corpus's shards instead of indexing")
    parser.add_argument("--caps", default=str(search.SHARD_MAX),
                        help=f"with --groups: the SHARD_MAX values to group by, "
                        f"comma-separated (default {search.SHARD_MAX})")
    args = parser.parse_args(argv)
    if args.groups:
        groups(args.site, [int(n) for n in args.caps.split(",")])
    else:
        shard_costs(args.site, [int(n) for n in args.sizes.split(",")], args.rounds)


if __name__ == "__main__":
    sys.exit(main())
