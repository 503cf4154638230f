"""``sitemap.xml`` and ``robots.txt``, built as data with ElementTree."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import datetime

from newsgen.config import SiteConfig
from newsgen.times import iso

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def sitemap(config: SiteConfig, entries: Iterable[tuple[str, datetime | None]]) -> bytes:
    """One urlset: (site path, last modified) pairs, in the order given."""
    root = ET.Element("urlset", xmlns=SITEMAP_NS)
    for path, modified in entries:
        url = ET.SubElement(root, "url")
        ET.SubElement(url, "loc").text = config.absolute(path)
        if modified is not None:
            ET.SubElement(url, "lastmod").text = iso(modified)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode()


def robots(config: SiteConfig, sitemap_paths: Iterable[str]) -> bytes:
    lines = ["User-agent: *", "Allow: /", ""]
    lines += [f"Sitemap: {config.absolute(path)}" for path in sitemap_paths]
    return ("\n".join(lines) + "\n").encode()
