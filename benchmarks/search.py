"""Search index figures for one generated corpus (``generate.py``): cold build time with and
without search, index time, the indexer's peak memory, index size, a new article's
re-indexing, and the bytes a query transfers in Chromium (its first results, and every
shard once the reader has asked for all older stories).

    python benchmarks/generate.py 1000 /tmp/corpus
    python benchmarks/search.py /tmp/corpus/newsgen --word ferry
    python benchmarks/search.py /tmp/corpus/newsgen --no-baseline   # 100k: skip search: false
    python benchmarks/search.py --query-only OUT --word ferry          # a built output
    python benchmarks/search.py --query-only OUT --word port --edition fr   # /fr/search/
    python benchmarks/search.py --query-only OUT --server nginx --files  # a compressing host
    python benchmarks/search.py /tmp/corpus/newsgen --shard-sizes 250,500,1000  # one shard's cost

Builds run as ``python -m newsgen build`` subprocesses on a copy of the corpus. Memory is the
high-water mark (VmHWM) of the newsgen process and of the ``pagefind --service`` process it
starts, polled from /proc every 20 ms (Linux only). Query bytes are what Chromium reports it
received for each response (headers plus the body as sent, compressed where the host
compressed it): ``--server raw`` (the default) serves the output with Python's http.server,
``nginx`` with an unprivileged nginx child gzipping JavaScript, JSON, CSS and SVG, and
``nginx-wasm`` gzipping also wasm and application/octet-stream.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.client
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
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


# What nginx's and GitHub Pages' usual configurations compress: text, not binaries.
GZIP_TYPES = "application/javascript application/json text/css image/svg+xml"
# A host that also compresses wasm; Pagefind's files (`wasm.<lang>.pagefind`, `*.pf_*`) have
# no registered type, so a host sends them as application/octet-stream: that type too.
WASM_TYPES = "application/wasm application/octet-stream"
SERVERS = {"raw": "Python http.server, no compression",
           "nginx": f"nginx, gzip on for {GZIP_TYPES}",
           "nginx-wasm": f"nginx, gzip on for {GZIP_TYPES} {WASM_TYPES}"}


@contextlib.contextmanager
def _raw_host(out: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def _nginx_host(out: Path, types: str) -> Iterator[str]:
    """An unprivileged nginx child on a loopback port, everything of its own in a temp
    folder, compressing what a typical static host compresses, at gzip level 6 (hosts do not
    publish theirs; nginx's own default is 1, which would make the figures larger)."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise SystemExit("--server nginx needs nginx (Debian: apt-get install nginx-light)")
    with tempfile.TemporaryDirectory(prefix="newsgen-search-nginx-") as tmp, \
            socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        temps = " ".join(f"{kind}_temp_path {tmp}/{kind};" for kind in
                         ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        conf = Path(tmp) / "nginx.conf"
        conf.write_text(f"""daemon off; pid {tmp}/nginx.pid; error_log {tmp}/error.log;
events {{}}
http {{ include /etc/nginx/mime.types; default_type application/octet-stream;
  access_log off; {temps}
  gzip on; gzip_comp_level 6; gzip_types {types};
  server {{ listen 127.0.0.1:{port}; root {out.resolve()}; }} }}
""")
        process = subprocess.Popen([binary, "-p", tmp, "-c", str(conf), "-e",
                                    f"{tmp}/error.log"], stderr=subprocess.PIPE)
        try:
            _wait_for(port, process, Path(tmp) / "error.log")
            _readable(port, out)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_for(port: int, process: subprocess.Popen, log: Path) -> None:
    for _ in range(100):
        if process.poll() is not None:
            raise SystemExit(f"nginx exited: {log.read_text() if log.exists() else ''}")
        with socket.socket() as attempt:
            if attempt.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit("nginx did not listen within 5 s")


def _readable(port: int, out: Path) -> None:
    """Started as root, nginx's workers run as nobody: an output folder only root may read
    would be measured as a page of 403s."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("HEAD", "/")
    status = connection.getresponse().status
    connection.close()
    if status == 403:
        raise SystemExit(f"nginx may not read {out}: its workers run as nobody when started "
                         "as root; make the folder and its parents readable by all")


def _host(out: Path, server: str) -> contextlib.AbstractContextManager[str]:
    if server == "raw":
        return _raw_host(out)
    return _nginx_host(out, GZIP_TYPES if server == "nginx" else f"{GZIP_TYPES} {WASM_TYPES}")


def _measure(response: Any) -> dict[str, Any]:
    """What Chromium received for one response: its headers and its body as sent
    (compressed where the host compressed it), and the decoded body for comparison."""
    sizes = response.request.sizes()
    return {"url": response.url.split("/pagefind/", 1)[1],
            "wire": sizes["responseHeadersSize"] + sizes["responseBodySize"],
            "encoded_body": sizes["responseBodySize"], "body": len(response.body()),
            "gzip": response.headers.get("content-encoding") == "gzip"}


def _sizes(measured: list[dict[str, Any]]) -> dict[str, Any]:
    return {"kb": sum(m["wire"] for m in measured) / 1000,
            "body_kb": sum(m["body"] for m in measured) / 1000,
            "gzipped": sum(m["gzip"] for m in measured), "requests": len(measured),
            "files": list(measured)}


def query_bytes(out: Path, word: str, edition: str = "", server: str = "raw") -> dict[str, Any]:
    """What one query typed in Chromium transfers from /pagefind/: for its first results, then
    after asking for older stories until every shard is searched."""
    from playwright.sync_api import sync_playwright
    responses: list[Any] = []
    measured: dict[int, dict[str, Any]] = {}

    def tally() -> list[dict[str, Any]]:  # after the network is idle: every size is final
        for response in responses:
            measured.setdefault(id(response), _measure(response))
        return [measured[id(r)] for r in responses]

    wait = "s => document.getElementById('search-status').textContent !== s"
    with _host(out, server) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--headless", "--disable-gpu"])
        page = browser.new_page()
        page.on("response", lambda r: responses.append(r) if "/pagefind/" in r.url else None)
        prefix = f"/{edition}" if edition else ""
        started = time.perf_counter()
        page.goto(f"{base}{prefix}/search/?q={word}")
        page.wait_for_function(wait, arg="", timeout=300_000)
        page.wait_for_load_state("networkidle")
        first = {**_sizes(tally()), "seconds": time.perf_counter() - started,
                 "results": page.locator(".search-result").count(),
                 "status": page.locator("#search-status").inner_text()}
        started = time.perf_counter()
        while page.locator(".search-older").is_visible():
            shown = page.locator("#search-status").inner_text()
            page.locator(".search-older").click()
            page.wait_for_function(wait, arg=shown, timeout=600_000)
        page.wait_for_load_state("networkidle")
        every = {**_sizes(tally()), "seconds": time.perf_counter() - started,
                 "status": page.locator("#search-status").inner_text()}
        browser.close()
    return {"first": first, "all": every}


def report_query(out: Path, word: str, edition: str = "", server: str = "raw",
                 files: bool = False) -> None:
    found = query_bytes(out, word, edition, server)
    print(f"served by {SERVERS[server]}")
    for name, q in found.items():
        print(f"query '{word}', {name}: {q['kb']:.1f} KB on the wire from /pagefind/ "
              f"(headers + bodies as sent; {q['body_kb']:.1f} KB decoded) in {q['requests']} "
              f"requests, {q['gzipped']} gzip-encoded, {q['seconds']:.1f} s; {q['status']}")
    if files:
        for m in found["all"]["files"]:
            print(f"  {m['wire']:>7} B on the wire ({m['encoded_body']:>6} body"
                  f"{', gzip' if m['gzip'] else ''}; {m['body']:>6} decoded)  {m['url']}")


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
    parser.add_argument("--server", choices=sorted(SERVERS), default="raw",
                        help="who serves the query: raw (http.server, no compression), "
                        "nginx (gzip for JS, JSON, CSS, SVG), nginx-wasm (also wasm and "
                        "application/octet-stream)")
    parser.add_argument("--files", action="store_true", help="list every /pagefind/ response")
    parser.add_argument("--shard-sizes", metavar="N,N,...", help="only index shards of these "
                        "many of the site's articles and report each one's indexer CPU time "
                        "and peak memory (benchmarks/search_shards.py)")
    args = parser.parse_args()
    if args.shard_sizes:
        sys.path.insert(0, str(Path(__file__).parent))
        from search_shards import shard_costs
        shard_costs(args.site, [int(n) for n in args.shard_sizes.split(",")])
        return
    if args.query_only:
        report_query(args.site, args.word, args.edition, args.server, args.files)
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
        report_query(work / "out", args.word, server=args.server, files=args.files)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
