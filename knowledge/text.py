"""Normalising and splitting text into words, the same way for queries and articles.

Queries come from phones in any script, with typos, native digits and chat spellings; articles are
clean. Both go through these functions so that their words meet in the middle.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache, lru_cache

from knowledge.memo import remembered

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_REPEATS = re.compile(r"(.)\1+")
_JOINERS = "'’`"  # inside Latin words: don't -> dont
_ASCII_WORD = re.compile(r"[A-Za-z]+(?:['`][A-Za-z]+)*|[0-9]+")

# Korean morphemes that carry meaning: nouns, roots, verb and adjective stems, foreign words,
# numbers and Chinese characters. Particles, endings and affixes are dropped.
_KOREAN_KEEP = ("NNG", "NNP", "NR", "XR", "VV", "VA", "SL", "SN", "SH")
_KOREAN_NOUNS = ("NNG", "NNP", "XR", "XSN")


_FOLD_PAIRS = ((0x40, 0x3F), (0x42, 0x41), (0x08, 0x07), (0x0A, 0x09), (0x01, 0x02))


def _brahmic_folds() -> dict[int, int]:
    """Long/short vowel and nasal pairs that chat writing confuses, in every Brahmic block."""
    folds: dict[int, int] = {}
    for block in range(0x0900, 0x0D80, 0x80):
        for long, short in _FOLD_PAIRS:
            pair = chr(block + long), chr(block + short)
            if all(unicodedata.name(c, "") for c in pair):
                folds[block + long] = block + short
    return folds


_FOLDS = _brahmic_folds()


# Digits of every script in the Basic Multilingual Plane as ASCII (NFKC handles the rest).
_DIGITS = {
    code: ord(str(unicodedata.decimal(chr(code))))
    for code in range(128, 0x10000)
    if chr(code).isdecimal()
}
_TABLE: dict[int, int | None] = {**_INVISIBLE, **_FOLDS, **_DIGITS}


def normalize(text: str) -> str:
    """NFKC, casefolded, any script's digits as ASCII, invisible joiners dropped, vowels folded."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_TABLE)


@lru_cache(maxsize=4096)
def script_of(char: str) -> str | None:
    """The Unicode script of a letter or mark ('LATIN', 'HANGUL', 'DEVANAGARI', ...), else None."""
    if not unicodedata.category(char).startswith(("L", "M")):
        return None
    name = unicodedata.name(char, "")
    first = name.split(" ", 1)[0]
    if first in ("COMBINING", "") or not name:
        return None
    return {"CJK": "HAN"}.get(first, first)


def script_counts(text: str) -> Counter[str]:
    """Letters per script; a Hangul syllable counts as two letters, like its Latin spelling."""
    counts: Counter[str] = Counter()
    for char in text:
        script = script_of(char)
        if script is not None:
            counts[script] += 2 if script == "HANGUL" else 1
    return counts


def words(text: str) -> Iterator[tuple[str, str]]:
    """(word, script) runs of one script in normalized text; digits are their own 'DIGIT' words."""
    for chunk in text.split():
        if chunk.isascii():  # most of any text: no need to look at every character
            for match in _ASCII_WORD.finditer(chunk):
                word = match.group()
                if word[0].isdigit():
                    yield word, "DIGIT"
                else:
                    yield word.replace("'", "").replace("`", ""), "LATIN"
        else:
            yield from _script_runs(chunk)


def _script_runs(text: str) -> Iterator[tuple[str, str]]:
    current: list[str] = []
    current_script: str | None = None
    for index, char in enumerate(text):
        if char.isdecimal():
            script: str | None = "DIGIT"
        else:
            script = script_of(char)
            if script is None and unicodedata.category(char).startswith("M") and current:
                script = current_script
        if script is None and char in _JOINERS and current_script == "LATIN":
            following = text[index + 1 : index + 2]
            if following and script_of(following) == "LATIN":
                continue
        if script != current_script and current:
            yield "".join(current), current_script or ""
            current = []
        current_script = script
        if script is not None:
            current.append(char)
    if current:
        yield "".join(current), current_script or ""


def strip_accents(word: str) -> str:
    """Latin letters without accents: workers rarely type them."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_latin(word: str) -> str:
    """One spelling for chat variants: 'kaam'/'kam', 'chhuti'/'chuti', 'dorm'/'doorm'."""
    word = word.replace("ee", "i").replace("oo", "u")
    return _REPEATS.sub(r"\1", word)


@cache
def _kiwi():  # kiwipiepy has no type hints
    """The Korean analyser: loading it takes seconds, so once per process and only when needed."""
    from kiwipiepy import Kiwi

    # The typo and multi-word dictionaries double the loading time and change nothing for us.
    return Kiwi(load_typo_dict=False, load_multi_dict=False)


def kiwi_version() -> str:
    """What decides Kiwi's analyses: the package, its model and the options above."""
    from importlib.metadata import version

    return f"kiwipiepy {version('kiwipiepy')}, model {version('kiwipiepy_model')}, no typo/multi"


def warm_up() -> None:
    """Loads the analyser now (else the first Korean text waits seconds for it)."""
    _kiwi().tokenize("안녕하세요")


Token = tuple[str, str, int, int]  # a morpheme as Kiwi gives it: form, tag, start, length


def kiwi_tokens(phrase: str) -> tuple[Token, ...]:
    """Kiwi's morphemes of a Korean phrase."""
    return tuple((t.form, t.tag, t.start, t.len) for t in _kiwi().tokenize(phrase))


# Where the index build gets its tokens (knowledge/analyses.py: from a file); None: from Kiwi.
_tokens_from: ContextVar[Callable[[str], tuple[Token, ...]] | None] = ContextVar(
    "sathi_korean_tokens", default=None
)


@contextmanager
def korean_tokens_from(source: Callable[[str], tuple[Token, ...]]) -> Iterator[None]:
    """Within the block, Korean phrases are analysed by `source` instead of Kiwi."""
    token = _tokens_from.set(source)
    try:
        yield
    finally:
        _tokens_from.reset(token)


def korean_morphemes(phrase: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(meaningful morphemes, compound nouns) of Korean: 사장님이 -> (사장,), (사장님,)."""
    source = _tokens_from.get()
    return _analysed(phrase) if source is None else _morphemes(source(phrase))


def _analysed(phrase: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Kiwi's analysis of a phrase of a worker's message, remembered only within an update.

    A cache across updates would keep workers' Korean sentences in memory (knowledge/memo.py).
    """
    return remembered(("korean", phrase), lambda: _morphemes(kiwi_tokens(phrase)))


def _morphemes(tokens: tuple[Token, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    kept: list[str] = []
    compounds: list[str] = []
    run: list[str] = []
    run_end = -1
    for form, full_tag, start, length in tokens:
        tag = full_tag.split("-", 1)[0]
        if tag in _KOREAN_KEEP:
            kept.append(form)
        if tag in _KOREAN_NOUNS and (not run or start == run_end):
            run.append(form)
        else:
            if len(run) > 1:
                compounds.append("".join(run))
            run = [form] if tag in _KOREAN_NOUNS else []
        run_end = start + length
    if len(run) > 1:
        compounds.append("".join(run))
    return tuple(kept), tuple(compounds)
