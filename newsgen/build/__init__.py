"""One build end to end: load, convert bodies, plan and render pages, write feeds and
sitemaps, commit the output; with the build cache that lets a rebuild redo only what changed,
and ``check``, a build that writes nothing and adds editorial warnings.

``build_site`` (builder.py) is the one entry point the commands and the preview call.

May import: every stage below it (``render``, ``distribution``, ``content``, ``engine``,
``i18n``) and the shared modules; never ``preview`` or ``commands``.
"""
