"""Property tests: whatever an editor types, the parsers answer with a ContentError at worst,
slugs and output paths stay inside their folder, and Markdown never becomes script.

CI runs 1,000 examples per property; ``NEWSGEN_HYPOTHESIS_EXAMPLES=10000`` is the long run.
"""

from __future__ import annotations

import html
import json
import os
import re
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lxml.html
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown.inlinepatterns import LinkInlineProcessor

from newsgen.content.fields import FieldReader
from newsgen.content.frontmatter import decode_source, parse_yaml, split_front_matter
from newsgen.content.live import LiveUpdate
from newsgen.content.models import Article
from newsgen.content.publish import article_item, item_order, newest_article_items
from newsgen.content.urls import slug_problem, slugify
from newsgen.engine.manifest_text import ManifestText
from newsgen.engine.paths import UnsafePath, check_relative, safe_join
from newsgen.errors import ContentError, ProblemList
from newsgen.render.markdown_pruning import _BracketEnds
from newsgen.render.markup import MarkdownConverter

EXAMPLES = settings(max_examples=int(os.environ.get("NEWSGEN_HYPOTHESIS_EXAMPLES", 1000)),
                    deadline=None, suppress_health_check=[HealthCheck.too_slow])
ZONE = __import__("zoneinfo").ZoneInfo("Europe/Lisbon")

YAML_PIECES = st.sampled_from([
    "---", "...", "\n", "  ", "- ", ": ", "title", "date", "tags", "[", "]", "{", "}", ",",
    "&a ", "*a", "!!python/object:os.system ", "!!binary ", "!!set ", "!!omap ", "!x ", "<<",
    "? ", "|", ">", "'", '"', "#", "%YAML 1.1\n", "%TAG ! tag:x:\n", "2026-02-30", "1e9",
    "0x1F", "~", "null", "yes", "no", "\t", "\\", "\x00", "\ufeff", "é", "\ud800"[0:0],
    "2026-03-29T01:30", "=", "@", "`",
])
YAML_TEXT = st.one_of(st.text(max_size=200),
                      st.lists(YAML_PIECES | st.text(max_size=5), max_size=40).map("".join))


def parse_file(raw: bytes) -> None:
    """Everything newsgen does with an article's bytes before models: decode, split, parse,
    and read typed fields."""
    text = decode_source(raw, "a.md")
    yaml_text, _body, _line = split_front_matter(text, "a.md")
    doc = parse_yaml(yaml_text, "a.md", first_line=2)
    reader = FieldReader(doc, ZONE, ProblemList())
    reader.text("title", required=True)
    reader.time("date", required=True)
    reader.boolean("draft")
    reader.text_list("tags")
    reader.mapping("image", ("src", "alt"))
    reader.mapping_list("corrections", ("date", "text"))
    reader.warn_unknown(("title",), "article")


@EXAMPLES
@given(YAML_TEXT)
def test_front_matter_text_raises_only_content_error(text: str) -> None:
    for raw in (("---\n" + text + "\n---\nbody\n").encode("utf-8", "surrogatepass"),
                text.encode("utf-8", "surrogatepass")):
        try:
            parse_file(raw)
        except ContentError as exc:
            assert exc.problem.location.path == "a.md"


@EXAMPLES
@given(st.binary(max_size=300))
def test_front_matter_bytes_raise_only_content_error(raw: bytes) -> None:
    try:
        parse_file(b"---\n" + raw + b"\n---\n")
    except ContentError:
        pass
    try:
        parse_yaml(decode_source(raw, "h.yaml"), "h.yaml")
    except ContentError:
        pass


@EXAMPLES
@given(st.text(max_size=120))
def test_slugs_are_safe_and_stable(text: str) -> None:
    slug = slugify(text)
    assert "/" not in slug and "\\" not in slug and ".." not in slug
    assert not re.search(r"[\x00-\x1f\x7f-\x9f]", slug)
    assert slugify(slug) == slug
    assert slug == "" or slug_problem(slug) is None or slug in ("con", "prn", "aux", "nul") \
        or re.fullmatch(r"(com|lpt)[1-9]", slug)


