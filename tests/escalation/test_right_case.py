"""A worker reaches the right case: voice notes, questions in a case, a second case, resolution."""

import pytest
from sqlalchemy import select

from sathi.enums import CaseStatus, MessageKind, Role
from sathi.models import Case, CaseMessage
from sathi.runtime import Runtime
from tests.fakes import updates

LOCALES = ["ne", "bn", "tl"]
VISA_QUESTION = {"ne": "visa sakiyo aba k garne", "bn": "ভিসার মেয়াদ শেষ হয়ে গেছে এখন কি করব",
                 "tl": "expired na ang visa ko ano gagawin ko"}


async def _cases(runtime: Runtime) -> list[Case]:
    async with runtime.sessionmaker() as session:
        return list(await session.scalars(select(Case).order_by(Case.id)))


async def _inbound(runtime: Runtime, case_id: int) -> list[CaseMessage]:
    async with runtime.sessionmaker() as session:
        query = select(CaseMessage).where(CaseMessage.case_id == case_id).order_by(CaseMessage.id)
        return list(await session.scalars(query))


async def _chosen(worker, locale: str) -> None:
    await worker.say("/start")
    await worker.press(f"lang:choose:{locale}")


async def _open_case(worker, words: str = "my boss hits me") -> None:
    await worker.say("/menu")
    await worker.press("esc:offer")
    await worker.press("esc:agree")
    await worker.say(words)


async def _open_second_case(worker, words: str) -> None:
    """With a case open, "Talk to a volunteer" then "new case"."""
    await worker.say("/menu")
    await worker.press("esc:offer")
    await worker.press("esc:offer:new")
    await worker.press("esc:agree")
    await worker.say(words)


@pytest.mark.parametrize("locale", LOCALES)
async def test_voice_note_outside_a_case_goes_to_a_volunteer_in_one_tap(
    worker, imported: Runtime, locale
):
    t = imported.catalogs.get(locale)
    await _chosen(worker, locale)
    [answer] = await worker.send(updates.voice())
    assert answer.text.startswith(t.gettext(
        "I cannot listen to voice messages, but a union volunteer can. Press the button to send "
        "this voice message to a volunteer, or choose a topic."
    ))
    assert answer.buttons[0] == ("🎤 " + t.gettext("Send it to a volunteer"), "esc:offer:voice")
    assert any(data.startswith("cat:open:") for _label, data in answer.buttons), "the menu too"

    [consent] = await worker.press("esc:offer:voice")
    assert t.gettext("Do you agree that union volunteers read your messages?") in consent.text
    [opened] = await worker.press("esc:agree:voice")
    [case] = await _cases(imported)
    assert opened.text.startswith(t.gettext(
        "Thank you. Your case number is {reference}.", reference=case.reference))
    [message] = await _inbound(imported, case.id)
    assert message.kind == MessageKind.voice and message.file_id == "voice-1"


async def test_voice_note_offer_cancelled_keeps_nothing(worker, imported: Runtime):
    await _chosen(worker, "ne")
    await worker.send(updates.voice())
    await worker.press("esc:offer:voice")
    await worker.press("esc:cancel")
    await worker.say("hello")
    assert await _cases(imported) == []


@pytest.mark.parametrize("locale", LOCALES)
async def test_question_in_an_open_case_is_answered_and_added(worker, imported: Runtime, locale):
    t = imported.catalogs.get(locale)
    await _chosen(worker, locale)
    await _open_case(worker)
    [case] = await _cases(imported)
    answer = await worker.say(VISA_QUESTION[locale])
    assert any(data.startswith("art:") for call in answer for _l, data in call.buttons), (
        "the knowledge base answers")
    assert answer[-1].text == t.gettext(
        "Your message was also added to your case {reference}.", reference=case.reference)
    texts = [m.text for m in await _inbound(imported, case.id)]
    assert texts[-1] == VISA_QUESTION[locale]
    # Words with no answer only join the case, as before.
    [added] = await worker.say("xyzzy qwerty")
    assert added.text == t.gettext("Added to your case {reference}.", reference=case.reference)


@pytest.mark.parametrize("locale", LOCALES)
async def test_talk_to_a_volunteer_with_an_open_case_offers_add_or_new(
    worker, imported: Runtime, locale
):
    t = imported.catalogs.get(locale)
    await _chosen(worker, locale)
    await _open_case(worker)
    [case] = await _cases(imported)
    await worker.say("/menu")
    [choice] = await worker.press("esc:offer")
    assert choice.text == t.gettext(
        "You have an open case {reference}. Add your message to it, or open a new case?",
        reference=case.reference)
    assert [data for _l, data in choice.buttons] == [f"esc:add:{case.id}", "esc:offer:new"]
    [added] = await worker.press(f"esc:add:{case.id}")
    assert added.text == t.gettext(
        "Write your message here: it goes to your case {reference}.", reference=case.reference)
    assert len(await _cases(imported)) == 1

    await worker.say("/menu")
    await worker.press("esc:offer")
    [consent] = await worker.press("esc:offer:new")
    assert t.gettext("Do you agree that union volunteers read your messages?") in consent.text
    await worker.press("esc:agree")
    await worker.say("a second problem")
    assert len(await _cases(imported)) == 2


