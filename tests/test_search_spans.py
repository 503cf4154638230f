"""Search shards as calendar spans (distribution/shard_spans.py): every shard holds at most
the cap (or one day), an article added to or removed from an old month moves none of its
neighbours, the same articles always make the same shards, and the search page still
orders, filters by year and merges "newest first" across split months in Chromium."""

from __future__ import annotations

import random
import re
import runpy
from calendar import monthrange
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsgen.distribution import search
from newsgen.distribution.shard_spans import Day, spans
from tests.conftest import BASIC_CONFIG, article, older_ticker_allowed, tree_digest
from tests.test_search import (  # noqa: F401
    _search_all,
    browser,
    build,
    build_small_shards,
    serving,
)

CAP, RECENT = 600, 300


def archive(per_day: int = 90, years: tuple[int, ...] = (2024, 2025),
            newest_days: int = 10) -> dict[Day, int]:
    """``per_day`` articles every day of ``years``, and the first ``newest_days`` days of
    January 2026 as the newest month."""
    counts = {(y, m, d): per_day for y in years for m in range(1, 13)
              for d in range(1, monthrange(y, m)[1] + 1)}
    counts.update({(2026, 1, d): per_day for d in range(1, newest_days + 1)})
    return counts


def members(names: dict[Day, str]) -> dict[str, list[Day]]:
    found: dict[str, list[Day]] = {}
    for day, name in sorted(names.items()):
        found.setdefault(name, []).append(day)
    return found


def test_no_shard_holds_more_than_the_cap_unless_it_is_one_day() -> None:
    rng = random.Random(18)
    counts = {day: rng.randrange(0, 400) for day in archive()}
    counts = {day: n for day, n in counts.items() if n}
    for cap in (100, 600, 1500):
        for name, days in members(spans(counts, cap, RECENT)).items():
            held = sum(counts[d] for d in days)
            assert held <= cap or len(days) == 1, (cap, name, held)


def test_a_month_over_the_cap_is_halved_by_its_days() -> None:
    names = spans(archive(), CAP, RECENT)
    may = sorted({names[d] for d in names if d[:2] == (2025, 5)})
    # 90 a day: 16 days are 1,440, 8 are 720, 4 are 360 <= 600
    assert may == ["2025-05-01_04", "2025-05-05_08", "2025-05-09_12", "2025-05-13_16",
                   "2025-05-17_20", "2025-05-21_24", "2025-05-25_28", "2025-05-29_31"]
    # a quiet year stays whole, a quiet half-year is one shard
    quiet = spans({(2023, 3, 1): 5, (2023, 9, 1): 5, (2025, 2, 1): 400, (2025, 8, 1): 400,
                   (2026, 1, 1): 1}, CAP, RECENT)
    assert quiet[2023, 3, 1] == quiet[2023, 9, 1] == "2023"
    assert quiet[2025, 2, 1] == "2025-01_06" and quiet[2025, 8, 1] == "2025-07_12"


def test_a_backdated_article_moves_none_of_its_neighbours() -> None:
    counts = archive()
    before = spans(counts, CAP, RECENT)
    for day in ((2025, 5, 10), (2024, 2, 29), (2025, 12, 31)):
        added = spans({**counts, day: counts[day] + 1}, CAP, RECENT)
        assert added == before, day  # 361 in a span of at most 600: nothing moves
        removed = spans({**counts, day: counts[day] - 1}, CAP, RECENT)
        assert removed == before, day
    # a day that had no article yet joins the span its date falls in
    gap = {d: n for d, n in counts.items() if d != (2025, 5, 10)}
    assert spans(gap, CAP, RECENT) == {d: n for d, n in before.items() if d != (2025, 5, 10)}


def test_a_span_crossing_the_cap_splits_itself_alone() -> None:
    counts = {**archive(), **{(2025, 5, d): 150 for d in range(1, 5)}}  # days 1-4: 600
    before = spans(counts, CAP, RECENT)
    assert {before[2025, 5, d] for d in range(1, 5)} == {"2025-05-01_04"}
    after = spans({**counts, (2025, 5, 2): 151}, CAP, RECENT)
    assert [after[2025, 5, d] for d in range(1, 5)] == [
        "2025-05-01_02", "2025-05-01_02", "2025-05-03_04", "2025-05-03_04"]
    assert {d: n for d, n in after.items() if d[:2] != (2025, 5) or d[2] > 4} == \
        {d: n for d, n in before.items() if d[:2] != (2025, 5) or d[2] > 4}


def test_the_same_days_make_the_same_shards_and_names_sort_newest_first() -> None:
    counts = archive()
    shuffled = list(counts.items())
    random.Random(7).shuffle(shuffled)
    names = spans(counts, CAP, RECENT)
    assert spans(dict(shuffled), CAP, RECENT) == names
    groups = members(names)
    newest_first = sorted(groups, reverse=True)
    assert newest_first == sorted(groups, key=lambda name: groups[name][0], reverse=True)
    assert all(name[:4] == str(groups[name][0][0]) for name in groups)


