"""Third-party embeds: which URLs each provider serves, and the frame each one loads.

Written in a body as one line, ``::: embed URL`` (an optional title after the URL). The
page shows a static placeholder (title, provider, a link to the original) and loads the
provider's frame only when the reader asks (``static/theme/embeds.js``): nothing reaches
the provider before that. A URL no provider here serves is an error at its line, in
``build`` and ``check`` alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

EMBED_LINE = re.compile(r"^:::[ \t]*embed(?:[ \t]+(\S+))?(?:[ \t]+(.*?))?[ \t]*$", re.I)


@dataclass(frozen=True)
class Embed:
    provider: str  # "YouTube"
    kind: str  # "video", "post", "chart", "map"
    url: str  # the original, linked from the placeholder
    frame: str  # what the iframe loads after the click
    title: str


def _youtube(host: str, path: str, query: dict[str, list[str]]) -> str | None:
    video = ""
    if host == "youtu.be":
        video = path.strip("/")
    elif path == "/watch":
        video = (query.get("v") or [""])[0]
    elif path.startswith(("/shorts/", "/embed/", "/live/")):
        video = path.split("/")[2]
    if re.fullmatch(r"[A-Za-z0-9_-]{11}", video):
        return f"https://www.youtube-nocookie.com/embed/{video}"
    return None


def _vimeo(host: str, path: str, query: dict[str, list[str]]) -> str | None:
    match = re.fullmatch(r"/(?:video/)?(\d+)/?", path)
    return f"https://player.vimeo.com/video/{match.group(1)}?dnt=1" if match else None


def _x(host: str, path: str, query: dict[str, list[str]]) -> str | None:
    match = re.fullmatch(r"/\w{1,15}/status/(\d+)/?", path)
    return (f"https://platform.twitter.com/embed/Tweet.html?id={match.group(1)}&dnt=true"
            if match else None)


def _instagram(host: str, path: str, query: dict[str, list[str]]) -> str | None:
    match = re.fullmatch(r"/(p|reel)/([A-Za-z0-9_-]+)/?", path)
    return f"https://www.instagram.com/{match.group(1)}/{match.group(2)}/embed" \
        if match else None


def _tiktok(host: str, path: str, query: dict[str, list[str]]) -> str | None:
    match = re.fullmatch(r"/@[\w.]+/video/(\d+)/?", path)
    return f"https://www.tiktok.com/embed/v2/{match.group(1)}" if match else None


def _datawrapper(host: str, path: str, query: dict[str, list[str]]) -> str | None:
    match = re.fullmatch(r"/([A-Za-z0-9]{5})/(?:(\d+)/)?", path)
    if not match:
        return None
    version = f"{match.group(2)}/" if match.group(2) else ""
    return f"https://datawrapper.dwcdn.net/{match.group(1)}/{version}"


def _flourish(host: str, path: str, query: dict[str, list[str]]) -> str | None:
    match = re.fullmatch(r"/(visualisation|story)/(\d+)/?(?:embed)?", path)
    return f"https://flo.uri.sh/{match.group(1)}/{match.group(2)}/embed" if match else None


def _openstreetmap(host: str, path: str, query: dict[str, list[str]], fragment: str = ""
                   ) -> str | None:
    match = re.fullmatch(r"map=(\d{1,2})/(-?\d{1,2}(?:\.\d+)?)/(-?\d{1,3}(?:\.\d+)?)",
                         fragment)
    if not match:
        return None
    zoom, lat, lon = int(match.group(1)), float(match.group(2)), float(match.group(3))
    if not (0 <= zoom <= 19 and -85 <= lat <= 85 and -180 <= lon <= 180):
        return None
    half = 360 / 2 ** zoom  # about a 512-pixel-wide view
    box = f"{lon - half:.5f},{lat - half / 2:.5f},{lon + half:.5f},{lat + half / 2:.5f}"
    return (f"https://www.openstreetmap.org/export/embed.html?bbox={box}&layer=mapnik"
            f"&marker={lat:.5f},{lon:.5f}")


# host -> (provider, kind, frame maker)
_PROVIDERS = {
    "www.youtube.com": ("YouTube", "video", _youtube), "youtube.com": ("YouTube", "video",
                                                                        _youtube),
    "m.youtube.com": ("YouTube", "video", _youtube), "youtu.be": ("YouTube", "video", _youtube),
    "vimeo.com": ("Vimeo", "video", _vimeo), "player.vimeo.com": ("Vimeo", "video", _vimeo),
    "x.com": ("X", "post", _x), "twitter.com": ("X", "post", _x),
    "www.instagram.com": ("Instagram", "post", _instagram),
    "instagram.com": ("Instagram", "post", _instagram),
    "www.tiktok.com": ("TikTok", "video", _tiktok),
    "datawrapper.dwcdn.net": ("Datawrapper", "chart", _datawrapper),
    "public.flourish.studio": ("Flourish", "chart", _flourish),
    "www.openstreetmap.org": ("OpenStreetMap", "map", _openstreetmap),
}
PROVIDER_NAMES = tuple(dict.fromkeys(p[0] for p in _PROVIDERS.values()))
# Where frames come from: the theme's script loads nothing else (embeds.js holds the same).
FRAME_ORIGINS = ("https://www.youtube-nocookie.com/", "https://player.vimeo.com/",
                 "https://platform.twitter.com/", "https://www.instagram.com/",
                 "https://www.tiktok.com/", "https://datawrapper.dwcdn.net/",
                 "https://flo.uri.sh/", "https://www.openstreetmap.org/")


def parse_embed(url: str, title: str = "") -> Embed | str:
    """The embed for ``url``, or why it cannot be one (a message for the editor)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http"):
        return f"embed URL '{url}' must be an https:// address"
    host = (parts.hostname or "").lower()
    known = _PROVIDERS.get(host)
    if known is None:
        return (f"embed URL '{url}' is not from a known provider ("
                + ", ".join(PROVIDER_NAMES) + ")")
    provider, kind, make = known
    query = parse_qs(parts.query)
    frame = make(host, parts.path, query, parts.fragment) if make is _openstreetmap \
        else make(host, parts.path, query)
    if frame is None:
        return f"'{url}' is not the address of one {provider} {kind}"
    return Embed(provider, kind, url, frame, title or f"{provider} {kind}")


def embed_problem(line: str) -> str | None:
    """Why an ``::: embed`` line is wrong, or None (``content.blocks`` calls this)."""
    match = EMBED_LINE.match(line)
    if match is None or not match.group(1):
        return "'::: embed' needs the address of what to embed: '::: embed URL [title]'"
    found = parse_embed(match.group(1), match.group(2) or "")
    return found if isinstance(found, str) else None