_ROOT = Path(tempfile.mkdtemp(prefix="newsgen-safe-join-"))
(_ROOT / "out").mkdir(exist_ok=True)
(_ROOT / "out" / "inside").mkdir(exist_ok=True)
if not (_ROOT / "out" / "escape").exists():
    (_ROOT / "out" / "escape").symlink_to(_ROOT)  # a symlink inside pointing out
PATH_PIECES = st.sampled_from(["..", ".", "/", "\\", "%2e", "%2f", "C:", "\x00", "inside",
                               "escape", "a", "con", "NUL.txt", "index.html", "~", "\n", "é"])


@EXAMPLES
@given(st.one_of(st.text(max_size=40), st.lists(PATH_PIECES, max_size=10).map("".join),
                 st.lists(PATH_PIECES, max_size=6).map("/".join)))
def test_safe_join_never_leaves_the_root(relative: str) -> None:
    root = _ROOT / "out"
    try:
        target = safe_join(root, relative)
    except UnsafePath:
        return
    resolved = target.resolve()
    assert resolved == root.resolve() or root.resolve() in resolved.parents
    assert check_relative(relative) == relative


MD_PIECES = st.sampled_from([
    "[a](", ")", "](", "<", ">", "javascript:", "JaVaScRiPt:", "&#106;", "&#x6A;", "&colon;",
    "java\tscript:", "vbscript:", "data:", "alert(1)", "<script>", "</script>", "```", "~~~",
    "{: ", "onclick=", '"', "'", "![", "[r]: ", "[r]", "\n", "\n\n", "    ", "*", "_", "#",
    "|", "---", "[^1]", "<a href=", "<img src=x onerror=", "&", ";", "\x00", "\\", "`",
    "*[", "]:", "http://", "article:", "x.md", "%0a", "\x0b",
    "\n::: factbox T\n", "\n::: pullquote A\n", "\n::: timeline T\n", "\n::: readmore\n",
    "\n:::\n", "- 06:00 | x\n", ":::",
])
MARKDOWN = st.one_of(st.text(max_size=200), st.lists(MD_PIECES | st.text(max_size=4),
                                                     max_size=50).map("".join))
_CONVERTER = MarkdownConverter()
_BAD_URL = re.compile(r"^(javascript|vbscript|data):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f]+")


@EXAMPLES
@given(MARKDOWN)
def test_markdown_never_emits_script(text: str) -> None:
    body = _CONVERTER.convert(text, "content/articles/a.md").html
    if not body.strip():
        return
    root = lxml.html.fragment_fromstring(body.replace("\x00", ""), create_parent="div")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag.lower() != "script", body
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), body
            if name in ("href", "src"):
                cleaned = _INVISIBLE.sub("", html.unescape(value)).lower()
                assert not _BAD_URL.match(cleaned), body


_UNPRUNED = MarkdownConverter(prune=False)
_WHITESPACE = st.sampled_from(["  \n", "\t", "\t\n", "  \r\n", "\r", " \t\n", "<x@y.z>",
                               "<http://a.b/>", "&amp;", "&#65;", "\\*", "\\[", "[^n]: note\n",
                               "> ", "\n> ", "## ", "\n===", "\n---", "- - -", "\n: ",
                               "a | b\n", "|---|", "*[ABC]: x\n", "[r]: /x\n", "\n    ",
                               "[TOC]", "\n\n[TOC]\n\n", "[", "]", "[[", "]]", "](/a)",
                               "[x][r]", "![i](/p.png)", "(", ")", "\x02", "\x03",
                               "\n```\n", "\n~~~\n", "{: .c}", "{#i}", "\n{: #x}\n", "\\{",
                               "{", "}"])


