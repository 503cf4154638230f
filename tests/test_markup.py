"""Markdown to safe HTML: raw HTML escaped, URLs checked, attributes allow-listed."""

from __future__ import annotations

import lxml.html
import pytest

from newsgen.render.markup import MarkdownConverter


def html_of(text: str, **options: object) -> lxml.html.HtmlElement:
    body = MarkdownConverter(**options).convert(text, "content/articles/a.md").html  # type: ignore[arg-type]
    return lxml.html.fragment_fromstring(body, create_parent="div")


def test_raw_html_is_text_by_default() -> None:
    root = html_of("Hi <b onclick='x'>there</b>")
    assert not root.xpath("//b")
    assert "<b onclick='x'>there</b>" in root.text_content()


def test_raw_html_allowed_when_unsafe_but_urls_still_checked() -> None:
    root = html_of('<p><b>bold</b> <a href="javascript:alert(1)">x</a></p>', unsafe_html=True)
    assert root.xpath("//b")


@pytest.mark.parametrize("link", ["javascript:alert(1)", "JAVASCRIPT:alert(1)",
                                  "&#x6A;avascript:alert(1)", "java&#9;script:x",
                                  "vbscript:x", "data:text/html,x", "\x01javascript:x"])
def test_script_urls_become_hash(link: str) -> None:
    for text in (f"[a]({link})", f"![a]({link})", f"[a][r]\n\n[r]: {link}"):
        root = html_of(text)
        values = [e.get("href") or e.get("src") for e in root.iter("a", "img")]
        assert values == ["#"], (text, values)


def test_autolink_to_javascript_is_not_a_link() -> None:
    root = html_of("<javascript:alert(1)>")
    assert not [a for a in root.iter("a") if a.get("href", "#") != "#"]


def test_safe_links_survive_with_prefix() -> None:
    root = html_of("[a](https://x.org/p?q=1) [b](/world/) [c](mailto:a@b.c)", url_prefix="/news")
    assert [a.get("href") for a in root.iter("a")] == ["https://x.org/p?q=1", "/news/world/",
                                                       "mailto:a@b.c"]


def test_attributes_cannot_break_out() -> None:
    root = html_of('![x" onerror="y](https://x.org/a.png "t\\" onload=\\"z")\n\n'
                   '```js" onclick="q\ncode\n```\n\n~~~ {: .ok onclick="q" }\ncode\n~~~')
    for element in root.iter():
        assert not [name for name in element.attrib if name.startswith("on")]
    assert root.xpath("//img")[0].get("alt") == 'x" onerror="y'
    assert root.xpath("//code[@class='language-ok']")


def test_template_syntax_is_plain_text() -> None:
    assert "{{ config }}" in html_of("{{ config }} {% raw %}").text_content()


@pytest.mark.parametrize(("text", "line"), [("ok\n\n" + "[a](" * 300, 3), ("_" * 300, 1),
                                            ("x\n" + " " * 300 + "- y", 2),
                                            ("> " * 150 + "q", 1)])
def test_pathological_nesting_is_refused(text: str, line: int) -> None:
    from newsgen.content.nesting import nesting_problem
    found = nesting_problem(text)
    assert found is not None and found[0] == line


def test_ordinary_text_is_not_refused() -> None:
    from newsgen.content.nesting import nesting_problem
    text = "A (b [c] (d)) e.\n\n" + "-" * 400 + "\n\n    code ((((((\n\n*" + "x" * 500 + "*"
    assert nesting_problem(text) is None
