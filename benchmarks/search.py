"""Search index figures for one generated corpus (``generate.py``): cold build time with and
without search, index time, the indexer's peak memory, index size, a new article's
re-indexing, and the bytes a query transfers in Chromium (its first results, and every
shard once the reader has asked for all older stories).

    python benchmarks/generate.py 1000 /tmp/corpus
    python benchmarks/search.py /tmp/corpus/newsgen --word ferry
    python benchmarks/search.py /tmp/corpus/newsgen --no-baseline   # 100k: skip search: false
    python benchmarks/search.py --query-only OUT --word ferry          # a built output
    python benchmarks/search.py --query-only OUT --word port --edition fr   # /fr/search/

Builds run as ``python -m newsgen build`` subprocesses on a copy of the corpus. Memory is the
high-water mark (VmHWM) of the newsgen process and of the ``pagefind --service`` process it
starts, polled from /proc every 20 ms (Linux only).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

NOW = "2026-11-29T12:00"
NEW_ARTICLE = """---
title: Harbour pilots agree new night rota
date: 2026-11-29T11:30
section: city
authors: [Staff reporter]
---

Harbour pilots agreed a new night rota with the port authority on Saturday. The quokkafence
clause lets crews swap shifts.
"""


def _hwm_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{pid}$", text, re.MULTILINE) and \
                re.search(r"^Name:\s+pagefind", text, re.MULTILINE):
            found.append(int(status.parent.name))
    return found


def build(site: Path, out: Path, *extra: str) -> dict[str, Any]:
    """One build; wall seconds, peak MiB of newsgen and of the indexer, its summary."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "newsgen", "build", str(site), "-o",
                                str(out), "--now", NOW, *extra], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    peaks = {"newsgen": 0, "pagefind": 0}
    while process.poll() is None:
        peaks["newsgen"] = max(peaks["newsgen"], _hwm_kib(process.pid))
        for child in _children(process.pid):
            peaks["pagefind"] = max(peaks["pagefind"], _hwm_kib(child))
        time.sleep(0.02)
    _, err = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(err)
    indexed = re.search(r"search index: (\d+) shards? indexed in ([\d.]+) s", err)
    return {"seconds": seconds, "newsgen_mib": peaks["newsgen"] / 1024,
            "pagefind_mib": peaks["pagefind"] / 1024,
            "shards": int(indexed[1]) if indexed else 0,
            "index_seconds": float(indexed[2]) if indexed else 0.0}


def index_size(out: Path) -> tuple[int, int]:
    files = [p for p in (out / "pagefind").rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def _sizes(fetched: list[tuple[str, bytes]]) -> dict[str, float]:
    """Bytes as served here (no compression), and as a host that gzips JavaScript and JSON
    would send them (Pagefind's other files are gzip or wasm already)."""
    raw = sum(len(body) for _, body in fetched)
    hosted = sum(len(gzip.compress(body, 6)) if url.split("?")[0].endswith((".js", ".json"))
                 else len(body) for url, body in fetched)
    return {"kib": raw / 1024, "gzip_kib": hosted / 1024, "requests": len(fetched)}


def query_bytes(out: Path, word: str, edition: str = "") -> dict[str, Any]:
    """What one query typed in Chromium fetches from /pagefind/: for its first results, then
    after asking for older stories until every shard is searched."""
    from playwright.sync_api import sync_playwright
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    fetched: list[tuple[str, bytes]] = []
    wait = "s => document.getElementById('search-status').textContent !== s"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--headless", "--disable-gpu"])
            page = browser.new_page()
            page.on("response", lambda r: fetched.append((r.url, r.body()))
                    if "/pagefind/" in r.url else None)
            prefix = f"/{edition}" if edition else ""
            started = time.perf_counter()
            page.goto(f"http://127.0.0.1:{server.server_port}{prefix}/search/?q={word}")
            page.wait_for_function(wait, arg="", timeout=300_000)
            page.wait_for_load_state("networkidle")
            first = {**_sizes(fetched), "seconds": time.perf_counter() - started,
                     "results": page.locator(".search-result").count(),
                     "status": page.locator("#search-status").inner_text()}
            started = time.perf_counter()
            while page.locator(".search-older").is_visible():
                shown = page.locator("#search-status").inner_text()
                page.locator(".search-older").click()
                page.wait_for_function(wait, arg=shown, timeout=600_000)
            page.wait_for_load_state("networkidle")
            every = {**_sizes(fetched), "seconds": time.perf_counter() - started,
                     "status": page.locator("#search-status").inner_text()}
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return {"first": first, "all": every}


def report_query(out: Path, word: str, edition: str = "") -> None:
    found = query_bytes(out, word, edition)
    for name, q in found.items():
        print(f"query '{word}', {name}: {q['kib']:.0f} KiB from /pagefind/ in "
              f"{q['requests']} requests ({q['gzip_kib']:.0f} KiB with JS/JSON gzipped), "
              f"{q['seconds']:.1f} s; {q['status']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="a generated site, or with --query-only an "
                        "output folder")
    parser.add_argument("--word", default="ferry")
    parser.add_argument("--edition", default="", help="with --query-only: search this "
                        "edition's page (fr for /fr/search/); the default edition without")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the cold build without search")
    parser.add_argument("--query-only", action="store_true")
    args = parser.parse_args()
    if args.query_only:
        report_query(args.site, args.word, args.edition)
        return
    work = Path(tempfile.mkdtemp(prefix="newsgen-search-bench-"))
    try:
        on, off = work / "on", work / "off"
        shutil.copytree(args.site, on, ignore=shutil.ignore_patterns(".newsgen-cache"))
        if not args.no_baseline:
            shutil.copytree(args.site, off, ignore=shutil.ignore_patterns(".newsgen-cache"))
            (off / "newsgen.yaml").write_text((off / "newsgen.yaml").read_text()
                                              + "search: false\n")
            without = build(off, work / "out-off")  # cold too: no cache yet
            print(f"cold without search: {without['seconds']:.2f} s, newsgen peak "
                  f"{without['newsgen_mib']:.0f} MiB", flush=True)
            shutil.rmtree(work / "out-off")
        cold = build(on, work / "out")  # with the cache, for the rebuild below
        size, files = index_size(work / "out")
        time.sleep(2.1)  # newsgen trusts no mtime younger than 2 s
        (on / "content" / "articles" / "bench-new.md").write_text(NEW_ARTICLE)
        new = build(on, work / "out")
        ratio = cold['seconds'] / without['seconds'] if not args.no_baseline else 0.0
        print(f"cold with search:    {cold['seconds']:.2f} s ({ratio:.2f}x), "
              f"{cold['shards']} shards indexed in {cold['index_seconds']:.2f} s, "
              f"newsgen peak {cold['newsgen_mib']:.0f} MiB, indexer peak "
              f"{cold['pagefind_mib']:.0f} MiB")
        print(f"index: {size / 1e6:.1f} MB in {files} files")
        print(f"new article: build {new['seconds']:.2f} s, {new['shards']} shard re-indexed in "
              f"{new['index_seconds']:.2f} s, indexer peak {new['pagefind_mib']:.0f} MiB")
        sys.stdout.flush()
        report_query(work / "out", args.word)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
