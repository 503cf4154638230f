"""Headline-only builds (build/ticker_build.py): a new headline reaches the front page and
the section fronts without loading the site, and the output is byte for byte what a full
build makes (within the ticker contract); whatever the shortcut cannot be sure of is built
in full."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from newsgen.build import builder, inputs, pipeline
from newsgen.build.builder import BuildOptions, BuildResult, build_site
from newsgen.content import loader
from newsgen.engine.writer import OutputWriter
from newsgen.errors import BuildFailed
from tests.conftest import BASIC_CONFIG, article, older_ticker_allowed, run_newsgen, tree_digest

NOW = datetime(2026, 3, 21, 12, 0, tzinfo=ZoneInfo("Europe/Lisbon"))
HEADLINES = "content/headlines/today.yaml"
FIRST = '- {time: "2026-03-21T08:00", title: Morning tide tables}\n'
FRONTS = ["city/index.html", "index.html", "world/index.html"]


CONFIG = BASIC_CONFIG + "ticker: {size: 4}\n"  # a headline and the three newest stories


def _site(make_site: Callable[..., Path], config: str = CONFIG,
          files: dict[str, str] | None = None) -> tuple[Path, BuildResult]:
    stories = {f"content/articles/s{i}.md": article(
        f"Story {i}", f"2026-03-{10 + i:02d}T09:00", "world" if i % 2 else "city",
        tags="[ports]") for i in range(8)}
    site = make_site({**stories, HEADLINES: FIRST, **(files or {})}, config=config)
    _build(site)
    _settle(site)
    full = _build(site)
    assert full.mode == "full"  # settled files: this build leaves the snapshot
    return site, full


def _settle(site: Path) -> None:
    """Files written just now leave the racy-mtime window, as a checkout's files have."""
    aged = time.time_ns() - 5 * 10**9
    for path in site.rglob("*"):
        if path.is_file() and ".newsgen-cache" not in path.parts and \
                path.stat().st_mtime_ns > aged:
            os.utime(path, ns=(aged, aged))


def _build(site: Path, out: str = "public", now: datetime = NOW, cache: bool = True
           ) -> BuildResult:
    return build_site(site, BuildOptions(out_dir=site.parent / out, now=now, workers=1,
                                         use_cache=cache))


def _add(site: Path, text: str, name: str = HEADLINES) -> None:
    path = site / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def _changes(site: Path) -> list[str]:
    lines = (site.parent / "public/.newsgen/changes").read_text().splitlines()
    return sorted(line.split("\t")[1] for line in lines)


def _assert_same_as_clean(site: Path, now: datetime = NOW) -> None:
    _build(site, "clean", now, cache=False)
    older = older_ticker_allowed(site)
    assert tree_digest(site.parent / "public", older) == tree_digest(site.parent / "clean", older)
    shutil.rmtree(site.parent / "clean")


def test_a_new_headline_is_spliced_into_the_fronts_alone(
        make_site: Callable[..., Path]) -> None:
    site, full = _site(make_site)
    article_page = site.parent / "public/city/2026/03/s0/index.html"
    before = article_page.read_bytes()
    _add(site, '- {time: "2026-03-21T11:50", title: Ferry strike called off}\n')
    result = _build(site)
    assert result.mode == "ticker"
    assert result.articles == 8 and result.site is None
    assert result.files == full.files
    assert _changes(site) == sorted([*FRONTS, "ticker.html", "ticker.json"])
    for page in FRONTS + ["ticker.html"]:
        assert "Ferry strike called off" in (site.parent / "public" / page).read_text()
    items = json.loads((site.parent / "public/ticker.json").read_text())["items"]
    assert items[0] == {"time": "2026-03-21T11:50:00+00:00", "hhmm": "11:50",
                        "title": "Ferry strike called off", "path": None, "url": ""}
    assert article_page.read_bytes() == before, "other pages keep their last ticker"
    _assert_same_as_clean(site)
    # a second headline builds on the first (the snapshot stays valid)
    # one linking to a story older than the tickers have shown
    _add(site, '- {time: "2026-03-21T11:55", title: Bridge reopens, link: s1}\n')
    assert _build(site).mode == "ticker"
    assert '<a href="/world/2026/03/s1/">Bridge reopens</a>' in \
        (site.parent / "public/index.html").read_text()
    _assert_same_as_clean(site)
    _settle(site)
    assert _build(site).stats.written == 0
    assert _build(site).mode == "unchanged"


