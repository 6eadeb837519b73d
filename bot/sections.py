"""An article cut for a phone: the lead and the first steps, the other sections on request.

Articles stay stored whole (Markdown with `## ` headings); they are cut here, when shown. Notes
for one home country ("- **Nepal**: ...") are kept only for the worker's own country when their
language tells it (Nepali: Nepal, Bengali: Bangladesh, Tagalog: the Philippines). English and
Korean readers may come from any of them: for them the notes are kept behind one button per
country (country_notes), so nothing about the worker is stored and the choice is theirs each time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.models import Article

# The country notes' names, as the articles write them in each language.
COUNTRY_NAMES = {
    "nepal": ("Nepal", "नेपाल", "নেপাল", "네팔"),
    "bangladesh": ("Bangladesh", "बंगलादेश", "বাংলাদেশ", "방글라데시"),
    "philippines": ("Philippines", "Pilipinas", "फिलिपिन्स", "ফিলিপাইন", "필리핀"),
}
COUNTRY_OF_LANGUAGE = {"ne": "nepal", "bn": "bangladesh", "tl": "philippines"}
COUNTRIES = tuple(COUNTRY_NAMES)
# "- **Nepal**: ..." or "- 네팔: ..."
_NOTE = re.compile(r"^\s*[-*]\s+(?:\*\*(?P<bold>[^*]+?)\*\*|(?P<plain>[^*:\n]{2,30}?))\s*:")


def _note_country(line: str) -> str | None:
    match = _NOTE.match(line)
    return country_of(match["bold"] or match["plain"]) if match else None


@dataclass(frozen=True)
class Section:
    """One `## ` section: its heading (without the hashes) and its Markdown body."""

    heading: str
    body: str


@dataclass(frozen=True)
class PhoneArticle:
    """What is shown first (lead and first section) and the sections behind 'More' buttons."""

    first: str
    more: tuple[Section, ...]
    countries: tuple[str, ...] = ()  # notes behind a button each (readers of no one country)


def country_of(name: str) -> str | None:
    """The country a note's bold name stands for, or None (not a country note)."""
    for country, names in COUNTRY_NAMES.items():
        if name.strip().rstrip(":") in names:
            return country
    return None


def sections(body: str) -> tuple[str, list[Section]]:
    """The lead (before the first heading) and the sections, in order."""
    lead: list[str] = []
    found: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("## "):
            found.append((line[3:].strip(), []))
        elif found:
            found[-1][1].append(line)
        else:
            lead.append(line)
    return "\n".join(lead).strip(), [Section(h, "\n".join(b).strip()) for h, b in found]


def only_own_country(markdown: str, reader_lang: str) -> str:
    """The Markdown with only the reader's country's notes (none when the language tells none)."""
    own = COUNTRY_OF_LANGUAGE.get(reader_lang)
    return _keep_countries(markdown, {own} if own else set())


def countries_noted(article: Article) -> tuple[str, ...]:
    """The countries the article has notes for, in COUNTRIES order."""
    found = {_note_country(line) for line in article.body.splitlines()}
    return tuple(country for country in COUNTRIES if country in found)


def country_notes(article: Article, country: str) -> list[Section]:
    """One country's notes, under the heading of the section each stands in."""
    lead, found = sections(article.body)
    notes = []
    for each in [Section("", lead), *found]:
        lines = [line for line in each.body.splitlines() if _note_country(line) == country]
        if lines:
            notes.append(Section(each.heading, "\n".join(lines)))
    return notes


def _keep_countries(markdown: str, countries: set[str]) -> str:
    kept = []
    for line in markdown.splitlines():
        country = _note_country(line)
        if country is None or country in countries:
            kept.append(line)
    return "\n".join(kept).strip()


def for_phone(article: Article, reader_lang: str) -> PhoneArticle:
    """The article cut into what is shown first and the sections kept behind buttons."""
    lead, found = sections(article.body)
    kept = []
    for section in found:
        body = only_own_country(section.body, reader_lang)
        if body:
            kept.append(Section(section.heading, body))
    first = lead
    if kept and (not lead or len(lead) < 400):
        # The first section is the first thing to do: shown with the lead.
        first = f"{lead}\n\n## {kept[0].heading}\n{kept[0].body}".strip()
        kept = kept[1:]
    countries = () if reader_lang in COUNTRY_OF_LANGUAGE else countries_noted(article)
    return PhoneArticle(first, tuple(kept), countries)


def section(article: Article, reader_lang: str, number: int) -> Section | None:
    """A section behind a 'More' button by its number, or None (the article has changed)."""
    more = for_phone(article, reader_lang).more
    return more[number] if 0 <= number < len(more) else None


def korean_card(article: Article) -> tuple[str, tuple[str, ...]]:
    """The Korean article as a card for an employer or official, and what it rests on.

    Plain text (no Markdown markers: a card is read, not browsed), no home-country sections,
    and the official sources (Korean government sites, else the first sources).
    """
    lead, found = sections(article.body)
    parts = [lead]
    for each in found:
        body = _keep_countries(each.body, set())  # home-country notes are for the worker
        if body:
            parts.append(f"{each.heading}\n{body}")
    text = "\n\n".join(part for part in parts if part).replace("**", "").replace("__", "")
    official = [url for url in article.sources if ".go.kr" in url or "law.go.kr" in url]
    return text, tuple(official or article.sources[:2])
