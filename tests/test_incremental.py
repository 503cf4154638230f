"""Incremental builds are byte-identical to clean builds, whatever sequence of edits.

A Hypothesis state machine edits a small site (articles added, edited, renamed, moved,
deleted, drafted; headlines added; files settled, old enough for the build's shortcuts; live
updates, some timed ahead; config and templates changed; the clock moved past embargoes and
held updates) and after every step compares the incremental build (cache, previous output)
with a clean ``--no-cache`` build into an empty folder, file by file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import BASIC_CONFIG, article, older_ticker_allowed, tree_digest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from photo_factory import camera_jpeg

from newsgen.build.builder import BuildOptions, build_site
from newsgen.distribution import search
from newsgen.render.fingerprint import Fingerprinter

ZONE = ZoneInfo("Europe/Lisbon")
WORDS = ["harbour", "council", "rain", "market", "bridge", "ferry", "budget", "school"]
TAGS = ["ports", "transport", "weather", "money", "schools"]
EXAMPLES = int(os.environ.get("NEWSGEN_INCREMENTAL_EXAMPLES", "25"))


def _text(draw_words: list[str]) -> str:
    return " ".join(draw_words) or "Text"


class IncrementalBuilds(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="newsgen-incr-"))
        # Search shards at this site's scale: a year of more than 3 articles by month, and
        # the newest month of more than 2 by day, so edits split and merge shards.
        self.shard_limits = search.SHARD_MAX, search.RECENT_MAX
        search.SHARD_MAX, search.RECENT_MAX = 3, 2
        self.site = self.root / "site"
        (self.site / "content" / "articles").mkdir(parents=True)
        (self.site / "content" / "headlines").mkdir(parents=True)
        (self.site / "newsgen.yaml").write_text(BASIC_CONFIG + "ticker: {size: 4}\n"
                                                "per_page: 2\n")
        self.now = datetime(2026, 3, 20, 12, 0, tzinfo=ZONE)
        self.counter = 0
        self.slugs: list[str] = []
        self.headline_count = 0
        (self.site / "content" / "pages").mkdir()
        (self.site / "content" / "pages" / "about.md").write_text(
            "---\ntitle: About us\n---\n\nWe report.\n\n![Our newsroom](/images/body.jpg)\n")
        self._write_image(120)
        self.extras: list[str] = []
        self.languages = False  # languages: en, fr, ar once enable_languages has run
        self.banners: dict[str, str] = {}  # edition -> its banner's YAML (set_banner)
        self.translations: list[str] = []
        self.checkouts = 0  # fresh_checkout's count: each gives the files another mtime
        self._write_photo(320, 1)
        self._write_photo(400, 1, "body.jpg")
        for _ in range(3):
            self._write_article(f"First story {self.counter}", ["ports"], "world", 0)

    def teardown(self) -> None:
        search.SHARD_MAX, search.RECENT_MAX = self.shard_limits
        shutil.rmtree(self.root, ignore_errors=True)

    # -- helpers -------------------------------------------------------------------------
    def _path(self, slug: str) -> Path:
        return self.site / "content" / "articles" / f"{slug}.md"

    def _write_article(self, title: str, tags: list[str], section: str, hours: int,
                       body: str = "Body text.", draft: bool = False) -> str:
        self.counter += 1
        if self.counter % 4 == 1:  # a photo in the body: a <picture> with its renditions
            body += "\n\n![The quay](/images/body.jpg)"
        slug = f"story-{self.counter}"
        when = (self.now - timedelta(hours=self.counter) + timedelta(hours=hours))
        extra = {"tags": "[" + ", ".join(tags) + "]", "authors": "[ana]"}
        if self.counter % 3 == 0:
            extra["image"] = "{src: /images/photo.jpg, alt: Cranes, focus: [0.5, 0.5]}"
        elif self.counter % 2:
            extra["image"] = "{src: /images/pic.svg, alt: A harbour at dawn}"
        if draft:
            extra["draft"] = "true"
        self._path(slug).write_text(article(title=title, date=when.strftime("%Y-%m-%dT%H:%M"),
                                            section=section, body=body, **extra))
        self.slugs.append(slug)
        return slug

    def _write_image(self, width: int) -> None:
        path = self.site / "static" / "images" / "pic.svg"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
                        'height="90"></svg>\n')

    def _write_photo(self, width: int, orientation: int, name: str = "photo.jpg") -> None:
        path = self.site / "static" / "images" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(camera_jpeg(width, width * 3 // 4, orientation))

    def _build(self, out: Path, use_cache: bool) -> None:
        build_site(self.site, BuildOptions(out_dir=out, now=self.now, use_cache=use_cache,
                                           workers=1))

    # -- rules ---------------------------------------------------------------------------
    @rule(words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
          tags=st.lists(st.sampled_from(TAGS), max_size=3, unique=True),
          section=st.sampled_from(["world", "city"]), hours=st.integers(-5, 30),
          draft=st.booleans())
    def add_article(self, words: list[str], tags: list[str], section: str, hours: int,
                    draft: bool) -> None:
        self._write_article(_text(words).title(), tags, section, hours, draft=draft)

    @precondition(lambda self: self.slugs)
    @rule(index=st.integers(0, 100), words=st.lists(st.sampled_from(WORDS), max_size=30))
    def edit_body(self, index: int, words: list[str]) -> None:
        path = self._path(self.slugs[index % len(self.slugs)])
        text = path.read_text()
        head, _, _ = text.partition("\n---\n")
        path.write_text(head + "\n---\n\n" + _text(words) + "\n\n## More\n\nEnd.\n")

    @precondition(lambda self: self.slugs)
    @rule(index=st.integers(0, 100), words=st.lists(st.sampled_from(WORDS), min_size=1,
                                                    max_size=3))
    def edit_title(self, index: int, words: list[str]) -> None:
        path = self._path(self.slugs[index % len(self.slugs)])
        lines = path.read_text().split("\n")
        lines[1] = f"title: {_text(words).title()}"
        path.write_text("\n".join(lines))

    @precondition(lambda self: self.slugs)
    @rule(index=st.integers(0, 100), years=st.integers(1, 2))
    def backdate_article(self, index: int, years: int) -> None:
        """Into an earlier year: another search index shard (and archive month)."""
        path = self._path(self.slugs[index % len(self.slugs)])
        lines = path.read_text().split("\n")
        year, rest = lines[2][len("date: "):].split("-", 1)
        lines[2] = f"date: {int(year) - years}-{rest}"
        path.write_text("\n".join(lines))

    @precondition(lambda self: len(self.slugs) > 1)
    @rule(index=st.integers(0, 100))
    def delete_article(self, index: int) -> None:
        slug = self.slugs.pop(index % len(self.slugs))
        self._path(slug).unlink()
        self._drop_headlines(slug)

    @precondition(lambda self: self.slugs)
    @rule(index=st.integers(0, 100))
    def rename_article(self, index: int) -> None:
        position = index % len(self.slugs)
        old = self.slugs[position]
        self.counter += 1
        new = f"story-{self.counter}"
        self._path(old).rename(self._path(new))
        self.slugs[position] = new
        self._drop_headlines(old)

    @precondition(lambda self: self.slugs)
    @rule(index=st.integers(0, 100))
    def toggle_draft(self, index: int) -> None:
        path = self._path(self.slugs[index % len(self.slugs)])
        text = path.read_text()
        if "\ndraft: true\n" in text:
            path.write_text(text.replace("\ndraft: true\n", "\n"))
        else:
            path.write_text(text.replace("\n---\n", "\ndraft: true\n---\n", 1))

    @precondition(lambda self: self.slugs)
    @rule(index=st.integers(0, 100), kind=st.sampled_from(["factbox", "timeline", "embed"]),
          words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))
    def furnish_body(self, index: int, kind: str, words: list[str]) -> None:
        """Story furniture and an embed in a body (and gone again with the next edit)."""
        path = self._path(self.slugs[index % len(self.slugs)])
        head, _, _ = path.read_text().partition("\n---\n")
        text = _text(words)
        block = {"factbox": f"::: factbox What we know\n- {text}\n:::",
                 "timeline": f"::: timeline So far\n- 06:00 | {text}\n:::",
                 "embed": f"::: embed https://vimeo.com/{len(text)} {text}"}[kind]
        path.write_text(head + "\n---\n\nIntro.\n\n" + block + "\n\nEnd.\n")

    @precondition(lambda self: self.slugs)
    @rule(index=st.integers(0, 100))
    def toggle_alias(self, index: int) -> None:
        """An old address kept by ``aliases:``: a redirect page and rule files appear, and
        disappear with the last alias."""
        slug = self.slugs[index % len(self.slugs)]
        path = self._path(slug)
        text = path.read_text()
        if "\naliases: " in text:
            head, _, rest = text.partition("\naliases: ")
            path.write_text(head + rest.partition("\n")[2].join(["\n", ""]))
        else:
            path.write_text(text.replace("\n---\n", f"\naliases: [/old/{slug}/]\n---\n", 1))

    @precondition(lambda self: self.slugs)
    @rule(index=st.integers(0, 100))
    def move_article(self, index: int) -> None:
        """An article moves to the other section and back (its address changes, as with a
        new slug, but headlines and translations keep linking to its slug): the incremental
        build records the old address in ``content/moved.yaml`` (a redirect page), moving
        back drops the entry its page answers again, and the clean build reads the same
        ledger."""
        path = self._path(self.slugs[index % len(self.slugs)])
        text = path.read_text()
        swap = {"\nsection: world\n": "\nsection: city\n",
                "\nsection: city\n": "\nsection: world\n"}
        for old, new in swap.items():
            if old in text:
                path.write_text(text.replace(old, new, 1))
                return

    @rule(words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
          minutes=st.integers(-600, 600), link=st.booleans(), index=st.integers(0, 100),
          settled=st.booleans())
    def add_headline(self, words: list[str], minutes: int, link: bool, index: int,
                     settled: bool) -> None:
        """``settled``: the site was built once more after its files became old enough,
        so the headline alone is new and the next build may be headline-only
        (build/ticker_build.py)."""
        if settled:
            self.settle()
            self._build(self.root / "public", use_cache=True)
        self.headline_count += 1
        when = self.now + timedelta(minutes=minutes)
        lines = [f"- time: {when.strftime('%Y-%m-%dT%H:%M')}",
                 f"  title: {_text(words).title()} {self.headline_count}"]
        if link and self.slugs:
            lines.append(f"  link: {self.slugs[index % len(self.slugs)]}")
        path = self.site / "content" / "headlines" / "today.yaml"
        with path.open("a") as handle:
            handle.write("\n".join(lines) + "\n")

    def _drop_headlines(self, slug: str) -> None:
        path = self.site / "content" / "headlines" / "today.yaml"
        if not path.exists():
            return
        items = path.read_text().split("- time:")
        kept = [i for i in items[1:] if f"link: {slug}\n" not in i]
        if kept:
            path.write_text("".join("- time:" + i for i in kept))
        else:
            path.unlink()  # an empty headline file is a content error

    @rule(hours=st.integers(-2, 30), link=st.booleans(),
          lang=st.sampled_from(["en", "fr", "ar"]))
    def set_banner(self, hours: int, link: bool, lang: str) -> None:
        """The breaking-news banners: each on every page of its edition until it expires
        (which advance_clock crosses); a negative ``hours`` takes that edition's down. One
        banner as a mapping, once there are editions a list of them with ``lang:``."""
        lang = lang if self.languages else "en"
        path = self.site / "content" / "breaking.yaml"
        if hours < 0:
            self.banners.pop(lang, None)
        else:
            expires = (self.now + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")
            self.banners[lang] = (f"title: Storm warning {hours}\nexpires: {expires}\n"
                                  + ("link: https://weather.example.org/\n" if link else ""))
        if not self.banners:
            path.unlink(missing_ok=True)
        elif not self.languages:
            path.write_text(self.banners["en"])
        else:
            path.write_text("".join(f"- lang: {tag}\n  " + text.replace("\n", "\n  ").rstrip()
                                    + "\n" for tag, text in sorted(self.banners.items())))

    @rule(key=st.booleans(), hours=st.integers(1, 12), ahead=st.booleans())
    def add_live_update(self, key: bool, hours: int, ahead: bool) -> None:
        """A live blog: the first call opens its coverage (ending ``hours`` from now, which
        advance_clock may cross), each later one adds an update (LIVE label, ticker time,
        updates.json, feeds); ``ahead``: timed 21 to 46 minutes after now, held back until
        advance_clock reaches it (when that is still inside the coverage)."""
        path = self.site / "content" / "articles" / "live-blog.md"
        if not path.exists():
            start = self.now - timedelta(hours=1)
            end = self.now + timedelta(hours=hours)
            self.live_start, self.live_end = start, end
            path.write_text(
                f"---\ntitle: Storm live\ndate: {start:%Y-%m-%dT%H:%M}\nsection: city\n"
                f"live: true\ncoverage: {{start: {start:%Y-%m-%dT%H:%M}, "
                f"end: {end:%Y-%m-%dT%H:%M}}}\n---\n\nThe storm.\n")
            self.live_updates = 0
            return
        self.live_updates += 1
        when = self.live_start + timedelta(minutes=5 * self.live_updates)
        later = self.now + timedelta(minutes=21 + 5 * (self.live_updates % 6))
        if ahead and later <= self.live_end:
            when = later  # minutes ending in 1 or 6: never the anchor of another update
        with path.open("a") as handle:
            handle.write(f"\n## {when:%Y-%m-%d %H:%M} Update {self.live_updates}"
                         f"{' {key}' if key else ''}\n\nText {self.live_updates}.\n")

    @precondition(lambda self: not self.languages)
    @rule()
    def enable_languages(self) -> None:
        """The site gains editions: the English pages get a switcher and dir."""
        self.languages = True
        self._write_config(4, 2, "live")

    @precondition(lambda self: self.languages and self.slugs)
    @rule(index=st.integers(0, 100), lang=st.sampled_from(["fr", "ar"]),
          words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
          headline=st.booleans())
    def translate_article(self, index: int, lang: str, words: list[str],
                          headline: bool) -> None:
        """A translation of a story (its alternates appear on every version and in the
        sitemap), sometimes with a headline in that edition's ticker."""
        original = self._path(self.slugs[index % len(self.slugs)])
        text = original.read_text()
        key = original.stem
        if "\ntranslation_key: " not in text:
            original.write_text(text.replace("\n---\n", f"\ntranslation_key: {key}\n---\n", 1))
        self.counter += 1
        slug = f"{lang}-{key}"
        path = self.site / "content" / "articles" / lang / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        date = next(line for line in text.split("\n") if line.startswith("date: "))
        path.write_text(article(title=f"{lang} {_text(words)}", date=date[6:], section="city",
                                lang=lang, translation_key=key, tags="[ports]"))
        if slug not in self.translations:
            self.translations.append(slug)
        if headline:
            with (self.site / "content" / "headlines" / f"{lang}.yaml").open("a") as handle:
                handle.write(f"- {{time: {self.now:%Y-%m-%dT%H:%M}, title: {lang} "
                             f"{self.counter}, lang: {lang}, link: {slug}}}\n")

    @precondition(lambda self: self.translations)
    @rule(index=st.integers(0, 100))
    def delete_translation(self, index: int) -> None:
        slug = self.translations.pop(index % len(self.translations))
        lang = slug.split("-")[0]
        (self.site / "content" / "articles" / lang / f"{slug}.md").unlink()
        headlines = self.site / "content" / "headlines" / f"{lang}.yaml"
        if headlines.exists():
            kept = [line for line in headlines.read_text().splitlines(keepends=True)
                    if f"link: {slug}}}" not in line]
            if kept:
                headlines.write_text("".join(kept))
            else:
                headlines.unlink()

    @rule()
    def settle(self) -> None:
        """Time passes before the next build: the files written so far leave the racy-mtime
        window, as a checkout's files have, so the next builds may take the no-change and
        headline-only shortcuts (build/ticker_build.py), which must change nothing here."""
        aged = time.time_ns() - 5 * 10**9
        for path in self.site.rglob("*"):
            if path.is_file() and ".newsgen-cache" not in path.parts and \
                    path.stat().st_mtime_ns > aged:
                os.utime(path, ns=(aged, aged))

    @rule()
    def fresh_checkout(self) -> None:
        """A deploy pipeline's clone: every file of the site keeps its bytes and gets a new
        mtime (past the racy window); the cache knows the files by their bytes."""
        self.checkouts += 1
        when = time.time_ns() - 3 * 10**9 - self.checkouts * 1000
        for path in self.site.rglob("*"):
            if path.is_file() and ".newsgen-cache" not in path.parts:
                os.utime(path, ns=(when, when))

    @rule(hours=st.integers(1, 48))
    def advance_clock(self, hours: int) -> None:
        self.now += timedelta(hours=hours)

    @rule()
    def next_month(self) -> None:
        """Weeks later: new stories land in a newer month, whose start merges the last
        month's day shards of the search index into one."""
        self.now += timedelta(days=20)

    @rule(size=st.integers(1, 6), per_page=st.integers(1, 4),
          embed=st.sampled_from(["live", "inline"]), order=st.sampled_from(["oldest", "newest"]))
    def change_config(self, size: int, per_page: int, embed: str, order: str) -> None:
        self._write_config(size, per_page, embed, order)

    def _write_config(self, size: int, per_page: int, embed: str, order: str = "oldest"
                      ) -> None:
        languages = "languages:\n  en: {}\n  fr: {title: La Gazette, timezone: Europe/Paris}" \
                    "\n  ar: {sections: {city: المدينة}}\n" if self.languages else ""
        (self.site / "newsgen.yaml").write_text(
            BASIC_CONFIG + f"ticker: {{size: {size}, embed: {embed}}}\nper_page: {per_page}\n"
            f"pagination: {{order: {order}}}\n" + languages, encoding="utf-8")

    @rule(width=st.sampled_from([120, 160, 1200]))
    def resize_image(self, width: int) -> None:
        """Pages carry the image's size, read from the file in static/."""
        self._write_image(width)

    @rule(width=st.sampled_from([300, 520, 900]), orientation=st.sampled_from([1, 6]))
    def replace_photo(self, width: int, orientation: int) -> None:
        """Renditions, crops and the pages' sizes follow the new photo."""
        self._write_photo(width, orientation)

    @rule(width=st.sampled_from([240, 400, 900]))
    def replace_body_image(self, width: int) -> None:
        """The body's <picture> (srcset, width, height) follows the file in static/."""
        self._write_photo(width, 1, "body.jpg")

    @rule(width=st.sampled_from([200, 500]))
    def add_photo(self, width: int) -> None:
        self.counter += 1
        self.extras.append(f"extra-{self.counter}.jpg")
        self._write_photo(width, 1, self.extras[-1])

    @precondition(lambda self: self.extras)
    @rule(index=st.integers(0, 100))
    def remove_photo(self, index: int) -> None:
        name = self.extras.pop(index % len(self.extras))
        (self.site / "static" / "images" / name).unlink()

    @precondition(lambda self: self.slugs)
    @rule(index=st.integers(0, 100), focus=st.sampled_from(["[0.5, 0.5]", "[0.2, 0.3]",
                                                            "[1, 0]"]))
    def refocus_photo(self, index: int, focus: str) -> None:
        path = self._path(self.slugs[index % len(self.slugs)])
        text = path.read_text()
        start = text.find("focus: [")
        if start >= 0:
            end = text.index("]", start) + 1
            path.write_text(text[:start] + "focus: " + focus + text[end:])

    @rule(label=st.sampled_from(["", "Exclusive", "Analysis"]))
    def change_template(self, label: str) -> None:
        folder = self.site / "templates"
        folder.mkdir(exist_ok=True)
        path = folder / "page.html"
        if not label:
            path.unlink(missing_ok=True)
            return
        path.write_text('{% extends "theme/page.html" %}\n'
                        f'{{% block content %}}<p>{label}</p>{{{{ super() }}}}'
                        '{% endblock %}\n')

    # -- the property ----------------------------------------------------------------------
    @invariant()
    def incremental_equals_clean(self) -> None:
        incremental, clean = self.root / "public", self.root / "clean"
        self._build(incremental, use_cache=True)
        shutil.rmtree(clean, ignore_errors=True)
        self._build(clean, use_cache=False)
        older = older_ticker_allowed(self.site)
        assert tree_digest(incremental, older) == tree_digest(clean, older)


