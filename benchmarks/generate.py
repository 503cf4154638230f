"""Benchmark corpus: one synthetic newsroom written in newsgen's, Pelican's and Hugo's formats.

The generator is deterministic: a seeded ``random.Random`` and a fixed "now"
(2026-11-29T12:00, Europe/Lisbon) decide every byte, so two runs with the same N and seed
write identical trees and every tool of one run builds exactly the same articles.

    python benchmarks/generate.py 1000 /tmp/corpus        # writes newsgen/, pelican/, hugo/

``run.py`` also uses :func:`make_article`, :func:`write_article` and :func:`write_headline`
to publish the extra article and headline of its rebuild measurements.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Europe/Lisbon")
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=TZ)
NOW_ARG = "2026-11-29T12:00"
SPAN_DAYS = 3 * 365
HEADLINE_DAYS = 5
HEADLINES_PER_DAY = 40
TAG_COUNT = 2000
AUTHOR_COUNT = 40
SECTIONS = (("city", "City"), ("nation", "Nation"), ("world", "World"), ("business", "Business"),
            ("sport", "Sport"), ("culture", "Culture"), ("science", "Science"),
            ("opinion", "Opinion"))

FIRST = ("Amara Leila Jonas Hugo Marcus Sofia Priya Tomas Ines Rui Maren Oskar Nadia Yusuf "
         "Clara Dmitri Helena Kofi Mei Aisha Lars Beatriz Omar Freya Joao Ana Pavel Zara Emil "
         "Rosa").split()
LAST = ("Haddad Benmoussa Everett Mareth Oyelaran Kerrigan Nandakumar Silva Moreau Lindqvist "
        "Okafor Tanaka Varga Costa Brennan Almeida Novak Eriksen Mensah Duarte Fischer Rocha "
        "Santos Kowalski Ibsen Laurent Pereira Quinn Sato Vidal").split()
PLACES = ("Port Velmar|Halverstad|Kestrel Fields|the old town|the harbour|Canal Street|the delta|"
          "Marsh Road|the northern coast|Lunmark|Saltbridge|the ring road|Westmere|the islands|"
          "the river port|Customs House square").split("|")
NOUNS = ("council budget harbour ferry hospital school bridge tram election court strike tariff "
         "museum festival stadium storm flood market bank mortgage housing rent wage pension "
         "ministry treaty port shipyard airport reservoir clinic library theatre orchestra league "
         "coach transfer season vaccine study telescope reef fishery forest wind farm grid railway "
         "tunnel police inquiry report plan contract tender levy fund union protest "
         "verdict").split()
VERBS = ("approves rejects delays extends opens closes expands cuts raises defends questions "
         "backs challenges launches reviews confirms suspends restores announces warns").split()
ADJS = ("new coastal national local regional emergency annual historic disputed delayed costly "
        "temporary independent public private rural urban northern southern major").split()
WORDS = ("the a of to in and for on with that by as at from its their after before over under "
         "said would could will has have was were is are been more than about into against "
         "officials residents workers minister mayor committee figures data year month week "
         "spokeswoman spokesman council city government plan proposal vote decision budget "
         "costs prices support opposition critics experts analysts families businesses "
         "morning evening weekend summer winter spring autumn").split()
TAG_ROOTS = NOUNS + ("energy climate transport health education crime tourism culture science "
                     "football sailing tennis film books music art diplomacy trade migration "
                     "technology farming fishing shipping banking insurance property").split()


@dataclass(frozen=True)
class Article:
    """One article, independent of any tool's file format."""

    slug: str
    title: str
    date: datetime
    section: str
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    summary: str
    location: str
    body: str


@dataclass(frozen=True)
class Newsroom:
    """Everything the three formats share: the staff, the tag vocabulary and the articles."""

    authors: dict[str, str]
    tags: list[str]
    articles: list[Article]
    headlines: dict[str, list[dict[str, str]]]


