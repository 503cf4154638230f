"""Page metadata: OpenGraph, Twitter cards and JSON-LD read back from built pages with lxml and
checked against the articles' front matter."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from conftest import article

from newsgen.build.builder import BuildOptions, build_site
from newsgen.distribution.structured_data import json_ld

NOW = datetime(2026, 3, 21, 12, 0, tzinfo=ZoneInfo("Europe/Lisbon"))
ORIGIN = "https://gazette.example.org"
CONFIG = """\
title: Test Gazette
base_url: https://gazette.example.org
timezone: Europe/Lisbon
description: News from the bay.
logo: /images/logo.png
sections:
  - {id: world, title: World}
  - {id: city, title: City}
authors:
  ana: {name: Ana Lima, url: "https://staff.example.org/ana"}
  rui: {name: Rui Costa}
social:
  x: https://x.com/testgazette
"""
HOSTILE = 'Port "deal" </script><script>alert(1)</script> & more'
SITE = {
    "content/articles/deal.md": article(
        "Port deal signed", "2026-07-20T10:00", "world", "The deal.", slug="port-deal",
        authors="[ana, rui]", tags="[Ports, Trade]", summary="Both sides signed.",
        location="LISBON", updated="2026-07-20T18:30",
        image="{src: /images/deal.svg, alt: Signing ceremony}"),
    "content/articles/hostile.md": article(
        json.dumps(HOSTILE), "2026-07-19T09:00", "city", "Text.", slug="hostile",
        authors="[Guest Writer]"),
    "content/pages/about.md": "---\ntitle: About\n---\n\nUs.\n",
    "static/images/deal.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="800" '
                              'height="450"></svg>',
}


@pytest.fixture
def out(make_site: Callable[..., Path], tmp_path: Path) -> Path:
    site = make_site(SITE, CONFIG)
    target = tmp_path / "out"
    build_site(site, BuildOptions(out_dir=target, now=datetime(2026, 7, 21, tzinfo=NOW.tzinfo)))
    return target


def head(path: Path) -> Any:
    return lxml.html.parse(str(path)).getroot().find("head")


def meta(page_head: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for element in page_head.iter("meta"):
        key = element.get("property") or element.get("name")
        if key:
            found.setdefault(key, []).append(element.get("content"))
    return found


def structured(page_head: Any) -> dict[str, dict[str, Any]]:
    scripts = page_head.findall(".//script[@type='application/ld+json']")
    items = [json.loads(script.text) for script in scripts]
    return {item["@type"]: item for item in items}


def test_article_opengraph_and_twitter(out: Path) -> None:
    tags = meta(head(out / "world/2026/07/port-deal/index.html"))
    url = ORIGIN + "/world/2026/07/port-deal/"
    assert tags["og:type"] == ["article"]
    assert tags["og:title"] == ["Port deal signed"]
    assert tags["og:description"] == tags["description"] == ["Both sides signed."]
    assert tags["og:url"] == [url]
    assert tags["og:site_name"] == ["Test Gazette"]
    assert tags["og:image"] == [ORIGIN + "/images/deal.svg"]
    assert (tags["og:image:width"], tags["og:image:height"]) == (["800"], ["450"])
    assert tags["article:published_time"] == ["2026-07-20T10:00:00+01:00"]
    assert tags["article:modified_time"] == ["2026-07-20T18:30:00+01:00"]
    assert tags["article:section"] == ["World"]
    assert tags["article:tag"] == ["Ports", "Trade"]
    assert tags["twitter:card"] == ["summary_large_image"]
    assert tags["twitter:image"] == [ORIGIN + "/images/deal.svg"]
    assert tags["twitter:site"] == ["@testgazette"]


def test_article_news_article_json_ld(out: Path) -> None:
    data = structured(head(out / "world/2026/07/port-deal/index.html"))
    news = data["NewsArticle"]
    url = ORIGIN + "/world/2026/07/port-deal/"
    assert news["@context"] == "https://schema.org"
    assert news["headline"] == "Port deal signed"
    assert news["description"] == "Both sides signed."
    assert news["datePublished"] == "2026-07-20T10:00:00+01:00"
    assert news["dateModified"] == "2026-07-20T18:30:00+01:00"
    assert news["author"] == [
        {"@type": "Person", "name": "Ana Lima", "url": ORIGIN + "/authors/ana/",
         "sameAs": ["https://staff.example.org/ana"]},
        {"@type": "Person", "name": "Rui Costa", "url": ORIGIN + "/authors/rui/"}]
    assert news["image"] == [{"@type": "ImageObject", "url": ORIGIN + "/images/deal.svg",
                              "width": 800, "height": 450}]
    assert news["publisher"]["@type"] == "NewsMediaOrganization"
    assert news["publisher"]["name"] == "Test Gazette"
    assert news["publisher"]["logo"] == {"@type": "ImageObject",
                                         "url": ORIGIN + "/images/logo.png"}
    assert news["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert news["articleSection"] == "World"
    assert news["keywords"] == ["Ports", "Trade"]
    assert news["dateline"] == "LISBON"
    crumbs = data["BreadcrumbList"]["itemListElement"]
    assert [(c["position"], c["name"], c["item"]) for c in crumbs] == [
        (1, "Test Gazette", ORIGIN + "/"), (2, "World", ORIGIN + "/world/"),
        (3, "Port deal signed", url)]


def test_a_hostile_title_cannot_leave_the_script(out: Path) -> None:
    path = out / "city/2026/07/hostile/index.html"
    page_head = head(path)
    scripts = [s for s in page_head.findall(".//script") if not s.get("src")]  # the theme's
    assert [s.get("type") for s in scripts] == ["application/ld+json"] * 2
    data = structured(page_head)
    assert data["NewsArticle"]["headline"] == HOSTILE
    assert data["NewsArticle"]["author"] == [{"@type": "Person", "name": "Guest Writer"}]
    assert "dateline" not in data["NewsArticle"] and "image" not in data["NewsArticle"]
    assert meta(page_head)["og:title"] == [HOSTILE]
    assert meta(page_head)["twitter:card"] == ["summary"]
    assert "</script><script>alert" not in path.read_text()


def test_front_page_website_and_organization(out: Path) -> None:
    page_head = head(out / "index.html")
    data = structured(page_head)
    assert data["WebSite"]["url"] == ORIGIN + "/"
    assert data["WebSite"]["name"] == "Test Gazette"
    assert data["WebSite"]["description"] == "News from the bay."
    organization = data["NewsMediaOrganization"]
    assert organization["name"] == "Test Gazette"
    assert organization["logo"]["url"] == ORIGIN + "/images/logo.png"
    assert organization["sameAs"] == ["https://x.com/testgazette"]
    assert data["WebSite"]["publisher"] == {"@id": organization["@id"]}
    assert meta(page_head)["og:type"] == ["website"]


def test_every_page_has_title_description_canonical_and_og(out: Path) -> None:
    pages = [p for p in out.rglob("index.html")]
    assert len(pages) > 10
    for path in pages:
        page_head = head(path)
        relative = path.parent.relative_to(out).as_posix()
        expected = ORIGIN + "/" + ("" if relative == "." else relative + "/")
        assert page_head.findtext("title").strip(), path
        assert meta(page_head)["description"][0], path
        canonical = page_head.find("link[@rel='canonical']").get("href")
        assert canonical == expected
        assert meta(page_head)["og:url"] == [canonical]
        assert meta(page_head)["og:type"][0] in ("article", "website")


def test_listing_pages_announce_their_feeds(out: Path) -> None:
    for folder, name in (("world", "World"), ("tags/ports", "Ports"), ("authors/ana", "Ana Lima")):
        links = head(out / folder / "index.html").findall("link[@rel='alternate']")
        found = {(link.get("type"), link.get("href")) for link in links}
        assert ("application/rss+xml", f"/{folder}/rss.xml") in found
        assert ("application/atom+xml", f"/{folder}/atom.xml") in found
        assert ("application/rss+xml", "/rss.xml") in found
        assert ("application/atom+xml", "/atom.xml") in found
        assert (out / folder / "rss.xml").is_file() and (out / folder / "atom.xml").is_file()
        assert any(name in (link.get("title") or "") for link in links)
    about = {link.get("href") for link in head(out / "about/index.html").iter("link")}
    assert {"/rss.xml", "/atom.xml"} <= about


def test_json_ld_escapes_markup_characters() -> None:
    markup = str(json_ld({"headline": "</script>&<!--\u2028"}))
    body = markup.removeprefix('<script type="application/ld+json">').removesuffix(
        "</script>\n")
    assert "<" not in body and ">" not in body and "&" not in body and "\u2028" not in body
    assert json.loads(body) == {"headline": "</script>&<!--\u2028"}
