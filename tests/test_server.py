"""``newsgen serve`` as a subprocess on a free loopback port, spoken to over real HTTP.

Read-only checks share one server; tests that edit the site start their own. Traversal
attempts are sent as raw request lines so that no client library normalises them first.
"""

from __future__ import annotations

import email.utils
import http.client
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lxml.html
import pytest

from newsgen.preview.requests import host_allowed, request_segments
from tests.conftest import BASIC_CONFIG, REPO, article
from tests.photo_factory import camera_jpeg, png, webp

NOW = "2026-03-25T12:00"
ARTICLE = "content/articles/hello.md"
ARTICLE_URL = "/world/2026/03/hello/"
SECRET = "TOP-SECRET-MARKER-4711"
PNG = png(1, 1)  # a real image: the build decodes it
SITE_FILES: dict[str, str | bytes] = {
    ARTICLE: article("Hello", "2026-03-20T10:00", "world", "Original text."),
    "static/files/notes.txt": "plain\n",
    "static/files/app.js": "console.log(1);\n",
    "static/files/data.json": "{}\n",
    "static/files/pic.png": PNG,
    "static/files/pic.jpg": camera_jpeg(8, 8),  # real images: the build decodes them
    "static/files/pic.webp": webp(8, 8),
    "static/files/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
    "static/favicon.ico": b"\x00\x00\x01\x00fake",
    "static/files/font.woff2": b"wOF2fake",
}
EXPECTED_TYPES = {
    "/": "text/html",
    ARTICLE_URL: "text/html",
    "/theme/style.css": "text/css",
    "/files/app.js": "text/javascript",
    "/sitemap.xml": "application/xml",
    "/rss.xml": "application/rss+xml",
    "/atom.xml": "application/atom+xml",
    "/ticker.json": "application/json",
    "/files/data.json": "application/json",
    "/robots.txt": "text/plain",
    "/files/notes.txt": "text/plain",
    "/files/logo.svg": "image/svg+xml",
    "/files/pic.png": "image/png",
    "/files/pic.jpg": "image/jpeg",
    "/files/pic.webp": "image/webp",
    "/favicon.ico": "image/x-icon",
    "/files/font.woff2": "font/woff2",
}
STARTUP_SECONDS = 60.0


def write_site(root: Path, files: dict[str, str | bytes]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "newsgen.yaml").write_text(BASIC_CONFIG, encoding="utf-8")
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


