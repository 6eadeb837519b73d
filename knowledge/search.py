"""Finding the article that answers a worker's message, in their language, or nothing at all.

Each language gets its own index over the slugs (knowledge/index.py). A slug's terms come from
its article in that language (keywords count most, then the title, the lead, the rest of the
body) and, weaker, from its English article, because workers mix in English words and a
translation may be missing. Below a confidence threshold the answer is no article at all:
greetings and small talk must not get a random one.

Small talk is recognised from each language's data file (knowledge/lang/<code>.yaml): greeting
phrases are dropped, small-talk words and phrases ('have you eaten', 'football') each cancel one
topic word, and everyday words ('day', 'hot', 'food') count half. A slug is only an answer when
the query's words surely name one of its topic terms (its title and keywords), by more than the
small talk around them: a word its body merely mentions, or a guessed spelling, is not enough.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from knowledge.index import KEYWORD_WEIGHT, LanguageIndex
from knowledge.langdata import LanguageData, language_data
from knowledge.langdetect import LanguageProfiles, build_profiles, detect_language
from knowledge.memo import building, remembered, word_cached
from knowledge.models import Article, SearchHit
from knowledge.terms import Word, analyse, pairs, stems
from knowledge.text import normalize

ENGLISH = "en"
ENGLISH_WEIGHT = 0.7  # the English article's terms, when searching another language
# Field weights add up (BM25F-like): a word in the title, the keywords and all over the body
# speaks for the article more than a word in its keywords only.
TITLE_WEIGHT = 0.6
LEAD_WEIGHT = 0.3
BODY_WEIGHT = 0.5  # reached by words the body repeats; a single mention counts BODY_ONCE
BODY_ONCE = 0.1
KEYWORD_REPEAT = 0.1  # per e-fold of keywords that repeat a term: ties between articles broken
THRESHOLD = 0.3  # confidence below which nothing is returned
KEEP_RATIO = 0.3  # further hits must score at least this share of the best one
SMALL_TALK = "small_talk"  # a word of small talk ('eaten', 'football'): cancels one topic word
EVERYDAY = "everyday"  # an everyday word ('day', 'hot'): a topic word only beside another


class KnowledgeBase:
    """All articles, searchable per language; built once, then read-only and cheap to query."""

    def __init__(
        self,
        articles: Iterable[Article],
        data_for: Callable[[str], LanguageData] = language_data,
    ) -> None:
        self._articles = list(articles)
        self._by_key = {(a.slug, a.lang): a for a in self._articles}
        self._data_for = data_for
        self.languages = sorted({a.lang for a in self._articles})
        self._slugs = list(dict.fromkeys(a.slug for a in self._articles))
        with building():  # the articles' words are analysed once, then forgotten
            english = data_for(ENGLISH)
            terms: dict[tuple[str, str], dict[str, float]] = {}
            self._topics: dict[tuple[str, str], frozenset[str]] = {}
            for a in self._articles:
                key = (a.slug, a.lang)
                terms[key], self._topics[key] = _article_terms(a, data_for(a.lang), english)
            variants: dict[str, str] = {}  # most keys are in every language's index (English's)
            self._indexes = {
                lang: self._build_index(lang, terms, variants) for lang in self.languages
            }
            self._read_data_files()
            self._profiles: LanguageProfiles = build_profiles(self._articles, data_for)

    def __setstate__(self, state: dict[str, object]) -> None:
        """Unpickled (knowledge/snapshot.py): the data files are read as after a build."""
        self.__dict__.update(state)
        self._read_data_files()

    def _read_data_files(self) -> None:
        """The small-talk lists, read now: Korean ones need the analyser (or its file)."""
        for lang in {ENGLISH, *self.languages}:
            _chat_lists(self._data_for(lang))

    def _build_index(
        self, lang: str, terms: dict[tuple[str, str], dict[str, float]], variants: dict[str, str]
    ) -> LanguageIndex:
        documents = []
        topics = []
        for slug in self._slugs:
            merged = dict(terms.get((slug, lang), {}))
            topic = self._topics.get((slug, lang), frozenset())
            if lang != ENGLISH:
                for key, weight in terms.get((slug, ENGLISH), {}).items():
                    merged[key] = max(merged.get(key, 0.0), ENGLISH_WEIGHT * weight)
                topic |= self._topics.get((slug, ENGLISH), frozenset())
            documents.append(merged)
            topics.append(topic)
        return LanguageIndex(self._slugs, documents, topics, variants)

    def get(self, slug: str, lang: str) -> Article | None:
        """The article of a slug in one language, if it exists."""
        return self._by_key.get((slug, lang))

    def articles_in(self, category: str, lang: str) -> list[Article]:
        """A category's articles in a language; English stands in for a missing translation."""
        found = []
        for slug in self._slugs:
            article = self.get(slug, lang) or self.get(slug, ENGLISH)
            if article is not None and article.category == category:
                found.append(article)
        return found

    def detect_language(self, text: str) -> str:
        """The most likely language of a message among those with articles."""
        if not self.languages:
            return ENGLISH
        ordered = sorted(self.languages, key=lambda lang: lang != ENGLISH)
        return remembered(("language", id(self), text),
                          lambda: detect_language(text, ordered, self._profiles))

    def search_across(
        self, query: str, lang: str | None, limit: int = 3
    ) -> tuple[str, list[SearchHit]]:
        """(language, hits): the worker's language first, then the language the message is in.

        A worker whose Telegram says English may type romanized Bengali; a worker who chose
        Nepali may type Banglish. Their own language is searched first; when it finds nothing,
        the language the text is written in (other languages are not tried: a word that means
        nothing in the two would find a random article somewhere).
        """
        detected = self.detect_language(query) if self.languages else ENGLISH
        for each in dict.fromkeys([lang, detected] if lang else [detected]):
            hits = self.search(query, each, limit)
            if hits:
                return each, hits
        return lang or detected, []

    def is_small_talk(self, query: str, lang: str | None = None) -> bool:
        """True when a message has no word that could name a topic (a greeting, 'how are you')."""
        if lang is None:
            lang = self.detect_language(query)
        if not normalize(query).strip():
            return False
        _phrases, found = self._read(query, lang)
        return all(kind == SMALL_TALK for _word, kind in found)

    def _read(self, query: str, lang: str) -> tuple[int, tuple[tuple[Word, str | None], ...]]:
        """(small-talk phrases, content words with their chat kind) of a query in a language.

        The small-talk check and the search (in up to two languages) read a message alike:
        within one update each reading is done once (knowledge/memo.py forgets it after).
        """

        def read() -> tuple[int, tuple[tuple[Word, str | None], ...]]:
            data, english = self._data_for(lang), self._data_for(ENGLISH)
            text, phrases = _without_small_talk_phrases(query, data, english)
            found = _content_words(text, data, english)
            return phrases, tuple((word, _chat_kind(word, data, english)) for word in found)

        return remembered(("read", id(self), query, lang), read)

    def search(self, query: str, lang: str | None = None, limit: int = 3) -> list[SearchHit]:
        """The best slugs for a query, best first; [] when nothing answers it well enough."""
        if lang is None:
            lang = self.detect_language(query)
        if limit <= 0:
            return []
        return remembered(("search", id(self), query, lang), lambda: self._ranked(query, lang))[
            :limit]

    def _ranked(self, query: str, lang: str) -> list[SearchHit]:
        """Every slug good enough for a query, best first (an update's searches share it)."""
        index = self._indexes.get(lang) or self._indexes.get(ENGLISH)
        if index is None:
            return []
        small_talk, found = self._read(query, lang)
        words: list[Word] = []
        everyday: set[str] = set()
        for word, kind in found:
            if kind == SMALL_TALK:
                small_talk += 1
            else:
                words.append(word)
                if kind == EVERYDAY:
                    everyday.add(word.keys[0][0])
        scores = index.score(words + pairs(words), everyday, small_talk)
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        if not ranked or ranked[0][1] < THRESHOLD:
            return []
        floor = ranked[0][1] * KEEP_RATIO
        return [SearchHit(index.slugs[number], score) for number, score in ranked
                if score >= floor]