def test_the_command_line_says_what_it_did(make_site: Callable[..., Path]) -> None:
    site, _ = _site(make_site)
    _add(site, '- {time: "2026-03-21T11:50", title: Ferry strike called off}\n')
    result = run_newsgen("build", site, "--now", NOW.isoformat(), "-o", site.parent / "public")
    assert result.returncode == 0, result.stderr
    said = result.stdout + result.stderr
    assert "deploy delta: 0 added, 5 changed, 0 removed" in said
    assert "headlines only: the ticker applied" in said


def test_a_held_back_headline_appears_when_its_time_comes(
        make_site: Callable[..., Path]) -> None:
    site, _ = _site(make_site)
    _add(site, '- {time: "2026-03-21T12:30", title: Council votes at noon}\n')
    result = _build(site)
    assert result.mode == "ticker"
    assert result.next_change == datetime(2026, 3, 21, 12, 30, tzinfo=ZoneInfo("UTC"))
    assert "Council votes" not in (site.parent / "public/index.html").read_text()
    _settle(site)
    later = datetime(2026, 3, 21, 12, 31, tzinfo=ZoneInfo("Europe/Lisbon"))
    result = _build(site, now=later)  # no file changed: the clock passed its time
    assert result.mode == "ticker"
    assert "Council votes" in (site.parent / "public/index.html").read_text()
    _assert_same_as_clean(site, later)


@pytest.mark.parametrize("change", [
    "removed",  # an item older tickers show is withdrawn: every page is redone
    "covers",  # a headline stands in for a story the tickers show: that item is withdrawn
    "article",  # an article changed as well
    "hand-edit",  # a page of the output was edited by hand
    "scheduled",  # the clock passed an embargo
])
def test_whatever_may_differ_is_built_in_full(make_site: Callable[..., Path],
                                              change: str) -> None:
    site, _ = _site(make_site, files={"content/articles/later.md": article(
        "Embargoed", "2026-03-21T13:00", "city")})
    now = NOW
    if change == "removed":
        (site / HEADLINES).write_text(
            '- {time: "2026-03-21T11:50", title: Ferry strike called off}\n')
    elif change == "covers":
        _add(site, '- {time: "2026-03-21T11:50", title: Seven, link: s7}\n')
    elif change == "article":
        _add(site, '- {time: "2026-03-21T11:50", title: Ferry strike called off}\n')
        (site / "content/articles/s3.md").write_text(article(
            "Story three, corrected", "2026-03-13T09:00", "world", tags="[ports]"))
    elif change == "hand-edit":
        _add(site, '- {time: "2026-03-21T11:50", title: Ferry strike called off}\n')
        page = site.parent / "public/world/2026/03/s1/index.html"
        page.write_text(page.read_text() + "<!-- edited -->")
    else:
        _add(site, '- {time: "2026-03-21T11:50", title: Ferry strike called off}\n')
        now = datetime(2026, 3, 21, 13, 5, tzinfo=ZoneInfo("Europe/Lisbon"))
    result = _build(site, now=now)
    assert result.mode == "full"
    assert result.site is not None
    _assert_same_as_clean(site, now)


def test_a_bad_headline_is_reported_and_nothing_is_written(
        make_site: Callable[..., Path]) -> None:
    site, _ = _site(make_site)
    before = tree_digest(site.parent / "public")
    _add(site, '- {time: "2026-03-21T11:50", title: Nowhere, link: no-such-story}\n')
    with pytest.raises(BuildFailed) as failed:
        _build(site)
    assert [str(p) for p in failed.value.problems] == [
        f"{HEADLINES}:2: headline links to 'no-such-story', which is no article's slug"]
    assert tree_digest(site.parent / "public") == before


def test_inline_tickers_are_built_in_full(make_site: Callable[..., Path]) -> None:
    site, _ = _site(make_site, BASIC_CONFIG + "ticker: {size: 4, embed: inline}\n")
    _add(site, '- {time: "2026-03-21T11:50", title: Ferry strike called off}\n')
    result = _build(site)
    assert result.mode == "full"
    assert "world/2026/03/s1/index.html" in _changes(site), "every page carries it"
    _assert_same_as_clean(site)


EDITIONS = CONFIG + "languages:\n  en: {}\n  fr: {title: La Gazette}\n"


