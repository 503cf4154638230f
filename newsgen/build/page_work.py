"""Stage 4b, one page at a time: what a render worker does with a page (keep, splice the
ticker in, or render), and the task a *spawned* render worker runs (Windows, macOS).

A forked worker inherits the parent's :class:`PageWork`; a spawned one receives a
:class:`RenderState` once (the settings, the Site with its body store's path, the last
build's records and the writer's staging folder) and builds its own Jinja environment,
Renderer and PageWork from it (:func:`rendering`), so both paths run the same code on the
same inputs and give the same bytes.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from newsgen.build.dependencies import Changes
from newsgen.build.page_records import PageRecord, PageRecords, pack_record
from newsgen.content.config import SiteConfig
from newsgen.content.models import Site
from newsgen.engine.digests import file_digest
from newsgen.engine.writer import OutputWriter
from newsgen.errors import Problem
from newsgen.render.fingerprint import UNKNOWN_ARTICLE, Fingerprinter, article_ids
from newsgen.render.renderer import TICKER_MARKER, Renderer
from newsgen.render.specs import PageSpec
from newsgen.render.templating import make_environment, template_problem
from newsgen.render.ticker import current_ticker_paths

TICKER_PATH = "ticker.html"
_UNKNOWN = array("I", [UNKNOWN_ARTICLE]).tobytes()  # sorts last in a page's refs
# Spawned render workers pay off from this many pages to render: a pool of two was ready in
# about 0.3 s, each worker then loads the Site (0.01 s at 1,000 articles, 0.2 s at 10,000)
# and describes the listing pages again, and a page takes 0.7-0.85 ms (measured serially at
# 1,000 and 10,000 articles); see the README's "Windows, macOS and Linux" for the builds.
SPAWN_FROM = 1000


@dataclass(frozen=True, slots=True)
class Rendered:
    """What became of one page. The record is packed (``cache.pack_record``): 140,000 of
    them come back from the workers and wait here until every page is done."""

    record: bytes | None = None
    size: int = 0
    staged: int | None = None
    problem: Problem | None = None
    rendered: bool = False




class PageWork:
    """What happens to one page: kept as it is when its context's fingerprint matches the
    last build and the file is intact; the new ticker spliced into the previous bytes at the
    recorded offsets when only the ticker changed; otherwise rendered. Fingerprinting,
    splicing and staging run in the workers (:meth:`build`); pages known unchanged without a
    fingerprint are settled in the parent first (:meth:`settled`)."""

    def __init__(self, config: SiteConfig, renderer: Renderer, old_records: PageRecords,
                 writer: OutputWriter | None, fingerprints: Fingerprinter | None,
                 changed: Changes | None, refresh: bool = False) -> None:
        """``fingerprints`` None: no later build reads them (``--no-cache``)."""
        self.config = config
        self.renderer = renderer
        self.old_records = old_records
        self.writer = writer
        self.fingerprints = fingerprints
        self.changed = changed
        self.ticker = renderer.ticker_html.encode()
        ticker_path = renderer.ticker_fragment().path  # fr/ticker.html in the French edition
        old_ticker = self.writer.old.get(ticker_path) if self.writer else None
        self.old_ticker_size = int(old_ticker[1]) if old_ticker else -1
        self.ticker_same = bool(old_ticker) and old_ticker[0] == file_digest(self.ticker)
        self.current_ticker = current_ticker_paths(renderer.site)
        self.refresh = refresh  # an item older tickers may show was withdrawn

    def _old_ticker_kept(self, path: str) -> bool:
        """Whether ``path`` may keep the ticker of its last build (``ticker.embed: live``):
        then a new headline alone never rewrites it."""
        return self.current_ticker is not None and not self.refresh and \
            path not in self.current_ticker

    def _stale(self, path: str, old: PageRecord) -> bool:
        """A page that may carry an older ticker (of unknown size: it cannot be spliced)
        while an item such tickers show was withdrawn: it is rendered again."""
        return self.refresh and bool(old.splices) and self.current_ticker is not None and \
            path not in self.current_ticker

    def settled(self, path: str) -> Rendered | None:
        """The page kept as it is, if that is known without fingerprinting it, else None."""
        old = self.old_records.get(path)
        if old is None or self.writer is None or not self._same_inputs(path, old) \
                or self._stale(path, old) \
                or (old.splices and not self.ticker_same and not self._old_ticker_kept(path)) \
                or not self.writer.is_unchanged(path, old.digest):
            return None
        return Rendered(self.old_records.packed(path))

    def build(self, spec_of: Callable[[int], PageSpec], index: int, path: str) -> Rendered:
        old = self.old_records.get(path)
        known = old is not None and self._same_inputs(path, old)
        if known:  # kept or spliced without describing the page (a third of a splice)
            assert old is not None
            reused = self._reuse(path, old, old.fingerprint, old.refs)
            if reused is not None:
                return reused
        try:
            spec = spec_of(index)
        except Exception as exc:  # describing an article page runs no template code
            return Rendered(problem=template_problem(exc, self.config))
        if known:
            assert old is not None
            fingerprint, refs = old.fingerprint, old.refs
        elif self.fingerprints is None:  # --no-cache: nothing to compare with, or keep
            fingerprint, refs = "", b""
        else:
            fingerprint, refs = self.fingerprints.of(spec.template, spec.context)
        if not known and (reused := self._reuse(path, old, fingerprint, refs)) is not None:
            return reused
        try:
            text = self.renderer.render_page(spec)
        except Exception as exc:  # any template failure becomes a located problem
            return Rendered(problem=template_problem(exc, self.config))
        return self._stage(path, *join_tickers(self.ticker, fingerprint, refs,
                                                text.split(TICKER_MARKER)),
                           rendered=True)

    def _same_inputs(self, path: str, old: PageRecord) -> bool:
        """The page's context is the one last build fingerprinted: the change since then is
        known (``changed`` is not None), does not name this page, and no article the page
        shows has changed."""
        changed = self.changed
        if changed is None or path in changed.forced or old.refs.endswith(_UNKNOWN):
            return False
        if not changed.ids:
            return True
        refs = array("I")
        refs.frombytes(old.refs)
        return changed.ids.isdisjoint(refs)

    def _reuse(self, path: str, old: PageRecord | None, fingerprint: str, refs: bytes
               ) -> Rendered | None:
        writer = self.writer
        if old is None or old.fingerprint != fingerprint or writer is None \
                or self._stale(path, old):
            return None
        if old.refs != refs:  # the same articles, at other positions in the site's list
            old = old._replace(refs=refs)
        if self.ticker_same or not old.splices or self._old_ticker_kept(path):
            if writer.is_unchanged(path, old.digest):
                return Rendered(pack_record(old))
            return None
        if self.old_ticker_size < 0:
            return None
        previous = writer.old_bytes(path, old.digest)
        if previous is None:
            return None
        pieces = cut_tickers(previous, old.splices, self.old_ticker_size)
        return self._stage(path, *join_tickers(self.ticker, fingerprint, refs, pieces))

    def _stage(self, path: str, data: bytes, record: PageRecord,
               rendered: bool = False) -> Rendered:
        staged = self.writer.stage(path, data, record.digest) if self.writer else None
        return Rendered(pack_record(record), len(data), staged, rendered=rendered)


def cut_tickers(previous: bytes, splices: tuple[int, ...], ticker_size: int) -> list[bytes]:
    """A page's bytes without the ticker it carries at each of ``splices``."""
    pieces, start = [], 0
    for offset in splices:
        pieces.append(previous[start:offset])
        start = offset + ticker_size
    pieces.append(previous[start:])
    return pieces