def _without_small_talk_phrases(
    text: str, data: LanguageData, english: LanguageData
) -> tuple[str, int]:
    """The text without greetings and small-talk phrases, and how many of the latter it had."""
    text = normalize(text)
    found = 0
    for lists in dict.fromkeys((data, english)):
        chat = _chat_lists(lists)
        for entry, pattern in chat.greetings:
            if entry in text:  # a cheap test first: most messages have none of the phrases
                text = pattern.sub(" ", text)
        for entry, pattern in chat.phrases:
            if entry in text:
                text, count = pattern.subn(" ", text)
                found += count
    return text, found


def _chat_kind(word: Word, data: LanguageData, english: LanguageData) -> str | None:
    """SMALL_TALK, EVERYDAY or None (a plain word), from the language's lists (and English's)."""
    forms = {word.keys[0][0]}
    if word.script != "LATIN":  # a native word may carry a case ending: দিনে is দিন
        forms.update(stems(word.surface, data))
    lists = [data, english] if word.script == "LATIN" else [data]
    for kind in (SMALL_TALK, EVERYDAY):
        if any(forms & getattr(_chat_lists(each), kind) for each in lists):
            return kind
    return None


_Phrase = tuple[str, re.Pattern[str]]  # the text, and the pattern that finds it as words


