"""Stage 4c: the old addresses of articles (``aliases:``) as redirect pages, ``_redirects``
and an nginx map, after every other file is planned so that an alias taking a real page's
path is reported with both files.

A site without aliases gets none of these files: its output is what it was before aliases.
"""

from __future__ import annotations

from collections.abc import Sequence

import jinja2

from newsgen.build.pages import PagePlan
from newsgen.content.models import Site
from newsgen.content.moved import MOVED_FILE, Moved
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


def add_redirects(env: jinja2.Environment, site: Site, plan: PagePlan,
                  moved: Sequence[Moved] = ()) -> list[Moved]:
    """Plan a redirect page per alias and moved address, and the two rule files; an alias
    on a path another file produces (or another alias takes) is an error at the alias's
    line. A ledger entry there is dropped instead (the page or alias wins: the ledger is
    newsgen's record, not the editor's word), with a note. Returns the entries dropped."""
    rules = redirect_rules(site, moved)
    if not rules:
        return []
    taken = {fold_case(path): path for path in plan.files}
    kept: list[Redirect] = []
    seen: dict[str, Redirect] = {}
    dropped: list[Moved] = []
    for rule in rules:
        key = fold_case(rule.path)
        first = seen.setdefault(key, rule)
        if key in taken or first is not rule:
            if rule.moved:
                dropped.append(_dropped(site, plan, rule, taken.get(key) or first))
            else:
                _collision(site, plan, rule, taken.get(key), first)
            continue
        kept.append(rule)
    if plan.problems.errors:
        return dropped
    kept.sort(key=lambda r: (r.source, r.moved, r.article.source, r.alias.line))
    try:
        pages = [(rule, redirect_page(env, site, rule)) for rule in kept]
    except Exception as exc:  # a site's redirect.html that fails is a located problem
        plan.problems.add(template_problem(exc, site.config))
        return dropped
    for rule, text in pages:
        plan.add(rule.path, rule.article.source, text.encode())
    if kept:
        plan.add(NETLIFY_FILE, "redirects", netlify_redirects(kept))
        plan.add(NGINX_FILE, "redirects", nginx_map(kept))
    return dropped


def _collision(site: Site, plan: PagePlan, rule: Redirect, page: str | None,
               first: Redirect) -> None:
    where = SourceLocation(rule.article.source, rule.alias.line)
    if page is not None:
        plan.problems.error(where, f"alias '{rule.alias.path}' is the address of a real "
                            f"page ({_located(site, plan.files[page])}); remove the alias",
                            "alias-collision")
    else:
        plan.problems.error(where, f"alias '{rule.alias.path}' is also an alias of "
                            f"{first.article.source}:{first.alias.line}", "alias-collision")


def _dropped(site: Site, plan: PagePlan, rule: Redirect, winner: str | Redirect) -> Moved:
    """The ledger entry of ``rule``, noted as given up to the page or alias at its path."""
    other = _located(site, plan.files[winner]) if isinstance(winner, str) else \
        f"{winner.article.source}:{winner.alias.line}"
    plan.notes.append(f"{MOVED_FILE}:{rule.alias.line}: '{rule.alias.path}' is now answered "
                      f"by {other}; its redirect is dropped from the ledger")
    return Moved(rule.alias.path, rule.article.source, rule.alias.line)


def _located(site: Site, source: str) -> str:
    """``file:line`` of what produces a page: an article's URL comes from the line of its
    ``slug:`` (else its first line); other producers are named as they are."""
    for article in (*site.articles, *site.hidden):
        if article.source == source:
            return f"{source}:{article.url_line}"
    return f"{source}:1" if source.startswith(("content/", "static/")) else source
