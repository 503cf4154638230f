"""What one preview request may reach and what it gets back: the path and ``Host`` checks
that keep a preview of drafts on this machine, content types, the live-reload script and the
page a failed build shows. Pure functions; server.py does the serving."""

from __future__ import annotations

import html
import ipaddress
import os
import re
import socket
import urllib.parse
from collections.abc import Iterable


def content_type(path: str) -> str:
    name = os.path.basename(path)
    if name == "rss.xml":
        return "application/rss+xml; charset=utf-8"
    if name == "atom.xml":
        return "application/atom+xml; charset=utf-8"
    return CONTENT_TYPES.get(os.path.splitext(name)[1].lower(), "application/octet-stream")


CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".pdf": "application/pdf",
    ".gz": "application/gzip",
}


# Reads its own generation from its URL and asks the server to say when that is out of date.
LIVE_JS = """(() => {
  const own = new URL(document.currentScript.src).searchParams.get("g") || "";
  const events = new EventSource("/__newsgen/events?g=" + encodeURIComponent(own));
  events.addEventListener("reload", () => { events.close(); location.reload(); });
})();
"""


class BadPath(Exception):
    """A request path that is refused before any file is looked at."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


_ENCODED = re.compile(r"%[0-9A-Fa-f]{2}")


def request_segments(raw_path: str, mount: str = "") -> list[str] | None:
    """The path's segments below the output folder; None when it lies outside ``mount``.

    Decodes exactly once and refuses, rather than repairs, anything a careful client never
    sends: ``.``/``..`` segments, empty segments, backslashes, NUL and control characters,
    bad UTF-8 and what is still percent-encoded after one decoding (400); dot files such as
    the build's own ``.newsgen/`` folder are simply not there (404).
    """
    if not raw_path.startswith("/"):
        raise BadPath(400, "Bad Request: the path must start with /")
    try:
        path = urllib.parse.unquote(raw_path, errors="strict")
    except UnicodeDecodeError:
        raise BadPath(400, "Bad Request: the path is not UTF-8") from None
    if "\\" in path or any(ord(c) < 32 or ord(c) == 127 for c in path) or _ENCODED.search(path):
        raise BadPath(400, "Bad Request: malformed path")
    if mount:
        if path != mount and not path.startswith(mount + "/"):
            return None
        path = path[len(mount):] or "/"
    parts = path.split("/")[1:]
    for index, part in enumerate(parts):
        if part in (".", "..") or (part == "" and index != len(parts) - 1):
            raise BadPath(400, "Bad Request: malformed path")
        if part.startswith("."):
            raise BadPath(404, "Not Found")
    return [part for part in parts if part]


def host_allowed(header: str, bound: str, port: int) -> bool:
    """Does ``Host`` name this server? Loopback names always; the ``--host`` given; and, when
    bound to every interface, any IP address (a DNS-rebinding page only has a domain name)."""
    header = header.strip().lower()
    if header.startswith("["):
        name, _, rest = header.partition("]")
        name, given_port = name + "]", rest[1:] if rest.startswith(":") else None
        if rest and not rest.startswith(":"):
            return False
    else:
        name, colon, given_port_text = header.partition(":")
        given_port = given_port_text if colon else None
    if given_port is None:
        if port != 80:
            return False
    elif given_port != str(port):
        return False
    allowed = {"localhost", "127.0.0.1", "[::1]"}
    bound = bound.lower()
    if bound in ("0.0.0.0", "::", ""):
        allowed.add(socket.gethostname().lower())
        try:
            ipaddress.ip_address(name.strip("[]"))
            return (":" in name) == name.startswith("[")
        except ValueError:
            pass
    else:
        allowed.add(f"[{bound}]" if ":" in bound else bound)
    return name in allowed


def inject_reload(page: bytes, tag: bytes) -> bytes:
    """Put the live-reload tag before the last ``</body>`` (or at the end)."""
    at = page.lower().rfind(b"</body>")
    return page + tag if at < 0 else page[:at] + tag + page[at:]


def error_page(problems: Iterable[str]) -> str:
    """The page every request for a page gets while the last rebuild failed."""
    items = "\n".join(f"<li><code>{html.escape(p)}</code></li>" for p in problems)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Build failed - newsgen preview</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
h1{{color:#a30000}} li{{margin:.4rem 0}} code{{white-space:pre-wrap}}</style></head>
<body><h1>The site did not build</h1>
<p>Fix these problems and save: this page reloads by itself when the site builds again.</p>
<ul class="problems">
{items}
</ul></body></html>
"""