@pytest.mark.parametrize("locale", LOCALES)
async def test_resolved_case_is_told_to_the_worker_who_says_solved_or_not(
    worker, imported: Runtime, client, accounts, delivery, fake_api, locale
):
    t = imported.catalogs.get(locale)
    await accounts.create("vol", Role.volunteer, (locale,))
    vol = await accounts.login("vol")
    await _chosen(worker, locale)
    await _open_case(worker)
    [case] = await _cases(imported)
    base = f"/api/v1/cases/{case.id}"
    assert (await client.post(f"{base}/claim", headers=vol)).status_code in (200, 201)
    moved = await client.post(f"{base}/status", json={"status": "resolved"}, headers=vol)
    assert moved.status_code == 200, moved.text
    fake_api.clear()
    await delivery.run_once()
    [told] = fake_api.delivered(updates.CHAT_ID)
    assert t.gettext("A union volunteer marked your case {reference} as resolved.",
                     reference=case.reference) in told.text
    assert [data for _l, data in told.buttons] == [f"case:closeok:{case.id}",
                                                   f"case:reopen:{case.id}"]

    # Not solved: the case goes back to its volunteer.
    worker.last = [told]
    [again] = await worker.press(f"case:reopen:{case.id}")
    assert again.text.startswith(t.gettext(
        "Case {reference} is open again. Write here what is still wrong: a volunteer will read "
        "it.", reference=case.reference))
    [case] = await _cases(imported)
    assert case.status == CaseStatus.assigned
    [listed] = await worker.say("/cases")
    assert t.gettext("marked as solved") not in listed.text

    # Resolved again, and this time solved: closed, then rated.
    await client.post(f"{base}/status", json={"status": "resolved"}, headers=vol)
    [listed] = await worker.say("/cases")
    assert t.gettext("marked as solved") in listed.text, "/cases shows the real status"
    fake_api.clear()
    await delivery.run_once()
    [told] = fake_api.delivered(updates.CHAT_ID)
    worker.last = [told]
    [rate] = await worker.press(f"case:closeok:{case.id}")
    assert t.gettext("Case {reference} is closed.", reference=case.reference) in rate.text
    [case] = await _cases(imported)
    assert case.status == CaseStatus.closed


async def _reply_delivered(client, delivery, fake_api, vol, case_id: int, words: str) -> int:
    """A volunteer's reply, delivered to the worker: the Telegram id of its message."""
    sent = await client.post(f"/api/v1/cases/{case_id}/replies", json={"text": words},
                             headers=vol)
    assert sent.status_code == 201, sent.text
    fake_api.clear()
    await delivery.run_once()
    [reply] = fake_api.delivered(updates.CHAT_ID)
    assert words in reply.text and reply.message_id is not None
    return reply.message_id


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_telegram_reply_goes_to_the_case_of_the_message_replied_to(
    worker, imported: Runtime, client, accounts, delivery, fake_api, locale
):
    t = imported.catalogs.get(locale)
    await accounts.create("vol", Role.volunteer, (locale,))
    vol = await accounts.login("vol")
    await _chosen(worker, locale)
    await _open_case(worker, "my boss hits me")
    [older] = await _cases(imported)
    replied = await _reply_delivered(client, delivery, fake_api, vol, older.id, "Are you safe?")

    await _open_second_case(worker, "my visa ends soon")
    _older, newer = await _cases(imported)
    await worker.say("xyzzy for the newest")  # without Reply: the newest case, as before

    [added] = await worker.send(updates.reply("yes I am safe now", replied))
    assert added.text == t.gettext("Added to your case {reference}.", reference=older.reference)
    assert [m.text for m in await _inbound(imported, older.id)][-1] == "yes I am safe now"
    assert [m.text for m in await _inbound(imported, newer.id)][-1] == "xyzzy for the newest"

    # Resolved, the case the worker replies to reopens; closed, the worker is told so.
    await client.post(f"/api/v1/cases/{older.id}/status", json={"status": "resolved"},
                      headers=vol)
    await worker.send(updates.reply("it is not over", replied))
    older, _newer = await _cases(imported)
    assert older.status == CaseStatus.assigned
    await client.post(f"/api/v1/cases/{older.id}/status", json={"status": "closed"},
                      headers=vol)
    answer = await worker.send(updates.reply("one more thing", replied))
    assert answer[-1].text.startswith(t.gettext(
        "Your case {reference} is closed, so no volunteer will read this message. To talk to a "
        "volunteer again, press the button.", reference=older.reference))
    assert "one more thing" not in [m.text for m in await _inbound(imported, older.id)]
    assert "one more thing" not in [m.text for m in await _inbound(imported, newer.id)]


async def test_a_telegram_reply_to_the_resolution_question_goes_to_that_case(
    worker, imported: Runtime, client, accounts, delivery, fake_api
):
    await accounts.create("vol", Role.volunteer, ("en",))
    vol = await accounts.login("vol")
    await _chosen(worker, "en")
    await _open_case(worker, "my boss hits me")
    await _open_second_case(worker, "my visa ends soon")
    older, newer = await _cases(imported)
    await client.post(f"/api/v1/cases/{older.id}/claim", headers=vol)
    moved = await client.post(f"/api/v1/cases/{older.id}/status", json={"status": "resolved"},
                              headers=vol)
    assert moved.status_code == 200, moved.text
    fake_api.clear()
    await delivery.run_once()
    [question] = fake_api.delivered(updates.CHAT_ID)
    assert older.reference in question.text and question.message_id is not None
    # The newer case has the latest activity now: without a Reply, words would go there.
    await client.post(f"/api/v1/cases/{newer.id}/claim", headers=vol)

    answer = await worker.send(updates.reply("the boss still says no", question.message_id))
    assert older.reference in answer[-1].text, "the worker is told which case it went to"
    older, newer = await _cases(imported)
    assert older.status == CaseStatus.assigned, "the case replied to is open again"
    assert [m.text for m in await _inbound(imported, older.id)][-1] == "the boss still says no"
    assert "the boss still says no" not in [m.text for m in await _inbound(imported, newer.id)]
