"""The moves ledger (``content/moved.yaml``): a slug change noticed against the last build's
addresses is recorded there, and every build (incremental or clean) gives each recorded
old address a redirect page and rule lines, as an alias would."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import article, older_ticker_allowed, tree_digest
from lxml import html

from newsgen.commands import main

NOW = "2026-03-25T12:00"
OLD = "/world/2026/03/harbour/"
TARGET = "https://gazette.example.org/world/2026/03/harbour-2/"
LEDGER = "content/moved.yaml"


def build(site: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["build", str(site), "--now", NOW, *args])
    return code, capsys.readouterr().err


def entries(site: Path) -> list[str]:
    return [line for line in (site / LEDGER).read_text().splitlines()
            if not line.startswith("#")]


@pytest.fixture
def site(make_site):
    return make_site({"content/articles/a.md": article("Harbour", slug="harbour"),
                      "content/articles/b.md": article("Other", slug="other",
                                                       date="2026-03-21T10:00")})


def _move(site: Path, slug: str, **extra: str) -> None:
    (site / "content/articles/a.md").write_text(article("Harbour", slug=slug, **extra))


def test_a_slug_change_is_recorded_and_redirected_like_a_clean_build(site, capsys) -> None:
    assert build(site, capsys)[0] == 0
    assert not (site / LEDGER).exists()  # nothing moved: no ledger
    _move(site, "harbour-2")
    code, err = build(site, capsys)
    assert code == 0, err
    assert "recorded 1 moved address in content/moved.yaml; commit it" in err
    assert "moved from" not in err  # no warning: the redirect is there
    assert entries(site) == [f'"{OLD}": "content/articles/a.md"']
    out = site / "public"
    page = html.fromstring((out / "world/2026/03/harbour/index.html").read_bytes())
    assert page.xpath("//link[@rel='canonical']/@href") == [TARGET]
    assert page.xpath("//meta[@http-equiv='refresh']/@content") == [f"0; url={TARGET}"]
    assert f"{OLD} /world/2026/03/harbour-2/ 301" in (out / "_redirects").read_text()
    assert f'"{OLD}" "/world/2026/03/harbour-2/";' in (out / "redirects.nginx.map").read_text()
    # a build from the checkout alone (no cache, a fresh folder) gives the same files
    clean = site.parent / "clean"
    assert build(site, capsys, "--no-cache", "-o", str(clean))[0] == 0
    older = older_ticker_allowed(site)
    assert tree_digest(out, older) == tree_digest(clean, older)
    # and the ledger is left alone when nothing moves
    before = (site / LEDGER).stat().st_mtime_ns
    _move(site, "harbour-2", summary="Edited.")
    code, err = build(site, capsys)
    assert code == 0 and "moved address" not in err, err
    assert (site / LEDGER).stat().st_mtime_ns == before


def test_a_second_move_takes_every_old_address_along(site, capsys) -> None:
    assert build(site, capsys, "-q")[0] == 0
    _move(site, "harbour-2")
    assert build(site, capsys, "-q")[0] == 0
    _move(site, "harbour-3")
    assert build(site, capsys, "-q")[0] == 0
    assert entries(site) == ['"/world/2026/03/harbour-2/": "content/articles/a.md"',
                             f'"{OLD}": "content/articles/a.md"']
    rules = (site / "public/_redirects").read_text().splitlines()[1:]
    assert rules == ["/world/2026/03/harbour-2/ /world/2026/03/harbour-3/ 301",
                     f"{OLD} /world/2026/03/harbour-3/ 301"]


def test_deleted_or_draft_article_entries_give_no_redirect(site, capsys) -> None:
    assert build(site, capsys, "-q")[0] == 0
    _move(site, "harbour-2")
    assert build(site, capsys, "-q")[0] == 0
    _move(site, "harbour-2", draft="true")
    assert build(site, capsys, "-q")[0] == 0
    assert not (site / "public/world/2026/03/harbour/index.html").exists()
    assert not (site / "public/_redirects").exists()
    (site / "content/articles/a.md").unlink()
    assert build(site, capsys, "-q")[0] == 0
    assert not (site / "public/world/2026/03/harbour/index.html").exists()
    assert entries(site) == [f'"{OLD}": "content/articles/a.md"']  # kept, inert


def test_a_page_at_a_recorded_address_wins_and_the_entry_goes(site, capsys) -> None:
    assert build(site, capsys, "-q")[0] == 0
    _move(site, "harbour-2")
    assert build(site, capsys, "-q")[0] == 0
    _move(site, "harbour")  # back where it was: its page answers the old address again
    code, err = build(site, capsys)
    assert code == 0, err
    assert re.search(r"^content/moved\.yaml:4: '/world/2026/03/harbour/' is now answered by "
                     r"content/articles/a\.md:5; its redirect is dropped", err, re.M), err
    assert "recorded 1 moved address" in err  # harbour-2 is the old address now
    assert entries(site) == ['"/world/2026/03/harbour-2/": "content/articles/a.md"']
    assert "<h1" in (site / "public/world/2026/03/harbour/index.html").read_text()
    clean = site.parent / "clean"
    assert build(site, capsys, "-q", "--no-cache", "-o", str(clean))[0] == 0
    older = older_ticker_allowed(site)
    assert tree_digest(site / "public", older) == tree_digest(clean, older)


def test_an_alias_wins_over_a_ledger_entry(site, capsys) -> None:
    assert build(site, capsys, "-q")[0] == 0
    _move(site, "harbour-2")
    assert build(site, capsys, "-q")[0] == 0
    (site / "content/articles/b.md").write_text(article("Other", slug="other",
                                                        date="2026-03-21T10:00",
                                                        aliases=f"[{OLD}]"))
    code, err = build(site, capsys)
    assert code == 0, err
    assert "is now answered by content/articles/b.md:6" in err
    assert "/world/2026/03/other/" in (site / "public/_redirects").read_text()
    assert not (site / LEDGER).read_text().count(OLD)


BAD = [
    ("- /a/\n", 4, "must be a mapping of old paths"),
    ('"/x/": content/articles/a.md\n"https://elsewhere/": content/articles/a.md\n', 5,
     "old path 'https://elsewhere/' leaves the site"),
    ('"/x/": static/a.md\n', 4, "must map to an article file"),
    ('"/x/": [a]\n', 4, "must map to an article file"),
    ('"/x/": content/articles/a.md\n"/x/": content/articles/b.md\n', 5, "duplicate key"),
]


@pytest.mark.parametrize(("text", "line", "message"), BAD, ids=[b[2][:20] for b in BAD])
def test_a_hand_edited_ledger_is_checked_at_its_lines(site, capsys, text: str, line: int,
                                                      message: str) -> None:
    assert build(site, capsys, "-q")[0] == 0
    before = tree_digest(site / "public")
    (site / LEDGER).write_text("# my notes\n# more\n\n" + text)
    code, err = build(site, capsys, "-q")
    assert code == 1, err
    assert re.search(rf"^content/moved\.yaml:{line}: .*{re.escape(message)}", err, re.M), err
    assert "Traceback" not in err
    assert tree_digest(site / "public") == before


def test_the_ledger_is_not_taken_for_content(site, capsys) -> None:
    """Its entries are no headline, page or article; ``check`` says a build would record."""
    assert build(site, capsys, "-q")[0] == 0
    _move(site, "harbour-2")
    assert main(["check", str(site), "--now", NOW]) == 0
    assert "a build will record 1 moved address in content/moved.yaml" in \
        capsys.readouterr().err
    assert not (site / LEDGER).exists()  # check writes nothing
    assert build(site, capsys, "-q")[0] == 0
    assert main(["check", str(site), "--now", NOW, "--strict"]) == 0


def test_unwritable_ledger_falls_back_to_the_warning(site, capsys) -> None:
    """A read-only ledger (a checkout the build may not change): the build warns at the
    slug line and names the alias to add. Root ignores file modes, so there the file is
    made immutable instead."""
    assert build(site, capsys, "-q")[0] == 0
    ledger = site / LEDGER
    ledger.write_text("# nothing moved yet\n")
    as_root = os.geteuid() == 0
    if as_root:
        if subprocess.run(["chattr", "+i", str(ledger)], capture_output=True).returncode:
            pytest.skip("cannot make the ledger read-only here (chattr refused)")
    else:
        ledger.chmod(0o444)
    try:
        _move(site, "harbour-2")
        code, err = build(site, capsys)
    finally:
        if as_root:
            subprocess.run(["chattr", "-i", str(ledger)], check=True)
        ledger.chmod(0o644)
    assert code == 0
    assert re.search(rf"^content/articles/a\.md:5: .*moved from {OLD} to "
                     r"/world/2026/03/harbour-2/; add 'aliases: \[/world/2026/03/harbour/\]'",
                     err, re.M), err
    assert "recorded" not in err
    assert ledger.read_text() == "# nothing moved yet\n"
