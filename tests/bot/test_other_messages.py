"""Voice, photos, stickers, files, contacts, edits and groups: never a crash, never silence."""

import pytest

from sathi.runtime import Runtime
from tests.fakes import updates


@pytest.fixture
async def nepali(chat):
    await chat.say("/start")
    await chat.press("lang:choose:ne")
    return chat


@pytest.mark.parametrize(("update", "says"), [
    (updates.voice, "I cannot listen to voice messages, but a union volunteer can. Press the "
                    "button to send this voice message to a volunteer, or choose a topic."),
    (updates.photo, "I cannot read photos or files yet. Please write your question in a few "
                    "words, or choose a topic. Do not send photos of your passport or ID card "
                    "here."),
    (updates.document, "I cannot read photos or files yet. Please write your question in a few "
                       "words, or choose a topic. Do not send photos of your passport or ID card "
                       "here."),
    (updates.sticker, "I am here to help. Write your question in a few words, or choose a topic."),
    (updates.contact, "I do not need your phone number or your location. Please do not send "
                      "them. Write your question in a few words, or choose a topic."),
])
async def test_media_answered_in_the_workers_language(nepali, imported: Runtime, update, says):
    ne = imported.catalogs.get("ne")
    [answer] = await nepali.send(update())
    assert answer.text.startswith(ne.gettext(says))
    assert answer.buttons[-1][1] == "lang:open"  # the menu comes with it


async def test_edited_question_is_answered_again(nepali, imported: Runtime):
    [answer] = await nepali.send(updates.edited("साहुजीले दुई महिनाको तलब दिएको छैन"))
    assert answer.buttons[0][1] == "art:show:unpaid-wages"


async def test_group_messages_are_ignored(app, fake_api):
    from tests.bot.conftest import Conversation

    chat = Conversation(app, fake_api)
    assert await chat.send(updates.group_text("/start")) == []
    assert await chat.send(updates.group_text("police raid, my boss hit me")) == []
    assert fake_api.calls == []


async def test_a_failing_handler_apologises_in_the_workers_language(
    nepali, imported: Runtime, monkeypatch, caplog
):
    from bot import guidance

    def broken(*args, **kwargs):
        raise RuntimeError("search exploded")

    monkeypatch.setattr(guidance, "answers_across", broken)
    secret_words = "मेरो तलब secret-words-123"
    answer = await nepali.say(secret_words)
    ne = imported.catalogs.get("ne")
    assert answer[-1].text == ne.gettext(
        "Sorry, something went wrong on my side. Please try again in a moment."
    )
    assert "secret-words-123" not in caplog.text
    assert "failed" in caplog.text
