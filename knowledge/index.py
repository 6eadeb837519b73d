"""One language's search index: which slugs a query's words point to, and how strongly.

A query word scores a slug by its best match (exact, stem, Latin spelling of a native word,
prefix, typo, consonant outline) times the word's rarity times the weight of the term in that
slug's articles. A slug's score is the share of the query's weight it explains, times how much
evidence that is: a message about football that happens to contain 'night' explains too little,
and 'what is your name' is explained fully but only by a common word. Both get no answer.
Besides, some word of the query must surely be one of the slug's topic terms (title, keywords):
'bored' found as a neighbour of 'board', or 'name' met in a body, vouches for nothing.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from knowledge.romanize import phonetic
from knowledge.terms import SKELETON, Word

KEYWORD_WEIGHT = 1.0  # a term in an article's keywords: that article is about it
SKELETON_QUALITY = 0.55
PREFIX_QUALITY = 0.75
FUZZY_CUTOFF = 83.0  # rapidfuzz ratio: one wrong letter in a word of 6 or more
TYPOS = 4  # the closest keys of a typo search
SURE_TYPO = 88.0  # a typo this close, in a word of SURE_LENGTH letters or more, vouches alone
SURE_LENGTH = 6
UNSEEN_FACTOR = 0.8  # weight of a query word found nowhere, relative to the rarest known word
ENOUGH_EVIDENCE = 1.0  # evidence at which a fully explained answer is half sure
MOST_UNKNOWN = 3  # unknown words beyond this many are the filler of a long message
EVERYDAY_VOTE = 0.4  # an everyday word (day, time, hot) answers only beside a topic word
EVERYDAY_WEIGHT = 0.5  # and is weaker evidence for and against any article
LOTS_OF_EVIDENCE = 15.0  # evidence at which an answer is half sure whatever else is said


@dataclass(frozen=True)
class _Match:
    key: str
    quality: float
    exact: bool  # one of the word's own spellings, not a neighbour found by similarity
    sure: bool  # exact, or a clear typo of a long word: may vouch for a topic on its own


class LanguageIndex:
    """Postings for one query language: term -> {slug number: weight}, with rarity and spelling."""

    def __init__(
        self,
        slugs: list[str],
        documents: list[dict[str, float]],
        topics: list[frozenset[str]] | None = None,
        variants: dict[str, str] | None = None,
    ) -> None:
        """`variants`: phonetic spellings of keys, shared by the indexes of one build."""
        postings: dict[str, dict[int, float]] = {}
        for number, terms in enumerate(documents):
            for key, weight in terms.items():
                postings.setdefault(key, {})[number] = weight
        # Keys of each slug's title and keywords: what its articles are about, not just mention.
        topical: dict[str, set[int]] = {}
        for number, keys in enumerate(topics or [frozenset(d) for d in documents]):
            for key in keys:
                topical.setdefault(key, set()).add(number)
        self.topical = topical
        self.slugs = slugs
        self.postings = postings
        total = len(slugs)
        # How many articles are about a term: a passing mention in a body counts a little, a
        # keyword fully ('payslip' is in many bodies, but one article is about it). A chat
        # spelling is as common as all its variants: 'mash' as 'mas'.
        about = {
            key: sum(min(1.0, w / KEYWORD_WEIGHT) for w in p.values())
            for key, p in postings.items()
        }
        self.rarity: dict[str, float] = {}
        variants = {} if variants is None else variants
        for key in postings:
            variant = variants.get(key)
            if variant is None:
                variant = variants[key] = phonetic(key) if key.isascii() else key
            frequency = max(about[key], about.get(variant, 0.0))
            self.rarity[key] = math.log(1.0 + (total - frequency + 0.5) / (frequency + 0.5))
        self.unseen = UNSEEN_FACTOR * math.log(1.0 + (total - 0.5) / 1.5) if total else 1.0
        buckets: dict[str, list[str]] = {}
        for key in postings:
            if not key.startswith(SKELETON) and len(key) >= 4:
                buckets.setdefault(key[0], []).append(key)
        self.buckets = {letter: _Bucket.of(keys) for letter, keys in buckets.items()}
        self.vocabulary = frozenset(postings)

    def matches(self, word: Word) -> list[_Match]:
        """Index keys a query word may stand for, with how sure each is."""
        found: dict[str, _Match] = {}
        for key, weight in word.keys:
            if key in self.vocabulary and key not in found:
                outline = key.startswith(SKELETON)
                quality = weight * (SKELETON_QUALITY if outline else 1.0)
                # A short Latin spelling of a native word is often some other word: পড় -> 'por'.
                guess = outline or (word.script != "LATIN" and key.isascii() and len(key) < 4)
                found[key] = _Match(key, quality, exact=not outline, sure=not guess)
        near = self._near(word.keys[0][0], FUZZY_CUTOFF)
        if word.script not in ("LATIN", "PAIR"):  # its Latin spelling may be an English loanword
            spelled = [k for k, _ in word.keys[1:] if k.isascii() and k.isalpha()][:1]
            near += self._near(spelled[0], FUZZY_CUTOFF) if spelled else []
        bones = next((k for k, _ in word.keys if k.startswith(SKELETON)), None)
        if bones is not None and bones not in found:
            near += [(k, q * SKELETON_QUALITY, False) for k, q in self._prefixes(bones, 4)]
        for key, quality, sure in near:
            if word.script == "PAIR" and " " not in key:
                continue  # a pair's prefix is its first word, which counts on its own
            if key not in found:
                found[key] = _Match(key, quality, exact=False, sure=sure)
        return list(found.values())

    def _prefixes(self, key: str, shortest: int) -> list[tuple[str, float]]:
        """The longest prefix of the key that is itself a key (inflected forms of one stem)."""
        for cut in range(len(key) - 1, shortest - 1, -1):
            if cut < 0.6 * len(key):
                break
            if key[:cut] in self.vocabulary:
                return [(key[:cut], PREFIX_QUALITY * math.sqrt(cut / len(key)))]
        return []

    def _near(self, key: str, cutoff: float) -> list[tuple[str, float, bool]]:
        """Keys that share a long prefix with the word or differ by a typo or two.

        Only a clear typo of a long word is sure ('pasport'); a prefix or a short word's typo
        is a guess ('bored' is not 'board').
        """
        if len(key) < 4:
            return []
        near = {other: (quality, False) for other, quality in self._prefixes(key, 3)}
        bucket = self.buckets.get(key[0]) if len(key) >= 5 else None
        for other, ratio in bucket.closest(key, cutoff, TYPOS) if bucket is not None else []:
            if other == key:
                continue
            quality = 0.9 * (ratio / 100.0) ** 3
            sure = ratio >= SURE_TYPO and min(len(key), len(other)) >= SURE_LENGTH
            if other.startswith(key) and len(key) >= 0.6 * len(other):
                quality = max(quality, PREFIX_QUALITY * math.sqrt(len(key) / len(other)))
            before, was_sure = near.get(other, (0.0, False))
            near[other] = (max(before, quality), sure or was_sure)
        return [(other, quality, sure) for other, (quality, sure) in near.items()]

    def score(
        self,
        words: list[Word],
        everyday: Collection[str] = (),
        small_talk: float = 0.0,
    ) -> Counter[int]:
        """Share of the query's weight that each slug explains, times how much evidence that is.

        A message whose only known word is a common one ('name', 'morning') is explained fully
        but by little: the second factor keeps such answers below the threshold. Only slugs that
        the query's words vouch for are answers: a word vouches for a slug when it is surely
        (not by a guessed spelling) one of the slug's topic terms. An everyday word (day, time,
        hot) vouches half, and each sign of small talk (eaten?, football) cancels one word.
        """
        explained: Counter[int] = Counter()
        support: Counter[int] = Counter()
        weight = 0.0
        unknown = 0
        seen: set[str] = set()
        for word in words:
            if word.keys[0][0] in seen:
                continue
            seen.add(word.keys[0][0])
            matches = self.matches(word)
            if not matches:
                unknown += 0 if word.optional else 1
                continue
            # A neighbour is never rarer than the word itself: 'time' must not score as 'times'.
            cap = max((self.rarity[m.key] for m in matches if m.exact), default=math.inf)
            gains: dict[int, float] = {}
            vouched: set[int] = set()
            for match in matches:
                rarity = match.quality * min(self.rarity[match.key], cap)
                for number, strength in self.postings[match.key].items():
                    gain = rarity * strength
                    if gain > gains.get(number, 0.0):
                        gains[number] = gain
                if match.sure and not word.optional:  # optional extras never answer alone
                    vouched.update(self.topical.get(match.key, ()))
            vote, scale = 1.0, 1.0
            if word.keys[0][0] in everyday:  # weak evidence, for whatever it points to
                vote, scale = EVERYDAY_VOTE, EVERYDAY_WEIGHT
                gains = {number: scale * gain for number, gain in gains.items()}
            weight += max(gains.values())
            explained.update(gains)
            for number in vouched:
                support[number] += vote
        # A few unknown words make a message suspect (football, weather); many are a story.
        weight += self.unseen * min(unknown, MOST_UNKNOWN)
        if weight <= 0.0:
            return Counter()
        return Counter(
            {
                number: _confidence(gain, weight)
                for number, gain in explained.items()
                if support[number] - small_talk >= 1.0
            }
        )


@dataclass(frozen=True)
class _Bucket:
    """The keys of one first letter, by length: a word is compared with those it can be close to.

    rapidfuzz's ratio is 200 * matches / (both lengths), and matches are at most the shorter
    length: keys far longer or shorter than the word cannot reach the cutoff.
    """

    keys: list[str]
    starts: list[int]  # starts[n]: where the keys of n letters or more begin
    order: array[int]  # each key's place in the postings, which breaks ties between equals

    @classmethod
    def of(cls, keys: list[str]) -> _Bucket:
        ordered = sorted(range(len(keys)), key=lambda number: len(keys[number]))
        lengths = [len(keys[number]) for number in ordered]
        starts = [bisect_left(lengths, n) for n in range(lengths[-1] + 2)]
        return cls([keys[number] for number in ordered], starts, array("i", ordered))

    def closest(self, word: str, cutoff: float, limit: int) -> list[tuple[str, float]]:
        """The `limit` keys most like the word with a ratio of `cutoff` or more, best first."""
        last = len(self.starts) - 1
        shortest = math.floor(len(word) * cutoff / (200.0 - cutoff))  # rounded to take more
        longest = math.ceil(len(word) * (200.0 - cutoff) / cutoff)
        first = self.starts[min(shortest, last)]
        found = process.extract(
            word, self.keys[first : self.starts[min(longest + 1, last)]],
            scorer=fuzz.ratio, score_cutoff=cutoff, limit=None,
        )
        found.sort(key=lambda each: (-each[1], self.order[first + each[2]]))
        return [(key, ratio) for key, ratio, _ in found[:limit]]


def _confidence(gain: float, weight: float) -> float:
    """How sure an answer is, in [0, 1], from its evidence and the query's total weight.

    Short questions must be explained mostly, and by more than one common word. A long story
    mentions many things; there a lot of evidence for one article is enough.
    """
    share = min(1.0, gain / weight) * gain / (gain + ENOUGH_EVIDENCE)
    return max(share, gain / (gain + LOTS_OF_EVIDENCE))
