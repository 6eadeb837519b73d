"""Guessing the language of a worker's message, learnt from the articles rather than hard-coded.

The script decides first (a language's script is whatever its articles are mostly written in).
Latin letters are shared by English, Tagalog and romanized Nepali and Bengali; there a small word
model per language decides: word counts from the articles (and the Latin spellings of native
words), backed off to letter trigrams for unseen words, plus each language's chat words from
knowledge/lang/<code>.yaml.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

from knowledge.langdata import LanguageData, language_data
from knowledge.models import Article
from knowledge.romanize import is_brahmic
from knowledge.terms import spell_latin
from knowledge.text import normalize, script_counts, strip_accents, words

LATIN = "LATIN"
_DATA_WORD_WEIGHT = 5.0  # a chat word from the data file counts like this many article words
_SPELLED_WEIGHT = 0.5  # a Latin spelling we made of a native word
_BACKOFF = 30.0  # how much an unseen word leans on the letter model
_LATIN_SHARE = 0.3  # mixed with another script, Latin decides only with this share of letters


class WordModel:
    """Unigram word model over one script, backed off to an interpolated letter-trigram model."""

    def __init__(self) -> None:
        self.words: Counter[str] = Counter()
        self.total = 0.0
        self._letters: _LetterModel | None = None

    def add(self, word: str, weight: float = 1.0) -> None:
        """Counts one occurrence of a word."""
        self.words[word] += weight
        self.total += weight
        self._letters = None

    def letters(self) -> _LetterModel:
        """The letter model of the words seen, made on first use (build_profiles makes it)."""
        if self._letters is None:
            self._letters = _LetterModel.of(self.words)
        return self._letters

    def logprob(self, word: str) -> float:
        """Log-probability of a word: its count smoothed towards the letter model."""
        letters = math.exp(self.letters().logprob(word))
        return math.log((self.words[word] + _BACKOFF * letters) / (self.total + _BACKOFF))


@dataclass(frozen=True)
class _LetterModel:
    """Log-probabilities of a letter after the two before it: trigram, bigram, unigram mixed.

    Worked out for every trigram, bigram and letter the words have. A trigram they never had
    falls back on its last two letters' mix, and a bigram they never had on its last letter's.
    """

    triples: dict[str, float]
    pairs: dict[str, float]  # a trigram never seen, by its last two letters
    singles: dict[str, float]  # a trigram and bigram never seen, by the last letter
    unseen: float  # a letter never seen either

    @classmethod
    def of(cls, words: Counter[str]) -> _LetterModel:
        """Counts the letter 1-, 2- and 3-grams of the words, with their contexts."""
        grams: Counter[str] = Counter()
        contexts: Counter[str] = Counter()
        for word, weight in words.items():
            padded = f"^^{word}$"
            for i in range(2, len(padded)):
                for n in (1, 2, 3):
                    grams[padded[i - n + 1 : i + 1]] += weight
                    if n > 1:
                        contexts[padded[i - n + 1 : i]] += weight
        letters = sum(words[w] * (len(w) + 1) for w in words)

        def unigram(letter: str) -> float:
            return (grams[letter] + 1.0) / (letters + 40.0)  # 40: the alphabet's size

        def ratio(gram: str) -> float:
            return _ratio(grams[gram], contexts[gram[:-1]])

        return cls(
            {g: _mix(ratio(g), ratio(g[1:]), unigram(g[2])) for g in grams if len(g) == 3},
            {g: _mix(0.0, ratio(g), unigram(g[1])) for g in grams if len(g) == 2},
            {g: _mix(0.0, 0.0, unigram(g)) for g in grams if len(g) == 1},
            _mix(0.0, 0.0, 1.0 / (letters + 40.0)),
        )

    def logprob(self, word: str) -> float:
        """Log-probability of a word's letters, one after the other, and of its end."""
        triples, pairs, singles = self.triples, self.pairs, self.singles
        padded = f"^^{word}$"
        logprob = 0.0
        for i in range(2, len(padded)):
            gram = padded[i - 2 : i + 1]
            step = triples.get(gram)
            if step is None:
                step = pairs.get(gram[1:])
                if step is None:
                    step = singles.get(gram[2], self.unseen)
            logprob += step
        return logprob


def _mix(trigram: float, bigram: float, unigram: float) -> float:
    return math.log(0.6 * trigram + 0.3 * bigram + 0.1 * unigram)


def _ratio(count: float, context: float) -> float:
    return count / context if context else 0.0


@dataclass
class LanguageProfiles:
    """What detection learnt: each language's main script and word models per script."""

    scripts: dict[str, str] = field(default_factory=dict)
    models: dict[tuple[str, str], WordModel] = field(default_factory=dict)
    grammar: set[str] = field(default_factory=set)  # Latin stopwords of all languages

    def model(self, lang: str, script: str) -> WordModel:
        """The word model of a language for one script, created empty on first use."""
        return self.models.setdefault((lang, script), WordModel())


