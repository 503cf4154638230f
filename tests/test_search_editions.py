"""Search per edition: each language's articles in its own index, under its own folder, with
the edition's language on every record and its strings on the search page; checked in the
built files, on a rebuild, and in Chromium against the trilingual demo."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from newsgen.build import search_index
from newsgen.build.builder import BuildOptions, build_site
from newsgen.errors import BuildFailed
from tests.conftest import BASIC_CONFIG, article, older_ticker_allowed, tree_digest
from tests.test_browser import base_url, demo  # noqa: F401  (fixtures: the demo, served)
from tests.test_editions import NOW, trilingual
from tests.test_search import (
    _search,
    axe_violations,
    browser,  # noqa: F401  (fixture)
    vnu_errors,
)


def build(site: Path, out: Path, use_cache: bool = True, workers: int | None = None) -> Any:
    now = datetime.fromisoformat(NOW + ":00+00:00")
    return build_site(site, BuildOptions(out_dir=out, now=now, use_cache=use_cache,
                                         workers=workers))


def records(folder: Path) -> dict[str, dict[str, Any]]:
    """Every record of one edition's index by URL, read from its fragments."""
    found = {}
    for path in sorted(folder.glob("*/fragment/*.pf_fragment")):
        data = json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd"):])
        found[data["url"]] = data
    return found


def languages(folder: Path) -> set[str]:
    """The languages the entry files of an edition's shards name."""
    return {language for entry in folder.glob("*/pagefind-entry.json")
            for language in json.loads(entry.read_text())["languages"]}


def test_each_edition_has_its_own_index_in_its_language(make_site: Callable[..., Path],
                                                        tmp_path: Path) -> None:
    site = trilingual(make_site)
    out = tmp_path / "out"
    assert build(site, out, use_cache=False).shards_indexed == 3
    english, french, arabic = out / "pagefind", out / "fr" / "pagefind", out / "ar" / "pagefind"
    assert sorted(records(english)) == ["/world/2026/03/ferry/", "/world/2026/03/solo/"]
    assert sorted(records(french)) == ["/fr/world/2026/03/bac/"]
    assert sorted(records(arabic)) == ["/ar/world/2026/03/abbara/"]
    assert (languages(english), languages(french), languages(arabic)) == ({"en"}, {"fr"}, {"ar"})
    bac = records(french)["/fr/world/2026/03/bac/"]
    assert bac["meta"]["section"] == "Monde"  # the edition's section title
    assert bac["meta"]["date"] == "20 mars 2026"  # and its date, as its pages write it
    assert "Par Ana Lima" in bac["content"]
    assert "By Ana Lima" in records(english)["/world/2026/03/ferry/"]["content"]
    # the search page and the masthead box of each edition point at its own shards
    for prefix in ("", "/fr", "/ar"):
        page = lxml.html.parse(str(out / prefix.strip("/") / "search" / "index.html")).getroot()
        form = page.get_element_by_id("search-form")
        assert form.get("data-bundles") == f"{prefix}/pagefind/2026/"
        front = lxml.html.parse(str(out / prefix.strip("/") / "index.html")).getroot()
        assert front.xpath("//form[@class='masthead-search']/@action") == [f"{prefix}/search/"]
    strings = json.loads(lxml.html.parse(str(out / "fr/search/index.html")).getroot()
                         .get_element_by_id("search-strings").text)
    assert strings["older"] == "Chercher dans les articles plus anciens"
    assert strings["matches"]["other"] == "{count} articles correspondent à «\u00a0{term}\u00a0»"


def test_a_new_french_article_reindexes_only_its_french_shard(
        make_site: Callable[..., Path], tmp_path: Path) -> None:
    site = trilingual(make_site, **{"content/articles/fr/vieux.md": article(
        "Un ancien bac", date="2025-06-01T09:00", lang="fr")})
    out = tmp_path / "out"
    assert build(site, out).shards_indexed == 4  # en 2026, fr 2026 and 2025, ar 2026
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if "pagefind" in p.parts}
    (site / "content/articles/fr/quai.md").write_text(article(
        "Le quai rouvre", date="2026-03-20T10:00", lang="fr", body="Les grutiers reviennent."))
    result = build(site, out)
    assert result.shards_indexed == 1
    after = {p: p.stat().st_mtime_ns for p in out.rglob("*") if "pagefind" in p.parts}
    rewritten = {p.relative_to(out).parts[:3] for p in after if before.get(p) != after[p]}
    assert rewritten == {("fr", "pagefind", "2026")}
    assert "/fr/world/2026/03/quai/" in records(out / "fr" / "pagefind")
    clean = tmp_path / "clean"
    build(site, clean, use_cache=False)
    older = older_ticker_allowed(site)
    assert {k: v for k, v in tree_digest(out, older).items() if not k.startswith(".newsgen/")} \
        == {k: v for k, v in tree_digest(clean, older).items() if not k.startswith(".newsgen/")}


