"""Windows and macOS, proven on Linux: newsgen with ``fcntl`` blocked (as on Windows), with
workers spawned instead of forked (Windows, macOS), and with output files another program
keeps open (Windows refuses to replace those), each building the demo and a 1,000-article
corpus to output byte-identical with the normal path.

Every build here runs in a fresh process (``DRIVER``) so that what it blocks or simulates
affects that build only. A locked file is simulated the way Windows reports one: every
rename from or onto it raises ``PermissionError`` (ERROR_SHARING_VIOLATION) while it is
"open", and the journal takes the Windows path (no ``renameat2``; the old file moved aside
first)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from newsgen.engine import lock, workers
from newsgen.errors import BuildFailed, SourceLocation
from tests.conftest import REPO, tree_digest

NOW = "2026-11-29T12:00:00+00:00"
LATER = "2026-11-30T09:00:00+00:00"  # the front page's date changes
DRIVER = r"""
import errno, os, sys
if os.environ.get("NG_BLOCK_FCNTL"):  # what Windows lacks
    sys.modules["fcntl"] = None
    del os.O_NOFOLLOW, os.O_NONBLOCK, os.sched_getaffinity
locked = os.environ.get("NG_LOCKED")  # "output file path:times", times -1: forever
if locked:
    from newsgen.engine import journal
    journal._RENAMEAT2, journal.ASIDE_FIRST, journal.RETRY_SECONDS = None, True, 0.5
    locked_path, times = locked.rsplit(":", 1)
    left, refused = [int(times)], []
    import atexit
    atexit.register(lambda: print(f"refused {len(refused)} renames", file=sys.stderr))
    real_replace = os.replace
    def replace(source, target):
        for path in (os.fspath(source), os.fspath(target)):
            if os.path.abspath(path) == locked_path and left[0] != 0:
                left[0] -= 1
                refused.append(path)
                raise PermissionError(errno.EACCES, "The process cannot access the file "
                                      "because it is being used by another process", path)
        return real_replace(source, target)
    os.replace = replace
from newsgen.commands import main
sys.exit(main(sys.argv[1:]))
"""


def run(site: Path, now: str, *extra: str, env: dict[str, str] | None = None,
        out: Path | None = None) -> subprocess.CompletedProcess[str]:
    args = ["build", str(site), "--now", now, "-q", *extra]
    if out is not None:
        args += ["-o", str(out)]
    return subprocess.run([sys.executable, "-c", DRIVER, *args], cwd=REPO, text=True,
                          capture_output=True, timeout=600,
                          env={**os.environ, "NEWSGEN_WORKERS": "2", **(env or {})})


def demo_copy(target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copy(REPO / "newsgen.yaml", target)
    for folder in ("content", "templates", "static"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, target / folder)
    return target


BLOCKED = {"NG_BLOCK_FCNTL": "1"}
SPAWN = {"NEWSGEN_START_METHOD": "spawn", "NEWSGEN_WORKERS": "2"}


def add_story(site: Path) -> None:
    """A new article: the front page, its section, tags and feeds change with it."""
    story = sorted((site / "content/articles").rglob("*.md"))[0]
    text = re.sub(r'^title: "?', lambda m: m.group(0) + "Also ",
                  story.read_text(encoding="utf-8")[4:], count=1, flags=re.M)
    text = "---\n" + text
    (story.parent / "also-this.md").write_text(text, encoding="utf-8")


def tree_folders(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir())


def builds_alike(site: Path, tmp: Path, now: str, locked: str) -> None:
    """Reference (the normal path) against the portable paths, cold and then a rebuild
    with a new story whose journal meets a file locked for a few tries."""
    reference, portable = tmp / "reference", tmp / "portable"
    for out, env in ((reference, {}), (portable, {**BLOCKED, **SPAWN})):
        result = run(site, now, "--no-cache", env=env, out=out)
        assert result.returncode == 0, result.stderr
    assert tree_digest(portable) == tree_digest(reference)
    first = tree_digest(reference)
    add_story(site)
    assert run(site, LATER, "--no-cache", out=reference).returncode == 0
    result = run(site, LATER, "--no-cache", out=portable,
                 env={**BLOCKED, **SPAWN, "NG_LOCKED": f"{portable / locked}:3"})
    assert result.returncode == 0, result.stderr
    assert result.stderr == "refused 3 renames\n"
    assert tree_digest(portable) == tree_digest(reference)
    changed = [k for k, v in tree_digest(reference).items() if first.get(k) != v]
    assert len(changed) > 5 and locked in changed


# --- the demo and the corpus, byte for byte --------------------------------------------


def test_demo_builds_identically_on_every_portable_path(tmp_path: Path) -> None:
    site = demo_copy(tmp_path / "demo")
    builds_alike(site, tmp_path, NOW, "index.html")
    serial = {"NEWSGEN_START_METHOD": "serial"}
    for number, env in enumerate((BLOCKED, SPAWN, serial)):  # each path on its own
        out = tmp_path / f"alone-{number}"
        assert run(site, LATER, "--no-cache", env=env, out=out).returncode == 0
        assert tree_digest(out) == tree_digest(tmp_path / "reference")


def test_spawned_markdown_workers_convert_every_kind_of_body(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's bodies (a live blog's included, whose headings become anchors) converted
    in spawned workers give the bytes of the normal path: the demo has too few bodies to
    spawn for, so the threshold is lowered here."""
    from datetime import datetime

    from newsgen.build import bodies
    from newsgen.build.builder import BuildOptions, build_site

    site = demo_copy(tmp_path / "demo")
    now = datetime.fromisoformat(NOW)
    build_site(site, BuildOptions(out_dir=tmp_path / "reference", now=now, use_cache=False))
    monkeypatch.setenv("NEWSGEN_START_METHOD", "spawn")
    monkeypatch.setattr(bodies, "_SPAWN_FROM", 1)
    build_site(site, BuildOptions(out_dir=tmp_path / "spawned", now=now, use_cache=False,
                                  workers=2))
    assert tree_digest(tmp_path / "spawned") == tree_digest(tmp_path / "reference")


