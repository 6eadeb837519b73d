"""The bot's messages are noted for /forget in batches, never in an update's own transaction."""

from sqlalchemy import func, select

from bot.sent_log import RecordingRequest, recorder
from sathi.models_privacy import BotMessage
from sathi.runtime import Runtime
from tests.escalation.conftest import Worker
from tests.fakes import updates


async def _rows(runtime: Runtime) -> list[BotMessage]:
    async with runtime.sessionmaker() as session:
        return list(await session.scalars(select(BotMessage)))


async def test_a_pass_writes_its_notes_in_one_batch_encrypted(worker: Worker, runtime, app):
    sent = await worker.say("/start")
    rows = await _rows(runtime)
    assert sorted(row.message_ref for row in rows) == sorted(
        f"{updates.CHAT_ID}:{call.message_id}" for call in sent)
    assert recorder(app.bot).unwritten(updates.CHAT_ID) == []
    async with runtime.engine.connect() as conn:
        result = await conn.exec_driver_sql("select message_ref from bot_message")
        stored = list(result.scalars())
    assert all(str(updates.CHAT_ID) not in ref and ref.startswith("k1:member-") for ref in stored)


async def test_only_workers_chats_are_written(worker: Worker, runtime, app):
    await worker.say("/start")
    before = len(await _rows(runtime))
    sent_log = recorder(app.bot)
    await app.bot.send_message(987_654, "not a worker of Sathi")  # a private chat, no member
    assert [chat for chat, _m, _at in sent_log.unwritten(987_654)] == [987_654]
    await sent_log.flush()
    assert len(await _rows(runtime)) == before
    assert sent_log.unwritten(987_654) == []


async def test_forget_deletes_the_messages_not_written_yet(worker: Worker, runtime, fake_api,
                                                          monkeypatch):
    await worker.say("/start")
    flush = RecordingRequest.flush

    async def held(self: RecordingRequest) -> None:  # the notes stay in memory
        return None

    monkeypatch.setattr(RecordingRequest, "flush", held)
    prompt = await worker.say("/forget")
    monkeypatch.setattr(RecordingRequest, "flush", flush)
    assert len(await _rows(runtime)) >= 1 and prompt
    await worker.press("forget:yes")
    [deleted] = fake_api.sent("deleteMessages")
    assert {call.message_id for call in prompt} <= set(deleted.params["message_ids"])
    async with runtime.sessionmaker() as session:  # the worker is gone: their notes too
        assert await session.scalar(select(func.count()).select_from(BotMessage)) == 0
