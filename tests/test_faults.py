"""Faults during a build: render errors, a full disk, SIGKILL, two builds at once, deleted
articles, and determinism. Each leaves exactly the old or exactly the new output."""

from __future__ import annotations

import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import lxml.etree
import pytest

from newsgen.engine.journal import recover
from tests.conftest import BASIC_CONFIG, REPO, run_newsgen, tree_digest

NOW = "2026-03-25T12:00"
SECTIONS = ("world", "city")
WORDS = ("harbour council storm ferry budget bridge school clinic market river station "
         "court election tide").split()


def story(index: int, version: int = 0) -> str:
    """A varied, deterministic article: sections, tags, authors and bodies differ."""
    rng = random.Random(index)
    day = 1 + index % 24
    words = " ".join(rng.choice(WORDS) for _ in range(40 + index % 30))
    tags = sorted({rng.choice(WORDS).title() for _ in range(2)})
    author = ("ana", "rui")[index % 2]
    return (f"---\ntitle: Story {index} about the {rng.choice(WORDS)}\n"
            f"date: 2026-03-{day:02d}T{index % 24:02d}:{index % 60:02d}\n"
            f"section: {SECTIONS[index % 2]}\ntags: [{', '.join(tags)}]\nauthors: [{author}]\n"
            f"---\n\n{words.capitalize()}.\n\nVersion {version}: *{rng.choice(WORDS)}*.\n")


def write_site(root: Path, count: int, version: int = 0, reverse: bool = False) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "newsgen.yaml").write_text(BASIC_CONFIG)
    folder = root / "content/articles"
    folder.mkdir(parents=True, exist_ok=True)
    order = range(count - 1, -1, -1) if reverse else range(count)
    for index in order:
        (folder / f"story-{index:04d}.md").write_text(story(index, version))
    return root


def build(site: Path, *args: str, env: dict[str, str] | None = None,
          cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(REPO), **(env or {})}
    return run_newsgen("build", site, "--now", NOW, "-q", *args, env=env, cwd=cwd)


# --- render errors ---------------------------------------------------------------------


@pytest.mark.parametrize("victim", [0, 5, 9], ids=["first", "middle", "last"])
def test_render_error_in_one_article_keeps_old_output(tmp_path: Path, victim: int) -> None:
    site = write_site(tmp_path / "site", 10)
    assert build(site).returncode == 0
    before = tree_digest(site / "public")
    (site / "templates").mkdir()
    (site / "templates/article.html").write_text(
        "{% extends 'theme/article.html' %}\n{% block content %}\n"
        f"{{% if article.title.startswith('Story {victim} ') %}}\n"
        "{{ article.no_such_field.boom }}\n{% endif %}\n{{ super() }}\n{% endblock %}\n")
    result = build(site)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "templates/article.html:4: " in result.stderr
    assert tree_digest(site / "public") == before
    assert not list(tmp_path.glob("site/.public.staging*"))


# --- a full disk -------------------------------------------------------------------------


