"""The breaking-news banner (``content/breaking.yaml``): across every page until it expires,
the expiry in the next-change time, and every mistake in the file at its line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import BASIC_CONFIG, article, tree_digest
from lxml import html

from newsgen.commands import main

BANNER = """\
title: "Coast road closed"
link: harbour
expires: 2026-03-25T18:00
"""


def build(site: Path, capsys: pytest.CaptureFixture[str], now: str = "2026-03-25T12:00",
          *args: str) -> tuple[int, str]:
    code = main(["build", str(site), "--now", now, "-q", *args])
    return code, capsys.readouterr().err


def banner_of(page: Path) -> list:
    return html.fromstring(page.read_bytes()).xpath("//section[@class='breaking-banner']")


@pytest.fixture
def site(make_site):
    return make_site({
        "content/articles/a.md": article("Harbour closes", slug="harbour"),
        "content/articles/b.md": article("Ferry", slug="ferry", section="city"),
        "content/pages/about.md": "---\ntitle: About\n---\n\nUs.\n",
        "content/breaking.yaml": BANNER,
    })


def test_banner_is_on_every_page_until_it_expires(site, capsys) -> None:
    code, err = build(site, capsys)
    assert code == 0, err
    out = site / "public"
    pages = [p for p in out.rglob("*.html") if p.name != "ticker.html"]
    assert len(pages) > 8
    for page in pages:
        found = banner_of(page)
        assert len(found) == 1, page
        link = found[0].xpath(".//a")[0]
        assert link.get("href") == "/world/2026/03/harbour/"
        assert link.text_content() == "Coast road closed"
        assert found[0].get("aria-label") == "Breaking news"
    assert (out / ".newsgen/next-change").read_text() == "2026-03-25T18:00:00+00:00\n"
    # after the expiry the next build (the one the pipeline schedules) takes it down
    code, err = build(site, capsys, "2026-03-25T18:00")
    assert code == 0, err
    assert not any(banner_of(p) for p in out.rglob("*.html"))
    assert (out / ".newsgen/next-change").read_text() == "none\n"


def test_incremental_build_after_expiry_equals_a_clean_one(site, capsys, tmp_path) -> None:
    assert build(site, capsys)[0] == 0
    assert build(site, capsys, "2026-03-25T19:00")[0] == 0
    clean = tmp_path / "clean"
    assert build(site, capsys, "2026-03-25T19:00", "--no-cache", "-o", str(clean))[0] == 0
    assert tree_digest(site / "public") == tree_digest(clean)


def test_banner_without_link_and_with_an_outside_link(site, capsys) -> None:
    (site / "content/breaking.yaml").write_text(
        "title: Polls close\nexpires: 2026-03-26T00:00\n")
    assert build(site, capsys)[0] == 0
    found = banner_of(site / "public/index.html")[0]
    assert not found.xpath(".//a") and "Polls close" in found.text_content()
    (site / "content/breaking.yaml").write_text(
        "title: Polls close\nlink: https://elections.example.org/\nexpires: 2026-03-26T00:00\n")
    assert build(site, capsys)[0] == 0
    found = banner_of(site / "public/index.html")[0]
    assert found.xpath(".//a/@href") == ["https://elections.example.org/"]


def test_banner_linking_to_an_embargoed_article_waits_for_it(site, capsys) -> None:
    (site / "content/articles/c.md").write_text(
        article("Later", slug="later", date="2026-03-25T15:00"))
    (site / "content/breaking.yaml").write_text(BANNER.replace("harbour", "later"))
    assert build(site, capsys)[0] == 0
    assert not banner_of(site / "public/index.html")
    assert build(site, capsys, "2026-03-25T15:00")[0] == 0
    assert banner_of(site / "public/index.html")[0].xpath(".//a/@href") == [
        "/world/2026/03/later/"]


def test_a_site_without_the_file_has_no_banner_markup(make_site, capsys) -> None:
    site = make_site({"content/articles/a.md": article()})
    assert build(site, capsys)[0] == 0
    assert "breaking" not in (site / "public/index.html").read_text()


BAD = [
    ("no-title", "expires: 2026-03-25T18:00\n", 1, "'title' is required"),
    ("no-expiry", "title: Flood\n", 1, "'expires' is required"),
    ("bad-expiry", "title: Flood\nexpires: tomorrow\n", 2, "expires"),
    ("unknown-slug", "title: Flood\nlink: nowhere\nexpires: 2026-03-25T18:00\n", 2,
     "no article's slug"),
    ("bad-link", "title: Flood\nlink: ../etc\nexpires: 2026-03-25T18:00\n", 2,
     "must be an article slug or an http(s) URL"),
    ("not-a-mapping", "42\n", 1, "must be a mapping"),
    ("list-item", "- title: Flood\n  expires: 2026-03-25T18:00\n- title: Fire\n", 3,
     "'expires' is required"),
    ("unknown-lang", "title: Flood\nlang: fr\nexpires: 2026-03-25T18:00\n", 2,
     "unknown lang 'fr'; languages in newsgen.yaml: en"),
]


EDITIONS = BASIC_CONFIG + "languages:\n  en: {}\n  fr: {}\n  ar: {}\n"
BANNERS = """\
- title: Coast road closed
  link: harbour
  expires: 2026-03-25T18:00
