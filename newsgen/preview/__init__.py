"""The dev server and the file watcher behind ``newsgen serve``.

It is handed a rebuild callable and a stream of change batches, and knows nothing of the
stages: serve-only behaviour (the live-reload script) never reaches ``build`` output.

May import: ``newsgen.reporter`` only.
"""
