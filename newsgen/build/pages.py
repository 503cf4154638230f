"""Stage 4b: which pages to render, rendering them on every core, and the plan of output
files.

Each page's context is fingerprinted (``fingerprint.py``). A page whose fingerprint matches the
previous build is kept as it is; if only the shared ticker changed, the new ticker is spliced
into the previous bytes at the recorded offsets instead of rendering the page again. Everything
else is rendered, in parallel when there is enough of it.

Fingerprinting 130,000 contexts was two thirds of a 100,000-article rebuild after a new
article (98 CPU-seconds, 32 without it), so it is skipped where its answer
is known: ``dependencies.py`` compares this build's articles with the last build's and names
the articles whose pages may differ and the pages that must be looked at again (after a new
headline, a body edit or a new article); every other page has its last fingerprint. Each page
record lists the articles its context showed.
"""

from __future__ import annotations

from contextlib import suppress

import jinja2

from newsgen.build.dependencies import changes, pages_state
from newsgen.build.page_records import PageRecord, PageRecords, PagesState, packed_digest
from newsgen.build.page_work import (
    SPAWN_FROM,
    TICKER_PATH,
    PageWork,
    Rendered,
    RenderState,
    rendering,
    spec_lookup,
)
from newsgen.build.ticker_build import TickerSnapshot
from newsgen.content.config import CONFIG_FILE, SiteConfig
from newsgen.content.models import Site
from newsgen.content.moved import Ledger
from newsgen.content.urls import GENERATED_ROOTS
from newsgen.engine.digests import digest, file_digest
from newsgen.engine.paths import UnsafePath, fold_case
from newsgen.engine.workers import MIN_PARALLEL, Portable, parallel_map
from newsgen.engine.writer import OutputWriter
from newsgen.errors import ProblemList, SourceLocation
from newsgen.render.fingerprint import Fingerprinter, article_ids
from newsgen.render.renderer import Renderer, SiteView
from newsgen.render.specs import PageSpec
from newsgen.render.templating import make_environment, template_problem
from newsgen.render.ticker import seen_after, ticker_json, withdrawn
from newsgen.reporter import Reporter

Translations = dict[str, dict[str, str]] | None  # page URL -> {language: URL}
Environment = jinja2.Environment | None  # None: the pages could not be planned

# Render workers touch (and so copy) more of the inherited heap per page than Markdown
# workers do: they are replaced four times as often (see workers.WORKER_CHUNKS). Measured at
# 100,000 articles: a render worker's own objects stay under 6 MB, but the inherited pages
# it has written to (reference counts of the articles each page shows) grow from 30 MB at
# 50 pages to 150 MB at 2,000; replaced after 1,000 pages, a worker peaks near 110 MB.
RENDER_CHUNKS = 5


class PagePlan:
    """Every output file by path, refusing two producers for one path (or two paths that
    differ only in case, which collide on macOS and Windows). Files go straight to the
    writer's staging folder, so a large site is never held in memory at once."""

    def __init__(self, problems: ProblemList, old_records: PageRecords,
                 writer: OutputWriter | None, old_state: PagesState | None = None,
                 keep_records: bool = True) -> None:
        self.problems = problems
        self.keep_records = keep_records  # False: no later build will read fingerprints
        self.old_records = old_records
        self.old_state = old_state
        self.state: PagesState | None = None
        self.state_text = ""  # ``state`` as the cache keeps it, once pages are rendered
        self.writer = writer
        self.sources: dict[str, str] = {}
        self.folded: dict[str, str] = {}
        self.records = PageRecords()
        self.body_keys: set[str] = set()
        self.rendered = 0
        self.notes: list[str] = []  # for the person building, neither error nor warning
        self.ledger = Ledger()  # the moves ledger's change (build/moves.py)
        self.moved_from: dict[str, list[str]] = {}  # old addresses of moved articles (moves.py)
        self.indexed = (0.0, 0)  # seconds spent indexing for search, shards indexed
        # Ticker items that kept pages may still show (render/ticker.py ``withdrawn``):
        # the last build's, then this build's for the next one.
        self.ticker_seen: list[str] | None = None
        # Each edition's template view, and what a headline-only build takes from this one
        # (build/ticker_build.py).
        self.views: dict[str, SiteView] = {}
        self.snapshot: TickerSnapshot | None = None

    @property
    def files(self) -> dict[str, str]:
        """Every output file planned so far: its path, and what produces it."""
        return self.sources

    def claim(self, path: str, source: str) -> bool:
        key = fold_case(path)
        if key == path:
            key = path  # most paths are their own folded form: one string, not two
        if key in self.folded:
            other = self.folded[key]
            first, second = sorted([self.sources[other], source])
            detail = "the same path" if other == path else \
                f"paths differing only in case ('{other}' and '{path}')"
            where = second if second.startswith(("content/", "static/")) else first
            self.problems.error(SourceLocation(where), f"URL collision: {first} and {second} "
                                f"both produce {detail} ({path})", "collision")
            return False
        self.folded[key] = path
        self.sources[path] = source
        return True

    def add(self, path: str, source: str, data: bytes, record: PageRecord | None = None
            ) -> None:
        if not self.claim(path, source):
            return
        out_digest = record.digest if record else file_digest(data)
        if record:
            self.records[path] = record
        if self.writer is not None and not self.problems.errors:
            self.writer.put(path, data, out_digest)

    def register(self, path: str, source: str, packed: bytes, size: int,
                 staged: int | None) -> None:
        """Account for a file a render worker already staged (or found unchanged);
        ``packed`` is its record (``cache.pack_record``)."""
        if not self.claim(path, source):
            return
        self.records.put_packed(path, packed)
        out_digest = packed_digest(packed)
        if self.writer is not None:
            self.writer.record(path, out_digest, size, staged)

    def keep(self, path: str, source: str, record: PageRecord) -> bool:
        """Keep the previous output file as it is, if it is intact."""
        if self.writer is None or not self.writer.is_unchanged(path, record.digest):
            return False
        if self.claim(path, source):
            self.writer.put(path, b"", record.digest)
            self.records[path] = record
        return True


