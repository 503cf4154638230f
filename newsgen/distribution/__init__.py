"""What other machines read: RSS and Atom feeds, sitemaps and news sitemaps, JSON-LD
structured data, the link rewriting they share (absolute URLs, XML-safe text), and the
Pagefind search index (search: records and shards; pagefind_files: its bytes made stable).

Pages link to these (feed ``<link>`` tags, JSON-LD in ``<head>``), so the renderer imports
from here, never the other way round.

May import: ``newsgen.content``, ``newsgen.engine``, ``newsgen.i18n`` and the shared modules.
"""
