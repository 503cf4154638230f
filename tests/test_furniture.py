"""Story furniture (``:::`` blocks): the HTML each kind gives, bodies without blocks
unchanged, and every mistake in a block reported at its file line."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest
from conftest import article
from hypothesis import given, settings
from hypothesis import strategies as st

from newsgen.commands import main
from newsgen.content.blocks import block_problems
from newsgen.render.markup import MarkdownConverter

CONVERTER = MarkdownConverter()


def fragment(markdown_text: str) -> lxml.html.HtmlElement:
    body = CONVERTER.convert(markdown_text, "content/articles/a.md").html
    return lxml.html.fragment_fromstring(body, create_parent="div")


def test_fact_box_holds_any_markdown_under_its_title() -> None:
    root = fragment("::: factbox What we know so far\n- One **fact**\n- Two\n\nA note.\n:::\n")
    box = root.xpath("div[@class='fact-box']")[0]
    assert box.xpath("p[@class='fact-box-title']/text()") == ["What we know so far"]
    assert [li.text_content() for li in box.xpath("ul/li")] == ["One fact", "Two"]
    assert box.xpath("ul/li/strong/text()") == ["fact"]
    assert box.xpath("p[not(@class)]/text()") == ["A note."]


def test_pull_quote_is_a_figure_with_its_source() -> None:
    root = fragment("Before.\n\n::: pullquote Amara Haddad, harbour master\n"
                    "We have never seen the water this high.\n:::\n\nAfter.")
    figure = root.xpath("figure[@class='pull-quote']")[0]
    assert figure.xpath("blockquote/p/text()") == ["We have never seen the water this high."]
    assert figure.xpath("figcaption/text()") == ["Amara Haddad, harbour master"]
    assert [p.text for p in root.xpath("p")] == ["Before.", "After."]


def test_timeline_items_keep_their_order_and_times() -> None:
    root = fragment("::: timeline How it unfolded\n- 06:00 | Barrier *closes*\n"
                    "- 09:30 | Road shut\n\n- Friday | Ferries cancelled\n:::\n")
    box = root.xpath("div[@class='timeline']")[0]
    assert box.xpath("p[@class='timeline-title']/text()") == ["How it unfolded"]
    items = box.xpath("ol[@class='timeline-list']/li")
    assert [i.xpath("span[@class='timeline-when']/text()")[0] for i in items] == [
        "06:00", "09:30", "Friday"]
    assert [i.text_content() for i in items] == [
        "06:00 Barrier closes", "09:30 Road shut", "Friday Ferries cancelled"]
    assert items[0].xpath(".//em/text()") == ["closes"]


def test_read_more_lists_links_and_keeps_internal_link_tokens() -> None:
    root = fragment("::: readmore\n- [Barrier](article:barrier)\n- [Elsewhere](https://x.org/)"
                    "\n:::\n")
    box = root.xpath("div[@class='read-more']")[0]
    assert box.xpath("p[@class='read-more-label']/text()") == ["Read more"]
    assert box.xpath("ul/li/a/@href") == ["article:barrier", "https://x.org/"]


def test_a_block_right_under_a_paragraph_is_still_a_block() -> None:
    root = fragment("Paragraph\n::: factbox Facts\n- a\n:::\nAfter")
    assert root.xpath("p/text()") == ["Paragraph", "After"]
    assert root.xpath("div[@class='fact-box']/ul/li/text()") == ["a"]


_PLAIN = MarkdownConverter()
_PLAIN.md.parser.blockprocessors.deregister("newsgen-furniture")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", " ", "\n", "\n\n", "::", ":", "- ", "|", "# ", "> ",
                                 "factbox", "x :::", "`", "*"]), max_size=40).map("".join))
def test_bodies_without_a_block_line_convert_as_before(text: str) -> None:
    if any(line.startswith(":::") for line in text.split("\n")):
        return
    assert CONVERTER.convert(text).html == _PLAIN.convert(text).html


BAD = [
    ("unknown-kind", "Text.\n\n::: sidebar Facts\n- a\n:::\n", 3, "unknown block '::: sidebar'"),
    ("never-closed", "::: factbox Facts\n- a\n", 1, "never closed"),
    ("stray-close", "Text.\n\n:::\n", 3, "closes no block"),
    ("no-title", "::: factbox\n- a\n:::\n", 1, "needs a title"),
    ("no-source", "::: pullquote\nWords.\n:::\n", 1, "needs its source"),
    ("timeline-line", "::: timeline T\n- 06:00 | a\n- no time here\n:::\n", 3,
     "'- WHEN | WHAT'"),
    ("nested", "::: factbox A\n::: timeline B\n:::\n", 2, "cannot start inside"),
]


@pytest.mark.parametrize(("body", "line", "message"), [b[1:] for b in BAD],
                         ids=[b[0] for b in BAD])
def test_block_mistakes_are_found_at_their_line(body: str, line: int, message: str) -> None:
    problems = block_problems(body)
    assert problems and problems[0][0] == line and message in problems[0][1], problems


def test_build_reports_every_block_mistake_at_its_file_line(make_site, capsys) -> None:
    body = "Intro.\n\n::: sidebar X\n:::\n\n::: timeline T\n- bad\n:::\n"
    site = make_site({"content/articles/a.md": article(body=body)})
    code = main(["build", str(site), "--now", "2026-03-25T12:00", "-q"])
    err = capsys.readouterr().err
    assert code == 1
    # the body starts at line 7 of the file (after 5 front-matter lines and a blank)
    assert re.search(r"^content/articles/a\.md:9: unknown block", err, re.M), err
    assert re.search(r"^content/articles/a\.md:13: a timeline line", err, re.M), err
    assert "closes no block" not in err


def test_read_more_to_a_missing_article_is_an_error_at_its_line(make_site, capsys) -> None:
    body = "Intro.\n\n::: readmore\n- [Gone](article:no-such-story)\n:::\n"
    site = make_site({"content/articles/a.md": article(body=body)})
    code = main(["build", str(site), "--now", "2026-03-25T12:00", "-q"])
    err = capsys.readouterr().err
    assert code == 1
    assert re.search(r"^content/articles/a\.md:10: .*no-such-story", err, re.M), err


def test_furniture_in_a_built_page(make_site, capsys, tmp_path: Path) -> None:
    body = "Intro.\n\n::: readmore\n- [Other](article:other)\n:::\n"
    site = make_site({"content/articles/a.md": article(body=body),
                      "content/articles/b.md": article("Other", slug="other")})
    assert main(["build", str(site), "--now", "2026-03-25T12:00", "-q"]) == 0
    page = lxml.html.parse(str(site / "public/world/2026/03/a/index.html")).getroot()
    assert page.xpath("//div[@class='read-more']//a/@href") == ["/world/2026/03/other/"]
