"""A message with an alert word gets the emergency numbers first, in the worker's language."""

import pytest

from bot import render
from sathi.runtime import Runtime
from tests.fakes import updates
from tests.fakes.markdown_v2 import plain_text

ALERTS = {
    "en": "My boss hit me yesterday, what can I do",
    "ne": "साहुजीले मलाई कुट्यो",
    "bn": "মালিক আমাকে মারধর করেছে",
    "tl": "Binugbog ako ng amo ko",
    "ko": "사장님이 때렸어요",
}


@pytest.mark.parametrize("locale", sorted(ALERTS))
async def test_alert_gets_emergency_numbers_first(chat, imported: Runtime, locale):
    await chat.say("/start")
    await chat.press(f"lang:choose:{locale}")
    t = imported.catalogs.get(locale)
    lead = imported.knowledge.current.get("emergency-contacts", locale).lead

    first, *rest = await chat.say(ALERTS[locale])
    assert first.text == plain_text(render.emergency(lead, t)[0])
    assert "112" in first.text and "119" in first.text
    assert rest, "the normal answer follows the numbers"
    assert rest[0].buttons


async def test_alert_words_of_another_language_count_too(chat, imported: Runtime):
    await chat.say("/start")
    await chat.press("lang:choose:ne")
    first, *_ = await chat.say("police raid in my factory")
    ne = imported.catalogs.get("ne")
    assert first.text.startswith("🆘 " + ne.gettext("If you are in danger, call for help now."))


async def test_alert_in_a_photo_caption(chat, imported: Runtime):
    await chat.say("/start")
    await chat.press("lang:choose:en")
    first, second = await chat.send(updates.photo(caption="my boss hit me"))
    assert "112" in first.text
    assert "photos" in second.text


@pytest.mark.parametrize("words", ["history of my wages", "my policy", "hitting the deadline"])
async def test_no_alert_without_an_alert_word(chat, words):
    await chat.say("/start")
    await chat.press("lang:choose:en")
    answer = await chat.say(words)
    # (an article found for the words may name 112 itself: only the alert's lead is checked)
    assert not any(call.text.startswith("🆘") for call in answer)