def test_the_newest_month_is_its_own_shard_and_split_by_day_past_recent_max() -> None:
    busy = spans(archive(newest_days=10), CAP, RECENT)  # 900 in January 2026
    assert [busy[2026, 1, d] for d in (1, 10)] == ["2026-01-01", "2026-01-10"]
    # its year's other months hold few articles but are not merged into it
    small = spans({(2026, 1, 3): 5, (2026, 2, 3): 5, (2026, 3, 3): 5}, 10, RECENT)
    assert small[2026, 3, 3] == "2026-03" and small[2026, 1, 3] == "2026-01_02"
    # a year under the cap stays whole, newest month and all
    quiet = spans(archive(per_day=5, newest_days=10), CAP, RECENT)  # 50 in 2026
    assert {quiet[2026, 1, d] for d in range(1, 11)} == {"2026"}


KELP = "kelpwhistle"
# Date -> title, newest first: May 2025 is split into two day ranges, 2025's second half is
# one range, and November 2026 (the newest month) is split into days.
STORIES = {"2026-11-20T09:00": "Kelp farm opens", "2026-11-18T12:00": "Kelp harbour",
           "2026-11-18T09:00": "Kelp permits",
           "2025-11-05T09:00": "Kelp autumn", "2025-05-21T09:00": "Kelp late May",
           "2025-05-20T09:00": "Kelp mid May", "2025-05-03T09:00": "Kelp early May",
           "2025-05-02T09:00": "Kelp first May"}


@pytest.fixture(scope="module")
def spanned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("span-site")
    (root / "newsgen.yaml").write_text(BASIC_CONFIG)
    (root / "content/articles").mkdir(parents=True)
    for i, (date, title) in enumerate(STORIES.items()):
        (root / f"content/articles/kelp-{i}.md").write_text(
            article(title, date, "city", f"The {KELP} story number {i}."))
    out = root / "public"
    build_small_shards(root, out)
    assert sorted(p.name for p in (out / "pagefind").iterdir()) == [
        "2025-05-01_16", "2025-05-17_31", "2025-07_12", "2026-11-18", "2026-11-20"]
    with serving(out) as address:
        yield address


@pytest.mark.browser
def test_newest_first_and_the_year_filter_hold_across_split_months(browser: Any,  # noqa: F811
                                                                   spanned: str) -> None:
    page = browser.new_page()
    page.goto(spanned + "/search/?sort=date")
    assert _search_all(page, KELP) == list(STORIES.values())
    page.select_option("#search-year", "2025")
    page.wait_for_function("() => document.querySelectorAll('.search-result').length === 5")
    assert page.locator(".search-title a").all_inner_texts() == list(STORIES.values())[3:]
    page.close()


def test_the_shard_cost_harness_measures_the_indexer(make_site: Any,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    """benchmarks/search_shards.py, whose figures chose SHARD_MAX, still runs."""
    harness = runpy.run_path(str(Path(__file__).parent.parent / "benchmarks" /
                                 "search_shards.py"))
    site = make_site({f"content/articles/kelp-{i}.md": article(
        title, date, "city", f"The {KELP} story.") for i, (date, title)
        in enumerate(STORIES.items())})
    cap = search.SHARD_MAX
    harness["main"]([str(site), "--sizes", "2,5"])
    harness["main"]([str(site), "--groups", "--caps", "2,600"])
    printed = capsys.readouterr().out
    peaks = [float(m) for m in re.findall(r"peak RSS +(\d+) MiB", printed)]
    assert "    2 records: indexer CPU" in printed and len(peaks) == 2 and min(peaks) > 0
    assert re.search(r"SHARD_MAX 2: \d+ articles -> [4-9] shards .* largest 2,", printed)
    assert re.search(r"SHARD_MAX 600: \d+ articles -> 2 shards", printed)
    assert search.SHARD_MAX == cap  # the harness puts the limit back


def test_a_backdated_article_re_indexes_its_span_only(make_site: Any, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """In a real build: May 2025 is over the cap, so it is two day ranges; a story backdated
    into one re-indexes that one, and the one that takes it over the cap splits it alone."""
    monkeypatch.setattr(search, "SHARD_MAX", 2)
    may = {day: f"content/articles/may-{day}.md" for day in ("02", "20", "21")}
    site = make_site({path: article(f"May {day}", f"2025-05-{day}T09:00", "city", "A story.")
                      for day, path in may.items()})
    out = tmp_path / "out"
    assert build(site, out).shards_indexed == 2
    assert sorted(p.name for p in (out / "pagefind").iterdir()) == [
        "2025-05-01_16", "2025-05-17_31"]
    late = {p: p.stat().st_mtime_ns for p in (out / "pagefind/2025-05-17_31").rglob("*")}
    (site / "content/articles/may-03.md").write_text(
        article("May 03", "2025-05-03T09:00", "city", "A backdated story."))
    assert build(site, out).shards_indexed == 1
    assert {p: p.stat().st_mtime_ns for p in (out / "pagefind/2025-05-17_31").rglob("*")} == late
    (site / "content/articles/may-10.md").write_text(
        article("May 10", "2025-05-10T09:00", "city", "Another backdated story."))
    assert build(site, out).shards_indexed == 2  # days 1-16 held 3: split into 1-8, 9-16
    assert sorted(p.name for p in (out / "pagefind").iterdir()) == [
        "2025-05-01_08", "2025-05-09_16", "2025-05-17_31"]
    assert {p: p.stat().st_mtime_ns for p in (out / "pagefind/2025-05-17_31").rglob("*")} == late
    clean = tmp_path / "clean"
    build(site, clean, use_cache=False)
    older = older_ticker_allowed(site)
    assert tree_digest(out, older) == tree_digest(clean, older)