class Writer:
    """Words, sentences and Markdown bodies from a seeded generator."""

    def __init__(self, rng: random.Random, tags: list[str]) -> None:
        self.rng = rng
        self.tags = tags
        weights = [1.0 / (k ** 1.07) for k in range(1, len(tags) + 1)]
        self.tag_cum = list(itertools.accumulate(weights))

    def pick_tags(self) -> tuple[str, ...]:
        """1-4 distinct tags, Zipf-distributed: a few tags are on many articles."""
        wanted = self.rng.randint(1, 4)
        chosen: list[str] = []
        while len(chosen) < wanted:
            x = self.rng.random() * self.tag_cum[-1]
            tag = self.tags[min(bisect.bisect(self.tag_cum, x), len(self.tags) - 1)]
            if tag not in chosen:
                chosen.append(tag)
        return tuple(chosen)

    def title(self) -> str:
        r = self.rng
        forms = (f"{r.choice(PLACES).capitalize()} {r.choice(VERBS)} {r.choice(ADJS)} "
                 f"{r.choice(NOUNS)}",
                 f"{r.choice(FIRST)} {r.choice(LAST)} {r.choice(VERBS)} {r.choice(NOUNS)} "
                 f"{r.choice(NOUNS)} plan",
                 f"{r.choice(ADJS).capitalize()} {r.choice(NOUNS)} {r.choice(VERBS)} "
                 f"{r.choice(NOUNS)} in {r.choice(PLACES)}")
        return r.choice(forms)

    def sentence(self, low: int = 8, high: int = 24) -> str:
        r = self.rng
        count = r.randint(low, high)
        words = [r.choice(WORDS if r.random() < 0.7 else NOUNS) for _ in range(count)]
        if r.random() < 0.3:
            words.insert(r.randrange(len(words)), f"{r.choice(FIRST)} {r.choice(LAST)}")
        if r.random() < 0.15:
            words.insert(r.randrange(len(words)), f"**{r.choice(NOUNS)} {r.choice(NOUNS)}**")
        if r.random() < 0.15:
            words.insert(r.randrange(len(words)), f"_{r.choice(ADJS)}_")
        if r.random() < 0.2:
            words.append(f"in {r.choice(PLACES)}")
        if r.random() < 0.1:
            words.append(f"by {r.randint(2, 95)} per cent")
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 5)))

    def special(self, kind: str) -> str:
        """A bulleted list or a block quote."""
        if kind == "list":
            return "\n".join(f"- {self.sentence(5, 12)}" for _ in range(self.rng.randint(3, 5)))
        return f'> "{self.sentence(10, 22)}"'

    def body(self) -> str:
        """400-900 words: paragraphs, 2-3 subheadings, a list, a quote, links, emphasis."""
        r = self.rng
        target = r.randint(400, 900)
        heads = r.randint(2, 3)
        blocks: list[str] = []
        words = 0
        links = 0
        specials = ["list", "quote"]
        r.shuffle(specials)
        while words < target:
            step = len(blocks)
            if step and step % 4 == 0 and heads:
                heads -= 1
                blocks.append(f"## {self.title()}")
            elif step in (2, 6) and specials:
                blocks.append(self.special(specials.pop()))
            else:
                para = self.paragraph()
                if links < 2 and r.random() < 0.35:
                    links += 1
                    page = f"{r.choice(NOUNS)}-{r.randint(100, 999)}"
                    para += (f" The full [{r.choice(NOUNS)} report]"
                             f"(https://example.org/reports/{page}) is online.")
                blocks.append(para)
            words += len(blocks[-1].split())
        blocks.extend(self.special(kind) for kind in specials)
        if links == 0:
            blocks.append("Read the [official statement](https://example.org/statements/latest).")
        return "\n\n".join(blocks) + "\n"


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def make_newsroom(n: int, seed: int = 5) -> Newsroom:
    """N articles dated over the ~3 years before NOW, newest last; headlines over 5 days."""
    rng = random.Random(seed)
    authors: dict[str, str] = {}
    while len(authors) < AUTHOR_COUNT:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        authors.setdefault(slugify(name), name)
    tag_set: dict[str, None] = {}
    while len(tag_set) < TAG_COUNT:
        tag = rng.choice(TAG_ROOTS) if len(tag_set) < 60 else \
            f"{rng.choice(ADJS + TAG_ROOTS)}-{rng.choice(TAG_ROOTS)}"
        tag_set.setdefault(tag, None)
    tags = list(tag_set)
    writer = Writer(rng, tags)
    author_ids = list(authors)
    seen: set[str] = set()
    minutes = sorted(rng.randrange(30, SPAN_DAYS * 24 * 60) for _ in range(n))
    articles = []
    for ago in reversed(minutes):
        articles.append(make_article(writer, _existing(NOW - timedelta(minutes=ago)),
                                     author_ids, seen))
    return Newsroom(authors, tags, articles, make_headlines(rng, writer, articles))


