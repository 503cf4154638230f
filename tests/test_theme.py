"""The default theme on small built sites: what each page kind shows, how it links, the
accessibility structure, and that a site can override one block of a theme template."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import lxml.html
import pytest

from newsgen.build.builder import BuildOptions, build_site
from newsgen.content.config import load_config
from newsgen.content.times import parse_time
from tests.conftest import BASIC_CONFIG, NEWEST, REPO, article

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="800" height="450" viewBox="0 0 800 450">'
       '<rect width="800" height="450" fill="#369"/></svg>')
IMAGE = "{src: /images/pic.svg, alt: A blue square, caption: The square., credit: 'Photo: Ana'}"
CONFIG = BASIC_CONFIG + """\
  bea: {name: Bea Silva, bio: Writes about ports., url: https://staff.example.org/bea}
social:
  facebook: https://www.facebook.com/gazette
  x: https://x.com/gazette
"""


def build(site: Path, now: str = "2026-03-25T12:00", **options: bool) -> Path:
    out = site.parent / "out"
    zone = load_config(site).timezone
    build_site(site, BuildOptions(out_dir=out, now=parse_time(now, zone), use_cache=False,
                                  **options))
    return out


def page(out: Path, relative: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((out / relative).read_bytes())


def by_class(doc: lxml.html.HtmlElement, name: str) -> list[lxml.html.HtmlElement]:
    return doc.xpath(f".//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]")


def text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


@pytest.fixture
def site(make_site: Callable[..., Path]) -> Path:
    return make_site({
        "static/images/pic.svg": SVG,
        "content/pages/about.md": "---\ntitle: About us\n---\n\nWho we are.\n",
        "content/articles/port-reopens.md": article(
            "Port reopens", "2026-03-24T09:30", authors="[ana, rui, bea]", image=IMAGE,
            summary="The dek.", location="LISBON", tags="[ports, weather]",
            updated="2026-03-24T21:05",
            body="First paragraph.\n\n## The vote\n\nMore text.\n"),
        "content/articles/storm-damage.md": article(
            "Storm damage", "2026-03-20T10:00", authors="[ana, Jo Bloggs]",
            updated="2026-03-21T08:15", tags="[weather]", image=IMAGE,
            corrections="[{date: 2026-03-21T09:00, text: First fix.}, "
                        "{date: 2026-03-22T10:00, text: Second fix.}]"),
        "content/articles/tram-line.md": article("Tram line", "2026-03-23T10:00", section="city",
                                            authors="[rui]"),
        "content/headlines/h.yaml": "- time: 2026-03-24T20:40\n  title: Late news\n"
                                    "- time: 2026-03-24T08:05\n  title: Early news\n"
                                    "  link: port-reopens\n",
    }, config=CONFIG)


@pytest.fixture
def out(site: Path) -> Path:
    return build(site)


ARTICLE = "world/2026/03/port-reopens/index.html"
OLDER = "world/2026/03/storm-damage/index.html"


def test_byline_reads_naturally_and_links_author_pages(out: Path) -> None:
    byline = by_class(page(out, ARTICLE), "byline")[0]
    assert text(byline) == "By Ana Lima, Rui Costa and Bea Silva"
    assert byline.xpath(".//a/@href") == ["/authors/ana/", "/authors/rui/", "/authors/bea/"]
    plain = by_class(page(out, OLDER), "byline")[0]
    assert text(plain) == "By Ana Lima and Jo Bloggs"
    assert plain.xpath(".//a/@href") == ["/authors/ana/"]


def test_article_header_label_dek_times_and_dateline(out: Path) -> None:
    doc = page(out, ARTICLE)
    assert by_class(doc, "kicker")[0].xpath(".//a/@href") == ["/world/"]
    assert [text(h) for h in doc.xpath("//h1")] == ["Port reopens"]
    assert text(by_class(doc, "dek")[0]) == "The dek."
    published, updated = by_class(doc, "article-times")[0].xpath(".//time")
    assert published.get("datetime") == "2026-03-24T09:30:00+00:00"
    assert text(published) == "24 March 2026, 09:30"
    # Same local day as publication: the clock only.
    assert text(updated.getparent()) == "Updated 21:05"
    assert updated.get("datetime") == "2026-03-24T21:05:00+00:00"
    assert text(by_class(doc, "reading-time")[0]) == "1 min read"
    first = by_class(doc, "article-body")[0].xpath("./p")[0]
    assert text(first) == "LISBON — First paragraph."
    anchor = by_class(doc, "heading-anchor")[0]
    assert anchor.get("href") == "#" + anchor.getparent().get("id")


def test_update_on_another_day_shows_the_full_date(out: Path) -> None:
    updated = by_class(page(out, OLDER), "updated")[0]
    assert text(updated) == "Updated 21 March 2026, 08:15"


def test_summer_time_is_shown_in_the_site_zone(make_site: Callable[..., Path]) -> None:
    site = make_site({"content/articles/summer.md": article("Summer", "2026-07-01T09:30+00:00")})
    doc = page(build(site, now="2026-07-02T12:00"), "world/2026/07/summer/index.html")
    published = by_class(doc, "published")[0].xpath(".//time")[0]
    assert published.get("datetime") == "2026-07-01T10:30:00+01:00"
    assert text(published) == "1 July 2026, 10:30"


def test_hero_image_is_eager_with_size_caption_and_credit(out: Path) -> None:
    hero = by_class(page(out, ARTICLE), "hero")[0]
    img = hero.xpath(".//img")[0]
    assert (img.get("alt"), img.get("width"), img.get("height")) == ("A blue square", "800", "450")
    assert img.get("loading") is None
    assert text(hero.xpath(".//figcaption")[0]) == "The square. Photo: Ana"


def test_images_below_the_lead_are_lazy_and_all_have_alt(out: Path) -> None:
    front = page(out, "index.html")
    lead_img = by_class(front, "lead-story")[0].xpath(".//img")[0]
    assert lead_img.get("loading") is None
    others = [i for i in front.xpath("//main//img") if i is not lead_img]
    assert others and all(i.get("loading") == "lazy" for i in others)
    for relative in (ARTICLE, OLDER, "index.html", "world/index.html", "authors/ana/index.html"):
        for img in page(out, relative).xpath("//img"):
            assert img.get("alt"), (relative, lxml.html.tostring(img))


def test_corrections_box_newest_first(out: Path) -> None:
    box = by_class(page(out, OLDER), "corrections")[0]
    assert text(box.xpath(".//h2")[0]) == "Corrections"
    items = [text(p) for p in by_class(box, "correction")]
    assert items == ["Correction, 22 March 2026, 10:00: Second fix.",
                     "Correction, 21 March 2026, 09:00: First fix."]
    assert not by_class(page(out, ARTICLE), "corrections")


def test_article_footer_tags_share_related_and_prev_next(out: Path) -> None:
    doc = page(out, ARTICLE)
    assert doc.xpath("//a[@rel='tag']/@href") == ["/tags/ports/", "/tags/weather/"]
    share = [text(a) for a in by_class(doc, "share-list")[0].xpath(".//a")]
    assert share == ["Share via Facebook", "Share via X", "Share via WhatsApp",
                     "Share via Email"]
    scripts = doc.xpath("//script[@src]/@src")
    assert scripts == ["/theme/ticker.js"], "no third-party scripts: only the live ticker's"
    related = by_class(doc, "related")[0].xpath(".//h3//a/@href")
    assert "/world/2026/03/port-reopens/" not in related
    assert related[0] == "/world/2026/03/storm-damage/"
    assert doc.xpath("//nav[contains(@class, 'prev-next')]//a[@rel='prev']/@href") == [
        "/world/2026/03/storm-damage/"]


def test_comments_slot_only_when_configured(make_site: Callable[..., Path], out: Path) -> None:
    assert not by_class(page(out, ARTICLE), "comments")
    site = make_site({"content/articles/talk.md": article("Talk")},
                     config=BASIC_CONFIG + "comments: '<div id=\"talk\">Comments here</div>'\n",
                     name="commented")
    doc = page(build(site), "world/2026/03/talk/index.html")
    assert doc.xpath("//article//section[contains(@class, 'comments')]//div[@id='talk']")


def test_draft_and_scheduled_articles_are_labelled(make_site: Callable[..., Path]) -> None:
    site = make_site({
        "content/articles/unfinished.md": article("Unfinished", "2026-03-20T10:00", draft="true"),
        "content/articles/tomorrow.md": article("Tomorrow", "2026-03-26T08:00"),
        "content/articles/normal.md": article("Normal", "2026-03-19T08:00"),
    })
    out = build(site, drafts=True, future=True)
    assert text(by_class(page(out, "world/2026/03/unfinished/index.html"), "flags")[0]) == "Draft"
    scheduled = by_class(page(out, "world/2026/03/tomorrow/index.html"), "flag-scheduled")[0]
    assert text(scheduled) == "Scheduled for 26 March 2026, 08:00"
    normal = page(out, "world/2026/03/normal/index.html")
    assert not by_class(by_class(normal, "article-header")[0], "flag")
    front = {text(f).split(" for ")[0] for f in by_class(page(out, "index.html"), "flag")}
    assert front == {"Draft", "Scheduled"}


def test_front_page_masthead_ticker_blocks_social_footer(out: Path) -> None:
    doc = page(out, "index.html")
    assert doc.get("lang") == "en"
    assert text(doc.xpath("//h1")[0]) == "Test Gazette"
    today = by_class(doc, "masthead-date")[0].xpath(".//time")[0]
    assert (text(today), today.get("datetime")) == ("Wednesday 25 March 2026", "2026-03-25")
    assert doc.xpath("//nav[@aria-label='Sections']//a/@href") == ["/", "/world/", "/city/"]
    assert text(by_class(doc, "lead-title")[0]) == "Port reopens"
    assert text(by_class(doc, "lead-story")[0].xpath(".//p[@class='dek']")[0]) == "The dek."
    ticker = [text(li) for li in doc.xpath("//ol[@class='ticker-list']/li")]
    assert ticker[0] == "20:40 Late news" and "08:05 Early news" in ticker
    stamps = doc.xpath("//ol[@class='ticker-list']/li/time/@datetime")
    assert stamps == sorted(stamps, reverse=True)
    blocks = [text(h) for h in by_class(doc, "section-block") for h in h.xpath("./h2")]
    assert blocks == ["World", "City"]
    footer = doc.xpath("//footer[@class='site-footer']")[0]
    assert "Follow us on Facebook" in [text(a) for a in footer.xpath(".//a")]
    assert "Follow us on X" in [text(a) for a in footer.xpath(".//a")]
    assert "/about/" in footer.xpath(".//a/@href")


def test_listing_pages_paginate_with_rel_links(make_site: Callable[..., Path]) -> None:
    files = {f"content/articles/story-{n}.md": article(f"Story {n}", f"2026-03-{10 + n}T10:00",
                                                  authors="[ana]") for n in range(5)}
    site = make_site(files, config=BASIC_CONFIG + NEWEST + "per_page: 2\n")
    out = build(site)
    middle = page(out, "world/page/2/index.html")
    assert middle.xpath("//head/link[@rel='prev']/@href") == ["/world/"]
    assert middle.xpath("//head/link[@rel='next']/@href") == ["/world/page/3/"]
    pager = middle.xpath("//nav[@class='pagination']")[0]
    assert pager.xpath(".//a[@rel='prev']/@href") == ["/world/"]
    assert pager.xpath(".//a[@rel='next']/@href") == ["/world/page/3/"]
    assert text(pager.xpath(".//*[@aria-current='page']")[0]) == "Page 2"
    assert [text(a) for a in pager.xpath(".//li[not(@class)]/a")] == ["Page 1", "Page 3"]
    assert len(by_class(middle, "teaser")) == 2
    first = page(out, "world/index.html")
    assert not first.xpath("//link[@rel='prev']")
    author = page(out, "authors/ana/index.html")
    assert text(author.xpath("//h1")[0]) == "Ana Lima"
    assert text(by_class(author, "bio")[0]) == "Covers the city."
    assert author.xpath("//head/link[@rel='next']/@href") == ["/authors/ana/page/2/"]


def test_archive_index_and_month_pages(out: Path) -> None:
    index = page(out, "archive/index.html")
    assert [text(h) for h in index.xpath("//main//h2")] == ["2026"]
    assert index.xpath("//ul[@class='archive-index']//a/@href") == ["/archive/2026/03/"]
    month = page(out, "archive/2026/03/index.html")
    assert text(month.xpath("//h1")[0]) == "March 2026"
    assert month.xpath("//title")[0].text.startswith("March 2026")


def test_404_static_page_tags_and_authors_index(out: Path) -> None:
    assert text(page(out, "404.html").xpath("//h1")[0]) == "Page not found"
    about = page(out, "about/index.html")
    assert text(about.xpath("//h1")[0]) == "About us"
    assert "/tags/weather/" in page(out, "tags/index.html").xpath("//main//a/@href")
    assert "/authors/bea/" in page(out, "authors/index.html").xpath("//main//a/@href")
    tag = page(out, "tags/weather/index.html")
    assert text(tag.xpath("//h1")[0]) == "weather"


def test_every_page_has_landmarks_one_h1_and_no_skipped_heading_levels(out: Path) -> None:
    pages = sorted(p for p in out.rglob("*.html") if p.name != "ticker.html")
    assert len(pages) > 10
    for path in pages:
        doc = lxml.html.fromstring(path.read_bytes())
        where = path.relative_to(out).as_posix()
        assert doc.xpath("//a[@class='skip-link']/@href") == ["#main"], where
        assert doc.xpath("//main[@id='main']") and doc.xpath("//header[@class='masthead']")
        assert doc.xpath("//footer") and doc.xpath("//nav[@aria-label='Sections']"), where
        levels = [int(h.tag[1]) for h in doc.iter("h1", "h2", "h3", "h4", "h5", "h6")]
        assert levels.count(1) == 1, (where, levels)
        for before, after in zip(levels, levels[1:], strict=False):
            assert after <= before + 1, (where, levels)


def test_site_can_override_one_block_of_the_theme(make_site: Callable[..., Path]) -> None:
    site = make_site({
        "content/articles/overridden.md": article("Overridden", authors="[ana]"),
        "templates/article.html": '{% extends "theme/article.html" %}\n'
                                  '{% block byline %}<p class="house-byline">Written by '
                                  '{{ article.authors[0].name }} for {{ site.title }}</p>'
                                  '{% endblock %}\n',
    })
    doc = page(build(site), "world/2026/03/overridden/index.html")
    assert text(by_class(doc, "house-byline")[0]) == "Written by Ana Lima for Test Gazette"
    assert not by_class(doc, "byline")
    # Everything else is still the theme's.
    assert text(doc.xpath("//h1")[0]) == "Overridden"
    assert by_class(doc, "masthead") and by_class(doc, "ticker") and by_class(doc, "share")
    assert doc.xpath("//link[@rel='stylesheet']/@href") == ["/theme/style.css"]


def test_stylesheet_is_small_and_self_contained() -> None:
    css = (REPO / "static" / "theme" / "style.css").read_text(encoding="utf-8")
    assert len(css.encode()) < 30_000
    assert "@import" not in css and "url(" not in css
    for needed in ("prefers-color-scheme: dark", "@media print", ":focus-visible"):
        assert needed in css


def test_a_site_under_a_path_links_everything_under_it(make_site: Callable[..., Path]) -> None:
    config = BASIC_CONFIG.replace("https://gazette.example.org", "https://example.org/news")
    site = make_site({
        "static/images/pic.svg": SVG, "static/images/logo.svg": SVG,
        "content/pages/about.md": "---\ntitle: About us\n---\n\nWho we are.\n",
        "content/articles/story.md": article("Story", authors="[ana]", image=IMAGE,
                                             tags="[ports]"),
    }, config=config + "logo: /images/logo.svg\n")
    out = build(site)
    for relative in ("index.html", "world/2026/03/story/index.html", "world/index.html",
                     "404.html", "archive/index.html"):
        doc = page(out, relative)
        local = [v for v in doc.xpath("//@href | //@src") if v.startswith("/")]
        assert local and all(v.startswith("/news/") for v in local), (relative, local)
    logo = page(out, "index.html").xpath("//h1//img")[0]
    assert (logo.get("src"), logo.get("alt")) == ("/news/images/logo.svg", "Test Gazette")


def test_an_empty_site_still_has_a_sound_front_page(make_site: Callable[..., Path]) -> None:
    out = build(make_site({}))
    doc = page(out, "index.html")
    assert text(doc.xpath("//h1")[0]) == "Test Gazette"
    assert by_class(doc, "empty") and by_class(doc, "ticker")
    assert not doc.xpath("//footer//ul[@class='social']")
