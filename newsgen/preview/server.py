"""Beside the pipeline: the preview server. Serves a built folder, rebuilds on change, reloads.

It knows nothing about building: it is handed a ``rebuild`` callable (returning an
:class:`Outcome`) and a stream of change batches. Serve-only behaviour lives here and only
here: the live-reload ``<script>`` is added to HTML responses as they are sent, so ``build``
output never contains it. A preview shows drafts and embargoed stories, so every request must
name this server in ``Host`` (no DNS rebinding), the reload channel also checks ``Origin``,
and no request path can reach a file outside the output folder.
"""

from __future__ import annotations

import email.utils
import os
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from newsgen.preview.requests import (
    LIVE_JS,
    BadPath,
    content_type,
    error_page,
    host_allowed,
    inject_reload,
    request_segments,
)
from newsgen.reporter import Reporter

PREFIX = "/__newsgen/"
EVENTS = PREFIX + "events"
SCRIPT = PREFIX + "live.js"
KEEPALIVE_SECONDS = 15.0


@dataclass(frozen=True)
class Outcome:
    """What one rebuild reports: its problems as ``path:line: message`` lines (empty when it
    succeeded) and, optionally, a time (``time.time()`` seconds) to rebuild again unasked."""

    problems: tuple[str, ...] = ()
    wake_at: float | None = None


class PreviewState:
    """The latest outcome and a generation number that open pages wait on."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.generation = 0
        self.problems: tuple[str, ...] = ("the first build has not finished yet",)
        self.closing = False

    def publish(self, outcome: Outcome) -> None:
        with self.changed:
            self.generation += 1
            self.problems = outcome.problems
            self.changed.notify_all()

    def close(self) -> None:
        with self.changed:
            self.closing = True
            self.changed.notify_all()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    preview: PreviewServer

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-response is routine; never print a traceback."""
        self.preview.reporter.detail(f"request from {client_address} failed")


class _HTTPServer6(_HTTPServer):
    address_family = socket.AF_INET6