@EXAMPLES
@given(st.lists(MD_PIECES | _WHITESPACE | st.text(max_size=4), max_size=50).map("".join))
# Python-Markdown drops STX and ETX before anything else, which can join a trigger.
@example("``\x02`\ncode\n``\x03`\n")
@example("[TO\x02C]")
@example("a [\x03^1] b\n\n[^1]: n")
# attribute lists and backslash escapes: their tree processors are skipped without "{", "\\"
@example("## H {: #h .c }\n\npara\n{: .p}\n\n- item\n{: .l}")
@example("a \\{: .c} \\*b\\* [l](/x \"t\\*\")")
def test_leaving_out_impossible_patterns_changes_nothing(text: str) -> None:
    """The converter skips inline patterns whose trigger characters a body or a text node
    lacks, and block processors whose trigger a block lacks, and finds closing brackets its
    own way; the HTML must be exactly what Python-Markdown gives with every pattern and
    processor tried."""
    assert _CONVERTER.convert(text, "content/articles/a.md") == \
        _UNPRUNED.convert(text, "content/articles/a.md")


@EXAMPLES
@given(st.text(alphabet="[]a!(", max_size=60))
def test_bracket_ends_agree_with_python_markdown(data: str) -> None:
    """The converter's closing-bracket finder answers every index as Python-Markdown's."""
    original = getattr(LinkInlineProcessor, "_findBracketEnds", None)
    if original is None:
        pytest.skip("this Python-Markdown has no _findBracketEnds; the converter keeps its own")
    ends = _BracketEnds(data)
    assert [ends[index] for index in range(len(data) + 1)] == original(data)


START = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
STORY = st.tuples(st.integers(0, 12), st.sampled_from(["Alpha", "Beta", "Gamma"]),
                  st.booleans(), st.lists(st.integers(-30, 30), max_size=2),
                  st.sampled_from(["open", "ended"]))


@EXAMPLES
@given(st.lists(STORY, max_size=25), st.integers(1, 6), st.sets(st.integers(0, 24)))
def test_the_newest_article_items_are_the_first_of_all_of_them_sorted(
        stories: list[tuple[int, str, bool, list[int], str]], count: int,
        skipped: set[int]) -> None:
    """The ticker takes its article items from the newest articles and the live blogs only
    (publish.newest_article_items); the result is what sorting every article's item gives,
    ties (same time, same title) included."""
    articles = [Article(f"s{i}.md", f"s{i}", title, START - timedelta(hours=hours), "world",
                        f"/s{i}/", 5, live=live, live_state=state,
                        updates=tuple(LiveUpdate(START + timedelta(minutes=m), "u", 9)
                                      for m in minutes) if live else ())
                for i, (hours, title, live, minutes, state) in enumerate(stories)]
    articles.sort(key=lambda a: (-a.date.timestamp(), a.slug))  # as select() orders them
    skip = {f"s{i}" for i in skipped}
    every = [(a.slug, article_item(a)) for a in articles if a.slug not in skip]
    expected = sorted(every, key=lambda pair: item_order(pair[1]))[:count]
    assert newest_article_items(articles, count, skip) == expected
    shuffled = list(reversed(articles))  # not newest first: every item is looked at
    assert newest_article_items(shuffled, count, skip) == \
        sorted([(a.slug, article_item(a)) for a in shuffled if a.slug not in skip],
               key=lambda pair: item_order(pair[1]))[:count]


@EXAMPLES
@given(st.dictionaries(st.text(max_size=12), st.tuples(st.text("0123456789abcdef", max_size=8),
                                                         st.integers(0, 10**12)), max_size=40),
       st.text(max_size=12))
def test_manifest_text_finds_every_key_and_no_other(entries: dict[str, tuple[str, int]],
                                                    other: str) -> None:
    """The writer's manifest text (compact, sorted, ASCII JSON) is searched like a sorted
    list (engine/manifest_text.py): every key is found with its value, whatever its
    characters (quotes, commas, backslashes, any script), and a key not in it is not."""
    mapping = {key: list(value) for key, value in sorted(entries.items())}
    manifest = ManifestText.of(json.dumps(mapping, separators=(",", ":")))
    if manifest is None:  # a key ending with a comma or starting with a colon: parsed
        assert any(key.endswith(",") or key.startswith(":") for key in mapping)
        return
    for key, value in mapping.items():
        assert manifest.get(key) == value
    if other not in mapping:
        assert manifest.get(other) is None
