"""Hostile content is neutralised: every payload is built into a real site, and the pages and
feeds that come out are parsed (never grepped) for scripts, event handlers and script URLs."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import lxml.etree
import lxml.html
import pytest

from newsgen.commands import main
from tests.conftest import BASIC_CONFIG

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">raw</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<div markdown="1" onclick="alert(1)">x</div>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "[a](javascript:alert(1))",
    "[a](JaVaScRiPt:alert(1))",
    "[a](&#106;avascript:alert(1))",
    "[a](&#x6A;&#x61;vascript:alert(1))",
    "[a](java&#x09;script:alert(1))",
    "[a](jav&#x0A;ascript:alert(1))",
    "[a](javascript&colon;alert(1))",
    "[a](\x01javascript:alert(1))",
    "[a](<javascript:alert(1)>)",
    "[a](javascript://%0aalert(1))",
    "[a](vbscript:msgbox(1))",
    "[a](VBScript:msgbox(1))",
    "[a](data:text/html,<script>alert(1)</script>)",
    "[a](DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "[a][r]\n\n[r]: javascript:alert(1)",
    "[a][r]\n\n[r]: &#106;avascript:alert(1) \"t\"",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x][img]\n\n[img]: vbscript:alert(1)",
    '[a](https://x.org "title\\" onmouseover=\\"alert(1)")',
    "[a](https://x.org 'it''s\" onmouseover=\"alert(1)')",
    '![alt" onerror="alert(1)](https://x.org/a.png)',
    '![a](https://x.org/a.png "t\\" onerror=\\"alert(1)")',
    '```js" onmouseover="alert(1)\ncode\n```',
    "```<script>alert(1)</script>\ncode\n```",
    "~~~ {: onclick=\"alert(1)\" }\ncode\n~~~",
    '# Heading {: onclick="alert(1)" }',
    '[x](https://ok.org){: onmouseover="alert(1)" }',
    '[x](https://ok.org){: href="javascript:alert(1)" }',
    '![a](/a.png){: src="javascript:alert(1)" style="x:expression(alert(1))" }',
    "Text[^1]\n\n[^1]: <script>alert(1)</script>",
    "| h |\n|---|\n| <script>alert(1)</script> |",
    "*[HTML]: <script>alert(1)</script>\n\nHTML here",
    "<scr<script>ipt>alert(1)</script>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
]
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "poster", "background", "srcset",
                  "{http://www.w3.org/1999/xlink}href", "xlink:href", "cite", "data")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f]+")


def _front(title: str, body: str, **extra: str) -> str:
    lines = ["---", f"title: {json.dumps(title)}", "date: 2026-03-20T10:00", "section: world"]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return "\n".join([*lines, "---", "", body, ""])


THEME_SCRIPTS = frozenset({"/theme/search.js", "/theme/ticker.js"})


def _theme_search(element: lxml.html.HtmlElement) -> bool:
    """The theme's own search form (to /search/, GET) or one of its own scripts, exactly as
    written."""
    if element.tag == "form":
        return dict(element.attrib) in (
            {"class": "masthead-search", "role": "search", "action": "/search/", "method": "get"},
            {"id": "search-form", "class": "search-form", "role": "search",
             "action": "/search/", "method": "get", "data-bundles": element.get("data-bundles"),
             "data-sizes": element.get("data-sizes"), "data-first": element.get("data-first")})
    return element.tag == "script" and sorted(element.attrib.keys()) == ["defer", "src"] \
        and element.get("src") in THEME_SCRIPTS and not (element.text or "").strip()


def assert_harmless(root: lxml.html.HtmlElement, where: str) -> None:
    """No script from content, no event handler, no script URL anywhere in ``root``."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if _theme_search(element):
            continue  # the theme's search box and search page script (see templates/)
        if tag == "script":
            assert element.get("type") == "application/ld+json", (where, lxml.html.tostring(
                element))
            json.loads(element.text or "null")  # a title cannot break out of JSON-LD
        assert tag not in ("iframe", "object", "embed", "style", "base", "form", "frame",
                           "meta" if element.get("http-equiv") else "-"), (where, tag)
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (where, tag, name, value)
            assert "expression(" not in value and "javascript" not in value.lower() \
                or name not in ("style",), (where, name)
            if name in URL_ATTRIBUTES:
                cleaned = _INVISIBLE.sub("", html.unescape(value)).lower()
                assert not cleaned.startswith(BAD_SCHEMES), (where, tag, name, value)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("xss") / "site"
    articles = site / "content/articles"
    articles.mkdir(parents=True)
    (site / "newsgen.yaml").write_text(BASIC_CONFIG)
    for index, payload in enumerate(PAYLOADS):
        (articles / f"payload-{index:02d}.md").write_text(
            _front(f"Payload {index}", f"Before.\n\n{payload}\n\nAfter."), encoding="utf-8")
    (articles / "title-payload.md").write_text(_front(
        '</title><script>alert(1)</script>"', "Body.",
        summary=json.dumps("<img src=x onerror=alert(1)>"),
        location=json.dumps("\"><svg onload=alert(1)>"),
        tags=json.dumps(["<script>alert(1)</script>", "x\" onmouseover=\"alert(1)"]),
        image='{src: "https://x.org/a.png", alt: "\\" onerror=\\"alert(1)"}'))
    (articles / "template-text.md").write_text(_front(
        "{{ config }} and {% raw %}", "Body {{ config.base_url }} {% include 'base.html' %}"))
    code = main(["build", str(site), "--now", "2026-03-25T12:00", "-q"])
    assert code == 0
    return site / "public"