def spawn_everything(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Force the spawn path for every stage the demo has (its few pages and bodies would
    otherwise stay in this process); returns the names of the tasks that went to spawned
    workers, as they do."""
    from newsgen.build import bodies, pages
    from newsgen.distribution import feed_entries

    spawned: list[str] = []
    real = workers._spawned

    def recording(task: workers.Portable[object], *args: object) -> None:
        spawned.append(task.make.__name__)
        real(task, *args)  # type: ignore[arg-type]
    monkeypatch.setenv("NEWSGEN_START_METHOD", "spawn")
    monkeypatch.setattr(workers, "_spawned", recording)
    monkeypatch.setattr(workers, "MIN_PARALLEL", 1)
    monkeypatch.setattr(bodies, "_SPAWN_FROM", 1)
    monkeypatch.setattr(pages, "SPAWN_FROM", 1)
    monkeypatch.setattr(feed_entries, "SPAWN_FROM", 1)
    return spawned


def test_spawned_render_and_feed_workers_build_what_fork_builds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages rendered and feed entries made in spawned workers (Windows, macOS) against
    the fork path, byte for byte: a cold build, then a rebuild with a new story that keeps,
    splices and renders pages against the last build's records (two copies of the demo, so
    each path has its own cache)."""
    from datetime import datetime

    from newsgen.build.builder import BuildOptions, build_site

    forked, spawn = demo_copy(tmp_path / "forked"), demo_copy(tmp_path / "spawn")
    def build(site: Path, now: str) -> None:
        build_site(site, BuildOptions(now=datetime.fromisoformat(now), workers=2))
    build(forked, NOW)
    spawned = spawn_everything(monkeypatch)
    build(spawn, NOW)
    assert {"rendering", "_making"} <= set(spawned), spawned
    assert tree_digest(spawn / "public") == tree_digest(forked / "public")
    monkeypatch.setenv("NEWSGEN_START_METHOD", "fork")
    add_story(forked)
    build(forked, LATER)
    monkeypatch.setenv("NEWSGEN_START_METHOD", "spawn")
    add_story(spawn)
    spawned.clear()
    build(spawn, LATER)
    assert "rendering" in spawned, spawned
    assert tree_digest(spawn / "public") == tree_digest(forked / "public")


def test_corpus_of_1000_articles_builds_identically(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(REPO / "benchmarks/generate.py"), "1000",
                    str(tmp_path / "corpus")], check=True, capture_output=True, timeout=300)
    site = tmp_path / "corpus/newsgen"
    builds_alike(site, tmp_path, "2026-11-29T12:00", "index.html")
    assert len(tree_digest(tmp_path / "portable")) > 3000