@dataclass(frozen=True)
class _ChatLists:
    """A language's greetings, small-talk words and phrases and everyday words."""

    greetings: tuple[_Phrase, ...]  # stopword phrases: dropped from the text
    small_talk: frozenset[str]  # index keys of single small-talk words
    phrases: tuple[_Phrase, ...]  # small-talk phrases, matched in the text
    everyday: frozenset[str]  # index keys of everyday words


@lru_cache(maxsize=64)
def _chat_lists(data: LanguageData) -> _ChatLists:
    words: set[str] = set()
    phrases: list[_Phrase] = []
    for entry in data.small_talk:
        found = [w for w in analyse(entry, data) if not w.optional]
        if len(found) == 1 and found[0].surface == entry:
            words.add(found[0].keys[0][0])
        else:  # several words, or a Korean word with its ending: matched in the text itself
            phrases.append(_phrase(entry))
    everyday = {w.keys[0][0] for entry in data.everyday for w in analyse(entry, data)}
    # Longest first, so that a greeting goes whole before a shorter one inside it cuts it up
    # (새해 복 많이 받으세요 before 새해 복 많이); the stopwords are a set, without an order.
    phrasal = sorted((e for e in data.stopwords if " " in e), key=lambda e: (-len(e), e))
    greetings = tuple(_phrase(entry) for entry in phrasal)
    return _ChatLists(greetings, frozenset(words), tuple(phrases), frozenset(everyday))


def _phrase(entry: str) -> _Phrase:
    """A phrase as a whole word sequence; a Korean one may go on with any ending (먹었어 + 요)."""
    end = r"(?![^\W\d_])" if entry[-1].isascii() else ""
    return entry, re.compile(r"(?<![^\W\d_])" + re.escape(entry) + end)


def _content_words(text: str, data: LanguageData, english: LanguageData) -> list[Word]:
    """The words of a text that can say what it is about (stopwords of the language dropped)."""
    return [w for w in analyse(text, data) if not _is_stopword(w, data, english)]


def _is_stopword(word: Word, data: LanguageData, english: LanguageData) -> bool:
    return word.script != "PAIR" and _stopword(word.surface, word.script == "LATIN", data, english)


@word_cached
def _stopword(surface: str, latin: bool, data: LanguageData, english: LanguageData) -> bool:
    """A stopword, or one with a case ending (तपाईंलाई); Latin words may be English stopwords."""
    lists = [data.stopwords, english.stopwords] if latin else [data.stopwords]
    forms = [surface, *stems(surface, data)]
    return any(form in stopwords for form in forms for stopwords in lists)


def _article_terms(
    article: Article, data: LanguageData, english: LanguageData
) -> tuple[dict[str, float], frozenset[str]]:
    """Every index key of one article with its weight, and the keys of its topic terms.

    Field weights add up; the topic terms are its title and keywords (and their word pairs):
    what the article is about.
    """
    title = _content_words(article.title, data, english)
    fields: list[tuple[list[Word], float]] = [(title + pairs(title), TITLE_WEIGHT)]
    keyword_words = []
    mentions: Counter[str] = Counter()  # how many of the keywords have the key
    for keyword in article.keywords:
        found = _content_words(keyword, data, english)
        keyword_words += found + pairs(found)
        mentions.update({key for word in found for key, _ in word.keys})
    fields.append((keyword_words, KEYWORD_WEIGHT))
    topics = frozenset(key for words, _ in fields for word in words for key, _ in word.keys)
    fields.append((list(analyse(article.lead, data)), LEAD_WEIGHT))
    weights: Counter[str] = Counter()
    for key, count in mentions.items():  # an article with 'talab' in 20 keywords is about it
        weights[key] += KEYWORD_REPEAT * math.log(count)
    for found, field_weight in fields:
        best: dict[str, float] = {}
        for word in found:
            for key, key_weight in word.keys:
                best[key] = max(best.get(key, 0.0), key_weight)
        for key, key_weight in best.items():
            weights[key] += field_weight * key_weight
    body: Counter[str] = Counter()
    strength: dict[str, float] = {}
    for word in analyse(article.body, data):
        for key, key_weight in word.keys:
            body[key] += 1
            strength[key] = max(strength.get(key, 0.0), key_weight)
    for key, count in body.items():
        share = BODY_ONCE + (BODY_WEIGHT - BODY_ONCE) * (count - 1) / (count + 1)
        weights[key] += share * strength[key]
    return dict(weights), topics
