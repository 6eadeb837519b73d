"""The core flow, once per language: /start, choose, menu, category, article, Korean, back."""

import pytest
from sqlalchemy import select

from bot.handlers.language import language_choices
from sathi.models import Member
from sathi.runtime import Runtime
from tests.bot.conftest import Conversation
from tests.fakes import updates

# What Telegram apps send as language_code, normalised by the bot.
PHONE = {"en": "en-US", "ne": "ne", "bn": "bn", "tl": "fil", "ko": "ko-KR"}
SLUG, CATEGORY = "unpaid-wages", "at-work"


@pytest.mark.parametrize("locale", ["en", "ne", "bn", "tl", "ko"])
async def test_browse_article_in_each_language(app, fake_api, imported: Runtime, locale: str):
    chat = Conversation(app, fake_api, language_code=PHONE[locale])
    t = imported.catalogs.get(locale)
    kb = imported.knowledge.current

    [offer] = await chat.say("/start")
    assert offer.params["chat_id"] == updates.CHAT_ID
    assert offer.buttons[0] == (f"✓ {t.native_name}", f"lang:choose:{locale}")
    offered = {label.removeprefix("✓ ") for label, _data in offer.buttons}
    assert offered == {name for _code, name in language_choices(imported.catalogs)}
    assert t.gettext("Choose your language:") in offer.text

    confirmed, menu = await chat.press(f"lang:choose:{locale}")
    assert confirmed.method == "editMessageText" and t.native_name in confirmed.text
    assert menu.method == "sendMessage" and menu.params["chat_id"] == updates.CHAT_ID
    assert t.gettext("Pay and work") in [label.split(" ", 1)[1] for label, _ in menu.buttons]
    assert ("💰 " + t.gettext("Pay and work"), f"cat:open:{CATEGORY}") in menu.buttons
    async with imported.sessionmaker() as session:
        assert (await session.scalars(select(Member.locale))).all() == [locale]

    [topics] = await chat.press(f"cat:open:{CATEGORY}")
    assert topics.method == "editMessageText"
    article = kb.get(SLUG, locale)
    assert (article.title, f"art:show:{SLUG}") in topics.buttons

    shown = await chat.press(f"art:show:{SLUG}")
    assert all(call.method == "sendMessage" for call in shown)
    assert shown[0].text.startswith(article.title)
    assert article.lead.split("\n")[0][:20].replace("**", "") in shown[0].text
    datas = [data for _label, data in shown[-1].buttons]
    assert f"cat:back:{CATEGORY}" in datas and "menu:back" in datas
    assert (f"art:ko:{SLUG}" in datas) == (locale != "ko")
    note = t.gettext("A native speaker has not checked this translation yet.")
    assert (note in shown[-1].text) == (article.review == "draft" and locale != "en")

    if locale != "ko":
        korean = kb.get(SLUG, "ko")
        intro, *korean_messages = await chat.press(f"art:ko:{SLUG}")
        assert intro.text == t.gettext(
            "Here it is in Korean. You can show the next message to your employer or an official."
        )
        assert korean_messages[0].text.startswith(korean.title)
        assert "art:ko:" not in str(korean_messages[-1].buttons)
        assert fake_api.sent("editMessageReplyMarkup"), "the old buttons are taken off"

    [back] = await chat.press(f"cat:back:{CATEGORY}")
    assert back.method == "sendMessage"
    assert (article.title, f"art:show:{SLUG}") in back.buttons


async def test_article_buttons_fit_telegram_limits(chat, imported: Runtime):
    kb = imported.knowledge.current
    await chat.say("/start")
    await chat.press("lang:choose:en")
    for category in ("before-you-go", "at-work", "visa-and-jobs", "health-and-safety",
                     "rights-and-safety", "help"):
        [topics] = await chat.press(f"cat:open:{category}")
        for _label, data in topics.buttons:
            assert len(data.encode()) <= 64
        await chat.press("menu:open")
    assert kb.get("emergency-contacts", "en") is not None


async def test_menu_and_help_and_privacy_answer_in_the_chosen_language(chat, imported: Runtime):
    t = imported.catalogs.get("tl")
    await chat.say("/start")
    await chat.press("lang:choose:tl")

    [menu] = await chat.say("/menu")
    assert menu.text == t.gettext(
        "What do you need help with? Choose a topic, or write your question in your own words."
    )
    [help_] = await chat.say("/help")
    danger = t.gettext("In danger? Call 112 for the police, 119 for fire and ambulance.")
    assert danger in help_.text
    [privacy] = await chat.say("/privacy")
    assert t.gettext("3. The language you chose.") in privacy.text
    assert [data for _label, data in privacy.buttons] == ["menu:back"]
    [unknown] = await chat.say("/whatever")
    assert unknown.text == help_.text


async def test_old_or_unknown_buttons_show_the_menu(chat, imported: Runtime):
    t = imported.catalogs.get("en")
    await chat.say("/start")
    await chat.press("lang:choose:en")
    [gone] = await chat.send(updates.button("art:show:no-such-topic", 1))
    assert t.gettext("This topic is no longer available.") in gone.text
    [menu] = await chat.send(updates.button("old:format", 1))
    assert menu.buttons and menu.buttons[-1][1] == "lang:open"


async def test_language_can_be_changed_from_the_menu(chat, imported: Runtime):
    await chat.say("/start")
    await chat.press("lang:choose:en")
    [offer] = await chat.press("lang:open")
    assert offer.method == "editMessageText"
    assert offer.buttons[0][0] == "✓ English"
    confirmed, menu = await chat.press("lang:choose:ne")
    ne = imported.catalogs.get("ne")
    assert menu.text.endswith(ne.gettext(
        "What do you need help with? Choose a topic, or write your question in your own words."
    ))