# --- a file that stays locked ----------------------------------------------------------


def test_a_file_locked_for_good_fails_and_leaves_the_output_as_it_was(tmp_path: Path
                                                                       ) -> None:
    site = demo_copy(tmp_path / "demo")
    assert run(site, NOW).returncode == 0
    before, folders = tree_digest(site / "public"), tree_folders(site / "public")
    state = (tmp_path / "demo/.public.state").read_bytes()
    locked = "index.html"
    add_story(site)
    result = run(site, LATER, env={"NG_LOCKED": f"{site / 'public' / locked}:-1"})
    assert result.returncode == 1
    assert result.stderr.startswith(f"public/{locked}: the file is open in another program")
    assert "previous output is left as it was" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree_digest(site / "public") == before
    assert tree_folders(site / "public") == folders  # the new story's folder went again
    assert (tmp_path / "demo/.public.state").read_bytes() == state
    assert not (tmp_path / "demo/.public.journal").exists()
    # Closed again: the next build goes through and equals a clean build.
    assert run(site, LATER).returncode == 0
    clean = tmp_path / "clean"
    assert run(site, LATER, "--no-cache", out=clean).returncode == 0
    assert tree_digest(site / "public") == tree_digest(clean)


def test_a_deleted_file_that_stays_locked_is_put_back(tmp_path: Path) -> None:
    """Deletions are moves too: one that fails takes back the files already moved."""
    site = demo_copy(tmp_path / "demo")
    assert run(site, NOW).returncode == 0
    stray = site / "static/stray.txt"
    stray.write_text("to be deleted\n")
    assert run(site, NOW).returncode == 0
    before = tree_digest(site / "public")
    assert "stray.txt" in before
    stray.unlink()
    add_story(site)
    result = run(site, LATER, env={"NG_LOCKED": f"{site / 'public/stray.txt'}:-1"})
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("public/stray.txt: ")
    assert tree_digest(site / "public") == before


# --- the lock without fcntl -------------------------------------------------------------

