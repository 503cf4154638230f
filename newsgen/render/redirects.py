"""Redirect pages: one small HTML page at each old address of an article (canonical link,
meta refresh, a visible link), for hosts that read no redirect file.

The page is rendered from the site's or the theme's ``redirect.html``; it holds no ticker and
no article text, so it changes only when the article's title or address does.
"""

from __future__ import annotations

import jinja2

from newsgen.content.models import Site
from newsgen.distribution.redirects import Redirect


def redirect_page(env: jinja2.Environment, site: Site, rule: Redirect) -> str:
    """The HTML served at ``rule.source``: it points at the article's absolute URL, so the
    redirect holds wherever the page is copied."""
    return env.get_template("redirect.html").render(
        site=env.globals["site"], article=rule.article,
        target=site.config.absolute(rule.article.url))
