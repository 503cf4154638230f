"""Finding and reading content files: the walk over ``content/`` (stable order, symlinks
that leave the site refused, special files skipped) and a file's text (size limit, UTF-8,
LF line ends). Everything that reads a content file from disk goes through here."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from newsgen.content.config import SiteConfig
from newsgen.content.frontmatter import decode_source, split_front_matter
from newsgen.engine.digests import digest as text_key
from newsgen.engine.git_index import blob_id, data_id
from newsgen.engine.paths import fold_case, symlink_problem, windows_name_problem
from newsgen.errors import ContentError, ProblemList, SourceLocation


@dataclass(frozen=True)
class SourceFile:
    """A content file found on disk: its site-relative path, where it is, and its stat
    when it was taken on the way (:func:`discover`). ``location`` is a string: a ``Path``
    a file cost 3 s of every rebuild's walk at 100,000 articles (cProfile), and only the
    files that must be read again need one (:attr:`path`). ``data``: the file's bytes when
    they were read ahead (:func:`with_bytes`), so that a parse and the digest it is cached
    under see the same version of the file."""

    relative: str
    location: str | os.PathLike[str]
    info: os.stat_result | None = field(default=None, compare=False)
    data: bytes | None = field(default=None, compare=False, repr=False)

    @property
    def path(self) -> Path:
        return Path(self.location)


def read_body(config: SiteConfig, relative: str, key: str = "",
              key_of: Callable[[str], str] | None = None) -> tuple[str, int]:
    """(body, file line where it starts) of a content file, read again when it is needed
    (articles keep no body). With ``key``, the body must still be the one loaded: a file
    saved again during the build is an error, not a page mixing two versions. Raises
    ContentError or OSError. ``key_of`` is how the key was made (default: the text's
    digest)."""
    source = SourceFile(relative, config.site_dir / relative)
    _yaml, body, body_line = split_front_matter(read_text(source, config), relative)
    if key and (key_of or text_key)(body) != key:
        raise ContentError(SourceLocation(relative), "file changed while the site was "
                           "building; build again", "changed")
    return body, body_line


def with_bytes(source: SourceFile, config: SiteConfig) -> tuple[SourceFile, str | None]:
    """The source with its bytes read, and their :func:`content_digest`; the source as it
    was and None when it cannot be read or is over the size limit (its parse reports
    that)."""
    try:
        with open(source.location, "rb") as file:
            if os.fstat(file.fileno()).st_size > config.max_file_size:
                return source, None
            data = file.read()
    except OSError:
        return source, None
    return replace(source, data=data), content_digest(data)


def content_digest(data: bytes) -> str:
    """What a parsed file is remembered by besides its size and mtime: a fresh clone of a
    site's repository gives every file a new mtime and the same bytes. The id git gives
    the bytes (``engine/git_index.py``), so that in a clone git's index can vouch for a file
    without it being read."""
    return data_id(data)


def file_content_digest(location: str | os.PathLike[str]) -> str | None:
    """:func:`content_digest` of a file on disk (read in blocks: it may be a large photo),
    or None when it cannot be read."""
    return blob_id(location)


def discover(config: SiteConfig, folder: str, suffixes: tuple[str, ...],
             problems: ProblemList) -> list[SourceFile]:
    """Files below ``folder`` in a stable order (a folder's files, then its subfolders);
    symlinks leaving the site are refused. Each file comes with its stat: the loader needs
    it to trust the cache, and taking it here makes the walk over 10,000 articles one
    system call a file."""
    root = config.site_dir / folder
    found: list[SourceFile] = []
    if root.is_dir():
        _walk(config, str(root), folder, suffixes, config.site_dir.resolve(), problems, found)
    return _one_per_case(found, problems)


def _one_per_case(found: list[SourceFile], problems: ProblemList) -> list[SourceFile]:
    """Files whose paths differ only in letter case are one file on the default file
    systems of Windows and macOS, so a checkout there would lose one: both are errors."""
    first: dict[str, SourceFile] = {}
    clashing: set[str] = set()
    for source in found:
        other = first.setdefault(fold_case(source.relative), source)
        if other is not source:
            problems.error(SourceLocation(source.relative), "differs from "
                           f"{other.relative} only in letter case; Windows and macOS "
                           "keep one file for both: rename one", "case-collision")
            clashing.update((other.relative, source.relative))
    return [s for s in found if s.relative not in clashing] if clashing else found


def _walk(config: SiteConfig, directory: str, relative: str, suffixes: tuple[str, ...],
          site: Path, problems: ProblemList, found: list[SourceFile]) -> None:
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError:
        return
    folders = []
    for entry in entries:
        if _is_folder(entry):
            if _bad_name(entry.name, f"{relative}/{entry.name}", problems):
                continue
            if entry.is_symlink():
                _check_link(Path(entry.path), config, site, problems, folder_link=True)
            else:
                folders.append(entry)
            continue
        name = entry.name
        if name.startswith(".") or not name.lower().endswith(suffixes) or \
                _bad_name(name, f"{relative}/{name}", problems):
            continue
        if entry.is_symlink() and not _check_link(Path(entry.path), config, site, problems):
            continue
        where = f"{relative}/{name}"
        try:
            info = entry.stat()
        except OSError:
            info = None
        if info is None or not stat.S_ISREG(info.st_mode):
            # a FIFO or device would block or stream forever
            problems.error(SourceLocation(where), "not a regular file; not read",
                           "special-file")
            continue
        found.append(SourceFile(where, entry.path, info))
    for entry in folders:
        _walk(config, entry.path, f"{relative}/{entry.name}", suffixes, site, problems, found)


def _bad_name(name: str, where: str, problems: ProblemList) -> bool:
    """A name Windows cannot hold is an error on every system (see paths)."""
    problem = windows_name_problem(name)
    if problem:
        problems.error(SourceLocation(where), f"{problem}: the site could not be checked out "
                       "there; rename it", "file-name")
    return problem is not None


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a symlink loop: reported as a file
        return False


def _check_link(path: Path, config: SiteConfig, site: Path, problems: ProblemList,
                folder_link: bool = False) -> bool:
    """A symlink may point inside the site; one that leaves it, or loops, is an error."""
    relative = path.relative_to(config.site_dir).as_posix()
    problem = symlink_problem(path, site)
    if problem:
        problems.error(SourceLocation(relative), problem, "symlink")
        return False
    if folder_link:
        problems.warning(SourceLocation(relative), "symlinked folders are not followed",
                         "symlink")
    return True


def read_text(source: SourceFile, config: SiteConfig) -> str:
    """The file as text: size-limited, UTF-8 (BOM allowed), LF line ends."""
    data = source.data
    if data is None:
        size = os.stat(source.location).st_size
        if size <= config.max_file_size:
            with open(source.location, "rb") as file:
                data = file.read()
    else:
        size = len(data)
    if data is None or size > config.max_file_size:
        raise ContentError(SourceLocation(source.relative),
                           f"file is {size:,} bytes, over the limit of "
                           f"{config.max_file_size:,} (limits.file_size)", "size")
    text = decode_source(data, source.relative)
    if not text.strip():
        raise ContentError(SourceLocation(source.relative, 1), "file is empty", "empty")
    return text