HOLDER = r"""
import sys, time
sys.modules["fcntl"] = None
from pathlib import Path
from newsgen.engine.lock import build_lock
with build_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold(out: Path, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(out), str(seconds)],
                              cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def test_lock_file_names_its_holder_and_a_second_build_waits(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    monkeypatch.setitem(sys.modules, "fcntl", None)
    out = tmp_path / "public"
    holder = hold(out, 30)
    try:
        with pytest.raises(BuildFailed) as failed, lock.build_lock(out, wait_seconds=0.3):
            pass
        message = str(failed.value.problems[0])
        assert f"process {holder.pid} on " in message
        assert message.startswith(f"{out.as_posix()}: ")
    finally:
        holder.terminate()
        holder.wait()
    with lock.build_lock(out, wait_seconds=5):  # released when the holder ended
        assert lock.lock_path(out).read_text().split()[0] == str(os.getpid())
    assert not lock.lock_path(out).exists()


def test_two_builds_without_fcntl_never_interleave(tmp_path: Path) -> None:
    site = demo_copy(tmp_path / "demo")
    holder = hold(site / "public", 1.5)
    started = time.perf_counter()
    result = run(site, NOW, env=BLOCKED)
    waited = time.perf_counter() - started
    holder.wait()
    assert result.returncode == 0, result.stderr
    assert waited >= 1.0  # it waited for the holder instead of writing beside it


def test_a_killed_holder_never_wedges_the_folder(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fcntl", None)
    out = tmp_path / "public"
    holder = hold(out, 60)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert lock.lock_path(out).read_text().split()[0] == str(holder.pid)  # left behind
    started = time.perf_counter()
    with lock.build_lock(out, wait_seconds=5):
        assert lock.lock_path(out).read_text().split()[0] == str(os.getpid())
    assert time.perf_counter() - started < 1.0


def test_newsgen_imports_without_fcntl() -> None:
    code = ("import sys; sys.modules['fcntl'] = None; import newsgen.build.builder, "
            "newsgen.commands, newsgen.preview.server; print('ok')")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, timeout=60)
    assert result.stdout.strip() == "ok", result.stderr


# --- names and paths ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["con.md", "AUX.md", "lpt1.md", "late.", "a:b.md",
                                  "why?.md"])
def test_a_content_file_windows_cannot_hold_is_an_error(tmp_path: Path, name: str) -> None:
    site = demo_copy(tmp_path / "demo")
    story = sorted((site / "content/articles").rglob("*.md"))[0]
    target = site / "content/articles" / (name if name.endswith(".md") else name + ".md")
    if name == "late.":  # a folder with a trailing dot
        target = site / "content/articles/late./story.md"
        target.parent.mkdir()
    shutil.copy(story, target)
    result = run(site, NOW)
    assert result.returncode == 1
    shown = target.relative_to(site).as_posix()
    if name == "late.":
        shown = "content/articles/late."
    assert f"{shown}: '" in result.stderr, result.stderr
    assert "Windows" in result.stderr
    assert not (site / "public").exists()


def test_content_paths_differing_only_in_case_name_both(tmp_path: Path) -> None:
    site = demo_copy(tmp_path / "demo")
    story = sorted((site / "content/articles").rglob("*.md"))[0]
    (site / "content/articles/Case").mkdir()
    (site / "content/articles/case").mkdir()
    shutil.copy(story, site / "content/articles/Case/story.md")
    shutil.copy(story, site / "content/articles/case/story.md")
    result = run(site, NOW)
    assert result.returncode == 1
    assert ("content/articles/case/story.md: differs from content/articles/Case/story.md "
            "only in letter case") in result.stderr


def test_output_paths_differing_only_in_case_name_both_sources(tmp_path: Path) -> None:
    site = demo_copy(tmp_path / "demo")
    (site / "static/Logo.TXT").write_text("a\n")
    (site / "static/logo.txt").write_text("b\n")
    result = run(site, NOW)
    assert result.returncode == 1
    assert "static/Logo.TXT and static/logo.txt both produce paths differing only in case" \
        in result.stderr


def test_message_paths_use_forward_slashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sep", "\\")
    assert str(SourceLocation("content\\articles\\a.md", 3)) == "content/articles/a.md:3"


# --- the spawn pool itself ------------------------------------------------------------


def _squares(state: tuple[int, ...]) -> Callable[[int], tuple[int, int]]:
    offset = state[0]
    return lambda index: (index * index + offset, os.getpid())


def test_spawned_workers_run_a_portable_task_in_order(monkeypatch: pytest.MonkeyPatch
                                                      ) -> None:
    monkeypatch.setenv("NEWSGEN_START_METHOD", "spawn")
    assert workers.start_method() == "spawn"
    results = workers.parallel_map(workers.Portable(_squares, (7,)), 400, workers=2)
    assert [value for value, _pid in results] == [i * i + 7 for i in range(400)]
    assert os.getpid() not in {pid for _value, pid in results}  # it ran in other processes
    closures = workers.parallel_map(lambda i: (i, os.getpid()), 400, workers=2)
    assert {pid for _i, pid in closures} == {os.getpid()}  # a closure stays in this one


def test_macos_never_forks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSGEN_START_METHOD", raising=False)
    monkeypatch.setattr(sys, "platform", "darwin")
    assert workers.start_method() == "spawn"
    assert not workers.worth_forking(1000, 2)


# --- the preview server holds no file open while a client is slow ----------------------


def test_serve_holds_no_file_open_while_a_slow_client_reads(tmp_path: Path) -> None:
    """On Windows an open file cannot be replaced: a page being sent to a slow client must
    not keep the next rebuild from swapping it. Here the client reads one byte of a 16 MB
    page and stops; the server, blocked sending the rest, must hold no handle on it."""
    from tests.test_server import start_preview, write_site

    site = write_site(tmp_path / "site", {"static/big.html": "<p>" + "x" * 16_000_000})
    preview = start_preview(site)
    try:
        with socket.create_connection(("127.0.0.1", preview.port), timeout=30) as client:
            client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            client.sendall(f"GET /big.html HTTP/1.1\r\nHost: 127.0.0.1:{preview.port}\r\n"
                           "\r\n".encode())
            assert client.recv(1) == b"H"  # the response has begun; the rest waits
            time.sleep(0.3)
            fds = Path(f"/proc/{preview.process.pid}/fd")
            held = {os.readlink(fd) for fd in fds.iterdir() if fd.is_symlink()}
            assert str(preview.out_dir / "big.html") not in held
            assert not any(path.endswith("big.html") for path in held)
    finally:
        preview.stop()


# --- newsgen serve on the spawn path ---------------------------------------------------

SERVE_DRIVER = r"""
import sys
from newsgen.build import bodies, pages
from newsgen.distribution import feed_entries
from newsgen.engine import workers
workers.MIN_PARALLEL = bodies._SPAWN_FROM = pages.SPAWN_FROM = feed_entries.SPAWN_FROM = 1
real = workers._spawned
def recording(task, *args):
    print(f"spawned {task.make.__name__}", file=sys.stderr, flush=True)
    real(task, *args)
