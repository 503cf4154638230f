"""Aliases: old addresses of an article keep working (redirect pages, ``_redirects``, an
nginx map), and aliases that collide or leave the site are refused at their line."""

from __future__ import annotations

import http.client
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from conftest import BASIC_CONFIG, article, tree_digest
from lxml import html

from newsgen.commands import main

NOW = "2026-03-25T12:00"


def build(site: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["build", str(site), "--now", NOW, "-q", *args])
    return code, capsys.readouterr().err


def moved(aliases: str, slug: str = "harbour-reopens", title: str = "Harbour reopens") -> str:
    return article(title, slug=slug, aliases=aliases)


def test_each_alias_gets_a_redirect_page_and_rules(make_site, capsys) -> None:
    site = make_site({
        "content/articles/a.md": moved("[/2019/05/old-harbour/, /story.php?id=3]"
                                       .replace("?id=3", ".html"))})
    code, err = build(site, capsys)
    assert code == 0, err
    out = site / "public"
    target = "https://gazette.example.org/world/2026/03/harbour-reopens/"
    for relative in ("2019/05/old-harbour/index.html", "story.php.html"):
        page = html.fromstring((out / relative).read_bytes())
        assert page.xpath("//link[@rel='canonical']/@href") == [target]
        refresh = page.xpath("//meta[@http-equiv='refresh']/@content")
        assert refresh == [f"0; url={target}"]
        links = page.xpath("//main//a")
        assert [a.get("href") for a in links] == [target]
        assert links[0].text_content() == "Harbour reopens"
        assert page.xpath("//meta[@name='robots']/@content") == ["noindex"]
    rules = (out / "_redirects").read_text().splitlines()
    assert rules[1:] == ["/2019/05/old-harbour/ /world/2026/03/harbour-reopens/ 301",
                         "/story.php.html /world/2026/03/harbour-reopens/ 301"]
    nginx = (out / "redirects.nginx.map").read_text()
    for key in ("/2019/05/old-harbour", "/2019/05/old-harbour/",
                "/2019/05/old-harbour/index.html", "/story.php.html"):
        assert f'"{key}" "/world/2026/03/harbour-reopens/";' in nginx
    # redirect pages are not pages readers should find in the sitemap
    assert "old-harbour" not in (out / "sitemap.xml").read_text()


def test_nginx_map_redirects_through_a_real_nginx(make_site, capsys, tmp_path) -> None:
    """The map file is what nginx reads: a real nginx answers each old address with a 301
    to the article (skipped where nginx is not installed)."""
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if nginx is None:
        pytest.skip("nginx is not installed")
    site = make_site({"content/articles/a.md": moved("[/old/, /older.html]")})
    assert build(site, capsys)[0] == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"""daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;
events {{}}
http {{ access_log off; map $uri $newsgen_redirect {{
  include {site}/public/redirects.nginx.map; }}
  server {{ listen 127.0.0.1:{port}; root {site}/public;
    if ($newsgen_redirect) {{ return 301 $newsgen_redirect; }} }} }}
""")
    server = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp_path)],
                              stderr=subprocess.PIPE)
    try:
        answers = {}
        for path in ("/old", "/old/", "/old/index.html", "/older.html", "/elsewhere/"):
            answers[path] = _status(port, path)
    finally:
        server.terminate()
        server.wait(timeout=10)
    target = "/world/2026/03/harbour-reopens/"
    for path in ("/old", "/old/", "/old/index.html", "/older.html"):
        assert answers[path][0] == 301 and answers[path][1].endswith(target), answers
    assert answers["/elsewhere/"][0] != 301  # no rule: nginx answers as usual


def _status(port: int, path: str) -> tuple[int, str]:
    for _ in range(50):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.getheader("Location") or ""
        except ConnectionRefusedError:
            time.sleep(0.1)
    raise AssertionError("nginx did not start")


def test_a_site_without_aliases_has_no_redirect_files(make_site, capsys) -> None:
    site = make_site({"content/articles/a.md": article()})
    assert build(site, capsys)[0] == 0
    assert not (site / "public" / "_redirects").exists()
    assert not (site / "public" / "redirects.nginx.map").exists()