def test_indexers_in_parallel_write_what_one_writes(make_site: Callable[..., Path],
                                                    tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Shards dealt out to two indexer processes (a large site's way) give the same bytes
    as one process indexing them in turn, and a missing indexer is still one clear error."""
    site = trilingual(make_site, **{f"content/articles/fr/{n}.md": article(
        f"Article {n}", date=f"{2020 + n}-06-01T09:00", lang="fr") for n in range(4)})
    one = tmp_path / "one"
    assert build(site, one, use_cache=False).shards_indexed == 7
    monkeypatch.setattr(search_index, "worth_parallel", lambda *_args: True)
    two = tmp_path / "two"
    assert build(site, two, use_cache=False, workers=2).shards_indexed == 7
    assert tree_digest(two) == tree_digest(one)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such" / "pagefind"))
    with pytest.raises(BuildFailed) as failed:
        build(site, tmp_path / "three", use_cache=False, workers=2)
    assert "search is on but the Pagefind indexer binary was not found" in str(
        failed.value.problems[0])


# -- in Chromium, against the trilingual demo served on loopback -------------------------------

HERBIERS = "Les herbiers marins reviennent dans la baie de Velmar"
SEAGRASS_AR = "عودة الأعشاب البحرية إلى خليج فيلمار"


@pytest.mark.browser
def test_the_french_edition_searches_french_stories_in_french(
        browser: Any, base_url: str) -> None:  # noqa: F811
    page = browser.new_page()
    page.goto(base_url + "/fr/search/")
    assert page.locator("label[for=search-q]").inner_text() == "Rechercher un article"
    assert _search(page, "herbiers") == [HERBIERS]
    assert page.locator("#search-status").inner_text() == (
        "1 article correspond à «\u00a0herbiers\u00a0»."
    )
    # a word of the English edition only finds nothing here
    assert _search(page, "volunteers") == []
    assert page.locator("#search-status").inner_text() == (
        "Aucun article ne correspond à «\u00a0volunteers\u00a0»."
    )
    # the masthead box of a French page lands on the French results
    page.goto(base_url + "/fr/")
    page.fill("#masthead-q", "herbiers")
    page.press("#masthead-q", "Enter")
    page.wait_for_url("**/fr/search/?q=herbiers")
    page.wait_for_selector(".search-result")
    assert page.locator("#search-results .search-title a").all_inner_texts() == [HERBIERS]
    page.close()


@pytest.mark.browser
def test_the_arabic_edition_is_right_to_left_and_finds_arabic_words(
        browser: Any, base_url: str) -> None:  # noqa: F811
    page = browser.new_page()
    page.goto(base_url + "/ar/search/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert _search(page, "الأعشاب") == [SEAGRASS_AR]
    assert "مقال واحد يطابق" in page.locator("#search-status").inner_text()
    assert _search(page, "herbiers") == []  # the French edition's word
    page.close()


@pytest.mark.browser
def test_ten_results_first_and_more_on_demand(browser: Any, base_url: str  # noqa: F811
                                              ) -> None:
    """A first page costs ten result fragments; "More results" adds the next ten and the
    keyboard continues at the first one added."""
    page = browser.new_page()
    fragments: list[str] = []
    page.on("request", lambda r: fragments.append(r.url) if ".pf_fragment" in r.url else None)
    page.goto(base_url + "/search/")
    _search(page, "port")
    assert page.locator(".search-result").count() == 10
    page.wait_for_load_state("networkidle")
    assert len(fragments) == 10
    status = page.locator("#search-status").inner_text()
    assert status.endswith("; the first 10 are shown."), status
    more = page.locator(".search-more")
    assert more.inner_text() == "More results"
    more.click()
    page.wait_for_function("() => document.querySelectorAll('.search-result').length > 10")
    shown = page.locator(".search-result").count()
    assert shown == min(20, int(status.split()[0]))
    assert page.evaluate("document.activeElement.closest('.search-result')"
                         " === document.querySelectorAll('.search-result')[10]")
    assert more.is_visible() == (int(status.split()[0]) > 20)
    page.close()


@pytest.mark.browser
@pytest.mark.vnu
@pytest.mark.parametrize(("edition", "term"), [("fr", "herbiers"), ("ar", "الأعشاب")])
def test_edition_search_pages_pass_axe_and_vnu(
        edition: str, term: str, browser: Any, base_url: str,  # noqa: F811
        tmp_path: Path) -> None:
    """axe (no violations) and the Nu Html Checker (no errors) on the page as the browser
    holds it with results shown."""
    page = browser.new_page()
    page.goto(f"{base_url}/{edition}/search/?q={term}")
    page.wait_for_selector(".search-excerpt mark")
    errors = vnu_errors(page, tmp_path)  # before axe's script is added to the page
    violations = axe_violations(page)
    page.close()
    assert not violations, "\n".join(violations)
    assert errors == []


def test_a_one_language_site_writes_dates_in_its_language(
        make_site: Callable[..., Path], tmp_path: Path) -> None:
    """``language: fr`` without ``languages:``: the theme's strings are French, and so are
    the dates on its pages and in its search records (they were English before)."""
    site = make_site({"content/articles/bac.md": article("Le bac reprend", authors="[ana]")},
                     config=BASIC_CONFIG + "language: fr\n")
    out = tmp_path / "out"
    build(site, out, use_cache=False)
    page = lxml.html.parse(str(out / "world/2026/03/bac/index.html")).getroot()
    assert page.xpath("string(//p[@class='byline'])") == "Par Ana Lima"
    assert page.xpath("string(//span[@class='published'])") == "20 mars 2026 à 10:00"
    assert records(out / "pagefind")["/world/2026/03/bac/"]["meta"]["date"] == "20 mars 2026"
    english = make_site({"content/articles/ferry.md": article("Ferry returns")})
    build(english, tmp_path / "en", use_cache=False)
    en = lxml.html.parse(str(tmp_path / "en/world/2026/03/ferry/index.html")).getroot()
    assert en.xpath("string(//span[@class='published'])") == "20 March 2026, 10:00"
