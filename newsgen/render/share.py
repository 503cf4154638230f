"""The share row under an article: plain links, no third-party scripts."""

from __future__ import annotations

from urllib.parse import quote


def share_links(url: str, title: str) -> list[dict[str, str]]:
    """Plain share links: no third-party scripts on the page."""
    u, t = quote(url, safe=""), quote(title, safe="")
    return [
        {"name": "Facebook", "url": f"https://www.facebook.com/sharer/sharer.php?u={u}"},
        {"name": "X", "url": f"https://x.com/intent/post?url={u}&text={t}"},
        {"name": "WhatsApp", "url": f"https://wa.me/?text={t}%20{u}"},
        {"name": "Email", "url": f"mailto:?subject={t}&body={u}"},
    ]
