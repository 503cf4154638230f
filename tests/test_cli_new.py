"""``newsgen new article`` and ``newsgen new headline`` run as an editor would."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import lxml.html
import pytest

from newsgen.content.frontmatter import parse_yaml, split_front_matter
from tests.conftest import BASIC_CONFIG, REPO, article
from tests.conftest import run_newsgen as _run_newsgen

NOW = ("--now", "2026-03-29T00:30")  # Lisbon: the clocks go forward at 01:00 that night
HEADLINES = """\
# Ticker for the day. Keep this comment.
- time: 2026-03-29T00:10
  title: Night ferry delayed   # the captain called in
"""


def run_newsgen(*args: str | Path, cwd: Path | None = None
                ) -> subprocess.CompletedProcess[str]:
    return _run_newsgen(*args, cwd=cwd, env={"PYTHONPATH": str(REPO)})


@pytest.fixture
def site(make_site: Callable[..., Path]) -> Path:
    return make_site({"content/articles/2026/03/old.md":
                      article("Old story", "2026-03-20T10:00", slug="old-story")})


def front_matter(path: Path) -> dict:
    text, _body, _line = split_front_matter(path.read_text(), path.name)
    return parse_yaml(text, path.name).value


def test_new_article_writes_front_matter_in_the_site_zone(site: Path) -> None:
    title = 'Talks: "final" offer #2 \'rejected\''
    result = run_newsgen("new", "article", title, "--section", "world", "--author", "ana",
                         "--author", "rui", "--tag", "Labour: talks", "--tag", "#strike",
                         "--site", site, *NOW)
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path == site / "content/articles/2026/03/talks-final-offer-2-rejected.md"
    meta = front_matter(path)
    assert meta["title"] == title
    assert meta["section"] == "world"
    assert meta["authors"] == ["ana", "rui"]
    assert meta["tags"] == ["Labour: talks", "#strike"]
    assert meta["date"] == "2026-03-29T00:30:00+00:00"
    built = run_newsgen("build", site, "--now", "2026-03-30T12:00")
    assert built.returncode == 0, built.stderr
    page = site / "public/world/2026/03/talks-final-offer-2-rejected/index.html"
    assert "final" in page.read_text()


def test_new_article_uses_the_current_time_by_default(site: Path) -> None:
    result = run_newsgen("new", "article", "Right now", "--section", "city", "--site", site)
    assert result.returncode == 0, result.stderr
    assert run_newsgen("check", site).returncode == 0


def test_new_article_from_inside_the_site_and_with_a_slug(site: Path) -> None:
    result = run_newsgen("new", "article", "Budget", "--section", "city", "--slug",
                         "budget-2027", *NOW, cwd=site)
    assert result.returncode == 0, result.stderr
    assert (site / result.stdout.strip()).resolve() == \
        site / "content/articles/2026/03/budget-2027.md"


def test_new_article_never_overwrites(site: Path) -> None:
    first = run_newsgen("new", "article", "Same", "--section", "world", "--site", site, *NOW)
    path = Path(first.stdout.strip())
    path.write_text(path.read_text() + "\nThe editor's words.\n")
    before = path.read_bytes()
    again = run_newsgen("new", "article", "Same", "--section", "world", "--site", site, *NOW)
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert path.read_bytes() == before


def test_new_article_refuses_a_slug_another_article_uses(site: Path) -> None:
    result = run_newsgen("new", "article", "Old story", "--section", "world", "--site", site,
                         *NOW)
    assert result.returncode == 1
    assert "old.md" in result.stderr


@pytest.mark.parametrize(("option", "value", "listed"), [
    ("--section", "sport", "world, city"),
    ("--author", "bob", "ana, rui"),
])
def test_new_article_refuses_unknown_names_listing_valid_ones(
        site: Path, option: str, value: str, listed: str) -> None:
    args = ["new", "article", "X", "--section", "world", option, value, "--site", site, *NOW]
    result = run_newsgen(*args)
    assert result.returncode == 1
    assert value in result.stderr and listed in result.stderr
    assert not (site / "content/articles/2026/03/x.md").exists()


@pytest.mark.parametrize("args", [
    ("new",),
    ("new", "headline"),
    ("new", "article", "X", "--section", "world", "--now", "tomorrow"),
])
def test_new_misuse_exits_2(site: Path, args: tuple[str, ...]) -> None:
    assert run_newsgen(*args, cwd=site).returncode == 2


def test_new_headline_appends_keeping_existing_bytes(site: Path) -> None:
    path = site / "content/headlines/2026-03-29.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(HEADLINES)
    result = run_newsgen("new", "headline", 'Ferry: "back on time" #1', "--link", "old-story",
                         "--time", "00:45", "--site", site, *NOW)
    assert result.returncode == 0, result.stderr
    text = path.read_text()
    assert text.startswith(HEADLINES)
    items = parse_yaml(text, path.name).value
    assert [i["title"] for i in items] == ["Night ferry delayed", 'Ferry: "back on time" #1']
    assert items[1]["link"] == "old-story"
    assert str(items[1]["time"]).startswith("2026-03-29T00:45")
    plain = run_newsgen("new", "headline", "Clocks went forward", "--site", site, *NOW)
    assert plain.returncode == 0
    assert len(parse_yaml(path.read_text(), path.name).value) == 3
    built = run_newsgen("build", site, "--now", "2026-03-29T12:00")
    assert built.returncode == 0, built.stderr
    ticker = (site / "public/index.html").read_text()
    assert "back on time" in ticker and "Clocks went forward" in ticker


def test_new_headline_creates_todays_file_in_the_site_zone(site: Path) -> None:
    # 23:30 UTC on 28 March is already 29 March in Tokyo
    config = (site / "newsgen.yaml").read_text().replace("Europe/Lisbon", "Asia/Tokyo")
    (site / "newsgen.yaml").write_text(config)
    result = run_newsgen("new", "headline", "Markets open", "--site", site,
                         "--now", "2026-03-28T23:30:00+00:00")
    assert result.returncode == 0, result.stderr
    path = site / "content/headlines/2026-03-29.yaml"
    items = parse_yaml(path.read_text(), path.name).value
    assert items[0]["title"] == "Markets open"


@pytest.mark.parametrize(("args", "message"), [
    (("--link", "no-such-story"), "no-such-story"),
    (("--time", "25:99"), "25:99"),
    (("--time", "01:30"), "does not exist"),  # skipped by the clock change in Lisbon
])
def test_new_headline_refuses_bad_links_and_times(site: Path, args: tuple[str, ...],
                                                  message: str) -> None:
    result = run_newsgen("new", "headline", "Text", *args, "--site", site, *NOW)
    assert result.returncode == 1
    assert message in result.stderr
    assert not (site / "content/headlines").exists()


def test_new_help_has_examples() -> None:
    for args in (("new",), ("new", "article"), ("new", "headline")):
        shown = run_newsgen(*args, "--help")
        assert shown.returncode == 0
        assert "examples:" in shown.stdout and "newsgen new headline" in shown.stdout
    assert "--quiet" in run_newsgen("new", "article", "--help").stdout
    assert "--quiet" in run_newsgen("new", "headline", "--help").stdout


def test_new_headline_after_a_file_without_final_newline(site: Path) -> None:
    path = site / "content/headlines/2026-03-29.yaml"
    path.parent.mkdir(parents=True)
    path.write_bytes(HEADLINES.rstrip("\n").encode())
    result = run_newsgen("new", "headline", "Second", "--site", site, *NOW)
    assert result.returncode == 0, result.stderr
    assert path.read_bytes().startswith(HEADLINES.encode())
    assert [i["title"] for i in parse_yaml(path.read_text(), path.name).value] == \
        ["Night ferry delayed", "Second"]


def test_new_quiet_and_verbose(site: Path) -> None:
    quiet = run_newsgen("new", "headline", "Hush", "--quiet", "--site", site, *NOW)
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""
    loud = run_newsgen("new", "headline", "Loud", "-v", "--site", site, *NOW)
    assert loud.returncode == 0 and "2026-03-29.yaml" in loud.stderr
    article_path = run_newsgen("new", "article", "Quiet", "--section", "city", "-q",
                               "--site", site, *NOW)
    assert article_path.stdout.strip().endswith("quiet.md"), "the path is the result"


def test_new_article_without_a_section_is_an_error(site: Path) -> None:
    result = run_newsgen("new", "article", "No section", cwd=site)
    assert result.returncode == 1
    assert "--section is required" in result.stderr


EDITIONS = BASIC_CONFIG + "languages:\n  en: {}\n  fr: {timezone: Europe/Paris}\n  ar: {}\n"


@pytest.fixture
def trilingual(make_site: Callable[..., Path]) -> Path:
    return make_site({
        "content/articles/2026/03/ferry.md": article("Ferry returns", "2026-03-20T10:00",
                                                     slug="ferry", authors="[ana]",
                                                     tags="[harbour]"),
        "content/articles/fr/2026/03/bac.md": article("Le bac", "2026-03-20T10:00",
                                                      slug="bac", lang="fr",
                                                      translation_key="ferry-key"),
        "content/articles/2026/03/keyed.md": article("Keyed", "2026-03-20T11:00",
                                                     slug="keyed",
                                                     translation_key="ferry-key"),
    }, config=EDITIONS)


def test_new_translation_goes_to_its_edition_and_shares_a_key(trilingual: Path) -> None:
    original = trilingual / "content/articles/2026/03/ferry.md"
    result = run_newsgen("new", "article", "Le bac reprend", "--lang", "fr",
                         "--translation-of", "ferry", "--site", trilingual, *NOW)
    assert result.returncode == 0, result.stderr
    path = trilingual / "content/articles/fr/2026/03/le-bac-reprend.md"
    assert result.stdout.strip().endswith("content/articles/fr/2026/03/le-bac-reprend.md")
    meta = front_matter(path)
    assert (meta["lang"], meta["translation_key"], meta["section"], meta["authors"]) == \
        ("fr", "ferry", "world", ["ana"])
    assert str(meta["date"]) == "2026-03-29T01:30:00+01:00"  # the French edition's zone
    # the original had no key: it gets its slug, the rest of the file as it was
    assert front_matter(original)["translation_key"] == "ferry"
    assert "added 'translation_key: ferry'" in result.stderr + result.stdout
    # the Arabic one names the original by its file, from the site folder
    result = run_newsgen("new", "article", "عودة العبارة", "--lang", "ar", "--slug", "abbara",
                         "--translation-of", "content/articles/2026/03/ferry.md", *NOW,
                         cwd=trilingual)
    assert result.returncode == 0, result.stderr
    assert front_matter(trilingual / "content/articles/ar/2026/03/abbara.md")[
        "translation_key"] == "ferry"
    built = run_newsgen("build", trilingual, "--now", "2026-03-29T12:00", "--future")
    assert built.returncode == 0, built.stderr
    page = lxml.html.parse(str(trilingual / "public/fr/world/2026/03/le-bac-reprend/"
                               "index.html")).getroot()
    assert sorted(page.xpath("//head/link[@hreflang]/@hreflang")) == \
        ["ar", "en", "fr", "x-default"]
    assert page.get("lang") == "fr"


@pytest.mark.parametrize(("args", "message"), [
    (("--lang", "de", "--section", "world"),
     "unknown language 'de'; languages in newsgen.yaml: en, fr, ar"),
    (("--lang", "fr", "--translation-of", "nowhere"),
     "--translation-of 'nowhere' is neither the slug nor the file of an article"),
    (("--lang", "fr", "--translation-of", "keyed"),
     "content/articles/fr/2026/03/bac.md is already the 'fr' translation of "
     "content/articles/2026/03/keyed.md"),
    (("--translation-of", "ferry"), "is already in 'en'; pass --lang"),
])
def test_new_article_in_an_edition_refuses_what_cannot_be(trilingual: Path,
                                                          args: tuple[str, ...],
                                                          message: str) -> None:
    before = sorted((trilingual / "content").rglob("*"))
    ferry = (trilingual / "content/articles/2026/03/ferry.md").read_bytes()
    result = run_newsgen("new", "article", "X", *args, "--site", trilingual, *NOW)
    assert result.returncode == 1
    assert message in result.stderr, result.stderr
    assert sorted((trilingual / "content").rglob("*")) == before
    assert (trilingual / "content/articles/2026/03/ferry.md").read_bytes() == ferry


def test_lang_on_a_site_without_languages_is_an_error(site: Path) -> None:
    result = run_newsgen("new", "headline", "Le port", "--lang", "fr", "--site", site, *NOW)
    assert result.returncode == 1
    assert "unknown language 'fr'; languages in newsgen.yaml: en (add 'languages:'" \
        in result.stderr


def test_new_headline_in_an_edition_links_its_own_stories(trilingual: Path) -> None:
    wrong = run_newsgen("new", "headline", "Le port", "--lang", "fr", "--link", "keyed",
                        "--site", trilingual, *NOW)
    assert wrong.returncode == 1
    assert "'keyed' is a story of the 'en' edition; link its 'fr' translation 'bac'" \
        in wrong.stderr
    result = run_newsgen("new", "headline", "Le port rouvre", "--lang", "fr", "--link",
                         "bac", "--site", trilingual, *NOW)
    assert result.returncode == 0, result.stderr
    path = trilingual / "content/headlines/2026-03-29.yaml"  # 01:30 in Paris
    items = parse_yaml(path.read_text(), path.name).value
    assert [(i["title"], i["lang"], i["link"]) for i in items] == [("Le port rouvre", "fr",
                                                                    "bac")]
    built = run_newsgen("build", trilingual, "--now", "2026-03-29T12:00")
    assert built.returncode == 0, built.stderr
    fr_ticker = json.loads((trilingual / "public/fr/ticker.json").read_text())
    en_ticker = json.loads((trilingual / "public/ticker.json").read_text())
    assert "Le port rouvre" in json.dumps(fr_ticker, ensure_ascii=False)
    assert "Le port rouvre" not in json.dumps(en_ticker, ensure_ascii=False)
