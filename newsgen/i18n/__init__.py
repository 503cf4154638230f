"""Languages: tag checks, writing direction, Babel dates and the theme's gettext catalogs.

Sits beside ``engine`` at the bottom of the pipeline: content checks language tags with it,
render formats dates and fills theme strings with it. It knows nothing of news.

May import: nothing from newsgen (the standard library and Babel only).
"""
