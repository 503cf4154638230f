"""Puts the 20 newest articles in the template context as ``latest_news`` (for every page).

Pelican replaces ``articles`` with the tag's, author's or section's own articles on those
pages, so the site-wide "latest news" list needs its own name.
"""

from pelican import signals


def _store_latest(generator):
    generator.context["latest_news"] = generator.articles[:20]


def register():
    signals.article_generator_finalized.connect(_store_latest)
