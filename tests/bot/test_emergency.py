"""Crisis and danger first, in the worker's language: triage decides, whatever the door."""

import pytest

from sathi.runtime import Runtime
from tests.fakes import updates

DANGER = {
    "en": "My boss hit me yesterday, what can I do",
    "ne": "साहुजीले मलाई कुट्यो",
    "bn": "মালিক আমাকে মারধর করেছে",
    "tl": "Binugbog ako ng amo ko",
    "ko": "사장님이 때렸어요",
}
CRISIS = {
    "en": "I want to end my life",
    "ne": "म मर्न चाहन्छु",
    "bn": "আমি আর বাঁচতে চাই না",
    "tl": "magpapakamatay ako",
    "ko": "죽고 싶어요",
}
URGENT_CRISIS = "esc:urgent:crisis-mental-health"

ALERT_STARTS = ("🆘", "💛")  # the danger and the crisis answers


async def _choose(chat, locale: str) -> None:
    await chat.say("/start")
    await chat.press(f"lang:choose:{locale}")


@pytest.mark.parametrize("locale", sorted(CRISIS))
async def test_crisis_gets_109_first_and_nothing_unrelated(chat, imported: Runtime, locale):
    await _choose(chat, locale)
    t = imported.catalogs.get(locale)
    answer = await chat.say(CRISIS[locale])
    first = answer[0]
    warm = t.gettext("You are not alone. We are here, and we want to help you.")
    assert first.text.startswith("💛 " + warm)
    assert "109" in first.text and "119" in first.text and "112" in first.text
    assert "1345" in first.text and "1577-0071" in first.text
    assert ("🙋 " + t.gettext("Talk to a volunteer now"), URGENT_CRISIS) in first.buttons
    assert len(answer) == 1, "no search answer and no 'no answer yet' under a crisis answer"


async def test_the_crisis_button_opens_an_urgent_case_with_consent(chat, imported: Runtime):
    from sqlalchemy import select

    from sathi.enums import Urgency
    from sathi.models import Case

    await _choose(chat, "ne")
    await chat.say(CRISIS["ne"])
    consent = await chat.press(URGENT_CRISIS)
    ne = imported.catalogs.get("ne")
    assert ne.gettext("Do you agree that union volunteers read your messages?") in consent[-1].text
    async with imported.sessionmaker() as session:
        assert list(await session.scalars(select(Case))) == [], "nothing opens before consent"
    opened = await chat.press("esc:agreenow:crisis-mental-health")
    async with imported.sessionmaker() as session:
        [case] = list(await session.scalars(select(Case)))
    assert case.urgency == Urgency.urgent and case.topic == "crisis-mental-health"
    assert case.reference in opened[-1].text
    await chat.say("मलाई डर लाग्छ")
    async with imported.sessionmaker() as session:
        [case] = list(await session.scalars(select(Case)))
        assert case.last_worker_message_at is not None, "the next message joins the urgent case"


@pytest.mark.parametrize("locale", sorted(DANGER))
async def test_violence_gets_112_first(chat, imported: Runtime, locale):
    await _choose(chat, locale)
    t = imported.catalogs.get(locale)
    first, *rest = await chat.say(DANGER[locale])
    assert first.text.startswith("🆘 " + t.gettext("If you are in danger, call for help now."))
    assert t.gettext("Call 112 now: police. The police have interpreters.") in first.text
    assert "폭행" in first.text, "a Korean sentence to say on the phone"
    assert any(data.startswith("esc:urgent") for _label, data in first.buttons)
    no_answer = t.gettext("I don't have an answer to that yet.")
    assert not any(no_answer in call.text for call in rest)


@pytest.mark.parametrize(
    ("words", "number"),
    [("there is a fire in my dormitory", "119"), ("기숙사에 불이 났어요", "119"),
     ("my friend is unconscious", "119"), ("someone is following me with a knife", "112")],
)
async def test_the_right_number_comes_first(chat, words, number):
    await _choose(chat, "en")
    first, *_ = await chat.say(words)
    other = "112" if number == "119" else "119"
    assert number in first.text
    assert other not in first.text or first.text.index(number) < first.text.index(other)


async def test_a_raid_says_what_the_worker_may_do(chat, imported: Runtime):
    await _choose(chat, "tl")
    tl = imported.catalogs.get("tl")
    first, *_ = await chat.say("may raid ng immigration dito ngayon")
    assert "1331" in first.text
    assert tl.gettext("Do not run and do not jump: people have died or been badly hurt running "
                      "from raids.") in first.text
    assert "소속과 이름, 방문 목적을 말씀해 주세요." in first.text
    assert ("🙋 " + tl.gettext("Talk to a volunteer now"),
            "esc:urgent:immigration-raid-detention") in first.buttons


async def test_english_alarm_words_count_in_any_language(chat, imported: Runtime):
    await _choose(chat, "ne")
    first, *_ = await chat.say("police raid in my factory")
    ne = imported.catalogs.get("ne")
    assert first.text.startswith("🆘 " + ne.gettext("If you are in danger, call for help now."))


async def test_alert_in_a_photo_caption(chat):
    await _choose(chat, "en")
    first, second = await chat.send(updates.photo(caption="my boss hit me"))
    assert "112" in first.text
    assert "photos" in second.text


async def test_fired_is_not_a_fire(chat):
    await _choose(chat, "en")
    answer = await chat.say("I was fired from my job")
    assert not any(call.text.startswith(ALERT_STARTS) for call in answer)
    # the list of topics, or the only one opened at once
    assert any(data in ("art:show:dismissal", "art:more:dismissal:0")
               for call in answer for _label, data in call.buttons)


@pytest.mark.parametrize(
    "words", ["history of my wages", "my policy", "hitting the deadline", "fire drill at work",
              "police clearance certificate", "dying to know my visa date"],
)
async def test_no_alert_without_a_crisis_or_danger(chat, words):
    await _choose(chat, "en")
    answer = await chat.say(words)
    # (an article found for the words may name 112 itself: only the alert answers are checked)
    assert not any(call.text.startswith(ALERT_STARTS) for call in answer)
