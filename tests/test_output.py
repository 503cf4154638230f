"""Writing the output folder: staging, the journal, unchanged files left alone, removed pages
removed, the manifest, and recovery from a build that was killed part-way."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest

from newsgen.build.builder import BuildOptions, BuildResult, build_site
from newsgen.content.config import load_config
from newsgen.content.times import parse_time
from newsgen.engine import journal as journal_module
from newsgen.engine import previous
from newsgen.engine.digests import file_digest
from newsgen.engine.journal import CHANGES, recover
from newsgen.engine.manifest_text import ManifestText
from newsgen.engine.previous import output_intact
from newsgen.engine.writer import MANIFEST, OutputWriter
from newsgen.errors import BuildFailed
from tests.conftest import article, tree_digest

FILES = {
    "content/articles/one.md": article("One", "2026-03-20T10:00", body="First body."),
    "content/articles/two.md": article("Two", "2026-03-21T10:00", section="city",
                                       tags="[solo]"),
    "content/articles/three.md": article("Three", "2026-03-19T10:00"),
}


def build(site: Path, **options: bool) -> BuildResult:
    zone = load_config(site).timezone
    return build_site(site, BuildOptions(out_dir=site.parent / "out",
                                         now=parse_time("2026-03-25T12:00", zone), **options))


def identity(out: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime_ns) of every file a reader can fetch (newsgen's own ``.newsgen/`` book-
    keeping is rewritten on every build)."""
    return {p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in out.rglob("*") if p.is_file() and ".newsgen" not in p.parts}


@pytest.fixture
def site(make_site: Callable[..., Path]) -> Path:
    return make_site(FILES)


def test_rebuild_without_changes_touches_no_file(site: Path) -> None:
    first = build(site)
    out = first.out_dir
    before, digest = identity(out), tree_digest(out)
    second = build(site)
    assert second.stats.written == 0 and second.stats.removed == 0
    assert identity(out) == before
    assert tree_digest(out) == digest


def test_rebuild_without_cache_touches_no_file(site: Path) -> None:
    out = build(site).out_dir
    before = identity(out)
    assert build(site, use_cache=False).stats.written == 0
    assert identity(out) == before


def test_changed_article_rewrites_only_what_shows_it(site: Path) -> None:
    out = build(site).out_dir
    before = identity(out)
    (site / "content/articles/one.md").write_text(
        article("One", "2026-03-20T10:00", body="A corrected body."))
    result = build(site)
    after = identity(out)
    one = "world/2026/03/one/index.html"
    assert after[one] != before[one]
    assert "A corrected body." in (out / one).read_text()
    for untouched in ("city/2026/03/two/index.html", "theme/style.css",
                      "tags/solo/index.html"):
        assert after[untouched] == before[untouched], untouched
    assert one in result.stats.changed
    assert set(result.stats.changed) == {p for p in after if after[p] != before.get(p)}


def test_removed_pages_disappear_with_their_folders(site: Path) -> None:
    out = build(site).out_dir
    assert (out / "tags/solo/index.html").is_file()
    (site / "content/articles/two.md").unlink()
    result = build(site)
    for gone in ("city/2026/03/two", "city/2026", "tags/solo"):
        assert not (out / gone).exists(), gone
    assert result.stats.removed >= 2
    assert (out / "city/index.html").is_file(), "the section page stays"


def test_manifest_lists_every_file_with_its_digest(site: Path) -> None:
    out = build(site).out_dir
    manifest = json.loads((out / MANIFEST).read_text())
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert set(manifest) == files - {MANIFEST, CHANGES}  # the deploy delta is a log
    for relative, (digest, size) in manifest.items():
        data = (out / relative).read_bytes()
        assert size == len(data)
        assert digest == hashlib.sha256(data).hexdigest()[:32]


def test_a_file_edited_by_hand_is_restored(site: Path) -> None:
    out = build(site).out_dir
    page = out / "world/2026/03/one/index.html"
    original = page.read_bytes()
    page.write_bytes(original.replace(b"First body.", b"Vandalised."))
    build(site)
    assert page.read_bytes() == original


def test_a_failed_build_leaves_output_and_no_staging(site: Path) -> None:
    out = build(site).out_dir
    before = tree_digest(out), identity(out)
    (site / "content/articles/bad.md").write_text("---\ntitle: [unclosed\n---\n")
    with pytest.raises(BuildFailed):
        build(site)
    assert (tree_digest(out), identity(out)) == before
    siblings = sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".out."))
    assert not [name for name in siblings if "staging" in name or "journal" in name]


