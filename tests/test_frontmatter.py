"""Front matter: decoding, the ``---`` block and YAML with file line numbers."""

from __future__ import annotations

import pytest

from newsgen.content.frontmatter import MAX_DEPTH, decode_source, parse_yaml, split_front_matter
from newsgen.errors import ContentError


def test_lines_are_in_file_coordinates() -> None:
    text = decode_source(b"---\ntitle: A\ntags:\n  - x\n  - y\n---\nBody\n", "a.md")
    yaml_text, body, body_line = split_front_matter(text, "a.md")
    doc = parse_yaml(yaml_text, "a.md", first_line=2)
    assert doc.value == {"title": "A", "tags": ["x", "y"]}
    assert doc.line("title") == 2
    assert doc.line("tags", 1) == 5
    assert doc.line("missing") == 2  # a missing key points at its mapping
    assert (body, body_line) == ("Body\n", 7)


def test_syntax_error_line_is_in_file_coordinates() -> None:
    with pytest.raises(ContentError) as info:
        parse_yaml("a: 1\nb: [\n", "a.md", first_line=2)
    assert info.value.problem.location.line in (3, 4)
    assert "YAML syntax error" in info.value.problem.message


def test_duplicate_key_names_both_lines() -> None:
    with pytest.raises(ContentError, match="first on line 2, again on line 4"):
        parse_yaml("a: 1\nb: 2\na: 3\n", "a.md", first_line=2)


@pytest.mark.parametrize("text", ["a: !!python/object/apply:os.system ['true']",
                                  "a: !!python/name:os.system", "a: !!binary aGk=",
                                  "a: !!set {x}", "a: !custom x", "<<: {a: 1}"])
def test_tags_and_merges_are_refused(text: str) -> None:
    with pytest.raises(ContentError):
        parse_yaml(text, "a.md")


def test_scalars_keep_their_types_and_timestamps_stay_text() -> None:
    doc = parse_yaml("a: 1\nb: true\nc: 2026-03-20\nd: ~\ne: 1.5\n", "a.md")
    assert doc.value == {"a": 1, "b": True, "c": "2026-03-20", "d": None, "e": 1.5}


def test_nesting_is_bounded_even_far_past_the_c_stack() -> None:
    parse_yaml("a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH, "a.md")
    with pytest.raises(ContentError, match="nested"):
        parse_yaml("a: " + "[" * 200_000 + "]" * 200_000, "a.md")


def test_alias_expansion_is_bounded() -> None:
    text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "\n".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]"
        for i in range(6))
    with pytest.raises(ContentError, match="more than"):
        parse_yaml(text, "a.md")


def test_decoding() -> None:
    assert decode_source(b"\xef\xbb\xbfa\r\nb\rc", "a.md") == "a\nb\nc"
    with pytest.raises(ContentError, match="UTF-16"):
        decode_source("---\n".encode("utf-16"), "a.md")
    with pytest.raises(ContentError) as info:
        decode_source(b"ok\nab\xff", "a.md")
    assert info.value.problem.location.line == 2
    assert "column 3" in info.value.problem.message


@pytest.mark.parametrize("text", ["title: x\n", "---\ntitle: x\n", ""])
def test_front_matter_must_open_and_close(text: str) -> None:
    with pytest.raises(ContentError) as info:
        split_front_matter(text, "a.md")
    assert info.value.problem.location.line == 1
