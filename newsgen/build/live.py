"""Stage 4c: the ``updates.json`` each open live blog's page polls (``render.live``).

Written only while coverage is open, from the same context the page is rendered from, so
the two always agree; its path is the page's, so the plan refuses a clash like any other.
"""

from __future__ import annotations

from newsgen.build.pages import PagePlan
from newsgen.content.models import Site
from newsgen.content.urls import output_path
from newsgen.render.live import updates_json, updates_url


def add_live_updates(site: Site, plan: PagePlan) -> None:
    for article in site.articles:
        if article.live and article.live_state == "open":
            path = output_path(updates_url(article.url), site.config.url_prefix)
            plan.add(path, article.source, updates_json(article, site.config).encode())
