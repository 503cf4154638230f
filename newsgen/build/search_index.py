"""Stage 4c: the search index's shards into the plan, rebuilding only those that changed.

Every file of a shard carries the shard's key as its record's fingerprint; a shard whose
key is the one the last build wrote, with every file it wrote still intact, is kept as it
is (no indexer is started when no shard changed). Shards of spans that no longer have
articles, or that were split or merged (distribution/shard_spans.py), simply are not
planned, so the writer removes their files. Each edition's shards
are its own (``fr/pagefind/2026/``), so a French article never re-indexes an English shard;
the shards to index are shared among indexer processes, one a core (see ``_indexed``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future

from newsgen.build.page_records import PageRecord, packed_digest, packed_fingerprint
from newsgen.build.pages import PagePlan
from newsgen.content.config import CONFIG_FILE
from newsgen.content.models import Site
from newsgen.distribution.search import (
    Indexer,
    SearchUnavailable,
    Shard,
    index_shard,
    search_root,
    shards,
)
from newsgen.engine.digests import file_digest
from newsgen.engine.workers import worker_count, worth_parallel
from newsgen.errors import SourceLocation

SOURCE = "search index"


def add_search(sites: Sequence[Site], plan: PagePlan, workers: int | None = None
               ) -> tuple[float, int]:
    """Plan every edition's shards' files; return (seconds spent indexing, shards indexed).
    A missing or failing indexer is a problem at ``newsgen.yaml`` (its ``search`` key turns
    it off)."""
    todo: list[tuple[Site, Shard]] = []
    for site in sites:
        if site.config.search:
            old = _old_shards(plan, search_root(site))
            todo += [(site, shard) for shard in shards(site)
                     if not _keep(plan, shard, old.get(shard.name))]
    if not todo:
        return 0.0, 0
    started = time.perf_counter()
    articles = sum(len(shard.articles) for _, shard in todo)
    processes = min(len(todo), worker_count() if workers is None else workers) \
        if worth_parallel(articles, workers) else 1
    try:
        for shard, files in _indexed(todo, processes):
            for path, data in files:
                plan.add(path, SOURCE, data, _record(shard, data))
    except SearchUnavailable as exc:
        plan.problems.error(SourceLocation(CONFIG_FILE), str(exc), "search")
    return time.perf_counter() - started, len(todo)


def _indexed(todo: list[tuple[Site, Shard]], processes: int
             ) -> Iterator[tuple[Shard, list[tuple[str, bytes]]]]:
    """Each shard's files, in ``todo``'s order (so the plan is the same whatever finishes
    first). One Pagefind process indexes on one core, and it ran after every page had been
    rendered with the other cores idle: with ``processes`` > 1 the shards are dealt out,
    the largest first, to that many indexer processes, each driven from a thread (the
    Python side of a shard is a few percent of its time: the threads mostly wait on pipes)."""
    if processes <= 1:
        with Indexer() as indexer:
            for site, shard in todo:
                yield shard, index_shard(indexer, site, shard)
        return
    lanes: list[list[int]] = [[] for _ in range(processes)]
    loads = [0] * processes
    for i in sorted(range(len(todo)), key=lambda i: -len(todo[i][1].articles)):
        lane = loads.index(min(loads))
        lanes[lane].append(i)
        loads[lane] += len(todo[i][1].articles)
    results: list[Future[list[tuple[str, bytes]]]] = [Future() for _ in todo]
    stop = threading.Event()

    def work(lane: list[int]) -> None:
        try:
            with Indexer() as indexer:
                for i in sorted(lane):
                    if stop.is_set():
                        return
                    results[i].set_result(index_shard(indexer, *todo[i]))
        except Exception as exc:  # noqa: BLE001 - handed to the consumer, in shard order
            for i in lane:
                if not results[i].done():
                    results[i].set_exception(exc)

    threads = [threading.Thread(target=work, args=(lane,), daemon=True) for lane in lanes]
    for thread in threads:
        thread.start()
    planned: Future[list[tuple[str, bytes]]] = Future()
    planned.set_result([])
    try:
        for i, (_site, shard) in enumerate(todo):
            files = results[i].result()
            # Let go of each shard's files once handed on: the futures held every shard's
            # files (the whole index) until the last one, 400 MB of the parent at 100,000.
            results[i] = planned
            yield shard, files
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def _record(shard: Shard, data: bytes) -> PageRecord:
    return PageRecord(shard.key, file_digest(data), ())


def _old_shards(plan: PagePlan, prefix: str) -> dict[str, list[str]]:
    """The last build's search files under one edition's ``prefix``, by shard name."""
    found: dict[str, list[str]] = {}
    for path in plan.old_records:
        if path.startswith(prefix):
            found.setdefault(path[len(prefix):].split("/", 1)[0], []).append(path)
    return found


def _keep(plan: PagePlan, shard: Shard, paths: list[str] | None) -> bool:
    """Keep last build's files of ``shard`` if its key is unchanged and all are intact.
    A large site's shards are most of its files (110,000 of 243,000 at 100,000 articles),
    so their records stay packed and each file is checked once."""
    writer = plan.writer
    if not paths or writer is None:
        return False
    kept = []
    for path in sorted(paths):
        packed = plan.old_records.packed(path)
        if packed is None or packed_fingerprint(packed) != shard.key or \
                not writer.is_unchanged(path, packed_digest(packed)):
            return False
        kept.append((path, packed))
    for path, packed in kept:
        plan.register(path, SOURCE, packed, 0, None)
    return True
