"""Site templates over the built-in theme: extend one block, replace one page, or use none."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import lxml.html
import pytest

from newsgen.build.builder import BuildOptions, build_site
from newsgen.content.config import load_config
from newsgen.content.times import parse_time
from newsgen.errors import BuildFailed
from tests.conftest import REPO, article

FILES: dict[str, str | bytes] = {
    "content/articles/one.md": article("One", "2026-03-20T10:00", tags="[t]"),
    "content/pages/about.md": "---\ntitle: About\n---\n\nUs.\n",
}
ARTICLE = "world/2026/03/one/index.html"


def build(site: Path) -> Path:
    out = site.parent / "out"
    zone = load_config(site).timezone
    build_site(site, BuildOptions(out_dir=out, now=parse_time("2026-03-25T12:00", zone)))
    return out


def page(out: Path, relative: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((out / relative).read_bytes())


def test_theme_is_used_when_the_site_has_no_templates(make_site: Callable[..., Path]) -> None:
    site = make_site(FILES)
    assert not (site / "templates").exists()
    out = build(site)
    doc = page(out, ARTICLE)
    assert doc.xpath("string(//h1)") == "One"
    assert doc.xpath("//link[@rel='stylesheet']/@href") and (out / "theme/style.css").is_file()
    theme_css = (REPO / "static/theme/style.css").read_bytes()
    assert (out / "theme/style.css").read_bytes() == theme_css


def test_site_template_extends_the_theme_and_overrides_one_block(
        make_site: Callable[..., Path]) -> None:
    files = dict(FILES)
    files["templates/article.html"] = (
        '{% extends "theme/article.html" %}\n'
        '{% block footer %}<footer id="custom-footer">Printed on {{ article.title }}'
        '</footer>{% endblock %}\n')
    out = build(make_site(files))
    doc = page(out, ARTICLE)
    assert doc.xpath("string(//footer[@id='custom-footer'])") == "Printed on One"
    assert doc.xpath("string(//h1)") == "One", "the rest of the theme's article page stays"
    assert doc.xpath('//a[@rel="tag"]/@href') == ["/tags/t/"]
    front = page(out, "index.html")
    assert not front.xpath("//footer[@id='custom-footer']"), "only article pages change"
    assert front.xpath("//footer")


def test_site_base_template_changes_every_page(make_site: Callable[..., Path]) -> None:
    files = dict(FILES)
    files["templates/base.html"] = (
        '{% extends "theme/base.html" %}\n'
        '{% block footer %}<footer><p id="x-site-base">yes</p></footer>'
        '{% endblock %}\n')
    out = build(make_site(files))
    for relative in ("index.html", ARTICLE, "about/index.html", "world/index.html",
                     "tags/t/index.html", "404.html"):
        assert page(out, relative).xpath("//footer/p[@id='x-site-base']/text()") == ["yes"], \
            relative


def test_site_template_replaces_a_page_entirely(make_site: Callable[..., Path]) -> None:
    files = dict(FILES)
    files["templates/page.html"] = (
        "<!DOCTYPE html>\n<html lang=\"{{ site.language }}\"><head><title>{{ page.title }}"
        "</title></head><body><div id=\"plain\">{{ static_page.html | safe }}</div>"
        "</body></html>\n")
    out = build(make_site(files))
    doc = page(out, "about/index.html")
    assert doc.xpath("string(//title)") == "About"
    assert doc.xpath("string(//div[@id='plain']/p)") == "Us."
    assert not doc.xpath("//link[@rel='stylesheet']")
    assert page(out, ARTICLE).xpath("//link[@rel='stylesheet']"), "other pages keep the theme"


def test_site_macros_override_the_theme_macros(make_site: Callable[..., Path]) -> None:
    theme_macros = (REPO / "templates/_macros.html").read_text()
    files = dict(FILES)
    files["templates/_macros.html"] = theme_macros.replace(
        'class="teaser-title"', 'class="teaser-title site-teaser"')
    out = build(make_site(files))
    assert page(out, "world/index.html").xpath("//*[contains(@class, 'site-teaser')]")


def test_macros_see_site_but_not_the_page(make_site: Callable[..., Path]) -> None:
    """The theme imports its macros without the page's context: ``site`` is a global, and
    a macro that reads a page variable fails at its own line, naming the variable."""
    theme_macros = (REPO / "templates/_macros.html").read_text()
    files = dict(FILES)
    files["templates/_macros.html"] = theme_macros.replace(
        '<p class="teaser-meta">', '<p class="teaser-meta" data-paper="{{ site.title }}">')
    doc = page(build(make_site(files)), "world/index.html")
    assert doc.xpath("//p[@class='teaser-meta']/@data-paper")[0] == doc.xpath(
        "string(//p[@class='masthead-title'])").strip()
    lines = theme_macros.split("\n")
    line = next(i for i, text in enumerate(lines, 1) if '<p class="teaser-meta">' in text)
    files["templates/_macros.html"] = theme_macros.replace(
        '<p class="teaser-meta">', '<p class="teaser-meta" data-kind="{{ page.kind }}">')
    with pytest.raises(BuildFailed) as failed:
        build(make_site(files))
    text = str(failed.value.problems[0])
    assert text.startswith(f"templates/_macros.html:{line}: "), text
    assert "'page' is undefined" in text, text


def test_template_error_is_reported_at_its_line(make_site: Callable[..., Path]) -> None:
    files = dict(FILES)
    files["templates/article.html"] = (
        '{% extends "theme/article.html" %}\n'
        '{% block footer %}\n{{ no_such_variable.title }}\n{% endblock %}\n')
    with pytest.raises(BuildFailed) as failed:
        build(make_site(files))
    text = "\n".join(str(p) for p in failed.value.problems)
    assert text.startswith("templates/article.html:3: "), text
    assert "no_such_variable" in text


def test_template_failing_on_one_page_leaves_the_old_output(
        make_site: Callable[..., Path]) -> None:
    from tests.conftest import tree_digest
    files = dict(FILES)
    files["content/articles/two.md"] = article("Two", "2026-03-21T10:00")
    site = make_site(files)
    out = build(site)
    before = tree_digest(out)
    (site / "templates").mkdir()
    (site / "templates/article.html").write_text(
        '{% extends "theme/article.html" %}\n{% block footer %}\n'
        '{% if article.slug == "two" %}{{ 1 // 0 }}{% endif %}\n{% endblock %}\n')
    with pytest.raises(BuildFailed) as failed:
        build(site)
    assert str(failed.value.problems[0]).startswith("templates/article.html:3: ")
    assert tree_digest(out) == before
    assert not [p for p in site.parent.iterdir() if "staging" in p.name or "journal" in p.name]


def test_cached_block_renders_once_per_distinct_arguments() -> None:
    from newsgen.render.templating import FragmentCache
    renders: list[str] = []

    def block(text: str) -> Callable[[], str]:
        return lambda: renders.append(text) or f"<p>{text}</p>"

    cached = FragmentCache()
    article = object()
    assert cached("teaser", article, "h2", True, caller=block("a")) == "<p>a</p>"
    assert cached("teaser", article, "h2", True, caller=block("b")) == "<p>a</p>"
    assert cached("teaser", article, "h3", True, caller=block("c")) == "<p>c</p>"
    assert cached("teaser", article, "h2", 1, caller=block("d")) == "<p>d</p>", "1 is not True"
    assert cached("teaser", object(), "h2", True, caller=block("e")) == "<p>e</p>"
    assert renders == ["a", "c", "d", "e"]


def test_cached_block_survives_one_turn_of_the_cache_and_is_dropped_after_two() -> None:
    """At its limit the cache starts a new generation and keeps the previous one: a fragment
    asked for again from there is moved to the new one, not rendered again (emptying the
    cache at the limit re-rendered most teasers of a 10,000-article build); what nobody
    asked for during a whole generation goes, so memory stays bounded."""
    from newsgen.render.templating import FragmentCache

    class Small(FragmentCache):
        LIMIT = 2

    renders: list[str] = []
    cached = Small()
    items = {name: object() for name in "abcd"}

    def show(name: str) -> str:
        return cached("teaser", items[name], caller=lambda: renders.append(name) or name)

    assert [show(name) for name in "abcad"] == ["a", "b", "c", "a", "d"]
    assert renders == ["a", "b", "c", "d"], "a was kept in the older generation"
    assert [show(name) for name in "cab"] == ["c", "a", "b"]
    assert renders == ["a", "b", "c", "d", "b"], "b went when d started a generation"


def test_teasers_are_right_on_every_page_they_appear_on(make_site: Callable[..., Path]) -> None:
    """One article's teaser in a related list, a tag listing and a section listing: the cached
    fragment of one page never leaks into another that asks for other options."""
    files = dict(FILES)
    files["content/articles/two.md"] = article("Two", "2026-03-21T10:00", tags="[t]",
                                               summary="Second.")
    out = build(make_site(files))
    related = page(out, ARTICLE).xpath("//section[@class='related']//article")
    assert [t.xpath("string(.//h3)") for t in related] == ["Two"]
    assert not related[0].xpath(".//*[@class='teaser-summary']")
    for listing in ("tags/t/index.html", "world/index.html"):
        teasers = page(out, listing).xpath("//div[@class='listing']/article")
        assert [t.xpath("string(.//h2)") for t in teasers] == ["Two", "One"], listing
        assert teasers[0].xpath("string(.//*[@class='teaser-summary'])") == "Second."
    kickers = page(out, "tags/t/index.html").xpath("//div[@class='listing']//p[@class='kicker']")
    assert len(kickers) == 2
    assert not page(out, "world/index.html").xpath("//div[@class='listing']//p[@class='kicker']")


def test_fixed_theme_strings_are_folded_into_the_compiled_template(
        make_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """``_("literal")`` is translated as the template compiles (no call per page); a string
    with arguments is still called; the output is the catalog's, HTML in it trusted."""
    from newsgen.i18n.catalogs import TemplateStrings
    from newsgen.render.templating import make_environment

    site = make_site({**FILES, "locale/fr.po": 'msgid "Latest news"\nmsgstr "Le <b>fil</b>"\n',
                      "templates/probe.html": '<p title="{{ _("Latest news") }}">'
                                              '{{ _("Latest news") }}|{{ _("By %(names)s", '
                                              'names="<A & B>") }}|{{ _("Latest news")|length }}'
                                              '</p>'},
                     config="title: T\nbase_url: https://e.org\nlanguage: fr\n")
    calls: list[str] = []
    real = TemplateStrings.gettext

    def counted(self: TemplateStrings, message: str, **variables: object) -> str:
        calls.append(message)
        return real(self, message, **variables)

    monkeypatch.setattr(TemplateStrings, "gettext", counted)
    template = make_environment(load_config(site)).get_template("probe.html")
    compiled = len(calls)
    assert calls == ["Latest news"] * 3  # looked up while compiling, not called
    html = template.render()
    assert html == ('<p title="Le <b>fil</b>">Le <b>fil</b>|Par &lt;A &amp; B&gt;|13</p>')
    assert calls[compiled:] == ["By %(names)s"]
