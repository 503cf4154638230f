"""newsgen.yaml: every problem in one pass, each at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsgen.content.config import load_config, permalink_problem
from newsgen.errors import BuildFailed
from tests.conftest import BASIC_CONFIG


def problems(tmp_path: Path, text: str | bytes) -> list[str]:
    path = tmp_path / "newsgen.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(BuildFailed) as info:
        load_config(tmp_path)
    return [str(p) for p in info.value.problems]


def test_good_config(tmp_path: Path) -> None:
    (tmp_path / "newsgen.yaml").write_text(BASIC_CONFIG + "limits: {file_size: 1000}\n")
    config = load_config(tmp_path)
    assert config.timezone.key == "Europe/Lisbon"
    assert config.max_file_size == 1000
    assert config.section_ids() == ("world", "city")


def test_every_problem_in_one_pass(tmp_path: Path) -> None:
    text = ("title: 5\nbase_url: ftp://x\ntimezone: Mars/Olympus\nper_page: 0\n"
            "permalink: /{slug}/../\nsectons: []\nsections:\n  - {id: tags}\n")
    found = problems(tmp_path, text)
    assert [p.split(": ", 1)[0] for p in found] == [f"newsgen.yaml:{n}" for n in
                                                    (1, 2, 3, 4, 5, 6, 8)]
    assert "did you mean 'sections'" in found[5]


def test_missing_file_and_not_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(BuildFailed, match="no newsgen.yaml"):
        load_config(tmp_path)
    assert problems(tmp_path, "- a\n- b\n") == [
        "newsgen.yaml:1: newsgen.yaml must be a mapping of keys to values"]


@pytest.mark.parametrize("zone", ["../../etc/passwd", "/etc/localtime", "Europe/Atlantis",
                                  "", "UTC\x00"])
def test_bad_time_zones(tmp_path: Path, zone: str) -> None:
    text = BASIC_CONFIG.replace("Europe/Lisbon", repr(zone) if zone else "'x y'")
    assert any("time zone" in p for p in problems(tmp_path, text))


@pytest.mark.parametrize("pattern", ["/{slug}/../", "/%2e%2e/{slug}/", "/{year}/",
                                     "C:/{slug}/", "/{slug}", "/{nope}/{slug}/",
                                     "//evil/{slug}/", "/a\\b/{slug}/"])
def test_permalink_problems(pattern: str) -> None:
    assert permalink_problem(pattern)


def test_encoding_problems_name_the_config(tmp_path: Path) -> None:
    assert problems(tmp_path, b"title: \xff\n")[0].startswith("newsgen.yaml:1:")