workers._spawned = recording
from newsgen.commands import main
sys.exit(main(sys.argv[1:]))
"""


def test_serve_rebuilds_with_spawned_workers(tmp_path: Path) -> None:
    """``newsgen serve`` where fork is missing: its first build and a rebuild after an edit
    render in spawned workers (thresholds lowered so the small site spawns), and the edit
    is served."""
    from tests.conftest import article
    from tests.test_server import (
        ARTICLE,
        ARTICLE_URL,
        SITE_FILES,
        Preview,
        page_text,
        poll,
        write_site,
    )

    site = write_site(tmp_path / "site", SITE_FILES)
    err = tmp_path / "serve.err"
    with open(err, "w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-c", SERVE_DRIVER, "serve", str(site), "--port", "0", "--now",
             "2026-03-21T12:00"], cwd=REPO, stdout=subprocess.PIPE, stderr=stderr, text=True,
            env={**os.environ, **SPAWN, "PYTHONUNBUFFERED": "1"})
    preview = None
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line + err.read_text()
        preview = Preview(process, match.group(0), int(match.group(1)), tmp_path, err)
        assert "Original text." in page_text(preview.get(ARTICLE_URL)[2])
        first = err.read_text().count("spawned rendering")
        assert first == 1, err.read_text()
        (site / ARTICLE).write_text(article("Hello", "2026-03-20T10:00", "world",
                                            "Edited text."))
        assert poll(lambda: "Edited text." in page_text(preview.get(ARTICLE_URL)[2]), 60), \
            err.read_text()
        assert err.read_text().count("spawned rendering") == 2, err.read_text()
        assert "Traceback" not in err.read_text()
    finally:
        if preview is not None:
            preview.stop()
        else:
            process.kill()
            process.wait(timeout=30)


def test_cli_paths_print_with_forward_slashes() -> None:
    """Info lines (``into <out_dir>``, what init and new wrote) print paths as problems do:
    a Windows path (what ``Path`` is there) with ``/``."""
    from pathlib import PureWindowsPath

    from newsgen.commands.common import shown

    assert shown(PureWindowsPath(r"C:\Users\ana\paper\public")) == "C:/Users/ana/paper/public"
    assert shown(PureWindowsPath(r"paper\content\articles\a.md")) == \
        "paper/content/articles/a.md"
    assert shown(Path("paper/public")) == "paper/public"


def _broken(state: object) -> Callable[[int], int]:
    raise ValueError("no such template")


def test_a_spawned_worker_that_cannot_start_fails_the_stage(monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    """A pool whose workers fail to start would start new ones forever (the build would
    hang); the failure reaches this process instead."""
    monkeypatch.setenv("NEWSGEN_START_METHOD", "spawn")
    with pytest.raises(RuntimeError, match="could not start: ValueError.*no such template"):
        workers.parallel_map(workers.Portable(_broken, None), 400, workers=2)
