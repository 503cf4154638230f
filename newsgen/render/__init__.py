"""Models -> page bytes: Markdown bodies (Python-Markdown and newsgen's extensions), the
Jinja2 environment (site templates over the built-in theme), the renderer that turns the
site into page specs, and the fingerprints that tell an unchanged page without rendering it.

May import: ``newsgen.distribution``, ``newsgen.content``, ``newsgen.engine``, ``newsgen.i18n``
and the shared modules.
"""