def test_first_build_into_an_existing_empty_folder(site: Path) -> None:
    (site.parent / "out").mkdir()
    out = build(site).out_dir
    assert (out / "index.html").is_file() and (out / ".newsgen").is_dir()


# -- recovery ---------------------------------------------------------------------------------

def test_recover_drops_an_uncommitted_staging_folder(site: Path) -> None:
    out = build(site).out_dir
    before = tree_digest(out)
    staging = out.parent / ".out.staging"
    (staging / "world").mkdir(parents=True)
    (staging / "world/index.html").write_text("half a build")
    old_style = out.parent / ".out.staging-12345"
    old_style.mkdir()
    (out.parent / ".out.journal.tmp").write_text('{"puts": ["index.html"')
    recover(out)
    assert not staging.exists() and not old_style.exists()
    assert not (out.parent / ".out.journal.tmp").exists()
    assert tree_digest(out) == before


def test_recover_completes_a_committed_journal(site: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    out = build(site).out_dir
    writer = _put_all(out, {"index.html": b"<p>new front page</p>",
                            "brand-new/index.html": b"<p>new</p>"}, drop=("theme/style.css",))

    def killed(out_dir: Path, journal: dict[str, list[str]]) -> None:
        raise KeyboardInterrupt("killed right after the commit point")

    _commit_killed(writer, monkeypatch, "apply_journal", killed)
    assert (out.parent / ".out.journal").is_file()
    assert (out / "theme/style.css").is_file(), "not applied yet"
    recover(out)
    assert (out / "index.html").read_bytes() == b"<p>new front page</p>"
    assert (out / "brand-new/index.html").read_bytes() == b"<p>new</p>"
    assert not (out / "theme/style.css").exists(), "deletions are applied too"
    assert not (out.parent / ".out.journal").exists()
    assert not (out.parent / ".out.staging").exists()
    manifest = json.loads((out / MANIFEST).read_text())
    assert "brand-new/index.html" in manifest and "theme/style.css" not in manifest


def test_next_build_recovers_first(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = build(site).out_dir
    expected = tree_digest(out)
    writer = OutputWriter(out)
    writer.put("index.html", b"interrupted")
    monkeypatch.setattr(journal_module, "apply_journal", lambda out_dir, journal: None)
    writer.commit()  # journal written, never applied
    monkeypatch.undo()
    build(site)
    assert tree_digest(out) == expected
    assert not (out.parent / ".out.journal").exists()


def _commit_killed(writer: OutputWriter, monkeypatch: pytest.MonkeyPatch, name: str,
                   stand_in: Callable[..., None]) -> None:
    """Commit with the writer's function ``name`` replaced by ``stand_in``, which raises
    KeyboardInterrupt as a kill at that point would; the real one is back afterwards."""
    monkeypatch.setattr(journal_module, name, stand_in)
    with pytest.raises(KeyboardInterrupt):
        writer.commit()
    monkeypatch.undo()


def _put_all(out: Path, files: dict[str, bytes], drop: tuple[str, ...] = ()) -> OutputWriter:
    """A writer with ``files`` changed, ``drop`` deleted and every other file of the last
    build kept."""
    writer = OutputWriter(out)
    for relative, data in files.items():
        writer.put(relative, data)
    for relative in writer.old:
        if relative not in files and relative not in drop:
            writer.put(relative, (out / relative).read_bytes())
    return writer


@pytest.mark.parametrize("existing", [False, True], ids=["new-files", "replaced-files"])
def test_many_files_move_in_threads_and_a_crash_among_them_is_completed(
        site: Path, monkeypatch: pytest.MonkeyPatch, existing: bool) -> None:
    """Past a few hundred files the journal's moves run in threads; a build killed while
    they run is finished by the next newsgen command, file by file as planned. Replaced
    files are swapped with their spares, so a file swapped in before the crash must not be
    swapped back."""
    out = build(site).out_dir
    paths = [f"many/{n:03d}/index.html" for n in range(300)]
    if existing:
        _put_all(out, {r: f"<p>old page {r}</p>".encode() for r in paths}).commit()
    files = {r: f"<p>page {r}</p>".encode() for r in paths}
    files["index.html"] = b"<p>new front page</p>"
    writer = _put_all(out, files)
    moved, real_swap = [0], journal_module._swap_in

    def dies_midway(source: str, target: str) -> None:
        if moved[0] == 150:
            raise KeyboardInterrupt("killed while moving")
        moved[0] += 1
        real_swap(source, target)

    _commit_killed(writer, monkeypatch, "_swap_in", dies_midway)
    changed = sum((out / r).read_bytes() == files[r] for r in paths if (out / r).is_file())
    assert 0 < changed < len(paths), "stopped midway"
    recover(out)
    assert all((out / relative).read_bytes() == data for relative, data in files.items())
    manifest = json.loads((out / MANIFEST).read_text())
    assert all(manifest[r][0] == hashlib.sha256(d).hexdigest()[:32]
               for r, d in files.items())
    assert not (out.parent / ".out.staging").exists()
    assert not (out.parent / ".out.journal").exists()
    build(site)
    assert not (out / "many").exists(), "the next build removes what its site does not make"


def test_a_crash_among_the_deletions_keeps_every_file_swapped_in(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The manifest moves after every file; a build killed while it deletes (after that)
    is finished without swapping any file again, which would bring the old bytes back."""
    out = build(site).out_dir
    paths = [f"many/{n:03d}/index.html" for n in range(300)]
    _put_all(out, {r: f"<p>old page {r}</p>".encode() for r in paths}).commit()
    files = {r: f"<p>page {r}</p>".encode() for r in paths}
    writer = _put_all(out, files, drop=("theme/style.css",))

    def dies(folder: Path, root: Path) -> None:
        raise KeyboardInterrupt("killed while deleting")

    _commit_killed(writer, monkeypatch, "_prune", dies)
    assert (out.parent / ".out.journal").is_file()
    recover(out)
    assert all((out / relative).read_bytes() == data for relative, data in files.items())
    assert not (out / "theme/style.css").exists()
    assert not (out.parent / ".out.journal").exists()


def test_a_replaced_file_is_kept_as_a_spare_and_written_into_next_time(site: Path) -> None:
    """Rewriting a file costs less than creating one and deleting another; the spare is
    reused only when nothing else links to it (a hard-linked backup is never written to),
    and a shorter version leaves nothing of the longer one behind."""
    out = build(site).out_dir
    page = out / "index.html"
    first = page.stat().st_ino

    def version(number: int) -> bytes:  # each one shorter than the one before
        return f"<p>version {number}</p>".encode() * (6 - number)

    for number in (1, 2):
        _put_all(out, {"index.html": version(number)}).commit()
    assert page.read_bytes() == version(2)
    assert page.stat().st_ino == first, "version 2 was written into the file of version 0"
    backup = site.parent / "backup.html"
    os.link(page, backup)
    for number in (3, 4):
        _put_all(out, {"index.html": version(number)}).commit()
    assert page.read_bytes() == version(4)
    assert backup.read_bytes() == version(2)
    spares = list((out.parent / ".out.spare").iterdir())
    assert {p.read_bytes() for p in spares} == {version(3)}


def test_a_file_may_become_a_folder_and_a_folder_a_file(site: Path) -> None:
    """Journal moves make the folders a new file needs, even where a file of the last build
    stands, and replace a folder of the last build by a file."""
    out = build(site).out_dir
    _put_all(out, {"notes": b"a file", "box/inner.txt": b"in a folder"}).commit()
    writer = OutputWriter(out)
    for relative in writer.old:
        if relative not in ("notes", "box/inner.txt"):
            writer.put(relative, (out / relative).read_bytes())
    writer.put("notes/index.html", b"now a folder")
    writer.put("box", b"now a file")
    writer.commit()
    assert (out / "notes/index.html").read_bytes() == b"now a folder"
    assert (out / "box").read_bytes() == b"now a file"
    assert set(json.loads((out / MANIFEST).read_text())) >= {"notes/index.html", "box"}
    build(site)
    assert not (out / "notes").exists() and not (out / "box").exists()


KEYS = {"a.html": ["d1", 1], 'quote"d/index.html': ["d2", 22], "x,\"y.html": ["d3", 3],
        "café/index.html": ["d4", 4], "z.html": ["d5", 55]}


def test_manifest_text_finds_and_replaces_single_entries() -> None:
    """The text a writer left (compact, sorted, ASCII) is searched and edited in place: keys
    with quotes, commas and accents are found; a key that is not there is refused."""
    text = json.dumps(dict(sorted(KEYS.items())), separators=(",", ":"))
    manifest = ManifestText.of(text)
    assert manifest is not None
    for key, value in KEYS.items():
        assert manifest.get(key) == value
    assert manifest.get("y.html") is None and manifest.get("a") is None
    changed = {'quote"d/index.html': ["e2", 222], "z.html": ["e5", 5]}
    assert manifest.replaced(changed) == json.dumps(
        dict(sorted({**KEYS, **changed}.items())), separators=(",", ":"))
    assert manifest.replaced({"new.html": ["d", 1]}) is None


@pytest.mark.parametrize("new_file", [False, True])
def test_a_writer_of_few_changes_leaves_the_manifest_a_full_one_would(
        tmp_path: Path, new_file: bool) -> None:
    """A headline-only build's writer (few=True) replaces its entries in the previous text,
    or parses it when a file is new; the manifest and the next build's trust in the kept
    files come out as from a writer that looked at every file."""
    out = tmp_path / "out"
    first = OutputWriter(out)
    for name in ("a.html", "b/index.html", "c.html"):
        first.put(name, name.encode())
    first.commit()
    few = OutputWriter(out, few=True)
    few.put("b/index.html", b"changed")
    if new_file:
        few.put("bb.html", b"new")
    few.keep_rest()
    stats = few.commit()
    assert (stats.written, stats.unchanged) == (1 + new_file, 2)
    manifest = json.loads((out / MANIFEST).read_text())
    assert list(manifest) == sorted(manifest)
    files = {"a.html": b"a.html", "b/index.html": b"changed", "c.html": b"c.html",
             **({"bb.html": b"new"} if new_file else {})}
    assert manifest == {name: [file_digest(data), len(data)] for name, data in files.items()}
    again = OutputWriter(out)
    assert all(again.is_unchanged(name, manifest[name][0]) for name in manifest)
    assert output_intact(out)


def test_an_output_checked_in_parts_finds_a_change_in_any_part(tmp_path: Path) -> None:
    """The intact check shares its lstat calls among forked processes: a file edited in
    the last part (a child's) or the first (this process's) is found all the same."""
    out = tmp_path / "out"
    writer = OutputWriter(out)
    names = [f"p{number:03}/index.html" for number in range(600)]
    for name in names:
        writer.put(name, name.encode())
    writer.commit()
    assert output_intact(out, parts=3) and output_intact(out, parts=1)
    for name in (names[-1], names[0]):
        target = out / name
        stat = target.stat()
        target.write_bytes(b"x" * stat.st_size)  # the same size, a new mtime
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
        assert not output_intact(out, parts=3) and not output_intact(out, parts=1)
        target.write_bytes(name.encode())
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert output_intact(out, parts=3)


def test_the_state_kept_ready_is_taken_only_for_the_state_it_was_read_from(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The intact check keeps the parsed state in a memo: a second check reads the memo,
    not the state; an edited output file is found all the same; a build that writes a new
    state, or a damaged memo, makes the check parse the state again."""
    out, memo = tmp_path / "out", tmp_path / "cache/intact.pickle"
    writer = OutputWriter(out)
    for name in ("a.html", "b/index.html"):
        writer.put(name, name.encode())
    writer.commit()
    parsed: list[Path] = []
    read_state = previous._read_state
    monkeypatch.setattr(previous, "_read_state",
                        lambda where: parsed.append(where) or read_state(where))

    def check() -> tuple[bool, int]:
        """The answer, and how many times the state was parsed for it."""
        before = len(parsed)
        return output_intact(out, memo=memo), len(parsed) - before

    assert check() == (True, 1) and memo.is_file()
    assert check() == (True, 0)
    (out / "a.html").write_bytes(b"edited")
    assert check() == (False, 0)
    again = OutputWriter(out)
    again.put("a.html", b"a.html")
    again.put("b/index.html", b"b/index.html")
    again.put("c.html", b"new")
    again.commit()
    assert check() == (True, 1), "a new state: parsed again"
    (out / "c.html").unlink()
    assert check() == (False, 0), "the file the new state lists is gone"
    memo.write_bytes(b"not a pickle")
    assert check() == (False, 1)
    key, _listed = pickle.loads(memo.read_bytes())
    memo.write_bytes(pickle.dumps((key, (["c.html"], [1], [2]))))  # the right key, damaged
    assert check() == (False, 1)


def test_a_committed_writer_lets_go_of_the_output_entries(tmp_path: Path) -> None:
    """Once the manifest and state are on disk the writer holds none of the previous or new
    entries (240,000 of each at 100,000 articles, held while the build saved its cache)."""
    out = tmp_path / "out"
    first = OutputWriter(out)
    first.put("a.html", b"a")
    first.commit()
    writer = OutputWriter(out)
    writer.put("a.html", b"a")
    writer.put("b.html", b"b")
    stats = writer.commit()
    assert (stats.written, stats.unchanged) == (1, 1)
    assert not list(writer.old) and not writer.manifest and not writer.new_mtimes
    assert json.loads((out / MANIFEST).read_text()).keys() == {"a.html", "b.html"}
