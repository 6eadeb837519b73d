"""Index terms of a text: each word becomes a few keys (spellings, stems, Latin spellings).

A word matches when any of its keys is in the index. Keys of article words carry a weight (a Latin
spelling made by us is less sure than the word itself); a query word's keys carry a quality.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from knowledge.langdata import LanguageData
from knowledge.memo import word_cached
from knowledge.romanize import (
    brahmic_to_latin,
    hangul_to_latin,
    is_brahmic,
    phonetic,
    skeleton,
)
from knowledge.text import fold_latin, korean_morphemes, normalize, strip_accents, words

SKELETON = "#"  # prefix of consonant-outline keys, kept apart from real spellings
ROMANIZED_WEIGHT = 0.85  # a Latin spelling we made of a native word
STEM_WEIGHT = 0.9
WHOLE_WORD_WEIGHT = 0.5  # a Korean word kept whole backs up its morphemes, never outvotes them
NUMBER_WEIGHT = 0.5  # '3 months', '12 hours': numbers say little about the topic
PHONETIC_WEIGHT = 0.9  # chat spelling variants merged: likely, not certain, the same word
_VOWELS = "aeiou"
_MIN_STEM = 3
_CODE = re.compile(r"(?<![a-z])([a-z]{1,2})-?(\d{1,2})(?![\d.,])")  # visa types: E-9, E9, G-1
_MIN_LATIN_STEM = 4  # 'dhore' -> 'dhor' is a stem, 'dho' is a different word


@dataclass(frozen=True)
class Word:
    """One word of a text with its index keys, best first, as (key, weight)."""

    surface: str
    script: str
    keys: tuple[tuple[str, float], ...]
    optional: bool = False  # an extra (compound, word pair, whole Korean word): bonus, not must

    @property
    def root(self) -> str:
        """The shortest spelling among the word's own keys, to pair words into phrases."""
        own = [k for k, w in self.keys if w >= STEM_WEIGHT and not k.startswith(SKELETON)]
        return min(own or [self.keys[0][0]], key=len)


def pairs(found: list[Word]) -> list[Word]:
    """Neighbouring words as one optional term: 'salary not given' ties what words alone don't."""
    plain = [w for w in found if not w.optional]
    return [
        Word(f"{a.root} {b.root}", "PAIR", ((f"{a.root} {b.root}", 1.0),), optional=True)
        for a, b in zip(plain, plain[1:], strict=False)
    ]


def analyse(text: str, data: LanguageData) -> Iterator[Word]:
    """The words of a text in order, Korean phrases split into morphemes by kiwipiepy."""
    text = normalize(text)
    codes = {letters + digits for letters, digits in _CODE.findall(text)}
    found = list(words(text))
    pending_korean: list[str] = []
    skip = False
    following = [after for after, _ in found[1:]] + [""]
    for (word, script), after in zip(found, following, strict=False):
        if skip:
            skip = False
            continue
        if script == "HANGUL":
            pending_korean.append(word)
            continue
        if pending_korean:
            yield from _korean(pending_korean, data)
            pending_korean = []
        if script == "LATIN" and word + after in codes:  # E-9, e9: one code, not 'e' and '9'
            yield Word(word + after, script, ((word + after, 1.0),))
            skip = True
            continue
        keys = _keys(word, script, data)
        if keys:
            yield Word(word, script, keys)
    if pending_korean:
        yield from _korean(pending_korean, data)


@word_cached
def _keys(word: str, script: str, data: LanguageData) -> tuple[tuple[str, float], ...]:
    if script == "DIGIT":
        return ((word.lstrip("0") or "0", NUMBER_WEIGHT),)
    if script == "LATIN":
        return latin_keys(strip_accents(word), data)
    if is_brahmic(word[0]):
        return _brahmic_keys(word, data)
    return ((word, 1.0),)


def latin_keys(word: str, data: LanguageData) -> tuple[tuple[str, float], ...]:
    """The folded word, its folded stems, their phonetic spellings and the consonant outline."""
    keys: dict[str, float] = {}
    folded = fold_latin(word)
    _add_spelling(keys, folded, 1.0)
    standard = data.variants.get(folded)
    if standard is not None:  # a dialect or chat spelling of a word: 'bair' is 'ber' (বের)
        _add_spelling(keys, fold_latin(standard), 1.0)
    for stem in stems(word, data):
        if len(stem) >= _MIN_LATIN_STEM:
            _add_spelling(keys, fold_latin(stem), STEM_WEIGHT, outline=False)
    return tuple(keys.items())


