"""The knowledge work done before an update's transaction is the work its handlers then use."""

import pytest
from telegram import Bot, Update

from bot.prepare import prepare
from knowledge import triage as triage_module
from knowledge.loader import load_articles
from knowledge.memo import remembering
from knowledge.search import KnowledgeBase
from knowledge.topics import load_topics
from sathi import paths
from sathi.settings import Settings


@pytest.fixture(scope="module")
def knowledge_base() -> KnowledgeBase:
    return KnowledgeBase(load_articles(paths.KNOWLEDGE_DIR, load_topics(paths.TOPICS_FILE),
                                       Settings(_env_file=None).languages))


def _update(text: str, *, edited: bool = False) -> Update:
    message = {"message_id": 1, "date": 0, "text": text,
               "chat": {"id": 7, "type": "private"},
               "from": {"id": 7, "is_bot": False, "first_name": ""}}
    return Update.de_json({"update_id": 1, "edited_message" if edited else "message": message},
                          Bot("1:x"))


def _counting(monkeypatch, kb: KnowledgeBase) -> dict[str, list]:
    calls: dict[str, list] = {"rank": [], "classify": []}
    rank, classify = kb._ranked, triage_module.classify

    def ranking(query, lang):
        calls["rank"].append(lang)
        return rank(query, lang)

    def classifying(text, rules):
        calls["classify"].append(text)
        return classify(text, rules)

    monkeypatch.setattr(kb, "_ranked", ranking)
    monkeypatch.setattr(triage_module, "classify", classifying)
    return calls


@pytest.mark.parametrize("edited", [False, True])
def test_a_question_is_triaged_and_searched_once_for_its_update(
        knowledge_base, monkeypatch, edited):
    calls = _counting(monkeypatch, knowledge_base)
    question = "mero talab aayena"
    with remembering():
        prepare(_update(question, edited=edited), knowledge_base)
        assert len(calls["rank"]) == 1 and len(calls["classify"]) == 1
        lang = knowledge_base.detect_language(question)
        hits = knowledge_base.search(question, lang, limit=4)  # as the handlers ask
        assert triage_module.triage(question) is None
    assert hits and lang == "ne"
    assert calls == {"rank": ["ne"], "classify": [question]}, "the handlers asked the memo"


def test_a_command_is_left_to_its_handler(knowledge_base, monkeypatch):
    calls = _counting(monkeypatch, knowledge_base)
    with remembering():
        prepare(_update("/start"), knowledge_base)
    assert calls == {"rank": [], "classify": []}
