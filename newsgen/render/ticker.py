"""The ticker outside the pages: ``ticker.json`` (which the live ticker script and other
sites read) and which pages must always carry the current ticker (``ticker.embed``)."""

from __future__ import annotations

import json

from newsgen.content.models import Site
from newsgen.content.times import iso
from newsgen.content.urls import output_path, section_url
from newsgen.render.renderer import RenderedPage


def current_ticker_paths(site: Site) -> frozenset[str] | None:
    """The pages that always carry the current ticker: the front page and each section's
    first page (``ticker.embed: live``; every other page may keep the ticker of its last
    build, which ticker.js refreshes in the browser). None: every page (``inline``)."""
    config = site.config
    if config.ticker_embed != "live":
        return None
    prefix = config.page_prefix
    urls = [prefix + "/"] + [section_url(prefix, s.id) for s in site.sections]
    return frozenset(output_path(url, config.url_prefix) for url in urls)


def ticker_json(site: Site) -> RenderedPage:
    """Every ticker item with its time (ISO and HH:MM in the site zone), title, site path
    (for internal links) and absolute URL."""
    config = site.config
    prefix = config.page_prefix
    items = [{"time": iso(item.time.astimezone(config.timezone)),
              "hhmm": item.time.astimezone(config.timezone).strftime("%H:%M"),
              "title": item.title,
              "path": item.url if item.url and not item.external else None,
              "url": (item.url if item.external or not item.url
                      else config.absolute(item.url)),
              **({"live": True} if item.live else {})}
             for item in site.ticker]
    text = json.dumps({"title": config.title, "timezone": config.timezone.key,
                       "items": items}, ensure_ascii=False, indent=1) + "\n"
    url = prefix + "/ticker.json"  # /fr/ticker.json in the French edition
    return RenderedPage(output_path(url, config.url_prefix), url, "ticker", text)