- lang: fr
  title: Route côtière fermée
  link: harbour
  expires: 2026-03-25T20:00
"""


@pytest.fixture
def editions(make_site):
    return make_site({
        "content/articles/a.md": article("Harbour closes", slug="harbour",
                                          translation_key="harbour"),
        "content/articles/fr/a.md": article("Le port ferme", slug="port-ferme", lang="fr",
                                             translation_key="harbour"),
        "content/articles/ar/a.md": article("الميناء يغلق", slug="mina", lang="ar"),
        "content/pages/about.md": "---\ntitle: About\n---\n\nUs.\n",
        "content/breaking.yaml": BANNERS,
    }, config=EDITIONS)


def test_each_edition_shows_only_its_own_banner(editions, capsys) -> None:
    code, err = build(editions, capsys)
    assert code == 0, err
    out = editions / "public"
    pages = {edition: [p for p in out.rglob("*.html") if p.name != "ticker.html"
                       and p.relative_to(out).parts[0] in edition]
             for edition in (("fr",), ("ar",))}
    pages[("en",)] = [p for p in out.rglob("*.html") if p.name != "ticker.html"
                      and p.relative_to(out).parts[0] not in ("fr", "ar")]
    assert all(len(found) > 4 for found in pages.values()), pages
    for page in pages[("en",)]:
        assert banner_of(page)[0].xpath(".//a/@href") == ["/world/2026/03/harbour/"], page
    # the English slug in the French banner links to its French translation
    for page in pages[("fr",)]:
        link = banner_of(page)[0].xpath(".//a")[0]
        assert link.get("href") == "/fr/world/2026/03/port-ferme/", page
        assert link.text_content() == "Route côtière fermée"
    assert not any(banner_of(p) for p in pages[("ar",)])
    # the next change is the earlier expiry, then the later one
    assert (out / ".newsgen/next-change").read_text() == "2026-03-25T18:00:00+00:00\n"
    assert build(editions, capsys, "2026-03-25T18:30")[0] == 0
    assert not banner_of(out / "index.html") and banner_of(out / "fr/index.html")
    assert (out / ".newsgen/next-change").read_text() == "2026-03-25T20:00:00+00:00\n"


def test_changing_one_editions_banner_rebuilds_like_a_clean_build(editions, capsys,
                                                                  tmp_path) -> None:
    assert build(editions, capsys)[0] == 0
    (editions / "content/breaking.yaml").write_text(
        BANNERS + "- {lang: ar, title: عاجل, expires: 2026-03-25T19:00}\n")
    assert build(editions, capsys)[0] == 0
    assert banner_of(editions / "public/ar/index.html")
    clean = tmp_path / "clean"
    assert build(editions, capsys, "2026-03-25T12:00", "--no-cache", "-o", str(clean))[0] == 0
    assert tree_digest(editions / "public") == tree_digest(clean)


EDITION_BAD = [
    ("unknown-lang", "- {title: A, expires: 2026-03-25T18:00}\n"
     "- title: B\n  lang: de\n  expires: 2026-03-25T18:00\n", 3,
     "unknown lang 'de'; languages in newsgen.yaml: en, fr, ar"),
    ("twice", "- {title: A, lang: fr, expires: 2026-03-25T18:00}\n"
     "- {title: B, lang: fr, expires: 2026-03-25T18:00}\n", 2,
     "a second banner for the 'fr' edition (the first is at line 1)"),
    ("no-translation", "- lang: ar\n  title: A\n  link: harbour\n"
     "  expires: 2026-03-25T18:00\n", 3,
     "links to 'harbour', a story of the 'en' edition with no 'ar' translation"),
]


@pytest.mark.parametrize(("fixture", "text", "line", "message"),
                         [("site", *b[1:]) for b in BAD]
                         + [("editions", *b[1:]) for b in EDITION_BAD],
                         ids=[b[0] for b in BAD] + [f"editions-{b[0]}" for b in EDITION_BAD])
def test_bad_banner_file_is_an_error_at_its_line(request, capsys, fixture: str, text: str,
                                                 line: int, message: str) -> None:
    site = request.getfixturevalue(fixture)
    assert build(site, capsys)[0] == 0
    before = tree_digest(site / "public")
    (site / "content/breaking.yaml").write_text(text)
    code, err = build(site, capsys)
    assert code == 1, err
    assert re.search(rf"^content/breaking\.yaml:{line}: .*{re.escape(message)}", err, re.M), err
    assert tree_digest(site / "public") == before
