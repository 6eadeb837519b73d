"""Free text: found in the worker's language, or an honest 'no answer yet' with the menu."""

import pytest

from sathi.runtime import Runtime
from tests.bot.conftest import Conversation

QUESTIONS = {
    "en": ("boss keep my pasport, not give back", "passport-id-confiscation"),
    "ne": ("साहुजीले दुई महिनाको तलब दिएको छैन, के गर्ने", "unpaid-wages"),
    "bn": ("মালিক আমার পাসপোর্ট রেখে দিসে, ফেরত দেয় না", "passport-id-confiscation"),
    "tl": ("kinuha ng amo passport ko ayaw ibalik", "passport-id-confiscation"),
    "ko": ("사장님 월급 안 줘요 3달 됐어요", "unpaid-wages"),
}


async def _chosen(chat: Conversation, locale: str) -> None:
    await chat.say("/start")
    await chat.press(f"lang:choose:{locale}")


@pytest.mark.parametrize("locale", sorted(QUESTIONS))
async def test_question_finds_the_article_in_each_language(chat, imported: Runtime, locale):
    question, slug = QUESTIONS[locale]
    await _chosen(chat, locale)
    t = imported.catalogs.get(locale)

    answer, *rest = await chat.say(question)
    title = imported.knowledge.current.get(slug, locale).title
    if answer.text.startswith(title):  # the only hit: the article opens at once
        buttons = [data for call in (answer, *rest) for _label, data in call.buttons]
        assert f"art:more:{slug}:0" in buttons
        return
    assert answer.buttons[0] == (title, f"art:show:{slug}")
    count = len(answer.buttons) - 1
    assert answer.text == t.ngettext(
        "I found {n} topic for your question:", "I found {n} topics for your question:", count
    )
    assert answer.buttons[-1][1] == "menu:back"

    shown = await chat.press(f"art:show:{slug}")
    assert shown[0].text.startswith(title)


async def test_unanswerable_question_says_so_with_the_menu(chat, imported: Runtime):
    await _chosen(chat, "ne")
    t = imported.catalogs.get("ne")
    [answer] = await chat.say("xyzzy qwerty plugh")
    assert answer.text.startswith(t.gettext("I don't have an answer to that yet."))
    assert ("🌐 " + t.gettext("Language"), "lang:open") in answer.buttons


async def test_worker_without_a_language_is_answered_in_the_language_they_write(
    app, fake_api, imported: Runtime
):
    # Their phone is in Korean, but they write Nepali: the words decide.
    chat = Conversation(app, fake_api, language_code="ko-KR")
    ne = imported.catalogs.get("ne")
    [answer] = await chat.say(QUESTIONS["ne"][0])
    assert answer.text.startswith(ne.ngettext(
        "I found {n} topic for your question:", "I found {n} topics for your question:", 1
    )[:10])
    assert answer.buttons[0][1] == "art:show:unpaid-wages"


async def test_worker_without_a_language_gets_their_phones_language_for_media(
    app, fake_api, imported: Runtime
):
    from tests.fakes import updates

    chat = Conversation(app, fake_api, language_code="bn")
    bn = imported.catalogs.get("bn")
    [answer] = await chat.send(updates.voice(language_code="bn"))
    assert bn.gettext(
        "I cannot listen to voice messages, but a union volunteer can. Press the button to send "
        "this voice message to a volunteer, or choose a topic."
    ) in answer.text, "in the phone's language, which Sathi speaks: no need to ask"


async def test_worker_text_is_escaped(chat, imported: Runtime):
    await _chosen(chat, "en")
    # Every MarkdownV2 special character: the fake server would refuse a broken message.
    answer = await chat.say("_*[]()~`>#+-=|{}.!\\ wages *not* paid")
    assert answer and all(call.message_id for call in answer)