class PreviewServer:
    """Binds at construction (so a port in use fails before any build), then serves."""

    def __init__(self, root: Path, rebuild: Callable[[], Outcome], host: str = "127.0.0.1",
                 port: int = 8000, reporter: Reporter | None = None, mount: str = "") -> None:
        self.root = root
        self.rebuild = rebuild
        self.host = host
        self.mount = mount.rstrip("/")
        self.reporter = reporter or Reporter()
        self.state = PreviewState()
        self._queue: queue.Queue[frozenset[str]] = queue.Queue()
        self._stop = threading.Event()
        self._wake_at: float | None = None
        server_class = _HTTPServer6 if ":" in host else _HTTPServer
        self.httpd = server_class((host, port), _Handler)
        self.httpd.preview = self
        self.port = int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        shown = "127.0.0.1" if self.host in ("0.0.0.0", "") else \
            "[::1]" if self.host == "::" else f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{shown}:{self.port}{self.mount}/"

    def rebuild_now(self) -> Outcome:
        """Run the rebuild callable; any exception becomes a problem shown on the page."""
        try:
            outcome = self.rebuild()
        except Exception as exc:  # noqa: BLE001 - the preview must outlive any bug
            outcome = Outcome((f"newsgen: the rebuild crashed: {exc!r} (run 'newsgen build "
                               "--debug' for the traceback)",))
        # At most one scheduled rebuild a second, even if a build reports a past time.
        self._wake_at = None if outcome.wake_at is None else \
            max(outcome.wake_at, time.time() + 1.0)
        self.state.publish(outcome)
        return outcome

    def serve_forever(self, changes: Iterable[frozenset[str]]) -> None:
        """Serve until interrupted (KeyboardInterrupt propagates after a clean shutdown)."""
        feeder = threading.Thread(target=self._feed, args=(changes,), daemon=True,
                                  name="newsgen-watch")
        builder = threading.Thread(target=self._rebuild_loop, daemon=True,
                                   name="newsgen-rebuild")
        feeder.start()
        builder.start()
        try:
            self.httpd.serve_forever(poll_interval=0.2)
        finally:
            self.close()
            builder.join(timeout=30)

    def close(self) -> None:
        self._stop.set()
        self.state.close()
        self.httpd.server_close()

    def _feed(self, changes: Iterable[frozenset[str]]) -> None:
        for batch in changes:
            self._queue.put(batch)
            if self._stop.is_set():
                return

    def _rebuild_loop(self) -> None:
        """One rebuild per batch; batches that arrive during a rebuild are merged."""
        while not self._stop.is_set():
            try:
                batch = set(self._queue.get(timeout=0.25))
            except queue.Empty:
                if self._wake_at is None or time.time() < self._wake_at:
                    continue
                self.reporter.info("scheduled change reached: rebuilding")
            else:
                while not self._queue.empty():
                    batch |= self._queue.get_nowait()
                self.reporter.detail("changed: " + ", ".join(sorted(batch)[:5]))
            if not self._stop.is_set():
                self.rebuild_now()


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "newsgen-preview"

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        self.server.preview.reporter.detail(format % args)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def _respond(self, send_body: bool) -> None:
        preview = self.server.preview
        if not host_allowed(self.headers.get("Host", ""), preview.host, preview.port):
            return self._plain(400, "Bad Request: unknown Host", send_body)
        raw_path = self.path.split("?", 1)[0].split("#", 1)[0]
        if raw_path == EVENTS:
            return self._events()
        if raw_path == SCRIPT:
            return self._send(200, "text/javascript; charset=utf-8", LIVE_JS.encode(),
                              send_body)
        try:
            segments = request_segments(raw_path, preview.mount)
        except BadPath as exc:
            return self._plain(exc.status, exc.reason, send_body)
        if segments is None:  # outside the mount point: go to the site's front page
            return self._redirect(preview.mount + "/")
        self._serve_file(segments, raw_path, send_body)

    def _serve_file(self, segments: list[str], raw_path: str, send_body: bool) -> None:
        preview = self.server.preview
        root = os.path.realpath(preview.root)
        target = os.path.realpath(os.path.join(root, *segments))
        if target != root and not target.startswith(root + os.sep):
            return self._not_found(send_body)  # a symlink out of the output folder
        if os.path.isdir(target):
            if not raw_path.endswith("/"):
                query = self.path[len(raw_path):]
                return self._redirect(raw_path + "/" + query)
            target = os.path.join(target, "index.html")
        problems = preview.state.problems
        is_page = target.endswith(".html")
        if problems and is_page:
            return self._error_page(problems, send_body)
        try:
            # Read whole, closed before anything is sent: a file held open while a slow
            # client drains it would keep a rebuild on Windows from replacing it.
            with open(target, "rb") as handle:
                info = os.fstat(handle.fileno())
                data = handle.read()
        except OSError:
            return self._error_page(problems, send_body) if problems else \
                self._not_found(send_body)
        kind = content_type(target)
        if kind.startswith("text/html"):
            return self._send_page(data, info, kind, send_body)
        if self._not_modified(info.st_mtime):
            return self._send(304, None, b"", False, info.st_mtime)
        self._send(200, kind, data, send_body, info.st_mtime)

    def _send_page(self, data: bytes, info: os.stat_result, kind: str,
                   send_body: bool) -> None:
        """A page carries the reload script stamped with the build generation, so its
        validator is an ETag that includes it: a page unchanged on disk still comes back
        fresh after a rebuild (a 304 would revive the old stamp and reload forever)."""
        generation = self.server.preview.state.generation
        etag = f'"{generation}-{info.st_mtime_ns:x}-{info.st_size:x}"'
        if self.headers.get("If-None-Match") == etag:
            return self._send(304, None, b"", False, etag=etag)
        self._send(200, kind, inject_reload(data, self._script_tag(generation)), send_body,
                   etag=etag)

    def _not_modified(self, mtime: float) -> bool:
        since = self.headers.get("If-Modified-Since")
        if not since:
            return False
        try:
            parsed = email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError, IndexError):
            return False
        return int(mtime) <= parsed.timestamp()

    def _script_tag(self, generation: int | None = None) -> bytes:
        if generation is None:
            generation = self.server.preview.state.generation
        return f'<script src="{SCRIPT}?g={generation}"></script>'.encode()

    def _not_found(self, send_body: bool) -> None:
        root = self.server.preview.root
        try:
            data = (root / "404.html").read_bytes()
        except OSError:
            return self._plain(404, "Not Found", send_body)
        self._send(404, "text/html; charset=utf-8", inject_reload(data, self._script_tag()),
                   send_body)

    def _error_page(self, problems: tuple[str, ...], send_body: bool) -> None:
        page = error_page(problems).encode()
        self._send(500, "text/html; charset=utf-8", inject_reload(page, self._script_tag()),
                   send_body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)  # not 301: browsers keep those forever, across sites
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _plain(self, status: int, text: str, send_body: bool) -> None:
        self._send(status, "text/plain; charset=utf-8", (text + "\n").encode(), send_body)

    def _send(self, status: int, kind: str | None, data: bytes, send_body: bool,
              mtime: float | None = None, etag: str | None = None) -> None:
        self.send_response(status)
        if kind:
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
        if mtime is not None:
            self.send_header("Last-Modified", email.utils.formatdate(mtime, usegmt=True))
        if etag is not None:
            self.send_header("ETag", etag)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if send_body and data:
            self.wfile.write(data)

    def _events(self) -> None:
        """Server-Sent Events: ``reload`` once the generation differs from the page's own."""
        origin = self.headers.get("Origin")
        if origin is not None and origin != f"http://{self.headers.get('Host', '')}":
            return self._plain(403, "Forbidden: foreign Origin", True)
        query = self.path.partition("?")[2]
        seen = dict(p.partition("=")[::2] for p in query.split("&") if p).get("g", "")
        state = self.server.preview.state
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.close_connection = True
        try:
            self.wfile.write(b"retry: 1000\n\n")
            self.wfile.flush()
            while True:
                with state.changed:  # never write to the socket while holding the lock
                    if not state.closing and str(state.generation) == seen:
                        state.changed.wait(KEEPALIVE_SECONDS)
                    closing, current = state.closing, str(state.generation)
                if closing:
                    return
                if current != seen:
                    self.wfile.write(b"event: reload\ndata: " + current.encode() + b"\n\n")
                    self.wfile.flush()
                    return
                self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except OSError:
            pass  # the tab was closed
