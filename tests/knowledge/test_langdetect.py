"""Language detection: learnt from the articles, script first, then words for Latin letters."""

import datetime
from pathlib import Path

import pytest

from knowledge.langdata import LanguageData
from knowledge.langdetect import build_profiles, detect_language, text_script
from knowledge.loader import load_articles
from knowledge.models import Article
from knowledge.search import KnowledgeBase
from knowledge.topics import load_topics

REPO = Path(__file__).resolve().parents[2]
LANGUAGES = ["en", "ne", "bn", "tl", "ko"]


def _article(lang: str, title: str, body: str, keywords: tuple[str, ...] = ()) -> Article:
    return Article(
        slug="unpaid-wages",
        lang=lang,
        category="at-work",
        title=title,
        keywords=keywords,
        sources=("https://example.org/",),
        last_reviewed=datetime.date(2026, 1, 1),
        review="draft",
        body=body,
    )


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    articles = load_articles(
        REPO / "knowledge" / "articles", load_topics(REPO / "knowledge" / "topics.tsv"), LANGUAGES
    )
    return KnowledgeBase(articles)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("मेरो तलब आएन", "ne"),
        ("আমার বেতন দেয়নি", "bn"),
        ("월급을 못 받았어요", "ko"),
        ("EPS-TOPIK 시험 접수", "ko"),  # Latin acronyms inside Korean
        ("what is 산재", "en"),  # a Korean word inside English
        ("my salary is late two months", "en"),
        ("hindi pa binabayaran ang sahod ko", "tl"),
        ("ilang araw ang leave ko po", "tl"),
        ("mero talab aayena, ke garne", "ne"),
        ("company le passport rakhyo", "ne"),
        ("amar beton dey nai, ki korbo", "bn"),
        ("malik amake chuti dey na", "bn"),
    ],
)
def test_detects_the_language_of_workers_messages(kb: KnowledgeBase, text, lang):
    assert kb.detect_language(text) == lang


def test_another_script_decides_unless_the_latin_words_carry_the_grammar():
    grammar = {"is", "my", "ko"}
    assert text_script("तलब") == "DEVANAGARI"
    assert text_script("wages late") == "LATIN"
    assert text_script("시험 접수 EPS-TOPIK", grammar) == "HANGUL"
    assert text_script("내 passport 안 줘요", grammar) == "HANGUL"
    assert text_script("my 월급 is late", grammar) == "LATIN"
    assert text_script("123 😂") is None


def test_a_new_language_needs_articles_not_code():
    # Hindi shares Devanagari with Nepali: the words learnt from each language's articles decide.
    articles = [
        _article("ne", "तलब आएन", "मेरो तलब आएन। साहुजीले पैसा दिएन। के गर्ने? श्रम कार्यालयमा जानुहोस्।"),
        _article(
            "hi", "वेतन नहीं मिला", "मेरा वेतन नहीं मिला। मालिक ने पैसे नहीं दिए। क्या करें? श्रम कार्यालय जाइए।"
        ),
        _article("en", "Wages not paid", "My wages are late. Go to the labour office."),
    ]
    profiles = build_profiles(articles, lambda code: LanguageData(code))
    assert profiles.scripts == {"ne": "DEVANAGARI", "hi": "DEVANAGARI", "en": "LATIN"}
    candidates = ["en", "ne", "hi"]
    assert detect_language("मालिक ने वेतन नहीं दिया", candidates, profiles) == "hi"
    assert detect_language("साहुजीले तलब दिएन", candidates, profiles) == "ne"
    assert detect_language("wages late", candidates, profiles) == "en"


def test_romanized_language_is_learnt_from_keywords_and_spelled_native_words():
    articles = [
        _article("ne", "तलब आएन", "साहुजीले तलब दिएन।", keywords=("talab aayena", "sahuji")),
        _article("en", "Wages not paid", "The boss did not pay the wages."),
    ]
    romanized = {"ne": LanguageData("ne", romanized=True)}
    profiles = build_profiles(articles, lambda code: romanized.get(code, LanguageData(code)))
    assert detect_language("sahuji le talab diena", ["en", "ne"], profiles) == "ne"
    assert detect_language("the boss did not pay", ["en", "ne"], profiles) == "en"


def test_without_clues_the_first_candidate_wins():
    profiles = build_profiles([], lambda code: LanguageData(code))
    assert detect_language("😂😂😂", ["en", "ko"], profiles) == "en"
    assert detect_language("월급", ["en", "ko"], profiles) == "en"  # nothing learnt about ko
    with pytest.raises(ValueError):
        detect_language("x", [], profiles)