@dataclass
class Preview:
    """A running ``newsgen serve``: its URL, port, output folder and stderr so far."""

    process: subprocess.Popen[str]
    url: str
    port: int
    out_dir: Path
    stderr_path: Path
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    secret: Path | None = None

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def get(self, path: str, headers: dict[str, str] | None = None, method: str = "GET"
            ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, headers=headers or {})
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, \
                response.read()
        finally:
            connection.close()

    def stop(self) -> None:
        """SIGTERM first (serve then removes its temporary folder), SIGKILL if it hangs."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process.wait(timeout=30)


def start_preview(site: Path, *extra: str, now: str | None = NOW) -> Preview:
    """Start ``newsgen serve`` and wait for the URL it prints (killed on any failure)."""
    stderr_path = site.parent / f"serve-{time.monotonic_ns()}.err"
    args = [sys.executable, "-m", "newsgen", "serve", str(site), "--port", "0", *extra]
    if now:
        args += ["--now", now]
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
    with open(stderr_path, "w", encoding="utf-8") as err:
        process = subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.PIPE,
                                   stderr=err, text=True)
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: [lines.put(line) for line in stdout], daemon=True).start()
    try:
        line = lines.get(timeout=STARTUP_SECONDS)
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line
        built = re.search(r"into (\S+)", stderr_path.read_text(encoding="utf-8"))
        assert built, stderr_path.read_text(encoding="utf-8")
    except BaseException:
        process.kill()
        process.wait(timeout=30)
        raise
    return Preview(process, match.group(0), int(match.group(1)), Path(built.group(1)),
                   stderr_path, lines)


@pytest.fixture
def preview_factory() -> Iterator[Callable[..., Preview]]:
    started: list[Preview] = []

    def start(site: Path, *extra: str, now: str | None = NOW) -> Preview:
        preview = start_preview(site, *extra, now=now)
        started.append(preview)
        return preview

    yield start
    for preview in started:
        preview.stop()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    root = tmp_path_factory.mktemp("serve")
    site = write_site(root / "site", SITE_FILES)
    (root / "secret.txt").write_text(SECRET)
    preview = start_preview(site)
    preview.secret = root / "secret.txt"
    try:
        (preview.out_dir / "escape").symlink_to(root, target_is_directory=True)
        (preview.out_dir / "escape.txt").symlink_to(root / "secret.txt")
        yield preview
    finally:
        preview.stop()


def raw_request(port: int, request_line: bytes, host: bytes | None = None) -> bytes:
    """Send one request exactly as written; return the whole response."""
    host = host if host is not None else f"127.0.0.1:{port}".encode()
    head = request_line + b"\r\n" + (b"Host: " + host + b"\r\n" if host else b"")
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head + b"Connection: close\r\n\r\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def poll(check: Callable[[], bool], seconds: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return check()


def page_text(body: bytes) -> str:
    return lxml.html.fromstring(body).text_content()


# --- serving a built site -----------------------------------------------------------------

def test_pages_get_the_reload_script_but_build_output_never_has_it(shared: Preview) -> None:
    status, headers, body = shared.get(ARTICLE_URL)
    assert status == 200
    tree = lxml.html.fromstring(body)
    assert tree.findtext(".//h1").strip() == "Hello"
    scripts = [s.get("src", "") for s in tree.iter("script")]
    assert any(src.startswith("/__newsgen/live.js") for src in scripts)
    built = (shared.out_dir / "world/2026/03/hello/index.html").read_bytes()
    assert b"__newsgen" not in built
    assert int(headers["content-length"]) == len(body)


@pytest.mark.parametrize("path", sorted(EXPECTED_TYPES))
def test_content_types(shared: Preview, path: str) -> None:
    status, headers, _body = shared.get(path)
    assert status == 200, path
    assert headers["content-type"].split(";")[0] == EXPECTED_TYPES[path]


def test_head_has_headers_and_no_body(shared: Preview) -> None:
    status, headers, body = shared.get("/theme/style.css", method="HEAD")
    assert status == 200 and body == b""
    assert int(headers["content-length"]) == (shared.out_dir / "theme/style.css").stat().st_size
    assert headers["content-type"].startswith("text/css")


def test_if_modified_since_gives_304(shared: Preview) -> None:
    _status, headers, _body = shared.get("/rss.xml")
    modified = headers["last-modified"]
    status, _headers, body = shared.get("/rss.xml", {"If-Modified-Since": modified})
    assert status == 304 and body == b""
    older = email.utils.formatdate(
        email.utils.parsedate_to_datetime(modified).timestamp() - 3600, usegmt=True)
    assert shared.get("/rss.xml", {"If-Modified-Since": older})[0] == 200


def test_folders_redirect_and_serve_index(shared: Preview) -> None:
    status, headers, _body = shared.get("/world?x=1")
    assert status in (301, 302) and headers["location"] == "/world/?x=1"
    status, _headers, body = shared.get("/world/")
    assert status == 200
    assert lxml.html.fromstring(body).findtext(".//title")


def test_missing_page_gets_the_sites_404_with_status_404(shared: Preview) -> None:
    status, _headers, body = shared.get("/no/such/page/")
    assert status == 404
    expected = lxml.html.fromstring((shared.out_dir / "404.html").read_bytes())
    assert lxml.html.fromstring(body).findtext(".//title") == expected.findtext(".//title")


TRAVERSALS = [
    b"GET /../secret.txt HTTP/1.1",
    b"GET /../../../../../../etc/passwd HTTP/1.1",
    b"GET /%2e%2e/secret.txt HTTP/1.1",
    b"GET /%2E%2E/%2E%2E/%2E%2E/etc/passwd HTTP/1.1",
    b"GET /..%2fsecret.txt HTTP/1.1",
    b"GET /..%2F..%2F..%2Fetc%2Fpasswd HTTP/1.1",
    b"GET /%252e%252e/secret.txt HTTP/1.1",
    b"GET /%252e%252e%252fsecret.txt HTTP/1.1",
    b"GET /%25252e%25252e/secret.txt HTTP/1.1",
    b"GET /..\\secret.txt HTTP/1.1",
    b"GET /..%5csecret.txt HTTP/1.1",
    b"GET /%5c..%5c..%5cetc%5cpasswd HTTP/1.1",
    b"GET //etc/passwd HTTP/1.1",
    b"GET /etc/passwd HTTP/1.1",
    b"GET /./../secret.txt HTTP/1.1",
    b"GET /world/../../secret.txt HTTP/1.1",
    b"GET /world/%2e%2e/%2e%2e/secret.txt HTTP/1.1",
    b"GET /%00../secret.txt HTTP/1.1",
    b"GET /index.html%00.txt HTTP/1.1",
    b"GET /%c0%ae%c0%ae/secret.txt HTTP/1.1",
    b"GET /%e0%80%ae%e0%80%ae/secret.txt HTTP/1.1",
    b"GET /.%2e/secret.txt HTTP/1.1",
    b"GET /%2e./secret.txt HTTP/1.1",
    b"GET /....//secret.txt HTTP/1.1",
    b"GET /..;/secret.txt HTTP/1.1",
    b"GET http://127.0.0.1/../secret.txt HTTP/1.1",
    b"GET /escape/secret.txt HTTP/1.1",
    b"GET /escape.txt HTTP/1.1",
    b"GET /.newsgen/manifest.json HTTP/1.1",
    b"GET * HTTP/1.1",
    b"GET /C:/Windows/win.ini HTTP/1.1",
    b"GET /world/2026/03/hello/../../../../../secret.txt HTTP/1.1",
    b"GET /%2e%2e%5c%2e%2e%5csecret.txt HTTP/1.1",
    b"HEAD /../secret.txt HTTP/1.1",
]


@pytest.mark.parametrize("request_line", TRAVERSALS, ids=lambda r: r.decode("latin-1"))
def test_traversal_is_refused_and_the_server_keeps_answering(shared: Preview,
                                                             request_line: bytes) -> None:
    response = raw_request(shared.port, request_line)
    assert status_of(response) in (400, 404), response[:200]
    assert SECRET.encode() not in response and b"root:" not in response
    assert shared.get("/")[0] == 200


def test_absolute_paths_are_refused(shared: Preview) -> None:
    assert shared.secret is not None
    for target in (str(shared.secret), "/" + str(shared.secret), "/etc/passwd"):
        response = raw_request(shared.port, f"GET {target} HTTP/1.1".encode())
        assert status_of(response) in (400, 404)
        assert SECRET.encode() not in response


@pytest.mark.parametrize("host", [b"evil.example", b"evil.example:{port}", b"127.0.0.1:1",
                                  b"127.0.0.1.nip.io:{port}", b"localhost.evil:{port}", b""])
def test_foreign_host_is_refused(shared: Preview, host: bytes) -> None:
    value = host.replace(b"{port}", str(shared.port).encode())
    assert status_of(raw_request(shared.port, b"GET / HTTP/1.1", value)) == 400


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}"])
def test_loopback_hosts_are_accepted(shared: Preview, host: str) -> None:
    value = host.format(port=shared.port).encode()
    assert status_of(raw_request(shared.port, b"GET / HTTP/1.1", value)) == 200


def events_status(preview: Preview, origin: str | None) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=30)
    try:
        headers = {"Origin": origin} if origin else {}
        connection.request("GET", "/__newsgen/events?g=0", headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type") or ""
    finally:
        connection.close()


def test_reload_channel_checks_origin(shared: Preview) -> None:
    assert events_status(shared, "http://evil.example")[0] == 403
    assert events_status(shared, f"http://evil.example:{shared.port}")[0] == 403
    assert events_status(shared, "null")[0] == 403
    status, kind = events_status(shared, f"http://127.0.0.1:{shared.port}")
    assert status == 200 and kind == "text/event-stream"
    assert events_status(shared, None)[0] == 200


def test_path_and_host_rules_directly() -> None:
    assert request_segments("/a/b/") == ["a", "b"]
    assert request_segments("/news/a", "/news") == ["a"]
    assert request_segments("/other", "/news") is None
    assert host_allowed("192.168.1.5:8000", "0.0.0.0", 8000)
    assert not host_allowed("attacker.example:8000", "0.0.0.0", 8000)
    assert host_allowed("preview.lan:8000", "preview.lan", 8000)


# --- editing while it runs ----------------------------------------------------------------

def test_an_edit_is_served_within_two_seconds(tmp_path: Path,
                                              preview_factory: Callable[..., Preview]) -> None:
    site = write_site(tmp_path / "site", SITE_FILES)
    preview = preview_factory(site)
    assert "Original text." in page_text(preview.get(ARTICLE_URL)[2])
    _status, headers, before = preview.get("/authors/")
    assert preview.get("/authors/", {"If-None-Match": headers["etag"]})[0] == 304
    edited = time.monotonic()
    (site / ARTICLE).write_text(article("Hello", "2026-03-20T10:00", "world", "Edited text."))
    assert poll(lambda: "Edited text." in page_text(preview.get(ARTICLE_URL)[2]), 2.0), \
        preview.stderr()
    print(f"edit served after {time.monotonic() - edited:.2f} s")
    # A page whose file did not change must not be revalidated with its old reload stamp,
    # or an open tab would reload it forever.
    # (The new files can be live a moment before the server hears that the build ended.)
    assert poll(lambda: preview.get("/authors/", {"If-None-Match": headers["etag"]})[0] == 200,
                15)
    assert reload_src(preview.get("/authors/")[2]) != reload_src(before)


def reload_src(body: bytes) -> str:
    sources = [s.get("src", "") for s in lxml.html.fromstring(body).iter("script")]
    return next(src for src in sources if src.startswith("/__newsgen/live.js"))


def test_a_broken_article_shows_the_error_page_until_it_is_fixed(
        tmp_path: Path, preview_factory: Callable[..., Preview]) -> None:
    site = write_site(tmp_path / "site", SITE_FILES)
    preview = preview_factory(site)
    broken = "---\ntitle: Hello\ndate: 2026-03-20T10:00\nsection: world\nsummary: a: <b>\n" \
             "---\n\nBroken.\n"
    (site / ARTICLE).write_text(broken)
    assert poll(lambda: preview.get("/")[0] == 500, 15), preview.stderr()
    for path in ("/", ARTICLE_URL, "/no/such/page/"):
        status, headers, body = preview.get(path)
        assert status == 500 and headers["content-type"].startswith("text/html")
        items = [li.text_content() for li in lxml.html.fromstring(body).iter("li")]
        assert any(item.startswith(f"{ARTICLE}:5: ") for item in items), items
        assert b"<b>" not in body  # escaped
    assert preview.get("/theme/style.css")[0] == 200  # assets still load
    (site / ARTICLE).write_text(article("Hello", "2026-03-20T10:00", "world", "Fixed text."))
    assert poll(lambda: preview.get(ARTICLE_URL)[0] == 200, 15), preview.stderr()
    assert "Fixed text." in page_text(preview.get(ARTICLE_URL)[2])


def test_a_burst_of_saves_causes_one_rebuild(tmp_path: Path,
                                             preview_factory: Callable[..., Preview]) -> None:
    site = write_site(tmp_path / "site", SITE_FILES)
    preview = preview_factory(site)
    builds = preview.stderr().count("built ")
    for number in range(6):
        (site / ARTICLE).write_text(article("Hello", body=f"Save number {number}."))
    assert poll(lambda: "Save number 5." in page_text(preview.get(ARTICLE_URL)[2]), 15)
    time.sleep(1.5)  # a second rebuild would have happened by now
    assert preview.stderr().count("built ") == builds + 1, preview.stderr()


def test_rebuilds_by_itself_when_an_embargo_lifts(tmp_path: Path,
                                                 preview_factory: Callable[..., Preview]) -> None:
    site = write_site(tmp_path / "site", SITE_FILES)
    preview = preview_factory(site, now=None)
    lifts = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=5)
    (site / "content/articles/later.md").write_text(
        article("Embargoed story", lifts.isoformat(), "world", "Later."))

    def listed() -> bool:
        return "Embargoed story" in page_text(preview.get("/")[2])

    assert poll(lambda: "Embargoed story" in preview.stderr() or
                preview.stderr().count("built ") >= 2, 15)
    assert poll(listed, 30, 0.2), preview.stderr()
    assert datetime.now(UTC) >= lifts
    assert "scheduled change reached" in preview.stderr()


# --- starting and stopping ----------------------------------------------------------------

def test_ctrl_c_exits_cleanly(tmp_path: Path, preview_factory: Callable[..., Preview]) -> None:
    site = write_site(tmp_path / "site", SITE_FILES)
    preview = preview_factory(site)
    preview.process.send_signal(signal.SIGINT)
    code = preview.process.wait(timeout=30)
    assert code in (0, 130)
    assert "Traceback" not in preview.stderr()
    assert not preview.out_dir.exists()  # the temporary output folder is removed


def test_port_in_use_is_a_clear_message(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE_FILES)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "newsgen", "serve", str(site), "--port",
                                 str(port)], cwd=REPO, capture_output=True, text=True,
                                timeout=60)
    assert result.returncode in (1, 2)
    assert "already in use" in result.stderr and "Traceback" not in result.stderr


def test_wildcard_host_warns(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE_FILES)
    process = subprocess.Popen([sys.executable, "-m", "newsgen", "serve", str(site), "--port",
                                "0", "--host", "0.0.0.0", "--now", NOW], cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("Serving http://")
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
    assert "warning" in err and "other machines" in err


# --- the watcher on its own -----------------------------------------------------------------

def test_watcher_hands_out_one_batch_per_burst_and_ignores_editor_litter(tmp_path: Path) -> None:
    from newsgen.preview.watcher import Watcher

    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text("one")
    config = tmp_path / "newsgen.yaml"
    config.write_text("title: x\n")
    watcher = Watcher([content, tmp_path / "templates", config], interval=0.05, settle=0.3)
    stop = threading.Event()
    batches: queue.Queue[frozenset[str]] = queue.Queue()
    thread = threading.Thread(target=lambda: [batches.put(b) for b in watcher.batches(stop)],
                              daemon=True)
    thread.start()
    try:
        (content / "a.md").write_text("two, longer")
        (content / "sub").mkdir()
        (content / "sub" / "b.md").write_text("new")
        (content / ".a.md.swp").write_text("litter")
        (content / "a.md~").write_text("litter")
        config.write_text("title: changed\n")
        first = batches.get(timeout=30)
        assert first == {str(content / "a.md"), str(content / "sub" / "b.md"), str(config)}
        (content / "sub" / "b.md").unlink()
        assert batches.get(timeout=30) == {str(content / "sub" / "b.md")}
    finally:
        stop.set()
        thread.join(timeout=30)


def test_server_and_watcher_import_no_pipeline_module() -> None:
    import ast

    for path in (REPO / "newsgen" / "preview").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                     for alias in node.names}
        pipeline = {m for m in imported if m.startswith("newsgen")
                    and not m.startswith("newsgen.preview")}
        assert pipeline <= {"newsgen.reporter"}, path.name