IncrementalBuilds.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=8, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
TestIncrementalBuilds = IncrementalBuilds.TestCase


def _counting_fingerprints(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the template of every context fingerprinted (builds run in this process)."""
    seen: list[str] = []
    real = Fingerprinter.of

    def of(self: Fingerprinter, template: str, context: dict) -> tuple[str, bytes]:
        seen.append(template)
        return real(self, template, context)

    monkeypatch.setattr(Fingerprinter, "of", of)
    return seen


STORY_START = datetime(2026, 3, 24, 10, 0)
STORY_NOW = datetime(2026, 3, 25, 12, 0, tzinfo=ZONE)


def _story(i: int, title: str = "", body: str = "", section: str = "", tags: str = "") -> str:
    """Story ``i``, twelve hours older than story ``i - 1``."""
    when = (STORY_START - timedelta(hours=12 * i)).strftime("%Y-%m-%dT%H:%M")
    return article(title or f"Story {i}", when,
                   section=section or ("world" if i % 2 else "city"),
                   body=body or f"Opening {i}.\n\nMore.",
                   tags=tags or ("[ports]" if i % 3 else "[rain]"))


def _builder(site: Path) -> Callable[..., None]:
    def build(out: str, use_cache: bool = True) -> None:
        build_site(site, BuildOptions(out_dir=site.parent / out, now=STORY_NOW, workers=1,
                                      use_cache=use_cache))
    return build


def test_body_edit_fingerprints_only_the_pages_showing_it(
        make_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    text = _story
    site = make_site({f"content/articles/s{i}.md": text(i) for i in range(40)})
    build = _builder(site)
    build("public")
    pages = [p for p in (site.parent / "public").rglob("*.html") if "theme" not in p.parts]
    seen = _counting_fingerprints(monkeypatch)
    (site / "content/headlines").mkdir(parents=True)
    (site / "content/headlines/2026-03-25.yaml").write_text(
        '- time: "2026-03-25T11:00"\n  title: Ferry strike called off\n')
    build("public")  # the front and section pages get the new ticker; none is fingerprinted
    assert seen == []
    assert "Ferry strike called off" in (site.parent / "public/index.html").read_text()
    (site / "content/articles/s33.md").write_text(text(33, body="A new opening."))
    build("public")
    assert 0 < len(seen) < len(pages) // 2  # its page, its lists, its neighbours' pages
    assert "A new opening." in (site.parent / "public/tags/rain/index.html").read_text()
    build("clean", use_cache=False)
    older = older_ticker_allowed(site)
    assert tree_digest(site.parent / "public", older) == tree_digest(site.parent / "clean", older)
    seen.clear()
    (site / "content/articles/s33.md").write_text(text(33, "Story thirty-three",
                                                        "A new opening."))
    build("public")  # a title: the pages showing the article, found by their refs
    assert 0 < len(seen) < len(pages) // 2
    assert "Story thirty-three" in (site.parent / "public/tags/rain/index.html").read_text()
    seen.clear()
    (site / "content/articles/s33.md").write_text(text(33, "Story thirty-three",
                                                        "A new opening.").replace(
        "tags: [rain]", "tags: [ports]"))
    build("public")  # re-tagged: its old neighbours are not known, every page is looked at
    assert len(seen) >= len(pages) - 1
    build("clean", use_cache=False)
    assert tree_digest(site.parent / "public", older) == tree_digest(site.parent / "clean", older)


def articles_built(pages: list[Path]) -> list[Path]:
    return [p for p in pages if p.parent.parent.name == "03"]


def test_new_article_fingerprints_only_its_listings_and_neighbours(
        make_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A new article changes its own page, the listings it enters, the site-wide pages and
    the related lists and previous/next links of its neighbours in time; the rest of a
    large archive is not even fingerprinted (``build/dependencies.py``)."""
    def text(i: int, section: str = "", tags: str = "") -> str:
        return _story(i, section=section, tags=tags or f"[t{i % 5}]")

    site = make_site({f"content/articles/s{i}.md": text(i) for i in range(60)})
    build = _builder(site)
    build("public")
    pages = [p for p in (site.parent / "public").rglob("*.html") if "theme" not in p.parts]
    seen = _counting_fingerprints(monkeypatch)
    (site / "content/articles/new.md").write_text(
        text(-1, "world", "[t3]").replace("Story -1", "Fresh story"))
    build("public")
    articles = [t for t in seen if t == "article.html"]
    assert 0 < len(articles) <= 2 * (10 + 1) + 1  # RELATED_WINDOW each side, two groups
    assert len(seen) < len(pages) // 2
    assert "Fresh story" in (site.parent / "public/tags/t3/index.html").read_text()
    assert "Fresh story" in (site.parent / "public/world/2026/03/s1/index.html").read_text()
    seen.clear()  # back-dated: lands in the middle of the archive
    (site / "content/articles/old.md").write_text(
        text(41, "city", "[t1]").replace("Story 41", "Late filing"))
    build("public")
    assert 0 < seen.count("article.html") <= 2 * (2 * 10 + 1) < len(articles_built(pages))
    build("clean", use_cache=False)
    older = older_ticker_allowed(site)
    assert tree_digest(site.parent / "public", older) == tree_digest(site.parent / "clean", older)
