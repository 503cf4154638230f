"""Pelican settings for the newsgen benchmark (read by run.py's per-corpus settings file).

Equivalent to what newsgen builds: article pages at /<section>/YYYY/MM/<slug>/, paginated
front page, section, tag and author pages (20 a page), monthly archives, Atom feeds, and a
"latest news" list of 20 on every page. The content cache is on, as a newsroom would run it.
"""

from pathlib import Path

SITENAME = "The Benchmark Gazette"
SITEURL = ""
TIMEZONE = "Europe/Lisbon"
DEFAULT_LANG = "en"
THEME = str(Path(__file__).resolve().parent / "theme")
DEFAULT_PAGINATION = 20
ARTICLE_URL = "{category}/{date:%Y}/{date:%m}/{slug}/"
ARTICLE_SAVE_AS = ARTICLE_URL + "index.html"
CATEGORY_URL = "{slug}/"
CATEGORY_SAVE_AS = "{slug}/index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
AUTHOR_URL = "authors/{slug}/"
AUTHOR_SAVE_AS = "authors/{slug}/index.html"
ARCHIVES_SAVE_AS = "archive/index.html"
MONTH_ARCHIVE_SAVE_AS = "archive/{date:%Y}/{date:%m}/index.html"
TAGS_SAVE_AS = "tags/index.html"
AUTHORS_SAVE_AS = "authors/index.html"
CATEGORIES_SAVE_AS = "sections/index.html"
PAGINATION_PATTERNS = ((1, "{url}", "{save_as}"),
                       (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"))
MARKDOWN = {"extension_configs": {"markdown.extensions.extra": {},
                                  "markdown.extensions.toc": {}},
            "output_format": "html5"}
FEED_ALL_ATOM = "atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
LOAD_CONTENT_CACHE = True
CACHE_CONTENT = True
CONTENT_CACHING_LAYER = "reader"
DELETE_OUTPUT_DIRECTORY = False
PLUGIN_PATHS = [str(Path(__file__).resolve().parent / "plugins")]
PLUGINS = ["latest_news"]
FEED_DOMAIN = "https://gazette.example.org"