def build_profiles(
    articles: Iterable[Article], data_for: Callable[[str], LanguageData] = language_data
) -> LanguageProfiles:
    """Learn scripts and word statistics from the articles (and the languages' data files)."""
    profiles = LanguageProfiles()
    counts: dict[tuple[str, str], Counter[str]] = {}
    letters: dict[str, Counter[str]] = {}
    texts: dict[str, list[tuple[str, bool]]] = {}
    for article in articles:
        fields = [(article.title, False), *((k, True) for k in article.keywords)]
        texts.setdefault(article.lang, []).extend([*fields, (article.body, False)])
        letters.setdefault(article.lang, Counter()).update(script_counts(article.body))
    for lang, letter_counts in letters.items():
        common = letter_counts.most_common(1)
        profiles.scripts[lang] = common[0][0] if common else LATIN
    for lang, items in texts.items():
        data = data_for(lang)
        main = profiles.scripts[lang]
        for text, is_keyword in items:
            _learn(counts, lang, main, data, text, is_keyword)
        profiles.grammar.update(w for w in data.stopwords if w.isascii() and w.isalpha())
        if main == LATIN or data.romanized:
            latin = counts.setdefault((lang, LATIN), Counter())
            for word in (*data.chat_words, *data.stopwords):
                if word.isascii() and word.isalpha():
                    latin[word] += _DATA_WORD_WEIGHT
    for key, counter in counts.items():
        model = profiles.model(*key)
        for word, weight in counter.items():
            model.add(word, weight)
    # Words decide only between languages of one script: their letter models are made now, at
    # start-up, not for a worker's message (a script of one language is never weighed).
    shared = Counter(script for _lang, script in profiles.models)
    for (_lang, script), model in profiles.models.items():
        if shared[script] > 1:
            model.letters()
    return profiles


def _learn(
    counts: dict[tuple[str, str], Counter[str]],
    lang: str,
    main: str,
    data: LanguageData,
    text: str,
    is_keyword: bool,
) -> None:
    """Counts the words of one field. Latin words of a non-Latin language only from keywords."""
    native = counts.setdefault((lang, main), Counter())
    latin = counts.setdefault((lang, LATIN), Counter()) if data.romanized else None
    for word, script in words(normalize(text)):
        if script == "DIGIT":
            continue
        if script == main:
            native[word if script != LATIN else strip_accents(word)] += 1.0
            if latin is not None and script != LATIN and is_brahmic(word[0]):
                spelled = spell_latin(word, data)
                if spelled:
                    latin[spelled] += _SPELLED_WEIGHT
        elif script == LATIN and is_keyword and latin is not None:
            latin[strip_accents(word)] += 1.0


def text_script(text: str, grammar: Collection[str] = ()) -> str | None:
    """The script whose language the text is in.

    Latin letters are shared: acronyms and loanwords (EPS-TOPIK, passport) turn up in every
    language, and Hangul or Devanagari words turn up in English. So another script decides,
    unless the Latin words carry the grammar (they include a word from `grammar`, such as 'is'
    or 'ko') and are a fair share of the letters.
    """
    counts = script_counts(normalize(text))
    total = sum(counts.values())
    if not total:
        return None
    others = [(n, s) for s, n in counts.items() if s != LATIN]
    if not others:
        return LATIN
    if counts[LATIN] >= _LATIN_SHARE * total:
        latin = {w for w, s in words(normalize(text)) if s == LATIN and len(w) > 1}
        if latin & set(grammar):
            return LATIN
    return max(others)[1]


def detect_language(text: str, candidates: Collection[str], profiles: LanguageProfiles) -> str:
    """The most likely of the candidate languages for a text (the first candidate if no clue)."""
    ordered = list(candidates)
    if not ordered:
        raise ValueError("no candidate languages")
    script = text_script(text, profiles.grammar)
    if script is None:
        return ordered[0]
    native = [lang for lang in ordered if profiles.scripts.get(lang) == script]
    if script != LATIN and len(native) == 1:
        return native[0]
    learnt = [lang for lang in ordered if (lang, script) in profiles.models]
    pool = learnt if script == LATIN else native or learnt
    if not pool:
        return ordered[0]
    if len(pool) == 1:
        return pool[0]
    tokens = [
        strip_accents(w) if s == LATIN else w for w, s in words(normalize(text)) if s == script
    ]
    models = {lang: profiles.model(lang, script) for lang in pool}
    scores = {lang: sum(models[lang].logprob(w) for w in tokens) for lang in pool}
    return max(pool, key=lambda lang: scores[lang])
