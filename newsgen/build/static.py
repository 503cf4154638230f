"""Static files in a build: the theme's assets, then the site's ``static/`` over them, and
the images of page bundles; raster images go out as their renditions (``photos``)."""

from __future__ import annotations

import os
from pathlib import Path

from newsgen.build.pages import PagePlan
from newsgen.build.photos import add_photos, crops_by_path, is_photo
from newsgen.content.config import SiteConfig, static_roots
from newsgen.content.image_fields import bundle_base, bundle_files, is_bundle
from newsgen.content.models import Site
from newsgen.engine.paths import UnsafePath, check_relative, symlink_problem
from newsgen.errors import ProblemList, SourceLocation
from newsgen.reporter import Reporter


def add_static(config: SiteConfig, plan: PagePlan, problems: ProblemList, site: Site,
               use_cache: bool, workers: int | None, reporter: Reporter) -> None:
    """Theme assets, then the site's ``static/`` over them, file by file; raster images
    as their renditions (``photos``)."""
    site_root = config.site_dir.resolve()
    files: dict[str, tuple[Path, str]] = {}
    for root, prefix in static_roots(config):
        for current, dirs, names in os.walk(root, followlinks=False):
            dirs.sort()
            here = Path(current)
            for name in sorted(dirs + names):
                path = here / name
                display = _display(path, config)
                if path.is_symlink() and not _link_inside(path, site_root, display, problems):
                    if name in dirs:
                        dirs.remove(name)
                    continue
                if name in dirs or name.startswith("."):
                    continue
                if not path.is_file():
                    problems.error(SourceLocation(display), "not a regular file (a FIFO, "
                                   "socket or device); remove it from static/", "path")
                    continue
                relative = path.relative_to(root).as_posix()
                out = f"{prefix}/{relative}" if prefix else relative
                try:
                    check_relative(out)
                except UnsafePath as exc:
                    problems.error(SourceLocation(display), str(exc), "path")
                    continue
                files[out] = (path, display)
    files.update(_bundle_files(config, site, site_root, problems))
    photos = [(out, path, display) for out, (path, display) in sorted(files.items())
              if is_photo(out)]
    for out, (path, display) in sorted(files.items()):
        if not is_photo(out):
            plan.add(out, display, path.read_bytes())
    if photos:
        stats = add_photos(config, plan, problems, photos,
                           crops_by_path(site, config.url_prefix), use_cache, workers)
        reporter.detail(f"images: {stats.encoded} encoded, {stats.cached} from the cache, "
                        f"{stats.hashed} read to hash")


def _bundle_files(config: SiteConfig, site: Site, site_root: Path, problems: ProblemList
                  ) -> dict[str, tuple[Path, str]]:
    """The images of published page bundles, beside their article's page."""
    files = {}
    prefix = config.url_prefix
    for article in site.articles:
        if is_bundle(article.source):
            base = bundle_base(article.url[len(prefix):]).lstrip("/")
            for name, path in bundle_files((config.site_dir / article.source).parent):
                display = _display(path, config)
                if not path.is_symlink() or _link_inside(path, site_root, display, problems):
                    files[base + name] = (path, display)
    return files


def _link_inside(path: Path, site_root: Path, display: str, problems: ProblemList) -> bool:
    problem = symlink_problem(path, site_root)
    if problem:
        problems.error(SourceLocation(display), problem, "symlink")
    return problem is None


def _display(path: Path, config: SiteConfig) -> str:
    try:
        return path.relative_to(config.site_dir).as_posix()
    except ValueError:
        return "<newsgen theme>/" + path.name
