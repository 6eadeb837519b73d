"""/forget: one confirmation, then the worker is gone from Sathi and the bot's recent messages."""

from __future__ import annotations

from sqlalchemy import func, select

from sathi.models import (
    Case,
    CaseMessage,
    CaseNote,
    CaseReply,
    InboundUpdate,
    Member,
    OutboxItem,
)
from sathi.models_privacy import BotMessage
from sathi.sealing import case_key_name
from tests.privacy.conftest import escalate, volunteer_answers


async def _count(runtime, model) -> int:
    async with runtime.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)))


async def test_forget_erases_everything_and_deletes_the_bots_messages(
    runtime, workers, canaries, client, volunteer, delivery, fake_api
):
    first, second = workers
    await escalate(first)
    await escalate(second)
    [case_id, other_id] = await volunteer_answers(client, volunteer, delivery)
    async with runtime.sessionmaker() as session:
        recorded = await session.scalar(select(func.count()).select_from(BotMessage))
    assert recorded >= 10  # the bot's answers and the volunteer's reply to both workers

    ne = runtime.catalogs.get("ne")
    prompt = await first.say("/forget")
    assert ne.gettext("Delete everything Sathi keeps about you?") in prompt[-1].text
    assert await _count(runtime, Member) == 2  # nothing happens before the confirmation
    done = await first.press("forget:yes")
    assert done[-1].text.startswith(ne.gettext(
        "Done. Sathi has deleted everything it kept about you."))
    assert ne.gettext("What is on your own phone stays there: the messages you sent and the "
                      "files. To remove them, delete this chat in Telegram (and choose to delete "
                      "it for the bot too).") in done[-1].text
    [deleted] = [call for call in fake_api.calls if call.method == "deleteMessages"]
    assert deleted.params["chat_id"] == first.canary.user_id
    assert len(deleted.params["message_ids"]) >= 5

    # The other worker is untouched; of the first, only an empty, erased case row is left.
    assert await _count(runtime, Member) == 1
    async with runtime.sessionmaker() as session:
        erased = await session.get(Case, case_id) or await session.get(Case, other_id)
        mine = [c for c in await session.scalars(select(Case)) if c.erased_at is not None]
        [mine] = mine
        replies = await session.scalar(select(func.count()).select_from(CaseReply))
        assert replies >= 1, "the volunteer's delivered replies were recorded"
        for model in (CaseMessage, CaseNote, OutboxItem, CaseReply):
            left = await session.scalar(
                select(func.count()).select_from(model).where(model.case_id == mine.id))
            assert left == 0, model
        updates = list(await session.scalars(select(InboundUpdate)))
        assert all(str(first.canary.user_id) not in row.payload for row in updates)
        bot_messages = await session.scalar(select(func.count()).select_from(BotMessage))
    assert erased is not None and mine.member_id is None and mine.rating_comment is None
    assert bot_messages < recorded
    assert runtime.vault.keys.get(case_key_name(mine.id)) is None

    seen = (await client.get(f"/api/v1/cases/{mine.id}", headers=volunteer)).json()
    assert seen["erased_at"] is not None and seen["messages"] == [] and seen["notes"] == []
    assert seen["events"][-1]["kind"] == "erased_by_worker"
    reply = await client.post(f"/api/v1/cases/{mine.id}/replies", json={"text": "hello?"},
                              headers=volunteer)
    assert reply.status_code == 409
    reopened = await client.post(f"/api/v1/cases/{mine.id}/reopen", headers=volunteer)
    assert reopened.status_code == 409

    # Writing again starts from nothing: a new member, no case.
    await first.say("/start")
    assert await _count(runtime, Member) == 2


async def test_delete_and_stop_ask_first_and_the_menu_has_the_item(workers):
    worker = workers[0]
    for command in ("/delete", "/stop"):
        [asked] = await worker.say(command)
        assert "Delete everything Sathi keeps about you?" in asked.text
        assert ("🗑 Yes, delete everything", "forget:yes") in asked.buttons
    await worker.say("/start")
    await worker.press("lang:choose:en")
    [menu] = await worker.say("/menu")
    assert "forget:ask" in [data for _label, data in menu.buttons]
    [asked] = await worker.press("forget:ask")
    assert "Delete everything" in asked.text