def test_a_headline_changes_only_its_own_edition(make_site: Callable[..., Path]) -> None:
    site, _ = _site(make_site, EDITIONS, {
        "content/articles/fr/bac.md": article("Le bac", "2026-03-20T09:00", "world",
                                              lang="fr"),
        "content/headlines/fr.yaml": '- {time: "2026-03-21T07:00", title: Marée, lang: fr}\n'})
    _add(site, '- {time: "2026-03-21T11:50", title: Grève levée, lang: fr}\n',
         "content/headlines/fr.yaml")
    result = _build(site)
    assert result.mode == "ticker"
    assert _changes(site) == ["fr/city/index.html", "fr/index.html", "fr/ticker.html",
                              "fr/ticker.json", "fr/world/index.html"]
    _assert_same_as_clean(site)
    # a headline of the English edition linking to the French story: a warning, as always
    _add(site, '- {time: "2026-03-21T11:52", title: Exams, lang: en, link: bac}\n')
    result = _build(site)
    assert result.mode == "ticker"
    assert [str(w) for w in result.warnings] == [
        f"{HEADLINES}:2: warning: headline (en) links to 'bac', a story of the 'fr' edition"]
    assert "https://gazette.example.org/fr/world/2026/03/bac/" in \
        (site.parent / "public/ticker.json").read_text()
    _assert_same_as_clean(site)


@pytest.mark.parametrize("edited", [False, True])
def test_a_full_build_trusts_an_output_found_intact(
        make_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, edited: bool) -> None:
    """Where the output is checked in a forked process (here: at any size), a full build
    takes that check's answer instead of an lstat a page; a file edited by hand makes it
    look at each file again, and put the edit right."""
    monkeypatch.setattr(builder, "large_output", lambda out_dir: True)
    trusted: list[bool] = []
    plan = pipeline.PagePlan

    def watched(problems: object, records: object, writer: OutputWriter | None,
                *args: object, **kwargs: object) -> object:
        trusted.append(writer is not None and writer.trusted)
        return plan(problems, records, writer, *args, **kwargs)  # type: ignore[arg-type]
    monkeypatch.setattr(pipeline, "PagePlan", watched)
    site, _ = _site(make_site)
    page = site.parent / "public/world/2026/03/s1/index.html"
    if edited:
        page.write_text(page.read_text() + "<!-- edited -->")
    (site / "content/articles/s3.md").write_text(article(
        "Story three, corrected", "2026-03-13T09:00", "world", tags="[ports]"))
    trusted.clear()
    assert _build(site).mode == "full"
    assert trusted == [not edited]
    assert "<!-- edited -->" not in page.read_text()
    _assert_same_as_clean(site)


@pytest.mark.parametrize("state", ["older form", "removed"])
def test_the_record_beside_the_output_heals_in_one_build(make_site: Callable[..., Path],
                                                         state: str) -> None:
    """The sizes and mtimes newsgen keeps beside the output (``.public.state``): in the form
    of an older newsgen (mtimes alone), or gone, the next build is a full one, and the one
    after it knows every file again (the no-change shortcut)."""
    site, _ = _site(make_site)
    path = site.parent / ".public.state"
    if state == "removed":
        path.unlink()
    else:
        path.write_text(json.dumps({k: v[1] for k, v in json.loads(path.read_text()).items()}))
    assert _build(site).mode == "full"
    assert _build(site).mode == "unchanged"
    _assert_same_as_clean(site)


def _checkout(site: Path, back_seconds: int) -> None:
    """A deploy pipeline's fresh clone: every file of the site, the same bytes, a new mtime
    (the cache restored beside it keeps its own)."""
    when = time.time_ns() - back_seconds * 10**9
    for path in site.rglob("*"):
        if path.is_file() and ".newsgen-cache" not in path.parts:
            os.utime(path, ns=(when, when))


def test_a_fresh_checkout_takes_the_no_change_and_headline_builds(
        make_site: Callable[..., Path]) -> None:
    """Inputs are fingerprinted by their bytes: on a CI runner, where every run checks the
    site out afresh, an unchanged site is the no-change build and a new headline the
    headline-only one, as on the machine that built last; an edit is still seen."""
    site, _full = _site(make_site)
    _checkout(site, 30)
    assert _build(site).mode == "unchanged"
    _add(site, '- {time: "2026-03-21T11:50", title: Ferry strike called off}\n')
    _checkout(site, 20)
    result = _build(site)
    assert result.mode == "ticker" and _changes(site) == sorted(
        [*FRONTS, "ticker.html", "ticker.json"])
    _assert_same_as_clean(site)
    story = site / "content/articles/s3.md"
    story.write_text(story.read_text().replace("Story 3", "Story 3b"))  # another size
    _checkout(site, 10)
    assert _build(site).mode == "full"
    _assert_same_as_clean(site)
    same_size = story.read_text().replace("Story 3b", "Story 3c")
    story.write_text(same_size)  # the same size, other bytes: seen by its digest
    _checkout(site, 5)
    assert _build(site).mode == "full"
    _assert_same_as_clean(site)


