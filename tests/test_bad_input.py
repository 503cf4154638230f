"""The bad-input suite: one defect per case, each refused with ``path:line: message``.

Every case starts from a site that builds, builds it, then adds one defect and builds again.
It must exit 1, name the file (and the line where the file has lines), print no traceback, and
leave the previous output byte for byte as it was.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from newsgen.commands import main
from tests.conftest import BASIC_CONFIG, article, run_newsgen, tree_digest

GOOD_FILES: dict[str, str] = {
    "content/articles/2026/first-story.md": article("First story", "2026-03-20T10:00"),
    "content/articles/2026/second-story.md": article("Second story", "2026-03-21T11:00",
                                                     section="city", tags="[Harbour, Port]"),
    "content/headlines/2026-03-21.yaml": "- time: 2026-03-21T12:00\n  title: Bridge reopens\n",
    "content/pages/about.md": "---\ntitle: About us\n---\n\nWe report.\n",
    "static/css/site.css": "body { color: black; }\n",
}
BAD = "content/articles/2026/bad.md"
HEAD = "content/headlines/2026-03-22.yaml"
BOMB = "\n".join(['a: &a ["x","x","x","x","x","x","x","x","x"]']
                 + [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},"
                    f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
                    f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]" for i in range(8)])
CANARY = "/tmp/newsgen-pwned-canary"


def fm(*lines: str, body: str = "Text.") -> str:
    """An article file from front-matter lines (line 1 is '---', the first key is line 2)."""
    return "\n".join(["---", *lines, "---", "", body, ""])


VALID = ("title: Bad one", "date: 2026-03-20T10:00", "section: world")


@dataclass
class Case:
    id: str
    files: dict[str, str | bytes | None]
    where: list[str]                     # every "path:line" (or "path") that must be named
    message: str                         # a fragment of the message, case-insensitive
    args: tuple[str, ...] = ()
    config: str | None = None
    setup: Callable[[Path], None] | None = None
    extra_check: Callable[[Path], None] | None = None
    tags: set[str] = field(default_factory=set)


def _link(target: str, link: str) -> Callable[[Path], None]:
    def setup(site: Path) -> None:
        path = site / link
        path.parent.mkdir(parents=True, exist_ok=True)
        outside = site.parent / target
        if target.startswith("outside"):
            outside.write_text(article("Outside", "2026-03-20T10:00") if target.endswith(".md")
                               else "secret\n")
            path.symlink_to(outside)
        else:
            path.symlink_to(site / target)
    return setup


def _loop(site: Path) -> None:
    folder = site / "content/articles/loop"
    folder.mkdir(parents=True)
    (folder / "a.md").symlink_to(folder / "b.md")
    (folder / "b.md").symlink_to(folder / "a.md")


def _template(name: str, text: str) -> dict[str, str | bytes | None]:
    return {f"templates/{name}": text}


def _no_canary(site: Path) -> None:
    assert not os.path.exists(CANARY), "a YAML tag ran code"


CASES = [
    # --- front matter -------------------------------------------------------------------
    Case("unclosed-front-matter", {BAD: "---\ntitle: Open\ndate: 2026-03-20T10:00\n\nText\n"},
         [f"{BAD}:1"], "never closed"),
    Case("no-front-matter", {BAD: "Just a body with no keys.\n"}, [f"{BAD}:1"],
         "must start with a line '---'"),
    Case("yaml-syntax-error", {BAD: fm("title: Fine", "date: 2026-03-20T10:00",
                                       "section: world", "summary: [unclosed, list",
                                       "slug: x")},
         [f"{BAD}:6"], "YAML syntax error"),
    Case("yaml-bad-indent", {BAD: fm("title: Fine", "date: 2026-03-20T10:00",
                                     "section: world", "  oops: indented")},
         [f"{BAD}:5"], "YAML syntax error"),
    Case("front-matter-is-list", {BAD: fm("- title", "- date")}, [f"{BAD}:2"],
         "must be a mapping"),
    Case("front-matter-is-scalar", {BAD: fm("just some words")}, [f"{BAD}:2"],
         "must be a mapping"),
    Case("front-matter-empty", {BAD: "---\n---\n\nText.\n"}, [f"{BAD}:2"], "must be a mapping"),
    Case("python-object-tag", {BAD: fm(*VALID, "summary: !!python/object/apply:os.system "
                                       f"['touch {CANARY}']")},
         [f"{BAD}:5"], "tag", extra_check=_no_canary),
    Case("python-name-tag", {BAD: fm(*VALID, "summary: !!python/name:os.system")},
         [f"{BAD}:5"], "is not allowed"),
    Case("custom-local-tag", {BAD: fm(*VALID, "summary: !include /etc/passwd")},
         [f"{BAD}:5"], "is not allowed"),
    Case("alias-bomb", {BAD: "---\n" + BOMB + "\n" + "\n".join(VALID) + "\n---\nText\n"},
         [BAD + ":"], "more than", tags={"fast"}),
    Case("duplicate-key", {BAD: fm("title: One", "date: 2026-03-20T10:00", "section: world",
                                   "title: Two")},
         [f"{BAD}:5"], "first on line 2, again on line 5"),
    Case("missing-title", {BAD: fm("date: 2026-03-20T10:00", "section: world")},
         [f"{BAD}:2"], "'title' is required"),
    Case("empty-title", {BAD: fm('title: ""', "date: 2026-03-20T10:00", "section: world")},
         [f"{BAD}:2"], "'title' is required"),
    Case("missing-date", {BAD: fm("title: No date", "section: world")}, [f"{BAD}:2"],
         "'date' is required"),
    Case("missing-section", {BAD: fm("title: No section", "date: 2026-03-20T10:00")},
         [f"{BAD}:2"], "'section' is required"),
    Case("title-number", {BAD: fm("title: 123", "date: 2026-03-20T10:00", "section: world")},
         [f"{BAD}:2"], "must be text"),
    Case("tags-string", {BAD: fm(*VALID, 'tags: "a,b"')}, [f"{BAD}:5"], "must be a list"),
    Case("draft-string", {BAD: fm(*VALID, 'draft: "no"')}, [f"{BAD}:5"], "true or false"),
    Case("date-list", {BAD: fm("title: T", "date: [2024]", "section: world")}, [f"{BAD}:3"],
         "date"),
    Case("unknown-key-strict", {BAD: fm(*VALID, "subtitle: Extra")}, [f"{BAD}:5"],
         "unknown article key 'subtitle'", args=("--strict",)),
    Case("empty-file", {BAD: ""}, [f"{BAD}:1"], "empty"),
    Case("blank-file", {BAD: "\n\n   \n"}, [f"{BAD}:1"], "empty"),
    Case("file-too-large", {BAD: fm(*VALID, body="word " * 400)}, [BAD], "over the limit",
         config=BASIC_CONFIG + "limits: {file_size: 1000}\n"),
    Case("deep-nesting", {BAD: fm(*VALID, "summary: " + "[" * 100_000 + "]" * 100_000)},
         [f"{BAD}:5"], "nested"),
    Case("markdown-bracket-bomb", {BAD: fm(*VALID, body="Intro.\n\n" + "[a](" * 20_000)},
         [f"{BAD}:9"], "nested more than", tags={"fast"}),
    Case("markdown-emphasis-bomb", {BAD: fm(*VALID, body="_" * 30_000 + "a" + "_" * 30_000)},
         [f"{BAD}:7"], "nested more than"),
    Case("markdown-list-bomb", {BAD: fm(*VALID, body="".join("  " * i + "- x\n"
                                                             for i in range(2000)))},
         [f"{BAD}:108"], "indented"),
    # --- encoding -----------------------------------------------------------------------
    Case("invalid-utf8", {BAD: b"---\ntitle: Caf\xe9 au lait\ndate: 2026-03-20T10:00\n"
                               b"section: world\n---\nText\n"},
         [f"{BAD}:2"], "column 11"),
    Case("utf16", {BAD: fm(*VALID).encode("utf-16")}, [f"{BAD}:1"], "save it as UTF-8"),
    Case("utf16-no-bom", {BAD: fm(*VALID).encode("utf-16-le")}, [f"{BAD}:1"], "UTF-8"),
    # --- dates --------------------------------------------------------------------------
    Case("impossible-date", {BAD: fm("title: T", "date: 2026-02-30T10:00", "section: world")},
         [f"{BAD}:3"], "not a real date"),
    Case("impossible-hour", {BAD: fm("title: T", "date: 2026-03-20T25:00", "section: world")},
         [f"{BAD}:3"], "date"),
    Case("non-date", {BAD: fm("title: T", "date: next tuesday", "section: world")},
         [f"{BAD}:3"], "not an ISO 8601"),
    Case("summer-time-gap", {BAD: fm("title: T", "date: 2026-03-29T01:30", "section: world")},
         [f"{BAD}:3"], "does not exist in Europe/Lisbon"),
    Case("bad-correction-date", {BAD: fm(*VALID, "corrections:", "  - date: yesterday",
                                         "    text: Fixed.")},
         [f"{BAD}:6"], "not an ISO 8601"),
    # --- paths --------------------------------------------------------------------------
    Case("slug-dotdot", {BAD: fm(*VALID, "slug: ../../etc/evil")}, [f"{BAD}:5"], "slug"),
    Case("slug-absolute", {BAD: fm(*VALID, "slug: /etc/passwd")}, [f"{BAD}:5"], "slug"),
    Case("slug-encoded-dotdot", {BAD: fm(*VALID, "slug: '%2e%2e'")}, [f"{BAD}:5"], "slug"),
    Case("slug-backslash", {BAD: fm(*VALID, "slug: 'a\\..\\b'")}, [f"{BAD}:5"], "slug"),
    Case("slug-drive-letter", {BAD: fm(*VALID, "slug: 'C:evil'")}, [f"{BAD}:5"], "slug"),
    Case("slug-nul", {BAD: fm(*VALID, 'slug: "a\\0b"')}, [f"{BAD}:5"], "\\x00"),
    Case("slug-reserved-con", {BAD: fm(*VALID, "slug: con")}, [f"{BAD}:5"], "reserved"),
    Case("slug-reserved-nul", {BAD: fm(*VALID, "slug: nul")}, [f"{BAD}:5"], "reserved"),
    Case("slug-too-long", {BAD: fm(*VALID, "slug: " + "a" * 300)}, [f"{BAD}:5"], "limit"),
    Case("file-name-reserved", {"content/articles/2026/aux.md": fm(*VALID)},
         ["content/articles/2026/aux.md"], "reserved"),
    Case("permalink-dotdot", {}, ["newsgen.yaml:10"], "permalink",
         config=BASIC_CONFIG + "permalink: /../{slug}/\n"),
    Case("permalink-encoded", {}, ["newsgen.yaml:10"], "permalink",
         config=BASIC_CONFIG + "permalink: /%2e%2e/{slug}/\n"),
    Case("permalink-absolute-drive", {}, ["newsgen.yaml:10"], "permalink",
         config=BASIC_CONFIG + "permalink: 'C:/{slug}/'\n"),
    Case("duplicate-slug", {"content/articles/2025/first-story.md": fm(*VALID)},
         ["content/articles/2026/first-story.md", "content/articles/2025/first-story.md"],
         "first-story"),
    Case("permalink-collision", {BAD: fm("title: T", "date: 2026-03-20T10:00",
                                         "section: city", "slug: same"),
                                 "content/articles/2026/other.md": fm(
                                     "title: T", "date: 2026-03-21T10:00", "section: world",
                                     "slug: same")},
         ["content/articles/2026/other.md", BAD], "same"),
    Case("page-vs-section", {"content/pages/world.md": "---\ntitle: World page\n---\nx\n"},
         ["content/pages/world.md"], "world"),
    Case("page-vs-article-slug", {"content/pages/first.md":
                                  "---\ntitle: Page\nslug: first-story\n---\nx\n"},
         ["content/pages/first.md"], "first-story", config=BASIC_CONFIG
         + "permalink: /{slug}/\n"),
    Case("page-named-tags", {"content/pages/tags.md": "---\ntitle: Tags\n---\nx\n"},
         ["content/pages/tags.md"], "tags"),
    Case("static-rss", {"static/rss.xml": "<rss/>"}, ["static/rss.xml"], "rss.xml"),
    Case("static-index", {"static/index.html": "<p>hi</p>"}, ["static/index.html"],
         "index.html"),
    Case("static-tags-page", {"static/tags/index.html": "x"}, ["static/tags/index.html"],
         "tags"),
    Case("static-case-collision", {"static/css/Site.css": "x"},
         ["static/css/site.css", "static/css/Site.css"], "case"),
    Case("section-named-tags", {}, ["newsgen.yaml:5"], "section id 'tags'",
         config=BASIC_CONFIG.replace("sections:\n", "sections:\n  - {id: tags, title: Tags}\n")),
    Case("symlink-article-outside", {}, ["content/articles/2026/link.md"], "outside the site",
         setup=_link("outside.md", "content/articles/2026/link.md")),
    Case("symlink-static-outside", {}, ["static/secret.txt"], "outside the site",
         setup=_link("outside-secret.txt", "static/secret.txt")),
    Case("symlink-loop", {}, ["content/articles/loop/a.md", "content/articles/loop/b.md"],
         "loops", setup=_loop),
    Case("fifo-article", {}, ["content/articles/2026/pipe.md"], "not a regular file",
         setup=lambda site: os.mkfifo(site / "content/articles/2026/pipe.md")),
    # --- headline files -----------------------------------------------------------------
    Case("headlines-not-list", {HEAD: "time: 2026-03-22T10:00\ntitle: x\n"}, [f"{HEAD}:1"],
         "must be a YAML list"),
    Case("headline-missing-time", {HEAD: "- title: No time\n"}, [f"{HEAD}:1"],
         "'time' is required"),
    Case("headline-missing-title", {HEAD: "- time: 2026-03-22T10:00\n"}, [f"{HEAD}:1"],
         "'title' is required"),
    Case("headline-title-number", {HEAD: "- time: 2026-03-22T10:00\n  title: 42\n"},
         [f"{HEAD}:2"], "must be text"),
    Case("headline-item-scalar", {HEAD: "- just text\n"}, [f"{HEAD}:1"], "must be a mapping"),
    Case("headline-missing-article", {HEAD: "- time: 2026-03-22T10:00\n  title: T\n"
                                            "  link: no-such-story\n"},
         [f"{HEAD}:1"], "no-such-story"),
    Case("headline-bad-time", {HEAD: "- time: 2026-13-01T10:00\n  title: T\n"},
         [f"{HEAD}:1"], "time"),
    # --- config -------------------------------------------------------------------------
    Case("config-missing-base-url", {}, ["newsgen.yaml:1"], "'base_url' is required",
         config=BASIC_CONFIG.replace("base_url: https://gazette.example.org\n", "")),
    Case("config-bad-timezone", {}, ["newsgen.yaml:3"], "time zone",
         config=BASIC_CONFIG.replace("Europe/Lisbon", "Europe/Atlantis")),
    Case("config-timezone-path", {}, ["newsgen.yaml:3"], "time zone",
         config=BASIC_CONFIG.replace("Europe/Lisbon", "../../etc/passwd")),
    Case("config-yaml-error", {}, ["newsgen.yaml:5"], "YAML syntax error",
         config=BASIC_CONFIG.replace("sections:", "sections: [")),
    Case("config-unknown-key", {}, ["newsgen.yaml:10"], "did you mean 'sections'",
         config=BASIC_CONFIG + "sectons: []\n"),
    Case("unknown-section", {BAD: fm("title: T", "date: 2026-03-20T10:00", "section: sport")},
         [f"{BAD}:4"], "unknown section 'sport'"),
    # --- templates ----------------------------------------------------------------------
    Case("template-syntax-error", _template("article.html", "{% extends 'theme/article.html' %}"
                                            "\n{% block content %}\n{% if %}\n{% endblock %}\n"),
         ["templates/article.html:3"], "syntax"),
    Case("template-undefined", _template("article.html", "{% extends 'theme/article.html' %}"
                                         "\n{% block content %}\n\n{{ no_such_thing.x }}\n"
                                         "{% endblock %}\n"),
         ["templates/article.html:4"], "undefined"),
]
RUNNABLE = [c for c in CASES if "skip" not in c.tags]


def _write(site: Path, files: dict[str, str | bytes | None]) -> None:
    for relative, data in files.items():
        path = site / relative
        if data is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")


def build(site: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["build", str(site), "--now", "2026-03-25T12:00", *args])
    return code, capsys.readouterr().err


@pytest.fixture
def good_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    (site / "newsgen.yaml").write_text(BASIC_CONFIG)
    _write(site, dict(GOOD_FILES))
    code, err = build(site, capsys=capsys)
    assert code == 0, err
    return site


@pytest.mark.parametrize("case", RUNNABLE, ids=[c.id for c in RUNNABLE])
def test_bad_input(case: Case, good_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = tree_digest(good_site / "public")
    if case.config is not None:
        (good_site / "newsgen.yaml").write_text(case.config)
    _write(good_site, case.files)
    if case.setup:
        case.setup(good_site)
    started = time.perf_counter()
    code, err = build(good_site, *case.args, capsys=capsys)
    elapsed = time.perf_counter() - started
    assert code == 1, err
    assert "Traceback" not in err
    for index, where in enumerate(case.where):
        # the first place starts a problem line; the others (the other file of a collision)
        # may be named inside the message
        pattern = rf"^{re.escape(where)}[:\d]*: " if index == 0 else re.escape(where)
        assert re.search(pattern, err, re.M), (where, err)
    assert case.message.lower() in err.lower(), err
    assert tree_digest(good_site / "public") == before
    if "fast" in case.tags:
        assert elapsed < 1.0
    if case.extra_check:
        case.extra_check(good_site)


def test_suite_has_enough_cases() -> None:
    assert len(RUNNABLE) >= 45


def test_unknown_key_is_a_warning_without_strict(good_site: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    _write(good_site, {BAD: fm(*VALID, "subtitle: Extra")})
    code, err = build(good_site, capsys=capsys)
    assert code == 0
    assert f"{BAD}:5: warning: unknown article key 'subtitle'" in err


def test_ten_broken_articles_reported_in_one_run(good_site: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    before = tree_digest(good_site / "public")
    broken = {f"content/articles/broken/b{i}.md": fm("title: 12", "date: 2026-03-20T10:00",
                                                     "section: world") for i in range(10)}
    _write(good_site, broken)
    code, err = build(good_site, capsys=capsys)
    assert code == 1
    for relative in broken:
        assert f"{relative}:2: " in err
    assert "10 errors" in err
    assert tree_digest(good_site / "public") == before


def test_no_traceback_from_a_real_process(good_site: Path) -> None:
    """The in-process cases above, once through ``python -m newsgen`` as editors run it."""
    before = tree_digest(good_site / "public")
    _write(good_site, {BAD: fm("title: [", "date: x")})
    result = run_newsgen("build", good_site)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{BAD}:" in result.stderr
    assert tree_digest(good_site / "public") == before


@pytest.mark.parametrize("where", ["site", "parent", "content", "content/articles",
                                   "templates", "static", "static/css"])
def test_output_folder_refused_before_anything_is_touched(
        where: str, good_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = good_site if where == "site" else good_site.parent if where == "parent" \
        else good_site / where
    out.mkdir(parents=True, exist_ok=True)
    before = tree_digest(good_site.parent)
    listing = sorted(p.name for p in good_site.parent.rglob("*"))
    code, err = build(good_site, "-o", str(out), capsys=capsys)
    assert code == 1
    assert "output folder" in err
    assert tree_digest(good_site.parent) == before
    assert sorted(p.name for p in good_site.parent.rglob("*")) == listing


def test_foreign_output_folder_is_never_emptied(good_site: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    foreign = good_site.parent / "someone-elses"
    foreign.mkdir()
    (foreign / "tax-return.pdf").write_bytes(b"%PDF private")
    code, err = build(good_site, "-o", str(foreign), capsys=capsys)
    assert code == 1
    assert "was not written by newsgen" in err
    assert [p.name for p in foreign.iterdir()] == ["tax-return.pdf"]


def test_sibling_with_shared_prefix_is_untouched(good_site: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    sibling = good_site / "public2"
    (sibling / "keep").mkdir(parents=True)
    (sibling / "keep" / "file.txt").write_text("mine")
    (good_site / "public-old.txt").write_text("also mine")
    before = tree_digest(sibling)
    _write(good_site, {"content/articles/2026/third.md": article("Third")})
    assert build(good_site, capsys=capsys)[0] == 0
    _write(good_site, {BAD: fm("title: [")})
    assert build(good_site, capsys=capsys)[0] == 1
    assert tree_digest(sibling) == before
    assert (good_site / "public-old.txt").read_text() == "also mine"


def test_bom_and_crlf_give_the_same_output_as_lf(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    text = fm("title: Café", "date: 2026-03-20T10:00", "section: world", "tags: [a, b]",
              body="Line one.\n\nLine two with *emphasis*.")
    outputs = []
    for name, data in (("lf", text.encode()), ("crlf", text.replace("\n", "\r\n").encode()),
                       ("bom", b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())):
        site = tmp_path / name
        site.mkdir()
        (site / "newsgen.yaml").write_text(BASIC_CONFIG)
        _write(site, {"content/articles/story.md": data,
                      "content/headlines/h.yaml": b"\xef\xbb\xbf- time: 2026-03-20T11:00\r\n"
                                                  b"  title: Hi\r\n"})
        code, err = build(site, capsys=capsys)
        assert code == 0, err
        outputs.append(tree_digest(site / "public"))
    assert outputs[0] == outputs[1] == outputs[2]


def test_alias_bomb_memory_is_bounded(tmp_path: Path) -> None:
    """A billion-laughs document is refused by the value budget, not by running out of RAM."""
    import tracemalloc

    from newsgen.content.frontmatter import parse_yaml
    from newsgen.errors import ContentError

    tracemalloc.start()
    with pytest.raises(ContentError):
        parse_yaml(BOMB, "bomb.yaml")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50_000_000


def test_symlink_inside_the_site_is_allowed(good_site: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(good_site / "static/css/site.css", good_site / "shared.css")
    (good_site / "static/css/linked.css").symlink_to(good_site / "shared.css")
    code, err = build(good_site, capsys=capsys)
    assert code == 0, err
    assert (good_site / "public/css/linked.css").read_text() == "body { color: black; }\n"


@pytest.mark.parametrize("front", [
    "title: T\ndate: not-a-date\nsection: world",          # a field error
    "title: T\ndate: 2026-03-20T10:00\nsection: [world",     # a YAML error
])
def test_broken_front_matter_still_has_its_body_checked(make_site, capsys,
                                                        front: str) -> None:
    """Issue #21 (6): a bad 'date:' used to hide a broken article: link in the same file."""
    text = f"---\n{front}\n---\n\nIntro.\n\nSee [this](article:no-such-story).\n"
    site = make_site({"content/articles/a.md": text,
                      "content/articles/b.md": article("Fine", slug="fine")})
    code = main(["build", str(site), "--now", "2026-03-25T12:00", "-q"])
    err = capsys.readouterr().err
    assert code == 1
    assert re.search(r"^content/articles/a\.md:[345]: ", err, re.M), err
    assert re.search(r"^content/articles/a\.md:9: link to 'no-such-story'", err, re.M), err
