"""What a build is asked to do (:class:`BuildOptions`) and what it did (:class:`BuildResult`):
shared by the builder, which decides which build a change needs, and the full pipeline.
Light on purpose: a build with nothing to do imports this, not the stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from newsgen.engine.journal import FileLocked
from newsgen.engine.writer import WriteStats
from newsgen.errors import BuildFailed, Problem, SourceLocation

if TYPE_CHECKING:
    from newsgen.content.config import SiteConfig
    from newsgen.content.models import Site


@dataclass(frozen=True)
class BuildOptions:
    out_dir: Path | None = None
    drafts: bool = False
    future: bool = False
    now: datetime | None = None
    strict: bool = False
    write: bool = True
    use_cache: bool = True
    workers: int | None = None


@dataclass
class BuildResult:
    """What a build did. ``site`` is None when nothing had changed since the last build
    (the inputs' fingerprint matched and the output was intact), which skips every stage."""

    site: Site | None
    out_dir: Path
    files: int
    seconds: float
    warnings: list[Problem] = field(default_factory=list)
    stats: WriteStats = field(default_factory=WriteStats)
    rendered: int = 0
    paths: frozenset[str] = frozenset()  # every output file the build plans (for ``check``)
    articles: int = 0
    next_change: datetime | None = None
    index_seconds: float = 0.0  # spent building search index shards
    shards_indexed: int = 0
    notes: list[str] = field(default_factory=list)  # for the person building (moves ledger)
    # "full"; "unchanged": nothing to do (``site`` is None); "ticker": headlines only, the
    # ticker applied without loading the site (``site`` is None, see ticker_build.py)
    mode: str = "full"


def resolve_out_dir(site_dir: Path, config: SiteConfig, given: Path | None) -> Path:
    out = given if given is not None else Path(config.output_dir)
    return out if out.is_absolute() else (site_dir / out if given is None else Path.cwd() / out)


def locked_file(site_dir: Path, error: FileLocked) -> BuildFailed:
    """An output file that stayed open elsewhere (Windows), as ``path: message``."""
    target = Path(error.target).absolute()
    try:
        shown = target.relative_to(site_dir.absolute()).as_posix()
    except ValueError:
        shown = target.as_posix()
    return BuildFailed([Problem(SourceLocation(shown), f"{error.strerror}; the previous "
                                "output is left as it was, build again when it is closed",
                                "error", "locked")])
