"""Stage 4c: the old addresses of articles (``aliases:``) as redirect pages, ``_redirects``
and an nginx map, after every other file is planned so that an alias taking a real page's
path is reported with both files.

A site without aliases gets none of these files: its output is what it was before aliases.
"""

from __future__ import annotations

import jinja2

from newsgen.build.pages import PagePlan
from newsgen.content.models import Site
from newsgen.distribution.redirects import (
    NETLIFY_FILE,
    NGINX_FILE,
    Redirect,
    netlify_redirects,
    nginx_map,
    redirect_rules,
)
from newsgen.engine.paths import fold_case
from newsgen.errors import SourceLocation
from newsgen.render.redirects import redirect_page
from newsgen.render.templating import template_problem


def add_redirects(env: jinja2.Environment, site: Site, plan: PagePlan) -> None:
    """Plan a redirect page per alias and the two rule files; an alias on a path another
    file produces (or another alias takes) is an error at the alias's line."""
    rules = redirect_rules(site)
    if not rules:
        return
    taken = {fold_case(path): path for path in plan.files}
    kept: list[Redirect] = []
    seen: dict[str, Redirect] = {}
    for rule in rules:
        key = fold_case(rule.path)
        where = SourceLocation(rule.article.source, rule.alias.line)
        if key in taken:
            other = plan.files[taken[key]]
            plan.problems.error(where, f"alias '{rule.alias.path}' is the address of a real "
                                f"page ({_located(site, other)}); remove the alias",
                                "alias-collision")
            continue
        first = seen.setdefault(key, rule)
        if first is not rule:
            plan.problems.error(where, f"alias '{rule.alias.path}' is also an alias of "
                                f"{first.article.source}:{first.alias.line}",
                                "alias-collision")
            continue
        kept.append(rule)
    if plan.problems.errors:
        return
    try:
        pages = [(rule, redirect_page(env, site, rule)) for rule in kept]
    except Exception as exc:  # a site's redirect.html that fails is a located problem
        plan.problems.add(template_problem(exc, site.config))
        return
    for rule, text in pages:
        plan.add(rule.path, rule.article.source, text.encode())
    plan.add(NETLIFY_FILE, "redirects", netlify_redirects(kept))
    plan.add(NGINX_FILE, "redirects", nginx_map(kept))


def _located(site: Site, source: str) -> str:
    """``file:line`` of what produces a page: an article's URL comes from the line of its
    ``slug:`` (else its first line); other producers are named as they are."""
    for article in (*site.articles, *site.hidden):
        if article.source == source:
            return f"{source}:{article.url_line}"
    return f"{source}:1" if source.startswith(("content/", "static/")) else source
