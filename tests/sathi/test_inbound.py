import json
from datetime import timedelta

from sqlalchemy import event

from sathi.db import utcnow
from sathi.services import inbound


def _update(update_id: int, text: str) -> str:
    return json.dumps({"update_id": update_id, "message": {"text": text}})


async def test_store_update_is_idempotent(runtime):
    async with runtime.sessionmaker.begin() as session:
        assert await inbound.store_update(session, update_id=10, payload=_update(10, "first"))
    async with runtime.sessionmaker.begin() as session:
        assert not await inbound.store_update(session, update_id=10, payload=_update(10, "again"))
    async with runtime.sessionmaker.begin() as session:
        [row] = await inbound.pending(session)
    assert json.loads(row.payload)["message"]["text"] == "first"


async def test_processed_updates_are_not_handed_out_again(runtime):
    async with runtime.sessionmaker.begin() as session:
        for update_id in (3, 1, 2):
            payload = _update(update_id, "x")
            await inbound.store_update(session, update_id=update_id, payload=payload)
    async with runtime.sessionmaker.begin() as session:
        rows = await inbound.pending(session, limit=2)
        assert [row.update_id for row in rows] == [1, 2]
        assert await inbound.mark_processed(session, update_id=1)
        assert not await inbound.mark_processed(session, update_id=1)
    async with runtime.sessionmaker.begin() as session:
        assert [row.update_id for row in await inbound.pending(session)] == [2, 3]
        assert await inbound.is_processed(session, update_id=1)
        assert not await inbound.is_processed(session, update_id=2)
    # Telegram redelivers update 1 (the acknowledgement was lost): it is not processed twice.
    async with runtime.sessionmaker.begin() as session:
        assert not await inbound.store_update(session, update_id=1, payload=_update(1, "x"))
        assert 1 not in [row.update_id for row in await inbound.pending(session)]


async def test_a_failing_update_is_given_up_after_max_attempts(runtime):
    async with runtime.sessionmaker.begin() as session:
        await inbound.store_update(session, update_id=5, payload=_update(5, "boom"))
    for attempt in range(1, 4):
        async with runtime.sessionmaker.begin() as session:
            [row] = await inbound.pending(session, max_attempts=3)
            await inbound.count_attempts(session, update_ids=[row.update_id])
        async with runtime.sessionmaker() as session:
            [row] = await inbound.pending(session, max_attempts=4)
            assert row.attempts == attempt
        # processing crashed: mark_processed never ran
    async with runtime.sessionmaker.begin() as session:
        assert await inbound.pending(session, max_attempts=3) == []


async def test_processing_and_the_done_mark_commit_together(runtime):
    async with runtime.sessionmaker.begin() as session:
        await inbound.store_update(session, update_id=9, payload=_update(9, "x"))
    try:
        async with runtime.sessionmaker.begin() as session:
            await inbound.mark_processed(session, update_id=9)
            raise RuntimeError("handler failed")
    except RuntimeError:
        pass
    async with runtime.sessionmaker.begin() as session:
        assert [row.update_id for row in await inbound.pending(session)] == [9]


async def test_payload_is_encrypted_and_old_updates_are_purged(runtime):
    async with runtime.sessionmaker.begin() as session:
        await inbound.store_update(session, update_id=1, payload=_update(1, "my visa expires"))
        await inbound.mark_processed(session, update_id=1, now=utcnow() - timedelta(days=8))
        await inbound.store_update(session, update_id=2, payload=_update(2, "pending one"))
    async with runtime.engine.connect() as connection:
        raw = (await connection.exec_driver_sql("SELECT payload FROM inbound_update")).all()
    assert all("visa" not in row.payload and "pending" not in row.payload for row in raw)
    async with runtime.sessionmaker.begin() as session:
        assert await inbound.purge_processed(session, before=utcnow() - timedelta(days=7)) == 1
        assert [row.update_id for row in await inbound.pending(session)] == [2]


async def test_attempts_are_counted_for_what_is_taken_and_given_back_when_untried(runtime):
    async with runtime.sessionmaker.begin() as session:
        for update_id in (1, 2, 3):
            payload = _update(update_id, "x")
            await inbound.store_update(session, update_id=update_id, payload=payload)
    async with runtime.sessionmaker.begin() as session:
        [first, second] = await inbound.pending(session, limit=2)
        await inbound.count_attempts(session, update_ids=[1, 2])
    assert (first.update_id, second.update_id) == (1, 2)
    async with runtime.sessionmaker.begin() as session:
        assert [row.update_id for row in await inbound.pending(session, after=2)] == [3]
        await inbound.count_attempts(session, update_ids=[2], by=-1)  # 2 was not tried after all
    async with runtime.sessionmaker() as session:
        attempts = [row.attempts for row in await inbound.pending(session)]
    assert attempts == [1, 0, 0]


async def test_a_batch_is_stored_in_one_statement_each_update_once(runtime):
    async with runtime.sessionmaker.begin() as session:
        await inbound.store_update(session, update_id=2, payload=_update(2, "stored before"))
    inserts = []
    event.listen(runtime.engine.sync_engine, "before_cursor_execute",
                 lambda *args: inserts.append(args[2]) if args[2].startswith("INSERT") else None)
    batch = [(1, _update(1, "one")), (2, _update(2, "again")), (3, _update(3, "three")),
             (1, _update(1, "one, twice in the batch"))]
    async with runtime.sessionmaker.begin() as session:
        assert sorted(await inbound.store_updates(session, batch, taken={3})) == [1, 3]
    assert len(inserts) == 1
    async with runtime.sessionmaker() as session:
        rows = await inbound.pending(session)
    assert [(row.update_id, json.loads(row.payload)["message"]["text"]) for row in rows] == [
        (1, "one"), (2, "stored before"), (3, "three")]
    assert [row.attempts for row in rows] == [0, 0, 1], "3 taken at once: its attempt counted"
