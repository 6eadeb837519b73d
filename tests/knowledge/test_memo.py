"""A worker's words are remembered while their update is handled, never after it."""

import pytest

from knowledge import langdetect, search, terms, text, triage
from knowledge.loader import load_articles
from knowledge.memo import building, remembering, word_cached
from knowledge.search import KnowledgeBase
from knowledge.topics import load_topics
from sathi import paths
from sathi.settings import Settings


def test_a_korean_sentence_is_analysed_once_per_update_and_not_kept(monkeypatch):
    calls: list[str] = []
    analyse = text.kiwi_tokens

    def counting(phrase: str):
        calls.append(phrase)
        return analyse(phrase)

    monkeypatch.setattr(text, "kiwi_tokens", counting)
    sentence = "사장님이 월급을 안 줘요"
    with remembering():
        first = text.korean_morphemes(sentence)
        assert text.korean_morphemes(sentence) == first
    assert calls == [sentence], "worked out once within the update"
    assert "사장" in first[0]

    with remembering():
        assert text.korean_morphemes(sentence) == first
    assert calls == [sentence, sentence], "the next update analyses it again: nothing was kept"


def test_a_workers_words_are_kept_for_their_update_and_articles_words_for_a_build():
    calls: list[str] = []

    @word_cached
    def keys_of(word: str) -> str:
        calls.append(word)
        return word.upper()

    with remembering():
        assert [keys_of("talab"), keys_of("talab")] == ["TALAB", "TALAB"]
    with remembering():
        keys_of("talab")
    assert calls == ["talab", "talab"], "once per update, and nothing kept after it"
    with building():
        keys_of("visa"), keys_of("visa")
    keys_of("visa")
    assert calls[2:] == ["visa", "visa"], "once in the build; outside either, just computed"


@pytest.fixture(scope="module")
def knowledge_base() -> KnowledgeBase:
    return KnowledgeBase(load_articles(paths.KNOWLEDGE_DIR, load_topics(paths.TOPICS_FILE),
                                       Settings(_env_file=None).languages))


def test_searching_a_workers_message_leaves_no_lasting_cache_bigger(knowledge_base):
    def sizes() -> dict[str, int]:
        return {f"{module.__name__}.{name}": value.cache_info().currsize
                for module in (terms, search, langdetect, triage, text)
                for name, value in vars(module).items()
                if hasattr(value, "cache_info") and value is not text.script_of}  # letters

    knowledge_base.search("warm up the analysers 월급", "en")
    before = sizes()
    with remembering():  # words no article has, in every script the search reads
        knowledge_base.search_across("mero zqxtalab brubhaiyena qwzpassport", "ne")
        knowledge_base.search_across("আমার ঝক্কপ্লম বেতন", "bn")
        knowledge_base.search_across("사장님이 퓨쾁월급을 안 줘요", "ko")
        knowledge_base.detect_language("walang sweldo plorxag")
    grown = {name: size for name, size in sizes().items() if size > before.get(name, 0)}
    assert grown == {}, "a worker's words stay only in the update's memo"


def test_an_updates_searches_share_one_ranking_whatever_their_limit(knowledge_base, monkeypatch):
    question = "mero talab aayena"
    expected = knowledge_base.search(question, "ne", limit=4)
    assert expected, "a question the guide answers"
    ranked: list[str] = []
    rank = knowledge_base._ranked

    def counting(query: str, lang: str):
        ranked.append(lang)
        return rank(query, lang)

    monkeypatch.setattr(knowledge_base, "_ranked", counting)
    with remembering():
        assert knowledge_base.search(question, "ne", limit=4) == expected
        assert knowledge_base.search(question, "ne", limit=1) == expected[:1]
        assert knowledge_base.search(question, "ne", limit=0) == []
    assert ranked == ["ne"], "ranked once in the update, sliced for each caller"
    knowledge_base.search(question, "ne", limit=1)
    assert ranked == ["ne", "ne"], "outside an update nothing is kept"