def join_tickers(ticker: bytes, fingerprint: str, refs: bytes,
                 pieces: list[str] | list[bytes]) -> tuple[bytes, PageRecord]:
    """Join page pieces with the ticker between them; note where each ticker starts."""
    parts = [p.encode() if isinstance(p, str) else p for p in pieces]
    offsets, position = [], 0
    for piece in parts[:-1]:
        position += len(piece)
        offsets.append(position)
        position += len(ticker)
    data = ticker.join(parts)
    return data, PageRecord(fingerprint, file_digest(data), tuple(offsets), refs)


@dataclass(frozen=True)
class RenderState:
    """Everything a spawned render worker needs, pickled once per worker. ``items`` are
    the pages to do, in the parent's order: (index in the page list, output path), where
    the first ``len(site.articles)`` indexes are article pages and the rest the other
    pages in :meth:`Renderer.other_specs` order."""

    config: SiteConfig
    site: Site
    salt: str
    old_records: PageRecords
    writer: OutputWriter | None
    keep_records: bool
    changed: Changes | None
    items: Sequence[tuple[int, str]]
    translations: dict[str, dict[str, str]] | None = None  # page URL -> {language: URL}
    refresh: bool = False  # see PageWork


def spec_lookup(renderer: Renderer, others: list[PageSpec] | None = None
                ) -> Callable[[int], PageSpec]:
    """Page ``index``'s spec: an article's page described when asked, the other pages
    (``others``, or described here on first use) by their place after the articles."""
    articles = renderer.site.articles
    described = others

    def spec_of(index: int) -> PageSpec:
        nonlocal described
        if index < len(articles):
            return renderer.article_page(articles[index])
        if described is None:
            described = list(renderer.other_specs())
        return described[index - len(articles)]
    return spec_of


def rendering(state: RenderState) -> Callable[[int], Rendered]:
    """The function doing item ``k`` of ``state``, in a spawned worker: its own templates,
    renderer and fingerprinter, made from the same inputs as the parent's."""
    renderer = Renderer(make_environment(state.config), state.site, state.translations)
    fingerprints = Fingerprinter(state.site.now, state.salt, article_ids(state.site.articles)) \
        if state.keep_records else None
    page = PageWork(state.config, renderer, state.old_records, state.writer, fingerprints,
                    state.changed, state.refresh)
    spec_of = spec_lookup(renderer)

    def render(k: int) -> Rendered:
        index, path = state.items[k]
        return page.build(spec_of, index, path)
    return render
