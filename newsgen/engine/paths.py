"""Path safety for every file newsgen writes or follows: relative POSIX paths that can never
leave their root, names every common file system can hold, the key under which two paths
collide on a case-insensitive one, and a file replaced whole or not at all."""

from __future__ import annotations

import os
import pickle
import posixpath
import re
import tempfile
import unicodedata
from pathlib import Path, PurePosixPath

RESERVED_NAMES = frozenset({
    "con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
})
# Also device names on Windows, though no slug can hold them (see urls.slug_problem).
_MORE_DEVICES = frozenset({"conin$", "conout$", *(f"{d}{n}" for d in ("com", "lpt")
                                                   for n in "\u00b9\u00b2\u00b3")})
_NOT_ON_WINDOWS = frozenset('<>:"|?*\\')
# The same characters and the controls, as one search: names are checked a file at a time
# on every walk of content/ (a tenth of a second per 10,000 files as a set per name).
_REFUSED = re.compile('[<>:"|?*\\\\\x00-\x1f]')


class UnsafePath(ValueError):
    """A URL or path that would escape the output folder or name something unusable."""


def printable(text: str) -> str:
    return "".join(c if unicodedata.category(c)[0] != "C" else f"\\x{ord(c):02x}"
                   for c in text)


# Paths of ASCII letters, digits, '_', '-' and '.', each part starting with neither '.' nor
# a reserved name and at most 255 long, pass every test below: a large site checks tens of
# thousands of them in every build, and this one match is a tenth of the full tests' time.
_PLAIN_PART = (r"(?!(?:con|prn|aux|nul|com[1-9]|lpt[1-9])(?:[./]|$))"
               r"[A-Za-z0-9_-](?:[A-Za-z0-9_.-]{0,253}[A-Za-z0-9_-])?")
_PLAIN_PATH = re.compile(rf"{_PLAIN_PART}(?:/{_PLAIN_PART})*", re.IGNORECASE)


def check_relative(relative: str) -> str:
    """Validate a relative POSIX path for writing below a root; return it unchanged."""
    if _PLAIN_PATH.fullmatch(relative):
        return relative
    bad = ("\\", "\0", ":", "%")
    if not relative or relative.startswith("/") or any(b in relative for b in bad):
        raise UnsafePath(f"path '{printable(relative)}' is not a plain relative path")
    parts = relative.split("/")
    for part in parts:
        if part in ("", ".", ".."):
            raise UnsafePath(f"path '{printable(relative)}' has an empty, '.' or '..' part")
        if not part.isprintable() and any(unicodedata.category(c)[0] == "C" for c in part):
            raise UnsafePath(f"path '{printable(relative)}' contains control characters")
        if len(part.encode("utf-8", "surrogatepass")) > 255:
            raise UnsafePath(f"path '{printable(relative)}' has a name longer than 255 bytes")
        problem = windows_name_problem(part)
        if problem:
            raise UnsafePath(f"path '{printable(relative)}': {problem}")
    if posixpath.normpath(relative) != relative:
        raise UnsafePath(f"path '{relative}' is not normalised")
    return relative


def windows_name_problem(name: str) -> str | None:
    """Why Windows cannot hold a file or folder called ``name``, or None. Checked on every
    system, so that a site that builds on Linux also builds on an editor's laptop."""
    stem = name.split(".")[0].rstrip(" ").lower()
    if stem in RESERVED_NAMES or stem in _MORE_DEVICES:
        return f"'{printable(name)}' is a reserved device name on Windows"
    if name.endswith((".", " ")):
        return f"'{printable(name)}' ends with a dot or a space, which Windows drops"
    if _REFUSED.search(name):
        bad = sorted({c for c in name if c in _NOT_ON_WINDOWS or ord(c) < 32})
        shown = " ".join(printable(c) for c in bad)
        return f"'{printable(name)}' contains characters Windows refuses in names ({shown})"
    return None


def safe_join(root: Path, relative: str) -> Path:
    """``root / relative``, proven to stay inside ``root`` (lexically and after symlinks)."""
    check_relative(relative)
    target = root.joinpath(*PurePosixPath(relative).parts)
    resolved_root = root.resolve()
    resolved = target.resolve()
    if resolved != resolved_root and resolved_root not in resolved.parents:
        raise UnsafePath(f"path '{relative}' leaves the output folder")
    return target


def fold_case(relative: str) -> str:
    """The key under which two paths collide on a case-insensitive file system."""
    return unicodedata.normalize("NFC", relative).casefold()


def symlink_problem(path: Path, site_root: Path) -> str | None:
    """Why the symlink ``path`` may not be followed (broken, looping, or leaving the site
    folder ``site_root``, already resolved), or None."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return "symlink is broken or loops; not followed"
    if target != site_root and site_root not in target.parents:
        return f"symlink points outside the site ({target.as_posix()}); not followed"
    return None


def replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it, renamed over it: a
    crash, or another build saving the same file at once, leaves one version whole. Raises
    OSError; the temporary file does not outlive a failure."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp",
                                         dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def read_memo(path: Path) -> object:
    """A value a build pickled into its cache (``write_memo``), or None when it is missing
    or damaged: a memo only spares work, so the caller then does the work again."""
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    except Exception:  # noqa: BLE001 - any damage costs the work, never a result
        return None


def write_memo(path: Path, value: object) -> None:
    """Save a memo whole (two builds of one site into two folders may save it at once);
    one that cannot be saved costs the next build the work it spares."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass
