"""``newsgen new article|headline|update``: write an article file or append a ticker headline."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from newsgen.commands.common import check_site_dir, parse_now, shown, subcommand
from newsgen.content.config import load_config
from newsgen.content.times import utc_now
from newsgen.errors import ProblemList
from newsgen.reporter import ConsoleReporter

NEW_EXAMPLES = """examples:
  newsgen new article "Council approves budget" --section city --author ana --tag budget
  newsgen new headline "Storm warning for the coast" --link storm-warning --time 14:05
  newsgen new update storm-ardan-live "Ferries resume" --key --by amara-haddad
  newsgen new article "Talks: a \\"final\\" offer" --section world --site mypaper
  newsgen new article "Le bac reprend" --lang fr --translation-of ferry-returns
  newsgen new headline "Le port rouvre" --lang fr --link le-bac-reprend
"""


def add_command(commands: Any, common: argparse.ArgumentParser) -> None:
    # no common options on "new" itself: a sub-command's defaults would overwrite them
    new = subcommand(commands, "new", argparse.ArgumentParser(add_help=False),
                   "create an article or append a ticker headline",
                   "Write a new article file or add a headline to today's headline file.",
                   NEW_EXAMPLES)
    kinds = new.add_subparsers(dest="kind", metavar="KIND", required=True)
    site = argparse.ArgumentParser(add_help=False, parents=[common])
    site.add_argument("--site", dest="site_dir", type=Path, default=Path("."), metavar="DIR",
                      help="the site folder (default: this folder)")
    site.add_argument("--now", metavar="ISO_TIME",
                      help="act as if it were this time (no offset: the site's zone)")
    article = subcommand(kinds, "article", site, "write content/articles/YYYY/MM/<slug>.md",
                       "Write a new article dated now (site zone) and print its path; an "
                       "existing file is never overwritten.", NEW_EXAMPLES)
    article.add_argument("title", metavar="TITLE")
    article.add_argument("--section", default="", help="a section id from newsgen.yaml "
                         "(required, except for a translation: the original's)")
    article.add_argument("--author", action="append", default=[], metavar="ID",
                         help="an author id from newsgen.yaml (repeatable)")
    article.add_argument("--tag", action="append", default=[], metavar="TAG",
                         help="a tag (repeatable)")
    article.add_argument("--slug", default="", help="file name and URL slug (default: from "
                         "the title)")
    article.add_argument("--lang", default="", metavar="TAG", help="the edition, a language "
                         "of 'languages:' in newsgen.yaml (default: the default language)")
    article.add_argument("--translation-of", default="", metavar="SLUG_OR_FILE",
                         help="the story this translates: shares its translation_key (given "
                         "to the original, its slug, when it has none), section and author ids")
    article.set_defaults(handler=run_new_article)
    headline = subcommand(kinds, "headline", site, "append to today's headline file",
                        "Append a ticker headline to content/headlines/YYYY-MM-DD.yaml (today "
                        "in the site zone); existing entries and comments are kept as they are.",
                        NEW_EXAMPLES)
    headline.add_argument("text", metavar="TEXT")
    headline.add_argument("--link", default="", metavar="SLUG_OR_URL",
                          help="an article slug or an http(s) URL")
    headline.add_argument("--time", default="", metavar="HH:MM",
                          help="time of day (default: now)")
    headline.add_argument("--lang", default="", metavar="TAG",
                          help="the edition's ticker (default: the default language's)")
    headline.set_defaults(handler=run_new_headline)
    update = subcommand(kinds, "update", site, "add an update to a live blog",
                        "Insert a timestamped update (now, site zone) above the newest one "
                        "in a live blog's file.", NEW_EXAMPLES)
    update.add_argument("slug", metavar="SLUG", help="the live blog's slug")
    update.add_argument("title", metavar="TITLE")
    update.add_argument("--key", action="store_true", help="pin it under Key events")
    update.add_argument("--by", default="", metavar="AUTHOR", help="author id or name")
    update.add_argument("--text", default="", help="the update's text (Markdown)")
    update.set_defaults(handler=run_new_update)


def run_new_article(args: argparse.Namespace, reporter: ConsoleReporter) -> int:
    from newsgen.commands.scaffold import ArticleRequest, ScaffoldError, new_article
    from newsgen.commands.translation import edition_for, give_key, translated
    from newsgen.content.loader import load_content
    check_site_dir(args)
    config = load_config(args.site_dir)
    try:
        edition = edition_for(config, args.lang)
        section, authors, key, original = args.section, tuple(args.author), "", None
        if args.translation_of:
            articles = load_content(config, ProblemList()).articles
            original, key = translated(config, articles, args.translation_of, edition)
            section = section or original.section
            authors = authors or tuple(a.id for a in original.authors if a.id)
        elif not section:
            raise ScaffoldError("--section is required (a section id from newsgen.yaml)")
        request = ArticleRequest(args.title, section, authors, tuple(args.tag), args.slug,
                                 edition.lang, edition.folder, edition.zone, key)
        path = new_article(config, request, parse_now(args) or utc_now())
        if original is not None and give_key(config, original, key):
            reporter.info(f"added 'translation_key: {key}' to {original.source}")
    except ScaffoldError as exc:
        print(f"newsgen: {exc}", file=sys.stderr)
        return 1
    print(shown(path))
    return 0


def run_new_headline(args: argparse.Namespace, reporter: ConsoleReporter) -> int:
    from newsgen.commands.scaffold import ScaffoldError, new_headline
    from newsgen.commands.translation import edition_for
    check_site_dir(args)
    try:
        config = load_config(args.site_dir)
        edition = edition_for(config, args.lang)
        path = new_headline(config, args.text, parse_now(args) or utc_now(), args.link,
                            args.time, edition.lang, edition.zone)
    except ScaffoldError as exc:
        print(f"newsgen: {exc}", file=sys.stderr)
        return 1
    reporter.info(f"added the headline to {shown(path)}")
    return 0


def run_new_update(args: argparse.Namespace, reporter: ConsoleReporter) -> int:
    from newsgen.commands.live_update import new_update
    from newsgen.commands.scaffold import ScaffoldError
    check_site_dir(args)
    try:
        path = new_update(load_config(args.site_dir), args.slug, args.title,
                          parse_now(args) or utc_now(), args.key, args.by, args.text)
    except ScaffoldError as exc:
        print(f"newsgen: {exc}", file=sys.stderr)
        return 1
    reporter.info(f"added the update to {shown(path)}")
    return 0
