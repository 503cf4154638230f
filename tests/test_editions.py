"""Editions in several languages (``languages:``): the content contract, the output tree,
alternates in pages and the sitemap, feeds and JSON-LD per edition, theme strings through the
gettext catalogs, Babel dates, and the bad-input errors. Builds run the CLI and the output is
parsed (lxml, feedparser), never matched as text."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import feedparser
import lxml.etree
import lxml.html
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from newsgen.i18n.catalogs import THEME_CATALOGS, translations
from newsgen.i18n.languages import direction, tag_problem
from tests.conftest import BASIC_CONFIG, REPO, article, run_newsgen

NOW = "2026-03-21T12:00"
LANGUAGES = BASIC_CONFIG + """\
languages:
  en: {}
  fr:
    title: La Gazette
    timezone: Europe/Paris
    sections: {world: Monde, city: Ville}
  ar:
    title: الجريدة
"""
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9",
              "x": "http://www.w3.org/1999/xhtml",
              "n": "http://www.google.com/schemas/sitemap-news/0.9"}


def trilingual(make_site: Callable[..., Path], **extra: str) -> Path:
    files = {
        "content/articles/ferry.md": article("Ferry returns", translation_key="ferry",
                                             authors="[ana]", tags="[harbour]"),
        "content/articles/fr/bac.md": article("Le bac reprend", lang="fr",
                                              translation_key="ferry", authors="[ana]"),
        "content/articles/ar/abbara.md": article("عودة العبّارة Velmar Express", lang="ar",
                                                 translation_key="ferry", tags="[الميناء]"),
        "content/articles/solo.md": article("Only in English", date="2026-03-19T08:00"),
        "content/pages/about.md": "---\ntitle: About\ntranslation_key: about\n---\n\nUs.\n",
        "content/pages/fr/about.md": "---\ntitle: À propos\nlang: fr\ntranslation_key: about"
                                     "\n---\n\nNous.\n",
        "content/headlines/day.yaml": "- {time: 2026-03-20T11:00, title: Port news}\n"
                                      "- {time: 2026-03-20T11:05, title: Le port, lang: fr}\n",
    }
    files.update(extra)
    return make_site(files, config=LANGUAGES)


def build(site: Path, *args: str) -> Path:
    out = site / "public"
    result = run_newsgen("build", site, "--now", NOW, "-o", out, "-q", "--no-cache", *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def html(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.parse(str(path)).getroot()


def alternates(doc: lxml.html.HtmlElement) -> dict[str, str]:
    return {link.get("hreflang"): link.get("href")
            for link in doc.xpath("//head/link[@rel='alternate'][@hreflang]")}


def test_each_edition_has_its_own_tree(make_site: Callable[..., Path]) -> None:
    out = build(trilingual(make_site))
    for edition in ("fr", "ar"):
        for name in ("index.html", "404.html", "rss.xml", "atom.xml", "ticker.json",
                     "ticker.html", "world/index.html", "tags/index.html",
                     "authors/index.html", "archive/index.html"):
            assert (out / edition / name).is_file(), f"{edition}/{name}"
    assert (out / "fr/about/index.html").is_file() and (out / "about/index.html").is_file()
    # English stays at the root, untouched by the other editions' stories
    front = html(out / "index.html")
    assert front.get("lang") == "en" and front.get("dir") == "ltr"
    assert "Le bac reprend" not in lxml.html.tostring(front, encoding="unicode")
    fr_front = html(out / "fr/index.html")
    assert (fr_front.get("lang"), fr_front.get("dir")) == ("fr", "ltr")
    assert fr_front.xpath("//nav[@class='sections-nav']//a/text()")[1:] == ["Monde", "Ville"]
    ar = html(out / "ar/world/2026/03/abbara/index.html")
    assert (ar.get("lang"), ar.get("dir")) == ("ar", "rtl")


def test_alternates_are_reciprocal_with_x_default(make_site: Callable[..., Path]) -> None:
    out = build(trilingual(make_site))
    pages = {"en": "world/2026/03/ferry/index.html", "fr": "fr/world/2026/03/bac/index.html",
             "ar": "ar/world/2026/03/abbara/index.html"}
    expected = {"en": "https://gazette.example.org/world/2026/03/ferry/",
                "fr": "https://gazette.example.org/fr/world/2026/03/bac/",
                "ar": "https://gazette.example.org/ar/world/2026/03/abbara/"}
    for lang, path in pages.items():
        doc = html(out / path)
        assert alternates(doc) == {**expected, "x-default": expected["en"]}, lang
        canonical = doc.xpath("//link[@rel='canonical']/@href")[0]
        assert canonical == expected[lang]
    assert alternates(html(out / "world/2026/03/solo/index.html")) == {}
    about = alternates(html(out / "fr/about/index.html"))
    assert about["en"].endswith("/about/") and about["fr"].endswith("/fr/about/")


def test_switcher_goes_to_translation_or_edition_front(make_site: Callable[..., Path]) -> None:
    out = build(trilingual(make_site))

    def switcher(path: str) -> dict[str, str]:
        links = html(out / path).xpath("//nav[@class='language-switcher']//a")
        return {a.get("lang"): a.get("href") for a in links}

    assert switcher("world/2026/03/ferry/index.html") == {
        "en": "/world/2026/03/ferry/", "fr": "/fr/world/2026/03/bac/",
        "ar": "/ar/world/2026/03/abbara/"}
    assert switcher("world/2026/03/solo/index.html") == {
        "en": "/world/2026/03/solo/", "fr": "/fr/", "ar": "/ar/"}
    names = html(out / "index.html").xpath("//nav[@class='language-switcher']//a/text()")
    assert names == ["English", "Français", "العربية"]


def test_sitemap_carries_the_same_alternates(make_site: Callable[..., Path]) -> None:
    out = build(trilingual(make_site))
    tree = lxml.etree.parse(str(out / "sitemap.xml"))
    urls = {u.findtext("s:loc", namespaces=SITEMAP_NS): u
            for u in tree.findall("s:url", SITEMAP_NS)}
    fr = urls["https://gazette.example.org/fr/world/2026/03/bac/"]
    links = {link.get("hreflang"): link.get("href")
             for link in fr.findall("x:link", SITEMAP_NS)}
    assert links == alternates(html(out / "fr/world/2026/03/bac/index.html"))
    assert "https://gazette.example.org/ar/" in urls  # every edition in one sitemap
    assert not (out / "fr/sitemap.xml").exists()
    news = lxml.etree.parse(str(out / "news-sitemap.xml"))
    languages = {u.findtext("s:loc", namespaces=SITEMAP_NS):
                 u.findtext("n:news/n:publication/n:language", namespaces=SITEMAP_NS)
                 for u in news.findall("s:url", SITEMAP_NS)}
    assert languages["https://gazette.example.org/ar/world/2026/03/abbara/"] == "ar"
    assert languages["https://gazette.example.org/fr/world/2026/03/bac/"] == "fr"


def test_feeds_json_ld_and_ticker_follow_the_edition(make_site: Callable[..., Path]) -> None:
    out = build(trilingual(make_site))
    feed = feedparser.parse((out / "fr/rss.xml").read_bytes())
    assert feed.feed.language == "fr" and feed.feed.title == "La Gazette"
    assert [e.title for e in feed.entries] == ["Le bac reprend"]
    assert feedparser.parse((out / "rss.xml").read_bytes()).feed.language == "en"
    doc = html(out / "ar/world/2026/03/abbara/index.html")
    data = [json.loads(s.text) for s in doc.xpath("//script[@type='application/ld+json']")]
    assert {d.get("inLanguage") for d in data if d.get("@type") == "NewsArticle"} == {"ar"}
    ticker = json.loads((out / "fr/ticker.json").read_text(encoding="utf-8"))
    # the French edition's zone (Europe/Paris) is an hour ahead of the site's (Lisbon)
    assert [(i["hhmm"], i["title"]) for i in ticker["items"]][:1] == [("12:05", "Le port")]
    assert "Le port" not in (out / "ticker.json").read_text(encoding="utf-8")


def test_theme_strings_and_dates_in_each_language(make_site: Callable[..., Path]) -> None:
    out = build(trilingual(make_site))
    fr = html(out / "fr/world/2026/03/bac/index.html")
    assert fr.xpath("string(//p[@class='byline'])") == "Par Ana Lima"
    assert fr.xpath("string(//span[@class='published'])") == "20 mars 2026 à 11:00"
    assert fr.xpath("string(//aside/@aria-label)") == "Dernières infos"
    ar = html(out / "ar/world/2026/03/abbara/index.html")
    assert ar.xpath("string(//span[@class='published'])") == "20 مارس 2026، الساعة 10:00"
    assert ar.xpath("string(//h2[@id='ticker-heading'])") == "آخر الأخبار"
    assert html(out / "ar/404.html").xpath("string(//h1)") == "الصفحة غير موجودة"
    en = html(out / "world/2026/03/ferry/index.html")
    assert en.xpath("string(//span[@class='published'])") == "20 March 2026, 10:00"
    # a Latin brand name in an Arabic title, and Latin names in an Arabic byline or
    # ticker, are isolated so the bidi algorithm cannot reorder them into the Arabic text
    assert ar.xpath("//section[@class='ticker']//a/@dir") == ["auto"]


def test_a_site_catalog_overrides_a_string_and_missing_ones_fall_back(
        make_site: Callable[..., Path]) -> None:
    site = trilingual(make_site, **{"locale/fr.po": 'msgid "Latest news"\n'
                                    'msgstr "Le fil"\n\nmsgid "Updated"\nmsgstr ""\n'})
    out = build(site)
    fr = html(out / "fr/index.html")
    assert fr.xpath("string(//h2[@id='ticker-heading'])") == "Le fil"
    assert fr.xpath("string(//a[@class='skip-link'])") == "Aller au contenu"  # the theme's
    # a language with no catalog at all gets the English of the templates, never ""
    assert translations("de", site).gettext("Latest news") == "Latest news"


def test_theme_catalogs_are_in_sync_with_the_templates() -> None:
    """Every string the templates and the renderer translate is in en, fr and ar, and fr
    and ar translate every one of them (no empty label anywhere)."""
    wanted = {msg if isinstance(msg, str) else msg[0] for _f, _l, msg, _c, _x in
              extract_from_dir(str(REPO / "templates"), method_map=[("**.html", "jinja2")])}
    assert len(wanted) > 60
    for tag in ("en", "fr", "ar"):
        catalog = read_po((THEME_CATALOGS / f"{tag}.po").open("rb"), locale=tag)
        ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
        assert wanted <= ids, f"{tag}.po lacks {sorted(wanted - ids)[:5]}"
        if tag != "en":
            empty = [m.id for m in catalog if m.id and not all(
                m.string if isinstance(m.string, tuple) else [m.string])]
            assert not empty, f"{tag}.po leaves untranslated: {empty[:5]}"


def test_language_tags_and_direction() -> None:
    assert [direction(t) for t in ("ar", "he", "fa", "ur", "fr", "en", "pt-BR")] == \
        ["rtl"] * 4 + ["ltr"] * 3
    assert tag_problem("pt-BR") is None and tag_problem("zh-Hant") is None
    assert tag_problem("EN") and tag_problem("en_US") and tag_problem("fr-") \
        and tag_problem("qq")


@pytest.mark.parametrize(("files", "config", "expected"), [
    ({"content/articles/a.md": article(lang="de")}, LANGUAGES,
     "content/articles/a.md:5: unknown lang 'de'; languages in newsgen.yaml: en, fr, ar"),
    ({}, LANGUAGES.replace("  ar:\n", "  AR:\n"),
     "newsgen.yaml:16: languages: 'AR' is not a BCP 47 language tag"),
    ({}, BASIC_CONFIG + "languages:\n  en_GB: {}\n",
     "newsgen.yaml:11: languages: 'en_GB' is not a BCP 47 language tag"),
    ({"content/articles/a.md": article(lang="fr", translation_key="k"),
      "content/articles/b.md": article("B", lang="fr", translation_key="k")}, LANGUAGES,
     "content/articles/b.md:6: translation_key 'k' is already used in 'fr' by "
     "content/articles/a.md:6"),
    ({"content/headlines/d.yaml": "- {time: 2026-03-20T11:00, title: X, lang: es}\n"},
     LANGUAGES, "content/headlines/d.yaml:1: unknown lang 'es'"),
    ({"content/articles/a.md": article(lang="fr")}, BASIC_CONFIG,
     "content/articles/a.md:5: unknown lang 'fr'; languages in newsgen.yaml: en"),
])
def test_bad_input(make_site: Callable[..., Path], files: dict[str, str], config: str,
                   expected: str) -> None:
    site = make_site(files, config=config)
    result = run_newsgen("build", site, "--now", NOW, "-q")
    assert result.returncode == 1
    assert expected in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    assert not (site / "public").exists()


def test_headline_linking_to_another_edition_is_a_warning(
        make_site: Callable[..., Path]) -> None:
    site = trilingual(make_site, **{"content/headlines/x.yaml":
                                    "- {time: 2026-03-20T12:00, title: Bac, lang: en,"
                                    " link: bac}\n"})
    result = run_newsgen("build", site, "--now", NOW, "-o", site / "public")
    assert result.returncode == 0, result.stderr
    assert "content/headlines/x.yaml:1: warning: headline (en) links to 'bac', a story of " \
        "the 'fr' edition" in result.stderr + result.stdout
    ticker = json.loads((site / "public/ticker.json").read_text(encoding="utf-8"))
    assert ticker["items"][0]["url"] == "https://gazette.example.org/fr/world/2026/03/bac/"
    strict = run_newsgen("build", site, "--now", NOW, "--strict", "-o", site / "public")
    assert strict.returncode == 1


def test_transliterated_slugs_for_non_latin_tags(make_site: Callable[..., Path]) -> None:
    out = build(trilingual(make_site))
    tags = html(out / "ar/world/2026/03/abbara/index.html").xpath("//a[@rel='tag']/@href")
    assert tags == ["/ar/tags/lmyn/"] and (out / "ar/tags/lmyn/index.html").is_file()


def test_unicode_slugs_keep_the_script_and_are_escaped_where_required(
        make_site: Callable[..., Path]) -> None:
    site = make_site({
        "content/articles/ar/الميناء-يفتح-ممرًا.md": article("الميناء يفتح ممرًا", lang="ar",
                                                            tags="[الميناء]"),
        "content/articles/le-théâtre.md": article("Le théâtre", tags="[Théâtre]"),
    }, config=LANGUAGES + "slugs: unicode\n")
    out = build(site)
    page = out / "ar/world/2026/03/الميناء-يفتح-ممرا/index.html"  # no vowel marks in URLs
    assert page.is_file() and (out / "ar/tags/الميناء/index.html").is_file()
    assert (out / "world/2026/03/le-théâtre/index.html").is_file()
    canonical = html(page).xpath("//link[@rel='canonical']/@href")[0]
    assert canonical == ("https://gazette.example.org/ar/world/2026/03/"
                         "%D8%A7%D9%84%D9%85%D9%8A%D9%86%D8%A7%D8%A1-%D9%8A%D9%81%D8%AA%D8%AD-"
                         "%D9%85%D9%85%D8%B1%D8%A7/")
    locs = lxml.etree.parse(str(out / "sitemap.xml")).xpath("//s:loc/text()",
                                                            namespaces=SITEMAP_NS)
    assert all(loc.isascii() for loc in locs)
    assert "https://gazette.example.org/world/2026/03/le-th%C3%A9%C3%A2tre/" in locs


def test_two_stories_with_one_slug_name_both_files_and_lines(
        make_site: Callable[..., Path]) -> None:
    site = make_site({"content/articles/a.md": article("Ferry", slug="ferry"),
                      "content/articles/fr/b.md": article("Bac", lang="fr", slug="ferry")},
                     config=LANGUAGES)
    result = run_newsgen("build", site, "--now", NOW, "-q")
    assert result.returncode == 1
    assert "content/articles/fr/b.md:6: slug 'ferry' is already used by " \
           "content/articles/a.md:5" in result.stderr


def test_catalogs_do_not_grow_with_every_build() -> None:
    """Each build chains the catalogs for its language; a long-lived process (the test run,
    ``newsgen serve``) builds thousands of times, and a shared catalog object would grow a
    fallback chain until Python's recursion limit."""
    from newsgen.i18n.catalogs import translations

    for _ in range(3000):
        chain = translations("fr", REPO)
    assert chain.gettext("Latest news") != "Latest news"
    depth, link = 0, chain
    while link is not None:
        depth, link = depth + 1, getattr(link, "_fallback", None)
    assert depth <= 3
