"""Redirect rules for the hosts that read them: ``_redirects`` (Netlify, Cloudflare Pages)
and an nginx ``map`` file, both from the aliases of the published articles.

The HTML redirect pages (for hosts that read neither) are rendered in ``render.redirects``;
both come from :func:`redirect_rules`, so they always agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from newsgen.content.aliases import alias_file
from newsgen.content.models import Alias, Article, Site
from newsgen.content.moved import Moved

NETLIFY_FILE = "_redirects"
NGINX_FILE = "redirects.nginx.map"


@dataclass(frozen=True)
class Redirect:
    """One old address (``source`` is the site path as browsers ask for it, prefix
    included) and the article it now belongs to; ``path`` is the output file."""

    source: str
    path: str
    alias: Alias
    article: Article
    moved: bool = False  # from the moves ledger (``alias.line`` is its line there)


def redirect_rules(site: Site, moved: Iterable[Moved] = ()) -> list[Redirect]:
    """The aliases of every published article, then the ``moved`` ledger entries whose file
    is a published article, each part sorted by source (drafts and embargoed articles give
    none: a redirect would reveal their address; a deleted file's entries give none)."""
    prefix = site.config.url_prefix
    rules = [Redirect(prefix + alias.path, alias_file(alias.path), alias, article)
             for article in site.articles for alias in article.aliases]
    rules.sort(key=lambda r: (r.source, r.article.source, r.alias.line))
    by_source = {article.source: article for article in site.articles}
    ledger = [Redirect(prefix + entry.path, alias_file(entry.path),
                       Alias(entry.path, entry.line), by_source[entry.source], True)
              for entry in moved if entry.source in by_source]
    ledger.sort(key=lambda r: (r.source, r.article.source))
    return rules + ledger


def netlify_redirects(rules: list[Redirect]) -> bytes:
    """``_redirects``: one ``from to 301`` line per alias (and moved address). Cloudflare
    Pages follows these even where a file exists; Netlify serves the redirect page there
    instead (its rules do not shadow files unless forced, and a forced ``301!`` is a line
    Cloudflare ignores)."""
    lines = [f"{r.source} {r.article.url} 301" for r in rules]
    return ("# Written by newsgen from the articles' aliases and content/moved.yaml.\n"
            + "".join(line + "\n" for line in lines)).encode()


def nginx_map(rules: list[Redirect]) -> bytes:
    """Lines for an nginx ``map $uri $newsgen_redirect { include ...; }`` block. nginx
    map keys are exact ``$uri`` values, so a folder alias is listed with and without its
    trailing slash."""
    entries: dict[str, str] = {}
    for rule in rules:
        entries.setdefault(rule.source, rule.article.url)
        if rule.source.endswith("/") and len(rule.source) > 1:
            entries.setdefault(rule.source[:-1], rule.article.url)
            entries.setdefault(rule.source + "index.html", rule.article.url)
        elif rule.path.endswith("/index.html"):
            entries.setdefault(rule.source + "/", rule.article.url)
            entries.setdefault(rule.source + "/index.html", rule.article.url)
    lines = [f"{_nginx_quote(key)} {_nginx_quote(value)};" for key, value in
             sorted(entries.items())]
    return ("# Written by newsgen: include inside map $uri $newsgen_redirect { ... }\n"
            + "".join(line + "\n" for line in lines)).encode()


def _nginx_quote(text: str) -> str:
    """A map key or value in double quotes (a path may hold characters nginx parses)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
