"""Finding the article that answers a worker's message, in their language, or nothing at all.

Each language gets its own index over the slugs (knowledge/index.py). A slug's terms come from
its article in that language (keywords count most, then the title, the lead, the rest of the
body) and, weaker, from its English article, because workers mix in English words and a
translation may be missing. Below a confidence threshold the answer is no article at all:
greetings and small talk must not get a random one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache

from knowledge.index import KEYWORD_WEIGHT, LanguageIndex
from knowledge.langdata import LanguageData, language_data
from knowledge.langdetect import LanguageProfiles, build_profiles, detect_language
from knowledge.models import Article, SearchHit
from knowledge.terms import Word, analyse, pairs, stems

ENGLISH = "en"
ENGLISH_WEIGHT = 0.7  # the English article's terms, when searching another language
# Field weights add up (BM25F-like): a word in the title, the keywords and all over the body
# speaks for the article more than a word in its keywords only.
TITLE_WEIGHT = 0.6
LEAD_WEIGHT = 0.3
BODY_WEIGHT = 0.5  # reached by words the body repeats; a single mention counts BODY_ONCE
BODY_ONCE = 0.1
THRESHOLD = 0.35  # confidence below which nothing is returned
KEEP_RATIO = 0.3  # further hits must score at least this share of the best one


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
        english = data_for(ENGLISH)
        terms = {
            (a.slug, a.lang): _article_terms(a, data_for(a.lang), english) for a in self._articles
        }
        self._indexes = {lang: self._build_index(lang, terms) for lang in self.languages}
        self._profiles: LanguageProfiles = build_profiles(self._articles, data_for)

    def _build_index(
        self, lang: str, terms: dict[tuple[str, str], dict[str, float]]
    ) -> LanguageIndex:
        documents = []
        for slug in self._slugs:
            merged = dict(terms.get((slug, lang), {}))
            if lang != ENGLISH:
                for key, weight in terms.get((slug, ENGLISH), {}).items():
                    merged[key] = max(merged.get(key, 0.0), ENGLISH_WEIGHT * weight)
            documents.append(merged)
        return LanguageIndex(self._slugs, documents)

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
        return detect_language(text, ordered, self._profiles)

    def search(self, query: str, lang: str | None = None, limit: int = 3) -> list[SearchHit]:
        """The best slugs for a query, best first; [] when nothing answers it well enough."""
        if lang is None:
            lang = self.detect_language(query)
        index = self._indexes.get(lang) or self._indexes.get(ENGLISH)
        if index is None or limit <= 0:
            return []
        data, english = self._data_for(lang), self._data_for(ENGLISH)
        words = _content_words(query, data, english)
        scores = index.score(words + pairs(words))
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        if not ranked or ranked[0][1] < THRESHOLD:
            return []
        floor = ranked[0][1] * KEEP_RATIO
        return [
            SearchHit(index.slugs[number], score)
            for number, score in ranked[:limit]
            if score >= floor
        ]


def _content_words(text: str, data: LanguageData, english: LanguageData) -> list[Word]:
    """The words of a text that can say what it is about (stopwords of the language dropped)."""
    return [w for w in analyse(text, data) if not _is_stopword(w, data, english)]


def _is_stopword(word: Word, data: LanguageData, english: LanguageData) -> bool:
    return word.script != "PAIR" and _stopword(word.surface, word.script == "LATIN", data, english)


@lru_cache(maxsize=100_000)
def _stopword(surface: str, latin: bool, data: LanguageData, english: LanguageData) -> bool:
    """A stopword, or one with a case ending (तपाईंलाई); Latin words may be English stopwords."""
    lists = [data.stopwords, english.stopwords] if latin else [data.stopwords]
    forms = [surface, *stems(surface, data)]
    return any(form in stopwords for form in forms for stopwords in lists)


def _article_terms(
    article: Article, data: LanguageData, english: LanguageData
) -> dict[str, float]:
    """Every index key of one article with its weight: field weights added up."""
    title = _content_words(article.title, data, english)
    fields: list[tuple[list[Word], float]] = [(title + pairs(title), TITLE_WEIGHT)]
    keyword_words = []
    for keyword in article.keywords:
        found = _content_words(keyword, data, english)
        keyword_words += found + pairs(found)
    fields.append((keyword_words, KEYWORD_WEIGHT))
    fields.append((list(analyse(article.lead, data)), LEAD_WEIGHT))
    weights: Counter[str] = Counter()
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
    return dict(weights)