def _limit_file_size() -> None:
    """In the child: files may not grow past 64 KiB; SIGXFSZ ignored so write() gets EFBIG,
    which is what a full disk or exhausted quota looks like to newsgen."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


def test_write_failure_keeps_old_output(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", 5)
    assert build(site, "--no-cache").returncode == 0
    before = tree_digest(site / "public")
    (site / "content/articles/huge.md").write_text(
        "---\ntitle: Huge\ndate: 2026-03-20T10:00\nsection: world\n---\n\n"
        + "A long paragraph of words. " * 8000 + "\n")
    result = subprocess.run([sys.executable, "-m", "newsgen", "build", str(site), "--now", NOW,
                             "--no-cache", "-q"], cwd=REPO, capture_output=True, text=True,
                            preexec_fn=_limit_file_size, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "too large" in result.stderr.lower()
    assert tree_digest(site / "public") == before
    again = build(site)  # once there is room again, the next build succeeds
    assert again.returncode == 0, again.stderr
    assert (site / "public/world/2026/03/huge/index.html").is_file()


# --- SIGKILL at a random moment --------------------------------------------------------


def _apply_version(site: Path, version: int, count: int) -> None:
    """Version 1 edits the second paragraph of 15 stories (their pages and feeds change)."""
    folder = site / "content/articles"
    for index in range(0, count, count // 15):
        (folder / f"story-{index:04d}.md").write_text(story(index, version))


def test_sigkill_leaves_old_or_new_output(tmp_path: Path) -> None:
    count, trials = 300, int(os.environ.get("NEWSGEN_KILL_TRIALS", 20))
    expected = []
    for version in (0, 1):
        reference = write_site(tmp_path / f"ref{version}", count)
        _apply_version(reference, version, count)
        assert build(reference).returncode == 0
        expected.append(tree_digest(reference / "public"))
    assert expected[0] != expected[1]
    site = write_site(tmp_path / "site", count)
    out = site / "public"
    assert build(site).returncode == 0
    _apply_version(site, 1, count)
    started = time.perf_counter()  # kills land inside a typical (incremental) build
    assert build(site).returncode == 0
    full = time.perf_counter() - started
    rng = random.Random(20260329)
    outcomes = {"old": 0, "new": 0}
    for trial in range(trials):
        old, new = (trial + 1) % 2, trial % 2
        _apply_version(site, new, count)
        process = subprocess.Popen([sys.executable, "-m", "newsgen", "build", str(site),
                                    "--now", NOW, "-q"], cwd=REPO, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.02, full))
        process.send_signal(signal.SIGKILL)
        process.wait()
        recover(out)  # what the next newsgen command does first
        digest = tree_digest(out)
        assert digest in (expected[old], expected[new]), (
            f"trial {trial}: mixed output; differs from old in {_diff(digest, expected[old])}, "
            f"from new in {_diff(digest, expected[new])}")
        outcomes["old" if digest == expected[old] else "new"] += 1
        result = build(site)
        assert result.returncode == 0, result.stderr
        assert tree_digest(out) == expected[new]
    assert outcomes["old"] + outcomes["new"] == trials


def _diff(a: dict[str, str], b: dict[str, str]) -> list[str]:
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))[:5]


# --- two builds at once ------------------------------------------------------------------


def test_two_builds_never_interleave(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", 120)
    assert build(site).returncode == 0
    lock = site / ".public.lock"
    assert lock.exists()
    env = dict(os.environ)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl,sys,time; h=open(sys.argv[1],'a+b'); "
         "fcntl.flock(h, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(1.5)",
         str(lock)], stdout=subprocess.PIPE, text=True, env=env)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    (site / "content/articles/story-0001.md").write_text(story(1, 7))
    started = time.perf_counter()
    result = build(site)
    waited = time.perf_counter() - started
    holder.wait()
    assert result.returncode == 0, result.stderr
    assert waited >= 1.0  # it waited for the lock instead of writing beside the holder


def test_concurrent_builds_give_one_consistent_output(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", 60)
    assert build(site).returncode == 0
    for index in range(60):
        (site / f"content/articles/story-{index:04d}.md").write_text(story(index, 3))
    command = [sys.executable, "-m", "newsgen", "build", str(site), "--now", NOW, "-q"]
    first = subprocess.Popen(command, cwd=REPO, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(command, cwd=REPO, stderr=subprocess.PIPE, text=True)
    assert first.wait(120) == 0, first.stderr.read() if first.stderr else ""
    assert second.wait(120) == 0, second.stderr.read() if second.stderr else ""
    reference = write_site(tmp_path / "ref", 60, version=3)
    assert build(reference).returncode == 0
    assert tree_digest(site / "public") == tree_digest(reference / "public")


# --- deleted and renamed articles ------------------------------------------------------


def test_deleted_and_renamed_articles_disappear(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", 6)
    assert build(site).returncode == 0
    out = site / "public"
    gone_url = "https://gazette.example.org/world/2026/03/story-0002/"
    assert (out / "world/2026/03/story-0002/index.html").is_file()
    (site / "content/articles/story-0002.md").unlink()
    (site / "content/articles/story-0003.md").rename(site / "content/articles/renamed.md")
    assert build(site).returncode == 0
    assert not (out / "world/2026/03/story-0002").exists()
    assert not (out / "city/2026/03/story-0003").exists()
    assert (out / "city/2026/03/renamed/index.html").is_file()
    texts = []
    for feed in sorted(out.rglob("*.xml")):
        tree = lxml.etree.parse(str(feed))
        texts += [e.text or "" for e in tree.iter() if isinstance(e.tag, str)]
        texts += [v for e in tree.iter() if isinstance(e.tag, str) for v in e.attrib.values()]
    assert not [t for t in texts if "story-0002" in t or "story-0003" in t]
    assert any("renamed" in t for t in texts)
    assert gone_url not in (out / "index.html").read_text()


# --- determinism ---------------------------------------------------------------------------


def test_same_input_same_bytes_under_any_environment(tmp_path: Path) -> None:
    count = int(os.environ.get("NEWSGEN_DETERMINISM_ARTICLES", 1000))
    first = write_site(tmp_path / "one", count)
    second = write_site(tmp_path / "elsewhere/two", count, reverse=True)
    (tmp_path / "cwd-a").mkdir()
    env_a = {"TZ": "Pacific/Kiritimati", "LANG": "C", "LC_ALL": "C", "PYTHONHASHSEED": "1"}
    env_b = {"TZ": "America/Adak", "LANG": "de_DE.UTF-8", "LC_ALL": "tr_TR.UTF-8",
             "PYTHONHASHSEED": "4242"}
    one = build(first, "-o", "out-a", env=env_a, cwd=tmp_path / "cwd-a")
    assert one.returncode == 0, one.stderr
    two = build(second, env=env_b, cwd=second / "content")
    assert two.returncode == 0, two.stderr
    digest_a = tree_digest(tmp_path / "cwd-a/out-a")
    assert len(digest_a) > count
    assert digest_a == tree_digest(second / "public")


def test_naive_times_ignore_the_machine_tz(tmp_path: Path) -> None:
    digests = []
    for zone in ("UTC", "Asia/Tokyo", "America/New_York"):
        site = write_site(tmp_path / zone.replace("/", "-"), 3)
        assert build(site, env={"TZ": zone}).returncode == 0
        digests.append(tree_digest(site / "public"))
    assert digests[0] == digests[1] == digests[2]


def test_leftovers_of_a_killed_build_are_cleaned(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", 3)
    assert build(site).returncode == 0
    before = tree_digest(site / "public")
    staging = site / ".public.staging"
    staging.mkdir()
    (staging / "half.html").write_text("half")
    assert build(site).returncode == 0
    assert not staging.exists()
    assert tree_digest(site / "public") == before
    shutil.rmtree(site / "public/.newsgen")  # no marker: newsgen must not claim the folder
    result = build(site)
    assert result.returncode == 1
    assert "not written by newsgen" in result.stderr


def test_files_newsgen_did_not_write_survive_rebuilds(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", 3)
    assert build(site).returncode == 0
    (site / "public/CNAME").write_text("news.example.org\n")
    (site / "public/.well-known").mkdir()
    (site / "public/.well-known/security.txt").write_text("Contact: x\n")
    (site / "content/articles/story-0001.md").unlink()
    assert build(site).returncode == 0
    assert (site / "public/CNAME").read_text() == "news.example.org\n"
    assert (site / "public/.well-known/security.txt").is_file()
