"""content/ to models: every problem collected, each at its file and line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from newsgen.content.config import load_config
from newsgen.content.loader import load_content
from newsgen.errors import ProblemList
from tests.conftest import article


def load(site: Path) -> tuple[object, list[str]]:
    problems = ProblemList()
    content = load_content(load_config(site), problems)
    return content, [str(p) for p in problems.sorted()]


def test_good_content(make_site: Callable[..., Path]) -> None:
    site = make_site({"content/articles/a.md": article("A", tags="[Port, port]"),
                      "content/headlines/h.yaml": "- time: 2026-03-20T11:00\n  title: H\n"
                                                  "  link: a\n",
                      "content/pages/about.md": "---\ntitle: About\n---\nx\n"})
    content, problems = load(site)
    assert problems == []
    assert [a.slug for a in content.articles] == ["a"]  # type: ignore[attr-defined]
    assert [t.slug for t in content.articles[0].tags] == ["port"]  # type: ignore[attr-defined]
    assert content.headlines[0].line == 1  # type: ignore[attr-defined]


def test_every_bad_file_is_reported(make_site: Callable[..., Path]) -> None:
    site = make_site({f"content/articles/b{i}.md": article(title="[1]") for i in range(5)}
                     | {"content/articles/e.md": "", "content/headlines/h.yaml": "a: 1\n"})
    _content, problems = load(site)
    assert [p.split(": ")[0] for p in problems] == (
        [f"content/articles/b{i}.md:2" for i in range(5)]
        + ["content/articles/e.md:1", "content/headlines/h.yaml:1"])


def test_hidden_and_foreign_files_are_ignored(make_site: Callable[..., Path]) -> None:
    site = make_site({"content/articles/.draft.md": "garbage", "content/articles/n.txt": "x",
                      "content/articles/a.md": article()})
    assert load(site)[1] == []


def test_symlinks(make_site: Callable[..., Path], tmp_path: Path) -> None:
    site = make_site({"content/articles/a.md": article(), "elsewhere/b.md": article("B")})
    (tmp_path / "outside.md").write_text(article("Out"))
    (site / "content/articles/in.md").symlink_to(site / "elsewhere/b.md")
    (site / "content/articles/out.md").symlink_to(tmp_path / "outside.md")
    (site / "content/articles/folder").symlink_to(tmp_path)
    (site / "content/articles/dangling.md").symlink_to(tmp_path / "nowhere.md")
    content, problems = load(site)
    assert sorted(a.slug for a in content.articles) == ["a", "in"]  # type: ignore[attr-defined]
    assert any(p.startswith("content/articles/out.md: symlink points outside") for p in problems)
    assert any(p.startswith("content/articles/folder: ") for p in problems)
    assert any(p.startswith("content/articles/dangling.md: symlink is broken")
               for p in problems)


def test_size_limit(make_site: Callable[..., Path]) -> None:
    from tests.conftest import BASIC_CONFIG
    site = make_site({"content/articles/a.md": article(body="x" * 2000)},
                     config=BASIC_CONFIG + "limits: {file_size: 1000}\n")
    assert "over the limit of 1,000" in load(site)[1][0]