def test_base_url_path_prefixes_rules_and_files(make_site, capsys) -> None:
    config = BASIC_CONFIG.replace("https://gazette.example.org",
                                  "https://gazette.example.org/news")
    site = make_site({"content/articles/a.md": moved("[/old/]")}, config=config)
    assert build(site, capsys)[0] == 0
    out = site / "public"
    assert (out / "old" / "index.html").is_file()
    assert "/news/old/ /news/world/2026/03/harbour-reopens/ 301" in \
        (out / "_redirects").read_text()


def test_drafts_and_embargoed_articles_reveal_no_old_address(make_site, capsys) -> None:
    site = make_site({
        "content/articles/a.md": article("Draft", slug="draft", aliases="[/d/]",
                                         draft="true"),
        "content/articles/b.md": article("Later", slug="later", aliases="[/l/]",
                                         date="2026-04-01T10:00"),
        "content/articles/c.md": article("Now"),
    })
    assert build(site, capsys)[0] == 0
    out = site / "public"
    assert not (out / "d").exists() and not (out / "l").exists()
    assert not (out / "_redirects").exists()


ALIAS_CASES = [
    ("leaves-site", "[https://elsewhere.example.com/x/]", 6, "leaves the site"),
    ("protocol-relative", "['//elsewhere.example.com/x/']", 6, "leaves the site"),
    ("relative", "[old/path/]", 6, "must be a site path"),
    ("dot-dot", "[/a/../../etc/]", 6, "cannot be a file in the output"),
    ("query", "['/story?id=3']", 6, "query"),
    ("generated-root", "[/tags/harbour/]", 6, "newsgen generates"),
    ("space", "['/old story/']", 6, "without spaces"),
]


@pytest.mark.parametrize(("value", "line", "message"),
                         [c[1:] for c in ALIAS_CASES], ids=[c[0] for c in ALIAS_CASES])
def test_bad_alias_is_an_error_at_its_line(make_site, capsys, value: str, line: int,
                                           message: str) -> None:
    site = make_site({"content/articles/a.md": article()})
    assert build(site, capsys)[0] == 0
    before = tree_digest(site / "public")
    (site / "content/articles/b.md").write_text(moved(value))
    code, err = build(site, capsys)
    assert code == 1
    assert re.search(rf"^content/articles/b\.md:{line}: .*{re.escape(message)}", err, re.M), err
    assert "Traceback" not in err
    assert tree_digest(site / "public") == before


def test_alias_on_a_real_page_names_both_files_and_lines(make_site, capsys) -> None:
    site = make_site({
        "content/articles/a.md": article("Ferry", slug="ferry"),
        "content/articles/b.md": "---\ntitle: Harbour\ndate: 2026-03-20T10:00\n"
                                 "section: world\naliases:\n  - /gone/\n"
                                 "  - /world/2026/03/ferry/\n---\n\nText.\n",
        "content/pages/about.md": "---\ntitle: About\n---\n\nUs.\n",
        "content/articles/c.md": article("Other", slug="other",
                                         aliases="[/about/, /gone/]"),
    })
    code, err = build(site, capsys)
    assert code == 1
    assert re.search(r"^content/articles/b\.md:7: alias '/world/2026/03/ferry/' is the "
                     r"address of a real page \(content/articles/a\.md:5\)", err, re.M), err
    assert re.search(r"^content/articles/c\.md:6: alias '/about/' .*content/pages/about\.md",
                     err, re.M), err
    assert re.search(r"^content/articles/c\.md:6: alias '/gone/' is also an alias of "
                     r"content/articles/b\.md:6", err, re.M), err


def test_renamed_article_keeps_old_address_with_an_alias(make_site, capsys) -> None:
    """The workflow the README describes: change the slug, add the old path as alias."""
    site = make_site({"content/articles/a.md": article("Harbour", slug="harbour")})
    assert build(site, capsys)[0] == 0
    old = "/world/2026/03/harbour/"
    site.joinpath("content/articles/a.md").write_text(moved(f"[{old}]", slug="harbour-2"))
    assert build(site, capsys)[0] == 0
    page = html.fromstring((site / "public/world/2026/03/harbour/index.html").read_bytes())
    assert page.xpath("//link[@rel='canonical']/@href") == [
        "https://gazette.example.org/world/2026/03/harbour-2/"]
