"""Latin spellings of native-script words, so that romanized queries can meet native articles.

Workers type Nepali and Bengali in Latin letters ('talab', 'beton') and Korean words the way they
hear them ('sanjae', 'sajangnim'). Articles are written in the native script. These functions
spell article words in plain ASCII the way chat users tend to, and reduce both sides to a
consonant skeleton that survives the many spelling variants.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# Brahmic scripts (Devanagari, Bengali, Gurmukhi, ...) share one layout: offsets in a 128-block.
_CONSONANTS = {
    0x15: "k", 0x16: "kh", 0x17: "g", 0x18: "gh", 0x19: "ng", 0x1A: "ch", 0x1B: "chh",
    0x1C: "j", 0x1D: "jh", 0x1E: "ny", 0x1F: "t", 0x20: "th", 0x21: "d", 0x22: "dh", 0x23: "n",
    0x24: "t", 0x25: "th", 0x26: "d", 0x27: "dh", 0x28: "n", 0x29: "n", 0x2A: "p", 0x2B: "ph",
    0x2C: "b", 0x2D: "bh", 0x2E: "m", 0x2F: "y", 0x30: "r", 0x31: "r", 0x32: "l", 0x33: "l",
    0x34: "l", 0x35: "v", 0x36: "sh", 0x37: "sh", 0x38: "s", 0x39: "h", 0x4E: "t", 0x58: "q",
    0x59: "kh", 0x5A: "g", 0x5B: "z", 0x5C: "r", 0x5D: "rh", 0x5E: "f", 0x5F: "y", 0x70: "r",
    0x71: "w",
}  # fmt: skip
_NUKTA_CONSONANTS = {0x15: "q", 0x16: "kh", 0x17: "g", 0x1C: "z", 0x21: "r", 0x22: "rh",
                     0x2B: "f", 0x2F: "y"}  # fmt: skip
_VOWEL_SIGNS = {
    0x3E: "a", 0x3F: "i", 0x40: "i", 0x41: "u", 0x42: "u", 0x43: "ri", 0x44: "ri", 0x45: "e",
    0x46: "e", 0x47: "e", 0x48: "ai", 0x49: "o", 0x4A: "o", 0x4B: "o", 0x4C: "au", 0x57: "u",
}  # fmt: skip
_VOWELS = {
    0x05: "a", 0x06: "a", 0x07: "i", 0x08: "i", 0x09: "u", 0x0A: "u", 0x0B: "ri", 0x0D: "e",
    0x0E: "e", 0x0F: "e", 0x10: "ai", 0x11: "o", 0x12: "o", 0x13: "o", 0x14: "au",
}  # fmt: skip
_NASALS = {0x01: "n", 0x02: "n", 0x03: "h"}
_VIRAMA, _NUKTA = 0x4D, 0x3C

_INITIALS = ("g kk n d tt r m b pp s ss - j jj ch k t p h").split()
_MEDIALS = ("a ae ya yae eo e yeo ye o wa wae oe yo u wo we wi yu eu ui i").split()
_FINALS = ("- k k k n n n t l k m l l l p l m p p t t ng t t k t p t").split()

_SKELETON_PAIRS = (
    ("chh", "c"), ("ch", "c"), ("sh", "s"), ("ph", "f"), ("bh", "b"), ("kh", "k"), ("gh", "g"),
    ("jh", "j"), ("th", "t"), ("dh", "d"), ("ck", "k"), ("v", "b"), ("z", "j"), ("q", "k"),
    ("x", "ks"), ("w", ""), ("y", ""),
)  # fmt: skip
_PHONETIC_PAIRS = (
    ("chh", "ç"), ("ch", "ç"), ("ck", "k"), ("sh", "s"), ("ph", "f"), ("bh", "b"), ("kh", "k"),
    ("gh", "g"), ("jh", "j"), ("th", "t"), ("dh", "d"), ("v", "b"), ("z", "j"), ("q", "k"),
    ("x", "ks"),
)  # fmt: skip
_SOFT_C = re.compile(r"c(?=[eiy])")
_FINAL_Y = re.compile(r"y(?![aeiou])")
_VOWEL_OR_H = re.compile(r"[aeiouh]")
_REPEATS = re.compile(r"(.)\1+")


def is_brahmic(char: str) -> bool:
    """True for letters of the Indian scripts that share the Devanagari layout."""
    return 0x0900 <= ord(char) < 0x0D80


def brahmic_to_latin(word: str, inherent: str = "a", letters: Mapping[str, str] = {}) -> str:  # noqa: B006
    """Chat-style ASCII spelling of a Brahmic word: तलब -> talab, বেতন -> beton (inherent 'o')."""
    units: list[_Unit] = []
    after_virama = False
    previous = -1
    for char in word:
        if not is_brahmic(char):
            continue
        offset = ord(char) & 0x7F
        if offset in _CONSONANTS:
            override = None if after_virama else letters.get(char)
            spelling = override or _CONSONANTS[offset]
            if after_virama and units:
                units[-1].add_consonant(spelling, inherent)
            else:
                units.append(_Unit(spelling, inherent))
            after_virama, previous = False, offset
        elif offset == _NUKTA and previous in _NUKTA_CONSONANTS and units:
            units[-1].replace_last(_NUKTA_CONSONANTS[previous])
        elif offset in _VOWEL_SIGNS and units:
            units[-1].set_vowel(_VOWEL_SIGNS[offset])
            after_virama = False
        elif offset == _VIRAMA and units:
            units[-1].set_vowel("")
            after_virama = True
        elif offset in _VOWELS:
            units.append(_Unit("", inherent))
            units[-1].set_vowel(_VOWELS[offset])
            after_virama = False
        elif offset in _NASALS and units:
            units[-1].coda += _NASALS[offset]
            after_virama = False
    _drop_silent_vowels(units)
    return "".join(unit.spelling() for unit in units)


class _Unit:
    """One written syllable: consonant cluster, vowel, whether that vowel is the inherent one."""

    def __init__(self, consonant: str, inherent: str) -> None:
        self.consonants = [consonant] if consonant else []
        self.vowel = inherent if consonant else ""
        self.inherent = bool(consonant)
        self.coda = ""

    def add_consonant(self, consonant: str, inherent: str) -> None:
        self.consonants.append(consonant)
        self.vowel, self.inherent = inherent, True

    def replace_last(self, consonant: str) -> None:
        if self.consonants:
            self.consonants[-1] = consonant

    def set_vowel(self, vowel: str) -> None:
        self.vowel, self.inherent = vowel, False

    def spelling(self) -> str:
        return "".join(self.consonants) + self.vowel + self.coda


def _drop_silent_vowels(units: list[_Unit]) -> None:
    """Inherent vowels that are not pronounced: at the word's end, and between two syllables."""
    if len(units) > 1 and units[-1].inherent and len(units[-1].consonants) == 1:
        units[-1].vowel = ""
    for i in range(len(units) - 2, 0, -1):
        unit, before, after = units[i], units[i - 1], units[i + 1]
        open_syllable_after = bool(after.consonants and after.vowel)
        single = len(unit.consonants) == 1 and not unit.coda
        if unit.inherent and single and before.vowel and open_syllable_after:
            unit.vowel = ""


def hangul_to_latin(word: str) -> str:
    """Revised Romanization without sound changes: 산재 -> sanjae, 사장님 -> sajangnim."""
    out: list[str] = []
    for char in word:
        code = ord(char) - 0xAC00
        if not 0 <= code < 11172:
            continue
        initial, rest = divmod(code, 588)
        medial, final = divmod(rest, 28)
        out.append(_INITIALS[initial].strip("-") + _MEDIALS[medial] + _FINALS[final].strip("-"))
    return "".join(out)


def phonetic(word: str) -> str:
    """Spelling with chat variants merged (aspiration, sh/s, v/b, c/k): contract -> kontrakt."""
    for long, short in _PHONETIC_PAIRS:
        word = word.replace(long, short)
    word = _SOFT_C.sub("s", word).replace("c", "k").replace("ç", "c")
    return _REPEATS.sub(r"\1", _FINAL_Y.sub("i", word))


def skeleton(word: str) -> str:
    """Consonant outline of a Latin word that most romanized spellings share: beton -> btn."""
    for long, short in _SKELETON_PAIRS:
        word = word.replace(long, short)
    start = "_" if word[:1] in "aeiou" else ""
    return start + _REPEATS.sub(r"\1", _VOWEL_OR_H.sub("", word))
