"""What git's index tells a build about the site's files (engine/git_index.py): the blob ids
of tracked files the working tree has not modified, and the same ids computed from bytes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from newsgen.engine.git_index import blob_id, clean_blobs


def _git(where: Path, *arguments: str) -> str:
    return subprocess.run(["git", "-C", str(where), "-c", "user.name=Desk", "-c",
                           "user.email=desk@example.org", *arguments], check=True,
                          capture_output=True, text=True).stdout.strip()


def test_a_file_gets_the_id_git_gives_it(tmp_path: Path) -> None:
    for name, data in (("empty.md", b""), ("story.md", "Café — « quai »\r\n".encode()),
                       ("big.bin", os.urandom(3 << 20))):
        path = tmp_path / name
        path.write_bytes(data)
        assert blob_id(path) == _git(tmp_path, "hash-object", name)
    assert blob_id(tmp_path / "missing.md") is None


def test_only_tracked_unmodified_regular_files_are_listed(tmp_path: Path) -> None:
    """Paths come relative to the folder asked about, "/"-separated, non-ASCII as they are;
    a modified, an untracked, a deleted file and a link are left for the caller to read."""
    site = tmp_path / "site"
    content = site / "content"
    (content / "articles/2026").mkdir(parents=True)
    files = {"articles/2026/quai-café.md": "one\n", "articles/2026/b.md": "two\n",
             "articles/2026/c.md": "three\n", "articles/2026/gone.md": "four\n",
             "headlines/today.yaml": "- {time: x, title: y}\n"}
    for name, text in files.items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text(text, encoding="utf-8")
    (site / "newsgen.yaml").write_text("title: T\n")
    (content / "articles/link.md").symlink_to("2026/b.md")
    _git(site, "init", "-q")
    _git(site, "add", "-A")
    _git(site, "commit", "-q", "-m", "site")
    (content / "articles/2026/c.md").write_text("three, corrected\n")
    (content / "articles/2026/gone.md").unlink()
    (content / "articles/2026/new.md").write_text("five\n")
    blobs = clean_blobs(str(content))
    assert set(blobs) == {"articles/2026/quai-café.md", "articles/2026/b.md",
                          "headlines/today.yaml"}
    for name, found in blobs.items():
        assert found == blob_id(content / name)


def test_a_folder_outside_any_work_tree_has_no_ids(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("x\n")
    assert clean_blobs(str(tmp_path)) == {}
    assert clean_blobs(str(tmp_path / "not-a-folder")) == {}