def render_pages(config: SiteConfig, site: Site, plan: PagePlan, salt: str, reporter: Reporter,
                 workers: int | None = None, translations: Translations = None) -> Environment:
    """Plan every page of one edition; returns their environment for redirect pages."""
    env = make_environment(config)
    articles = site.articles
    try:
        renderer = Renderer(env, site, translations)
        plan.views[config.language] = renderer.view
        # Article pages are described (PageSpec) in the worker that needs them: 100,000
        # contexts held here would be most of a large build's memory.
        targets = [renderer.article_target(article) for article in articles]
        others = list(renderer.other_specs())
        targets += [(spec.path, spec.url, spec.source) for spec in others]
        extra = [renderer.ticker_fragment(), ticker_json(site.config, site.ticker)]
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError) as exc:
        plan.problems.add(template_problem(exc, config))
        return None
    except UnsafePath as exc:
        plan.problems.error(SourceLocation(CONFIG_FILE), str(exc), "path")
        return None

    todo = [i for i, target in enumerate(targets) if not _reserved(*target, plan.problems)]
    positions = renderer.position  # each article's place in the site's list
    fingerprints = Fingerprinter(site.now, salt, article_ids(articles))
    plan.state = pages_state(fingerprints, site, salt)
    refresh = withdrawn(plan.ticker_seen, site)
    plan.ticker_seen = seen_after(plan.ticker_seen, site, refresh)
    changed = changes(plan.old_state, plan.state, renderer, targets)
    page = PageWork(config, renderer, plan.old_records, plan.writer,
                    fingerprints if plan.keep_records else None, changed, refresh)
    # Pages known unchanged are settled here: forking workers to look at them costs more.
    results: list[Rendered | None] = [page.settled(targets[i][0]) for i in todo]
    rest = [k for k, result in enumerate(results) if result is None]
    # Pages showing articles near in time go to the same worker, one after the other: a
    # forked worker copies every inherited memory page it touches, and listing pages (by
    # tag, author, month) in their natural order would make each touch the whole archive.
    rest.sort(key=lambda k: _era(todo[k], len(articles), others, positions))
    if len(rest) >= MIN_PARALLEL:
        _compile_templates(env)
    items = [(todo[k], targets[todo[k]][0]) for k in rest]
    spec_of = spec_lookup(renderer, others)
    # Forked workers inherit ``page``; spawned ones (Windows, macOS) make their own from
    # the state (page_work.rendering).
    state = RenderState(config, site, salt, plan.old_records, plan.writer, plan.keep_records,
                        changed, items, translations, refresh)
    task = Portable(rendering, state, SPAWN_FROM,
                    here=lambda k: page.build(spec_of, *items[k]))
    done = parallel_map(task, len(rest), workers,
                        lambda n: reporter.progress(n, len(rest), "rendering"),
                        chunks_per_worker=RENDER_CHUNKS)
    reporter.finish_progress()
    for k, result in zip(rest, done, strict=True):
        results[k] = result
    _register(plan, [(targets[index], result) for index, result in zip(todo, results,
                                                                        strict=True)])
    for extra_page in extra:
        plan.add(extra_page.path, extra_page.source, extra_page.text.encode())
    return env


def _register(plan: PagePlan, pages: list[tuple[tuple[str, str, str], Rendered | None]]
              ) -> None:
    """Account for every page in the plan, in page order, or report the first failure."""
    for (path, _url, source), result in pages:
        assert result is not None
        if result.problem is not None:
            plan.problems.add(result.problem)
            break  # the same template fails on every page: report it once
        assert result.record is not None
        plan.rendered += result.rendered
        plan.register(path, source, result.record, result.size, result.staged)


def _compile_templates(env: jinja2.Environment) -> None:
    """Compile every template once, before render workers fork: each worker would otherwise
    compile the ones it uses again (0.1 s of CPU a worker), and workers are replaced often.
    A template that does not compile is left to be reported by the page that uses it."""
    try:
        names = env.list_templates()
    except TypeError:  # a loader that cannot list its templates
        return
    for name in names:
        with suppress(Exception):
            env.get_template(name)


def _era(index: int, article_count: int, others: list[PageSpec], positions: dict[str, int]
         ) -> int:
    """Where in the archive a page's articles are: its article's position, or the first
    listed article's."""
    if index < article_count:
        return index
    spec = others[index - article_count]
    first = spec.first if spec.first is not None else \
        next(iter(spec.context.get("articles") or ()), None)
    return positions.get(first.slug, 0) if first is not None else 0


def _reserved(path: str, url: str, source: str, problems: ProblemList) -> bool:
    """Content may not take a path newsgen generates (``/rss.xml/``, ``/tags/...``)."""
    if not source.startswith("content/"):
        return False
    root = path.split("/", 1)[0]
    if root in GENERATED_ROOTS and path != "index.html":
        problems.error(SourceLocation(source),
                       f"URL {url} is reserved for pages newsgen generates "
                       f"('{root}'); choose another slug", "collision")
        return True
    return False


__all__ = ["PagePlan", "render_pages", "digest", "TICKER_PATH"]
