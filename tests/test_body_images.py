"""Images in Markdown bodies reported at their Markdown line (front-matter lines counted),
and page bundles with their images in subfolders, end to end."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import lxml.html
import pytest

from newsgen.errors import BuildFailed
from tests.conftest import BASIC_CONFIG, article, run_newsgen
from tests.photo_factory import camera_jpeg, has_gps, png
from tests.test_photos import BAD_FILES, _age, _published, build

# article() writes five front-matter lines and a blank one: the body starts on line 7.
INLINE = "Intro.\n\n![Harbour at dusk](/images/harbour.jpg)\n"  # image on line 9
REFERENCE = "![Harbour at dusk][h]\n\nMore.\n\n[h]: /images/harbour.jpg\n"  # line 7, def 11
STYLES = {"inline": (INLINE, 9), "reference": (REFERENCE, 11)}


def _errors(site: Path) -> list[str]:
    with pytest.raises(BuildFailed) as failed:
        build(site)
    return [str(p) for p in failed.value.problems if p.severity == "error"]


@pytest.mark.parametrize("style", sorted(STYLES))
@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_body_image_is_reported_at_its_markdown_line(
        make_site: Callable[..., Path], case: str, style: str) -> None:
    """A reference-style image is reported where its path is written: the definition."""
    data, words = BAD_FILES[case]
    body, line = STYLES[style]
    files: dict[str, str | bytes] = {"content/articles/a.md": article("Harbour", body=body)}
    if data is not None:
        files["static/images/harbour.jpg"] = data
    errors = _errors(make_site(files))
    prefix = f"content/articles/a.md:{line}: image '/images/harbour.jpg'"
    assert [e for e in errors if e.startswith(prefix) and words in e], errors


def test_body_image_leaving_the_site_or_its_bundle(make_site: Callable[..., Path]) -> None:
    site = make_site({
        "static/images/x.jpg": camera_jpeg(800, 600),
        "content/articles/flat.md": article("Flat",
                                            body="Text.\n\n![A quay](../../../../../x.jpg)"),
        "content/articles/lane/index.md": article(
            "Lane", body="![A quay](photos/../../x.jpg)\n\n![A lane](photos/gone.jpg)"),
        "content/articles/far.md": article("Far", body="![A boat](boat.jpg)"),
    })
    errors = _errors(site)
    assert "content/articles/flat.md:9: image '../../../../../x.jpg' leaves the site" in \
        "\n".join(errors)
    assert "content/articles/lane/index.md:7: image 'photos/../../x.jpg' leaves the article's " \
           "folder" in "\n".join(errors)
    assert "content/articles/lane/index.md:9: image 'photos/gone.jpg' is not in the " \
           "article's folder" in errors
    assert "content/articles/far.md:7: image 'boat.jpg' is not a file of the site" in \
        "\n".join(errors)


def test_missing_image_in_a_static_page_body(make_site: Callable[..., Path]) -> None:
    site = make_site({"content/articles/a.md": article("A"),
                      "content/pages/about.md": "---\ntitle: About\n---\n\nOur desk.\n\n"
                                                "![The newsroom](/images/desk.jpg)\n"})
    assert _errors(site) == ["content/pages/about.md:7: image '/images/desk.jpg' is not in "
                             "static/"]


def test_check_warns_on_body_images_at_their_lines(make_site: Callable[..., Path]) -> None:
    """Width at the line of the path (the definition for ``![..][ref]``), alt text at the
    line of the ``![alt]``; a path used twice in a body is reported once."""
    body = ("![narrow.jpg](/images/narrow.jpg)\n\n"      # 7: alt is the file name, narrow
            "![](/images/wide.jpg)\n\n"                    # 9: no alt
            "![tiny][n]\n\n"                               # 11: alt is the file's stem
            "![A chart of arrivals](/images/chart.png)\n\n"  # 13: fine (800 px)
            "[n]: /images/tiny.png\n")                     # 15: narrow
    site = make_site({"static/images/narrow.jpg": camera_jpeg(300, 200),
                      "static/images/wide.jpg": camera_jpeg(1400, 900),
                      "static/images/tiny.png": png(100, 80),
                      "static/images/chart.png": png(800, 500),
                      "content/articles/a.md": article("A", body=body + "\n![Again]"
                                                       "(/images/narrow.jpg)\n")})
    result = run_newsgen("check", site)
    said = (result.stdout + result.stderr).splitlines()
    assert result.returncode == 0
    found = [line for line in said if line.startswith("content/articles/a.md:")]
    assert found == [
        "content/articles/a.md:7: warning: image '/images/narrow.jpg' is 300 px wide, "
        "narrower than the article column (704 px): it is shown at its own width",
        "content/articles/a.md:7: warning: image alt text 'narrow.jpg' is the file's name: "
        "describe the picture for readers who cannot see it",
        "content/articles/a.md:9: warning: image '/images/wide.jpg' has no alt text: "
        "describe the picture for readers who cannot see it",
        "content/articles/a.md:11: warning: image alt text 'tiny' is the file's name: "
        "describe the picture for readers who cannot see it",
        "content/articles/a.md:15: warning: image '/images/tiny.png' is 100 px wide, "
        "narrower than the article column (704 px): it is shown at its own width",
    ]


BUNDLE = "content/articles/2026/11/harbour-lane"


def _bundle_site(make_site: Callable[..., Path]) -> Path:
    return make_site({
        f"{BUNDLE}/index.md": article(
            "Harbour lane", date="2026-03-20T10:00", featured="true",
            image='{src: photos/photo.jpg, alt: "Cranes over the lane", focus: [0.3, 0.5]}',
            body="![The lane at night](./photos/night/quay.jpg)\n\n"
                 "![Cranes again](photos/../photos/photo.jpg)\n"),
        f"{BUNDLE}/photos/photo.jpg": camera_jpeg(1600, 1200),
        f"{BUNDLE}/photos/night/quay.jpg": camera_jpeg(1000, 700),
        "content/articles/flat.md": article("Flat", date="2026-03-19T10:00"),
    })


def _pictures(out: Path) -> list[lxml.html.HtmlElement]:
    doc = lxml.html.fromstring((out / "world/2026/03/harbour-lane/index.html").read_bytes())
    return doc.xpath("//picture//img")


def test_bundle_images_in_subfolders(make_site: Callable[..., Path]) -> None:
    out = build(_bundle_site(make_site))
    folder = out / "world/2026/03/harbour-lane"
    hero, night, again = _pictures(out)
    assert hero.get("src") == "/world/2026/03/harbour-lane/photos/photo.jpg"
    assert (night.get("src"), night.get("width")) == ("./photos/night/quay.jpg", "1000")
    assert again.get("width") == "1600"
    for img in (hero, night, again):
        for candidate in img.get("srcset").split(", "):
            assert (out / candidate.split()[0].lstrip("/")).is_file()
    assert (folder / "photos/photo-jpg-og-30-50.jpg").is_file()
    for published in ("photos/photo.jpg", "photos/night/quay.jpg"):
        assert not has_gps((folder / published).read_bytes())


def test_bundle_subfolder_changes_incremental_equals_clean(
        make_site: Callable[..., Path]) -> None:
    site = _bundle_site(make_site)
    _age(site)
    out = build(site)
    (site / BUNDLE / "photos/night/quay.jpg").write_bytes(camera_jpeg(1200, 600))
    (site / BUNDLE / "photos/extra").mkdir()
    (site / BUNDLE / "photos/extra/crane.jpg").write_bytes(camera_jpeg(900, 600))
    index = site / BUNDLE / "index.md"
    index.write_text(index.read_text() + "\n![A crane](photos/extra/crane.jpg)\n")
    _age(site)
    build(site, out)
    assert [img.get("width") for img in _pictures(out)] == ["1600", "1200", "1600", "900"]
    clean = build(site, site.parent / "clean", use_cache=False)
    assert _published(out, site) == _published(clean, site)
    (site / BUNDLE / "photos/extra/crane.jpg").unlink()
    index.write_text(index.read_text().replace("![A crane](photos/extra/crane.jpg)", ""))
    _age(site)
    build(site, out)
    assert not (out / "world/2026/03/harbour-lane/photos/extra").exists()
    clean = build(site, site.parent / "clean2", use_cache=False)
    assert _published(out, site) == _published(clean, site)


def test_a_subfolder_that_is_a_bundle_is_not_published_twice(
        make_site: Callable[..., Path]) -> None:
    site = make_site({
        "content/articles/lane/index.md": article("Lane", image="{src: p.jpg, alt: A lane}"),
        "content/articles/lane/p.jpg": camera_jpeg(800, 600),
        "content/articles/lane/annex/index.md": article("Annex", date="2026-03-19T10:00",
                                                        image="{src: q.jpg, alt: A quay}"),
        "content/articles/lane/annex/q.jpg": camera_jpeg(700, 500),
    })
    out = build(site)
    assert (out / "world/2026/03/lane/p.jpg").is_file()
    assert (out / "world/2026/03/annex/q.jpg").is_file()
    assert not (out / "world/2026/03/lane/annex").exists()


def test_under_a_url_prefix_images_are_named_as_written(make_site: Callable[..., Path]) -> None:
    config = BASIC_CONFIG.replace("gazette.example.org", "example.org/gazette")
    site = make_site({"static/images/ok.jpg": camera_jpeg(800, 600),
                      "content/articles/a.md": article(
                          "A", body="![A quay](/images/ok.jpg)\n\n![A boat](/images/boat.jpg)\n"
                                    "\n![A lane](../../../../../ok.jpg)")}, config=config)
    assert _errors(site) == [
        "content/articles/a.md:9: image '/images/boat.jpg' is not in static/",
        "content/articles/a.md:11: image '../../../../../ok.jpg' leaves the site: name a file "
        "in static/ by its site path, such as /images/photo.jpg"]
