"""``newsgen.yaml`` and ``content/`` -> frozen models.

The site's configuration, front matter and field checks, finding and reading content files,
the models (articles, headlines, pages, authors...), times and time zones, URL and slug rules,
and the publication rules (drafts, embargoes, expiry, sections, tags, the ticker); the
newsroom formats' syntax: live blogs (live), story furniture blocks (blocks), embeds
(embeds), the breaking-news banner (breaking), aliases. Every problem is collected with its
file and line.

May import: ``newsgen.engine``, ``newsgen.i18n`` (language tags) and the shared
``newsgen.errors``/``newsgen.reporter``.
"""