def _add_spelling(
    keys: dict[str, float], spelled: str, weight: float, outline: bool = True
) -> None:
    """A Latin spelling, its phonetic variant, and (for long words) its consonant outline."""
    keys.setdefault(spelled, weight)
    keys.setdefault(phonetic(spelled), weight * PHONETIC_WEIGHT)
    bones = skeleton(spelled)
    if outline and len(spelled) >= 4 and len(bones.lstrip("_")) >= 3:
        keys.setdefault(SKELETON + bones, weight)


def _brahmic_keys(word: str, data: LanguageData) -> tuple[tuple[str, float], ...]:
    keys: dict[str, float] = {word: 1.0}
    forms = [word, *stems(word, data)]
    for stem in forms[1:]:
        keys.setdefault(stem, STEM_WEIGHT)
    for number, form in enumerate(forms):
        spelled = fold_latin(spell_latin(form, data))
        if len(spelled) >= 2:
            _add_spelling(keys, spelled, ROMANIZED_WEIGHT, outline=number == 0)
    return tuple(keys.items())


def _korean(eojeols: list[str], data: LanguageData) -> Iterator[Word]:
    """Morphemes of a Korean phrase, then its compounds and whole words as optional extras.

    The whole word (어절) minus its particle backs up the analyser: in 안전화 안 줘요 it reads
    안 + 전화 ('not' + 'phone'), while 안전화 ('safety shoes') still meets 안전화를 in an article.
    """
    morphemes, compounds = korean_morphemes(" ".join(eojeols))
    for form in morphemes:
        yield Word(form, "HANGUL", _hangul_keys(form))
    for form in compounds:
        yield Word(form, "HANGUL", _hangul_keys(form), optional=True)
    known = set(morphemes) | set(compounds)
    for eojeol in eojeols:
        forms = [eojeol, *stems(eojeol, data, shortest=2)]
        if len(eojeol) >= 2 and not known.intersection(forms):
            keys = tuple((form, WHOLE_WORD_WEIGHT) for form in forms)
            yield Word(eojeol, "HANGUL", keys, optional=True)


@word_cached
def spell_latin(word: str, data: LanguageData) -> str:
    """How chat users would write a native-script word of this language in Latin letters."""
    return brahmic_to_latin(word, data.inherent_vowel, data.letters)


@word_cached
def _hangul_keys(form: str) -> tuple[tuple[str, float], ...]:
    keys: dict[str, float] = {form: 1.0}
    if len(form) >= 2 and "\uac00" <= form[0] <= "\ud7a3":
        _add_spelling(keys, fold_latin(hangul_to_latin(form)), ROMANIZED_WEIGHT)
    return tuple(keys.items())


def stems(word: str, data: LanguageData, shortest: int = _MIN_STEM) -> list[str]:
    """Candidate stems from the language's affix lists (extra candidates are cheap, misses not)."""
    found: list[str] = []
    forms = [word]
    for prefix in data.prefixes:
        if word.startswith(prefix) and len(word) - len(prefix) >= _MIN_STEM:
            forms.append(word[len(prefix) :])
            break
    for form in list(forms):
        for infix in data.infixes:
            cut = _without_infix(form, infix)
            if cut:
                forms.append(cut)
    if data.reduplication:
        forms += [form[2:] for form in list(forms) if _reduplicated(form)]
    for form in list(forms):
        for ending, replacement in data.suffixes:
            if form.endswith(ending) and len(form) - len(ending) + len(replacement) >= shortest:
                forms.append(form[: -len(ending)] + replacement)
    for form in forms[1:]:
        if form not in found and form != word:
            found.append(form)
    return found


def _without_infix(word: str, infix: str) -> str | None:
    if len(word) < len(infix) + _MIN_STEM:
        return None
    if word.startswith(infix) and word[len(infix)] in _VOWELS:
        return word[len(infix) :]
    if word[0] not in _VOWELS and word[1 : 1 + len(infix)] == infix:
        return word[0] + word[1 + len(infix) :]
    return None


def _reduplicated(word: str) -> bool:
    return (
        len(word) >= 6 and word[0] not in _VOWELS and word[1] in _VOWELS and word[:2] == word[2:4]
    )
