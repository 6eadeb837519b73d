"""The worker's side: consent, describing the problem, more messages, /cases, close and rate."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from sathi.db import utcnow
from sathi.enums import CaseStatus, MessageKind
from sathi.models import Case, CaseMessage, Member
from sathi.runtime import Runtime
from sathi.services import volunteer_cases
from tests.fakes import updates

PHONE = {"en": "en-US", "ne": "ne", "bn": "bn", "tl": "fil", "ko": "ko-KR"}
CONSENT = (
    "You can write to a volunteer of the workers' union. Only union volunteers who speak your "
    "language, and the union staff who run Sathi, can read your messages. They are people, not "
    "an automatic helper.",
    "Sathi keeps your messages locked with encryption. Voice messages, photos and files stay "
    "on Telegram; Sathi keeps only a locked link to them. Sathi does not keep your name or your "
    "phone number.",
    "Sathi deletes your messages {days} days after your case is closed, and everything "
    "about you after {member_days} days without a message from you. You can delete "
    "everything yourself at any time with /forget.",
    "Do you agree that union volunteers read your messages?",
)


async def _cases(runtime: Runtime) -> list[Case]:
    async with runtime.sessionmaker() as session:
        return list(await session.scalars(select(Case).order_by(Case.id)))


async def _messages(runtime: Runtime, case_id: int) -> list[CaseMessage]:
    async with runtime.sessionmaker() as session:
        query = select(CaseMessage).where(CaseMessage.case_id == case_id).order_by(CaseMessage.id)
        return list(await session.scalars(query))


@pytest.mark.parametrize("locale", ["en", "ne", "bn", "tl", "ko"])
async def test_talk_to_a_volunteer_from_an_article(worker, imported: Runtime, locale):
    t = imported.catalogs.get(locale)
    worker.who = {"language_code": PHONE[locale]}
    await worker.say("/start")
    await worker.press(f"lang:choose:{locale}")
    await worker.press("cat:open:at-work")
    shown = await worker.press("art:show:unpaid-wages")
    talk = ("🙋 " + t.gettext("Talk to a volunteer"), "esc:offer:unpaid-wages")
    assert talk in shown[-1].buttons

    [consent] = await worker.press("esc:offer:unpaid-wages")
    for paragraph in CONSENT:
        assert t.gettext(paragraph, days=90, member_days=180) in consent.text
    assert [data for _label, data in consent.buttons] == ["esc:agree:unpaid-wages", "esc:cancel"]

    [prompt] = await worker.press("esc:agree:unpaid-wages")
    assert prompt.method == "sendMessage" and worker.api.sent("editMessageReplyMarkup")
    assert t.gettext("Your first message opens your case.") in prompt.text
    assert await _cases(imported) == [], "no case before the worker says something"

    [opened] = await worker.say("My boss has not paid me for two months")
    [case] = await _cases(imported)
    assert (case.topic, case.lang, case.status) == ("unpaid-wages", locale, CaseStatus.new)
    assert opened.text.startswith(
        t.gettext("Thank you. Your case number is {reference}.", reference=case.reference)
    )
    danger = t.gettext("In danger? Call 112 for the police, 119 for fire and ambulance.")
    assert danger in opened.text

    [added] = await worker.send(updates.photo(caption="the payslip", **worker.who))
    assert added.text == t.gettext("Added to your case {reference}.", reference=case.reference)
    kinds = [(m.kind, m.text, m.file_id) for m in await _messages(imported, case.id)]
    assert kinds == [
        (MessageKind.text, "My boss has not paid me for two months", None),
        (MessageKind.photo, "the payslip", "photo-1"),
    ]


async def test_from_the_menu_the_first_words_choose_the_topic(worker, imported: Runtime):
    await worker.say("/start")
    menu = (await worker.press("lang:choose:ne"))[-1]
    assert "esc:offer" in [data for _label, data in menu.buttons]
    await worker.press("esc:offer")
    await worker.press("esc:agree")
    await worker.say("साहुजीले दुई महिनाको तलब दिएको छैन")
    [case] = await _cases(imported)
    assert case.topic == "unpaid-wages" and case.lang == "ne"


async def test_a_worker_who_cancels_or_goes_quiet_opens_no_case(worker, imported: Runtime):
    ne = imported.catalogs.get("ne")
    await worker.say("/start")
    await worker.press("lang:choose:ne")
    await worker.press("esc:offer")
    await worker.press("esc:agree")
    [cancelled] = await worker.press("esc:cancel")
    assert cancelled.text.startswith(ne.gettext("Cancelled. Nothing was sent to a volunteer."))
    [answer] = await worker.say("xyzzy qwerty plugh")
    assert answer.text.startswith(ne.gettext("I don't have an answer to that yet."))

    await worker.press("esc:offer")
    await worker.press("esc:agree")
    async with imported.sessionmaker.begin() as session:  # three hours pass
        await session.execute(update(Member).values(pending_case_at=utcnow() - timedelta(hours=3)))
    [voice] = await worker.send(updates.voice())
    assert voice.text.startswith(ne.gettext(
        "I cannot listen to voice messages, but a union volunteer can. Press the button to send "
        "this voice message to a volunteer, or choose a topic."
    )), "an expired agreement: the voice note is offered again, not sent"
    assert await _cases(imported) == []


async def test_cases_lists_closes_and_rates(worker, imported: Runtime):
    ne = imported.catalogs.get("ne")
    await worker.say("/start")
    await worker.press("lang:choose:ne")
    [empty] = await worker.say("/cases")
    assert empty.buttons[0][1] == "esc:offer"
    await worker.press("esc:offer")
    await worker.press("esc:agree")
    await worker.send(updates.voice())
    [case] = await _cases(imported)

    [listed] = await worker.say("/cases")
    state = ne.gettext("waiting for a volunteer")
    assert ne.gettext("Case {reference}: {status}.", reference=case.reference, status=state) \
        in listed.text
    [asked] = await worker.press(f"case:close:{case.id}")
    assert [data for _label, data in asked.buttons] == [f"case:closeok:{case.id}", "case:list"]
    [closed] = await worker.press(f"case:closeok:{case.id}")
    assert [data for _label, data in closed.buttons] == [
        f"case:rate:{case.id}:{n}" for n in range(1, 6)
    ]
    await worker.press(f"case:rate:{case.id}:4")
    [case] = await _cases(imported)
    assert (case.status, case.rating) == (CaseStatus.closed, 4)

    # The worker closed it: their next question is just a question.
    [answer] = await worker.say("xyzzy qwerty plugh")
    assert "esc:offer" in [data for _label, data in answer.buttons]
    assert len(await _messages(imported, case.id)) == 1


async def test_a_message_to_a_case_a_volunteer_closed_offers_a_new_one(worker, imported: Runtime):
    ne = imported.catalogs.get("ne")
    await worker.say("/start")
    await worker.press("lang:choose:ne")
    await worker.press("esc:offer")
    await worker.press("esc:agree")
    await worker.say("मेरो तलब आएन")
    [case] = await _cases(imported)
    async with imported.sessionmaker.begin() as session:
        from sathi.models import Staff

        admin = Staff(username="a", password_hash="x", role="admin", languages=[])
        session.add(admin)
        await session.flush()
        await volunteer_cases.change_status(
            session, staff=admin, case_id=case.id, status=CaseStatus.closed
        )

    note = (await worker.send(updates.voice()))[-1]
    assert note.text == ne.gettext(
        "Your case {reference} is closed, so no volunteer will read this message. To talk to a "
        "volunteer again, press the button.", reference=case.reference,
    )
    assert note.buttons[0][1] == "esc:offer"
    assert len(await _messages(imported, case.id)) == 1