def _existing(moment: datetime) -> datetime:
    """``moment`` if that wall-clock time exists in the zone, else an hour later: aware
    arithmetic is wall-clock arithmetic, so it can land in the hour skipped when summer time
    starts, which newsgen (rightly) refuses as a date. Times that exist are left alone, so
    corpora that never hit the gap are unchanged."""
    if moment.astimezone(UTC).astimezone(moment.tzinfo).replace(tzinfo=None) != \
            moment.replace(tzinfo=None):
        return moment + timedelta(hours=1)
    return moment


def make_article(writer: Writer, date: datetime, author_ids: list[str], seen: set[str]) -> Article:
    """One article with a slug unique among ``seen`` (which it extends)."""
    r = writer.rng
    title = writer.title()
    slug = base = slugify(title)
    for k in itertools.count(2):
        if slug not in seen:
            break
        slug = f"{base}-{k}"
    seen.add(slug)
    return Article(slug=slug, title=title, date=date, section=r.choice(SECTIONS)[0],
                   authors=tuple(r.sample(author_ids, r.randint(1, 2))), tags=writer.pick_tags(),
                   summary=writer.sentence(14, 30), location=r.choice(PLACES).upper(),
                   body=writer.body())


def make_headlines(rng: random.Random, writer: Writer,
                   articles: list[Article]) -> dict[str, list[dict[str, str]]]:
    """~40 headlines a day over the last 5 days; a third link to a recent article."""
    days: dict[str, list[dict[str, str]]] = {}
    recent = [a.slug for a in articles[-200:]]
    for back in range(HEADLINE_DAYS):
        day = (NOW - timedelta(days=back)).date()
        start = datetime(day.year, day.month, day.day, 6, 0, tzinfo=TZ)
        count = HEADLINES_PER_DAY if back else HEADLINES_PER_DAY // 4
        end = min(NOW, start + timedelta(hours=17))
        span = int((end - start).total_seconds() // 60)
        items = []
        for minute in sorted(rng.sample(range(span), count), reverse=True):
            item = {"time": (start + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M"),
                    "title": writer.sentence(6, 12).rstrip(".")}
            if recent and rng.random() < 0.33:
                item["link"] = rng.choice(recent)
            items.append(item)
        days[day.isoformat()] = items
    return days


def q(text: str) -> str:
    """A double-quoted YAML scalar (our generated text never holds quotes or backslashes)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def newsgen_text(a: Article) -> str:
    return (f"---\ntitle: {q(a.title)}\ndate: {a.date.strftime('%Y-%m-%dT%H:%M')}\n"
            f"section: {a.section}\nauthors: [{', '.join(a.authors)}]\n"
            f"tags: [{', '.join(a.tags)}]\nsummary: {q(a.summary)}\nlocation: {a.location}\n"
            f"---\n\n{a.body}")


def pelican_text(a: Article, authors: dict[str, str]) -> str:
    section_title = dict(SECTIONS)[a.section]
    return (f"Title: {a.title}\nDate: {a.date.strftime('%Y-%m-%d %H:%M')}\n"
            f"Category: {section_title}\nTags: {', '.join(a.tags)}\n"
            f"Authors: {', '.join(authors[x] for x in a.authors)}\nSlug: {a.slug}\n"
            f"Summary: {a.summary}\n\n{a.body}")


def hugo_text(a: Article) -> str:
    return (f"---\ntitle: {q(a.title)}\ndate: {a.date.isoformat()}\n"
            f"tags: [{', '.join(a.tags)}]\nauthors: [{', '.join(a.authors)}]\n"
            f"summary: {q(a.summary)}\nslug: {a.slug}\nparams:\n  location: {a.location}\n"
            f"---\n\n{a.body}")


def article_path(tool: str, root: Path, a: Article) -> Path:
    """Where ``tool``'s site under ``root`` keeps this article."""
    if tool == "newsgen":
        return root / "content" / "articles" / a.date.strftime("%Y/%m") / f"{a.slug}.md"
    if tool == "pelican":
        return root / "content" / a.date.strftime("%Y/%m") / f"{a.slug}.md"
    return root / "content" / a.section / f"{a.slug}.md"


def write_article(tool: str, root: Path, a: Article, authors: dict[str, str]) -> Path:
    text = {"newsgen": newsgen_text, "hugo": hugo_text}.get(tool)
    path = article_path(tool, root, a)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text(a) if text else pelican_text(a, authors), encoding="utf-8")
    return path


def headlines_yaml(items: list[dict[str, str]]) -> str:
    out = []
    for item in items:
        out.append(f"- time: {item['time']}\n  title: {q(item['title'])}\n")
        if "link" in item:
            out.append(f"  link: {item['link']}\n")
    return "".join(out)


def headline_file(tool: str, root: Path, day: str) -> Path:
    """newsgen's content/headlines/DAY.yaml, or the Hugo data file its templates read."""
    folder = ("content/headlines" if tool == "newsgen" else "data/headlines")
    return root / folder / f"{day}.yaml"


def write_headline(tool: str, root: Path, item: dict[str, str]) -> None:
    """Add one headline at the top of its day's file (files are newest first)."""
    path = headline_file(tool, root, item["time"][:10])
    path.parent.mkdir(parents=True, exist_ok=True)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(headlines_yaml([item]) + old, encoding="utf-8")


def newsgen_config(room: Newsroom) -> str:
    lines = ["title: The Benchmark Gazette", "base_url: https://gazette.example.org",
             "language: en", "timezone: Europe/Lisbon",
             "description: A synthetic newsroom for benchmarks.", "sections:"]
    lines += [f"  - {{id: {sid}, title: {title}}}" for sid, title in SECTIONS]
    lines.append("authors:")
    for aid, name in room.authors.items():
        lines += [f"  {aid}:", f"    name: {name}", f"    bio: Staff writer {name}."]
    lines.append("ticker: {size: 10}")
    return "\n".join(lines) + "\n"


def hugo_config(room: Newsroom) -> str:
    perma = "\n".join(f"  {sid} = '/:section/:year/:month/:slug/'" for sid, _ in SECTIONS)
    return ("baseURL = 'https://gazette.example.org/'\nlocale = 'en'\n"
            "title = 'The Benchmark Gazette'\ntimeZone = 'Europe/Lisbon'\n"
            "disableKinds = ['robotsTXT']\n\n[pagination]\n  pagerSize = 20\n\n"
            "[taxonomies]\n  tag = 'tags'\n  author = 'authors'\n\n"
            f"[permalinks]\n  [permalinks.page]\n{perma}\n\n"
            "[markup.goldmark.renderer]\n  unsafe = false\n")


def hugo_titles(room: Newsroom, site: Path) -> None:
    """Section and author titles for Hugo (newsgen takes them from newsgen.yaml)."""
    pages = [(f"content/{sid}", title) for sid, title in SECTIONS]
    pages += [(f"content/authors/{aid}", name) for aid, name in room.authors.items()]
    for folder, title in pages:
        (site / folder).mkdir(parents=True, exist_ok=True)
        (site / folder / "_index.md").write_text(f"---\ntitle: {q(title)}\n---\n", encoding="utf-8")


def generate(n: int, root: Path, seed: int = 5) -> Newsroom:
    """Write ``root/newsgen``, ``root/pelican`` and ``root/hugo``: the same N articles."""
    room = make_newsroom(n, seed)
    sites = {tool: root / tool for tool in ("newsgen", "pelican", "hugo")}
    for site in sites.values():
        site.mkdir(parents=True, exist_ok=True)
    (sites["newsgen"] / "newsgen.yaml").write_text(newsgen_config(room), encoding="utf-8")
    (sites["hugo"] / "hugo.toml").write_text(hugo_config(room), encoding="utf-8")
    hugo_titles(room, sites["hugo"])
    for a in room.articles:
        for tool, site in sites.items():
            write_article(tool, site, a, room.authors)
    for day, items in room.headlines.items():
        for tool in ("newsgen", "hugo"):
            path = headline_file(tool, sites[tool], day)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(headlines_yaml(items), encoding="utf-8")
    return room


def extra_article(room: Newsroom, k: int, seed: int = 5) -> Article:
    """The k-th article "published now" by a rebuild measurement (deterministic, unique slug)."""
    writer = Writer(random.Random(seed * 1000 + k), room.tags)
    seen = {a.slug for a in room.articles}
    when = NOW - timedelta(minutes=max(1, 30 - k))
    article = make_article(writer, when, list(room.authors), seen)
    return replace(article, slug=f"breaking-{k}-{article.slug}"[:80].rstrip("-"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("root", type=Path, help="folder to write newsgen/, pelican/, hugo/ into")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    generate(args.n, args.root, args.seed)


if __name__ == "__main__":
    main()
