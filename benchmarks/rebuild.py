"""Rebuilds of one large corpus, one change and one timed build at a time (issue #18).

``run.py --large`` measures every scenario from a cold build each time, which at 100,000
articles takes most of an hour a repeat. This script keeps one corpus and its output and
applies the harness's own changes to them (generate.py: an edited article, a new article, a
new headline), one timed newsgen build after each, as a newsroom's day goes:

    python benchmarks/generate.py 100000 /tmp/c100k        # the corpus (newsgen/, hugo/...)
    python benchmarks/rebuild.py /tmp/c100k/newsgen /tmp/o100k cold
    python benchmarks/rebuild.py /tmp/c100k/newsgen /tmp/o100k none edit article headline \\
        --repeat 3 --first 60

Each build prints one JSON line: wall seconds, CPU seconds (user + system of the build and
every process it started), peak memory of the process tree (MB, sampled as run.py does),
files in the deploy delta (``.newsgen/changes``) and feeds among them, the build's own
summary line, and the load average when it started. ``--first K`` numbers the changes from K:
articles and headlines are new only once per number, so a later run takes higher numbers.
``cold`` removes the cache and the output first.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate as gen  # noqa: E402  (the harness's module sits beside this file)

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SCENARIOS = ("cold", "none", "edit", "article", "headline")


def change(site: Path, out: Path, scenario: str, k: int, room: gen.Newsroom | None) -> None:
    """Apply change number ``k`` of ``scenario`` to the site (``cold``: start over)."""
    if scenario == "cold":
        shutil.rmtree(site / ".newsgen-cache", ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        for kind in ("spare", "staging", "state"):
            target = out.parent / f".{out.name}.{kind}"
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
    elif scenario == "edit" and room is not None:
        a = room.articles[len(room.articles) // 2]
        body = a.body + f"\nCorrection {k}: an earlier version misstated a figure.\n"
        gen.write_article("newsgen", site, replace(a, body=body), room.authors)
    elif scenario == "article" and room is not None:
        extra = gen.extra_article(room, k)
        if gen.article_path("newsgen", site, extra).exists():
            # an earlier run added article k: writing it again changes nothing, and the
            # build measured would be a no-op counted as a new article
            raise SystemExit(f"rebuild.py: article {k} is in {site} already; start the "
                             "numbers past every earlier run's (--first)")
        gen.write_article("newsgen", site, extra, room.authors)
    elif scenario == "headline":
        # at the corpus's "now", titled to sort first: each one enters the ticker's top
        number = f"{100_000 - k:06d}"
        title = f"Breaking: {number} update"
        day = gen.headline_file("newsgen", site, gen.NOW.strftime("%Y-%m-%d"))
        earlier = re.findall(r'"Breaking: (\S+) update"', day.read_text(encoding="utf-8")) \
            if day.exists() else []
        if any(other <= number for other in earlier):
            # one of an earlier run's sorts first: the ticker's top would not change, and a
            # no-op would be counted as a headline
            raise SystemExit(f"rebuild.py: headline {k} would not top the ticker of {site}; "
                             "start the numbers past every earlier run's (--first)")
        gen.write_headline("newsgen", site, {"time": gen.NOW.strftime("%Y-%m-%dT%H:%M"),
                                             "title": title})


def build(site: Path, out: Path, profile: str | None) -> dict[str, object]:
    """One build as run.py measures it: in a fresh measurement child (``measure.py``, so that
    its peak covers this build alone), after the change has reached the disk and left the
    racy-mtime window (as a checkout's files have)."""
    time.sleep(2.1)
    os.sync()
    cmd = [sys.executable, *(["-m", "cProfile", "-o", profile] if profile else []),
           "-m", "newsgen", "build", str(site), "-o", str(out), "--now", gen.NOW_ARG]
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, str(BENCH / "measure.py"), "7200", str(REPO), "--",
                           *cmd], capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(done.stdout)
    changes = (out / ".newsgen" / "changes").read_text().splitlines() \
        if (out / ".newsgen" / "changes").exists() else []
    said = [line for line in str(result["stderr"]).splitlines() if line.startswith(
        ("built ", "nothing changed"))]
    # measure.py's own CPU (its memory sampling) is in the difference unless it reports
    # the build's alone
    cpu = result.get("cpu", after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return {"wall": round(float(result["seconds"]), 2), "cpu": round(float(cpu), 2),
            "peak_mb": round(float(result["peak_mb"])), "rc": result["rc"],
            "changed": len(changes),
            "feeds": sum(line.endswith(("rss.xml", "atom.xml")) for line in changes),
            "said": said[-1][:200] if said else str(result["stderr"])[-200:],
            "load": round(load, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="the newsgen corpus (generate.py's newsgen/)")
    parser.add_argument("out", type=Path, help="its output folder")
    parser.add_argument("scenarios", nargs="+", choices=SCENARIOS)
    parser.add_argument("--repeat", type=int, default=1, help="builds per scenario")
    parser.add_argument("--first", type=int, default=1, help="number of the first change")
    parser.add_argument("--n", type=int, default=100_000, help="the corpus's article count")
    parser.add_argument("--seed", type=int, default=5, help="the corpus's seed")
    parser.add_argument("--profile", help="cProfile the builds' parent into FILE-<k>.prof")
    args = parser.parse_args(argv)
    needs_room = {"edit", "article"} & set(args.scenarios)
    room = gen.make_newsroom(args.n, args.seed) if needs_room else None
    k = args.first
    for scenario in args.scenarios:
        for _ in range(args.repeat):
            change(args.site, args.out, scenario, k, room)
            profile = f"{args.profile}-{k}.prof" if args.profile else None
            print(json.dumps({"scenario": scenario, "k": k,
                              **build(args.site, args.out, profile)}), flush=True)
            k += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