def test_a_new_headline_reads_the_digests_of_the_headlines_alone(
        make_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The content files' digests (100,000 at 100,000 articles) are read only when a
    content file's stamp changed: a new headline reads the headlines' memo, an edit the
    content's, and both builds come out as a clean build."""
    site, _full = _site(make_site)
    opened: list[str] = []
    memo = inputs._DigestMemo

    def watched(path: Path) -> object:
        if path.name.startswith("digests"):  # static.pickle is the static files'
            opened.append(path.name)
        return memo(path)
    monkeypatch.setattr(inputs, "_DigestMemo", watched)
    _add(site, '- {time: "2026-03-21T11:50", title: Ferry strike called off}\n')
    _settle(site)
    assert _build(site).mode == "ticker"
    assert opened == ["digests-headlines.pickle"]
    _assert_same_as_clean(site)
    opened.clear()
    story = site / "content/articles/s3.md"
    story.write_text(story.read_text().replace("Story 3", "Story 3b"))
    _settle(site)
    assert _build(site).mode == "full" and opened == ["digests.pickle"]
    _assert_same_as_clean(site)


def _age(path: Path) -> None:
    aged = time.time_ns() - 5 * 10**9
    os.utime(path, ns=(aged, aged))


def _git(where: Path, *arguments: str) -> None:
    subprocess.run(["git", "-C", str(where), "-c", "user.name=Desk", "-c",
                    "user.email=desk@example.org", *arguments], check=True,
                   capture_output=True)


def test_a_clone_is_known_by_the_blob_ids_in_git_index(
        make_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A deploy pipeline's clone gives every file a new mtime; git's index knows each
    tracked file's content. With the cache restored, no content file is read to learn that
    nothing changed, nor to keep the parses of the files a full build did not see change;
    an untracked headline and an edited article (same size, other bytes) are read, and
    seen."""
    site, _full = _site(make_site)
    _git(site, "init", "-q")
    _git(site, "add", "-A")
    _git(site, "commit", "-q", "-m", "the newsroom's site")
    _build(site)
    kept = site.parent / "kept"
    site.rename(kept)
    _git(site.parent, "clone", "-q", str(kept), str(site))
    shutil.copytree(kept / ".newsgen-cache", site / ".newsgen-cache")
    time.sleep(2.1)  # the clone's files leave the racy-mtime window
    monkeypatch.setattr(inputs, "GIT_FROM", 1)
    read: list[str] = []
    content_digest = inputs.file_content_digest

    def reading(location: str) -> str | None:
        if "/content/" in str(location):  # not the static files' (static.pickle)
            read.append(Path(location).name)
        return content_digest(location)
    monkeypatch.setattr(inputs, "file_content_digest", reading)
    monkeypatch.setattr(loader, "file_content_digest", reading)  # the parse cache's check
    assert _build(site).mode == "unchanged" and read == []
    late = site / "content/headlines/late.yaml"
    _add(site, '- {time: "2026-03-21T11:50", title: Ferry strike called off}\n', str(late))
    _age(late)  # the clone's own files keep the stat information git's index holds
    assert _build(site).mode == "ticker" and read == ["late.yaml"]
    _assert_same_as_clean(site)
    story = site / "content/articles/s3.md"
    story.write_text(story.read_text().replace("Story 3", "Story X"))
    _age(story)
    read.clear()
    assert _build(site).mode == "full" and set(read) == {"s3.md"}
    _assert_same_as_clean(site)


def test_an_edition_turning_the_day_first_is_built(make_site: Callable[..., Path]) -> None:
    """The no-change build must not keep a French front page (Paris) showing yesterday's
    date when the clock has crossed midnight in Paris but not yet in Lisbon, the site's
    time zone (found by the state machine once checkouts took the shortcut)."""
    config = CONFIG + ("languages:\n  en: {}\n"
                       "  fr: {title: La Gazette, timezone: Europe/Paris}\n")
    site, _full = _site(make_site, config)
    evening = datetime(2026, 3, 21, 22, 30, tzinfo=ZoneInfo("Europe/Lisbon"))
    _build(site, now=evening)
    assert _build(site, now=evening).mode == "unchanged"
    later = evening + timedelta(hours=1)  # 00:30 in Paris, 23:30 in Lisbon
    assert _build(site, now=later).mode != "unchanged"
    _assert_same_as_clean(site, later)