def _article_pages(out: Path) -> list[Path]:
    return sorted(out.glob("world/2026/03/*/index.html"))


def test_enough_payloads() -> None:
    assert len(PAYLOADS) >= 30


def test_every_page_is_harmless(hostile_site: Path) -> None:
    pages = _article_pages(hostile_site)
    assert len(pages) == len(PAYLOADS) + 2
    for page in sorted(hostile_site.rglob("*.html")):
        assert_harmless(lxml.html.parse(str(page)).getroot(), str(page))


def test_payload_text_survives_as_text(hostile_site: Path) -> None:
    """Escaping, not deletion: a reader of the script payload sees what the editor typed."""
    page = hostile_site / "world/2026/03/payload-00/index.html"
    text = lxml.html.parse(str(page)).getroot().text_content()
    assert "<script>alert(1)</script>" in text


@pytest.mark.parametrize("feed", ["rss.xml", "atom.xml", "world/rss.xml"])
def test_feed_content_is_harmless(hostile_site: Path, feed: str) -> None:
    path = hostile_site / feed
    if not path.exists():
        pytest.skip(f"{feed} is not generated")
    tree = lxml.etree.parse(str(path))
    checked = 0
    for element in tree.iter():
        if not isinstance(element.tag, str) or not element.text:
            continue
        local = lxml.etree.QName(element).localname
        # HTML-bearing elements: RSS content:encoded, Atom content/summary of type html
        # (an Atom summary without a type is text, shown as typed)
        if local == "encoded" or (local in ("content", "summary")
                                  and element.get("type") == "html"):
            fragment = lxml.html.fragment_fromstring(element.text, create_parent="div")
            assert_harmless(fragment, f"{feed}: {local}")
            checked += 1
    assert checked >= len(PAYLOADS)


def test_template_syntax_in_content_comes_out_literally(hostile_site: Path) -> None:
    page = lxml.html.parse(str(hostile_site / "world/2026/03/template-text/index.html"))
    text = page.getroot().text_content()
    assert "{{ config }} and {% raw %}" in text
    assert "Body {{ config.base_url }} {% include 'base.html' %}" in text


def test_raw_html_allowed_when_the_site_opts_in(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content/articles").mkdir(parents=True)
    (site / "newsgen.yaml").write_text(BASIC_CONFIG + "markdown: {unsafe_html: true}\n")
    (site / "content/articles/raw.md").write_text(
        _front("Raw", 'Text <span class="kicker">kept</span>.\n\n<aside>Box</aside>'))
    assert main(["build", str(site), "--now", "2026-03-25T12:00", "-q"]) == 0
    root = lxml.html.parse(str(site / "public/world/2026/03/raw/index.html")).getroot()
    assert root.xpath("//span[@class='kicker']")[0].text == "kept"
    assert root.xpath("//aside")[0].text == "Box"


def test_raw_html_escaped_by_default(hostile_site: Path) -> None:
    root = lxml.html.parse(str(hostile_site / "world/2026/03/payload-03/index.html")).getroot()
    assert not [a for a in root.iter("a") if (a.text or "") == "raw"]


def test_rss_description_is_harmless(hostile_site: Path) -> None:
    tree = lxml.etree.parse(str(hostile_site / "rss.xml"))
    for element in tree.iter("description"):
        fragment = lxml.html.fragment_fromstring(element.text or "", create_parent="div")
        assert_harmless(fragment, "rss.xml: description")


def test_control_characters_never_reach_the_feeds(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content/articles").mkdir(parents=True)
    (site / "newsgen.yaml").write_text(BASIC_CONFIG)
    (site / "content/articles/ctl.md").write_text(
        '---\ntitle: "Bell\\a tab\\t esc\\e vt\\v nul\\0 del\\x7f"\ndate: 2026-03-20T10:00\n'
        'section: world\nsummary: "form\\ffeed"\n---\n\nBody with \x0b and \x1b[31m colour.\n')
    assert main(["build", str(site), "--now", "2026-03-25T12:00", "-q"]) == 0
    for feed in sorted((site / "public").rglob("*.xml")):
        data = feed.read_bytes()
        lxml.etree.fromstring(data)  # well-formed XML 1.0
        assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", data), feed
        assert not re.search(r"&#(x0*[0-8bcef]|x0*1[0-9a-f]|0*([0-8]|1[1249]|2[0-9]|3[01]));",
                             data.decode(), re.I), feed
