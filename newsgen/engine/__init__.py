"""Files and processes, no news: the build's foundation.

Holds the output writer and its journal (nothing in the output is touched until a build has
succeeded), the output lock, path safety, content digests and the worker pool that spreads
work over every core. Knows nothing of articles or pages.

May import: ``newsgen.errors`` and ``newsgen.reporter`` only.
"""
