"""Per-language data files (knowledge/lang/<code>.yaml): what code must not hard-wire per language.

A language without a file still works: everything here is optional and the rest is learnt from
the articles. See knowledge/lang/README.md for the fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from knowledge.text import fold_latin, normalize

DATA_DIR = Path(__file__).resolve().parent / "lang"


@dataclass(frozen=True, eq=False)
class LanguageData:
    """What the search and language detection know about one language besides its articles.

    Compared and hashed by identity, so that word analyses can be cached per language.
    """

    code: str
    romanized: bool = False
    inherent_vowel: str = "a"
    letters: dict[str, str] = field(default_factory=dict)
    stopwords: frozenset[str] = frozenset()
    small_talk: tuple[str, ...] = ()
    everyday: tuple[str, ...] = ()
    chat_words: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    infixes: tuple[str, ...] = ()
    suffixes: tuple[tuple[str, str], ...] = ()
    reduplication: bool = False
    variants: dict[str, str] = field(default_factory=dict)  # chat or dialect spelling: standard


def _words(values: object) -> list[str]:
    if not isinstance(values, list):
        return []
    return [normalize(str(v)) for v in values if str(v).strip()]


def _suffix(rule: str) -> tuple[str, str]:
    ending, _, replacement = rule.partition(":")
    return ending, replacement


@cache
def language_data(code: str, data_dir: Path = DATA_DIR) -> LanguageData:
    """The data file for a language, or empty defaults when it has none."""
    path = data_dir / f"{code}.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    if not isinstance(raw, dict):
        return LanguageData(code)
    letters = raw.get("letters") or {}
    return LanguageData(
        code=code,
        romanized=bool(raw.get("romanized", False)),
        inherent_vowel=str(raw.get("inherent_vowel", "a")),
        letters={normalize(str(k)): str(v) for k, v in letters.items()},
        stopwords=frozenset(_words(raw.get("stopwords"))),
        small_talk=tuple(_words(raw.get("small_talk"))),
        everyday=tuple(_words(raw.get("everyday"))),
        chat_words=tuple(_words(raw.get("chat_words"))),
        prefixes=tuple(sorted(_words(raw.get("prefixes")), key=len, reverse=True)),
        infixes=tuple(_words(raw.get("infixes"))),
        suffixes=tuple(
            sorted((_suffix(s) for s in _words(raw.get("suffixes"))), key=lambda s: -len(s[0]))
        ),
        reduplication=bool(raw.get("reduplication", False)),
        variants={
            fold_latin(normalize(str(k)).lower()): normalize(str(v)).lower()
            for k, v in (raw.get("variants") or {}).items()
        },
    )
