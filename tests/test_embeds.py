"""Privacy-first embeds: each provider's addresses and frames, the placeholder's HTML, and
bad embed lines reported at their line by ``build`` and ``check``. (That nothing reaches a
provider before the click is proved in a browser: ``test_live_pages.py``.)"""

from __future__ import annotations

import re

import lxml.html
import pytest
from conftest import article

from newsgen.commands import main
from newsgen.content.embeds import FRAME_ORIGINS, Embed, parse_embed
from newsgen.render.markup import MarkdownConverter
from tests.conftest import REPO

GOOD = [
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "YouTube",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("https://youtu.be/dQw4w9WgXcQ", "YouTube",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("https://www.youtube.com/shorts/dQw4w9WgXcQ", "YouTube",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("https://vimeo.com/76979871", "Vimeo", "https://player.vimeo.com/video/76979871?dnt=1"),
    ("https://x.com/velmarledger/status/1234567890123", "X",
     "https://platform.twitter.com/embed/Tweet.html?id=1234567890123&dnt=true"),
    ("https://twitter.com/velmarledger/status/1234567890123", "X",
     "https://platform.twitter.com/embed/Tweet.html?id=1234567890123&dnt=true"),
    ("https://www.instagram.com/p/C0dEabc123/", "Instagram",
     "https://www.instagram.com/p/C0dEabc123/embed"),
    ("https://www.tiktok.com/@velmar.ledger/video/7300000000000000000", "TikTok",
     "https://www.tiktok.com/embed/v2/7300000000000000000"),
    ("https://datawrapper.dwcdn.net/Vq3Lm/2/", "Datawrapper",
     "https://datawrapper.dwcdn.net/Vq3Lm/2/"),
    ("https://public.flourish.studio/visualisation/1234567/", "Flourish",
     "https://flo.uri.sh/visualisation/1234567/embed"),
    ("https://www.openstreetmap.org/#map=11/35.7595/-5.8340", "OpenStreetMap",
     "https://www.openstreetmap.org/export/embed.html?bbox=-6.00978,35.67161,-5.65822,"
     "35.84739&layer=mapnik&marker=35.75950,-5.83400"),
]


@pytest.mark.parametrize(("url", "provider", "frame"), GOOD)
def test_each_provider_address_gives_its_frame(url: str, provider: str, frame: str) -> None:
    found = parse_embed(url, "T")
    assert isinstance(found, Embed), found
    assert (found.provider, found.frame, found.url) == (provider, frame, url)
    assert found.frame.startswith(FRAME_ORIGINS)


def test_the_theme_script_allows_exactly_the_frame_origins() -> None:
    script = (REPO / "static/theme/embeds.js").read_text()
    listed = re.findall(r'"(https://[^"]+/)"', script)
    assert tuple(listed) == FRAME_ORIGINS


BAD_URLS = [
    ("https://evil.example.com/video/1", "not from a known provider"),
    ("https://www.youtube.com/watch?v=short", "not the address of one YouTube video"),
    ("https://vimeo.com/channels/staff", "not the address of one Vimeo video"),
    ("https://x.com/velmarledger", "not the address of one X post"),
    ("https://www.openstreetmap.org/#map=30/95/10", "not the address of one OpenStreetMap"),
    ("javascript:alert(1)", "must be an https:// address"),
]


@pytest.mark.parametrize(("url", "message"), BAD_URLS)
def test_wrong_addresses_are_refused(url: str, message: str) -> None:
    found = parse_embed(url)
    assert isinstance(found, str) and message in found


def test_placeholder_loads_nothing_and_links_the_original() -> None:
    body = MarkdownConverter().convert(
        "::: embed https://vimeo.com/76979871 Pier at high tide\n").html
    root = lxml.html.fragment_fromstring(body, create_parent="div")
    figure = root.xpath("figure")[0]
    assert figure.get("class") == "embed embed-video"
    assert figure.get("data-embed") == "https://player.vimeo.com/video/76979871?dnt=1"
    assert not root.xpath("//iframe | //img | //script | //video")
    assert figure.xpath(".//p[@class='embed-title']/text()") == ["Pier at high tide"]
    assert figure.xpath("figcaption/a/@href") == ["https://vimeo.com/76979871"]


@pytest.mark.parametrize("command", ["build", "check"])
def test_bad_embed_is_an_error_at_its_line(make_site, capsys, command: str) -> None:
    body = ("Intro.\n\n::: embed https://videos.example.com/v/1 A clip\n\n"
            "::: embed https://www.youtube.com/watch?v=dQw4w9WgXcQ\n\n::: embed\n")
    site = make_site({"content/articles/a.md": article(body=body)})
    code = main([command, str(site), "--now", "2026-03-25T12:00"])
    err = capsys.readouterr()
    text = err.err + err.out
    assert code == 1, text
    assert re.search(r"content/articles/a\.md:9: .*not from a known provider", text), text
    assert re.search(r"content/articles/a\.md:13: .*needs the address", text), text
    assert ":11:" not in text
    assert not (site / "public").exists()


def test_script_is_linked_only_from_pages_with_embeds(make_site, capsys) -> None:
    site = make_site({
        "content/articles/a.md": article(body="::: embed https://vimeo.com/76979871 Clip\n"),
        "content/articles/b.md": article("Plain", slug="plain", body="Text."),
        "content/pages/map.md": "---\ntitle: Map\n---\n\n::: embed "
                                "https://www.openstreetmap.org/#map=11/35.7/-5.8 Office\n",
    })
    assert main(["build", str(site), "--now", "2026-03-25T12:00", "-q"]) == 0
    out = site / "public"
    assert 'src="/theme/embeds.js"' in (out / "world/2026/03/a/index.html").read_text()
    assert 'src="/theme/embeds.js"' in (out / "map/index.html").read_text()
    assert "embeds.js" not in (out / "world/2026/03/plain/index.html").read_text()
    assert (out / "theme/embeds.js").is_file()


def test_an_editor_cannot_point_data_embed_elsewhere() -> None:
    """attr_list lets an editor set attributes; data-embed survives only with a provider's
    frame origin (the theme's script checks again)."""
    body = MarkdownConverter().convert(
        'Text\n{: data-embed="https://evil.example.com/" }\n\n'
        'More\n{: data-embed="https://player.vimeo.com/video/1" }\n').html
    assert "evil.example.com" not in body
    assert 'data-embed="https://player.vimeo.com/video/1"' in body
