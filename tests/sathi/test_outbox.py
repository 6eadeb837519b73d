from datetime import timedelta

import pytest

from sathi import outbox
from sathi.db import utcnow
from sathi.enums import CaseEventKind, OutboxKind, OutboxStatus
from sathi.errors import Conflict, InvalidTransition
from sathi.models import Case, OutboxItem
from sathi.services import deliveries, volunteer_cases


async def _reply(runtime, factory, text="Your answer"):
    volunteer = await factory.staff()
    case = await factory.case()
    async with runtime.sessionmaker.begin() as session:
        case = await volunteer_cases.reply_to_case(
            session, staff=volunteer, case_id=case.id, text=text
        )
    return volunteer, case


async def _claim(runtime, now, limit=20):
    async with runtime.sessionmaker.begin() as session:
        return await outbox.claim_due(session, now=now, limit=limit)


async def _item(runtime, item_id) -> OutboxItem:
    async with runtime.sessionmaker() as session:
        return await session.get(OutboxItem, item_id)


async def _case(runtime, staff, case_id) -> Case:
    async with runtime.sessionmaker() as session:
        return await volunteer_cases.get_case(session, staff=staff, case_id=case_id)


async def test_claim_marks_sending_with_a_lease_and_is_not_claimed_twice(runtime, factory):
    await _reply(runtime, factory)
    now = utcnow()
    [item] = await _claim(runtime, now)
    assert item.status == OutboxStatus.sending and item.attempts == 1
    assert item.lease_token and item.lease_until == now + timedelta(seconds=outbox.LEASE_SECONDS)
    assert item.chat_id.isdigit() and item.payload["text"] == "Your answer"
    assert await _claim(runtime, now) == []


async def test_claim_takes_due_items_in_order_up_to_the_limit(runtime, factory):
    now = utcnow()
    async with runtime.sessionmaker.begin() as session:
        for n in range(3):
            await outbox.enqueue(
                session, kind=OutboxKind.notice, chat_id=-1 - n, payload={"n": n}, now=now
            )
        await outbox.enqueue(
            session, kind=OutboxKind.notice, chat_id=-9, payload={"n": "later"},
            now=now + timedelta(minutes=5),
        )
        await outbox.enqueue(  # to the first chat again: waits while the first is being sent
            session, kind=OutboxKind.notice, chat_id=-1, payload={"n": "same chat"}, now=now
        )
    first = await _claim(runtime, now, limit=2)
    rest = await _claim(runtime, now, limit=10)
    assert [i.payload["n"] for i in first] == [0, 1]
    assert [i.payload["n"] for i in rest] == [2]


async def test_delivered_is_shown_on_the_reply(runtime, factory):
    volunteer, case = await _reply(runtime, factory)
    now = utcnow()
    [item] = await _claim(runtime, now)
    async with runtime.sessionmaker.begin() as session:
        await outbox.mark_delivered(
            session, item_id=item.id, lease_token=item.lease_token, now=now
        )
    case = await _case(runtime, volunteer, case.id)
    delivery = case.messages[-1].delivery
    assert delivery.status == OutboxStatus.delivered and delivery.delivered_at == now
    assert case.undelivered_message_ids == []


async def test_retry_waits_at_least_retry_after_then_gives_up(runtime, factory):
    await _reply(runtime, factory)
    now = utcnow()
    [item] = await _claim(runtime, now)
    async with runtime.sessionmaker.begin() as session:
        item = await outbox.mark_retry(
            session, item_id=item.id, lease_token=item.lease_token, now=now,
            error="429 Too Many Requests", retry_after=30,
        )
    assert item.status == OutboxStatus.pending and item.not_before == now + timedelta(seconds=30)
    assert await _claim(runtime, now + timedelta(seconds=29)) == []
    [item] = await _claim(runtime, now + timedelta(seconds=30))
    assert item.attempts == 1, "a 429 is Telegram saying later, not a failed attempt"
    while True:
        async with runtime.sessionmaker.begin() as session:
            item = await outbox.mark_retry(
                session, item_id=item.id, lease_token=item.lease_token, now=now,
                error="NetworkError", after_seconds=0,
            )
        if item.status == OutboxStatus.failed:
            break
        [item] = await _claim(runtime, now)
    assert item.attempts == outbox.MAX_ATTEMPTS
    assert item.last_error.startswith("gave up after 8 attempts")


def test_backoff_grows_and_is_capped():
    assert [outbox.backoff_seconds(n) for n in (1, 2, 3)] == [5, 10, 20]
    assert outbox.backoff_seconds(50) == 3600


async def test_a_timeout_is_uncertain_and_waits_for_a_volunteer(runtime, factory):
    volunteer, case = await _reply(runtime, factory)
    now = utcnow()
    [item] = await _claim(runtime, now)
    async with runtime.sessionmaker.begin() as session:
        await outbox.mark_uncertain(
            session, item_id=item.id, lease_token=item.lease_token, now=now, error="TimedOut"
        )
    assert await _claim(runtime, now + timedelta(hours=1)) == []  # never resent blindly
    case = await _case(runtime, volunteer, case.id)
    reply = case.messages[-1]
    assert reply.delivery.status == OutboxStatus.uncertain
    assert case.undelivered_message_ids == [reply.id]
    assert case.events[-1].kind == CaseEventKind.delivery_uncertain

    async with runtime.sessionmaker.begin() as session:
        case = await deliveries.resend_message(
            session, staff=volunteer, case_id=case.id, message_id=reply.id
        )
    assert case.messages[-1].delivery.status == OutboxStatus.pending
    assert case.events[-1].kind == CaseEventKind.delivery_resent
    assert case.events[-1].actor_id == volunteer.id
    [again] = await _claim(runtime, utcnow())
    assert again.id == item.id and again.lease_token != item.lease_token


async def test_volunteer_can_dismiss_an_uncertain_delivery(runtime, factory):
    volunteer, case = await _reply(runtime, factory)
    [item] = await _claim(runtime, utcnow())
    async with runtime.sessionmaker.begin() as session:
        await outbox.mark_uncertain(
            session, item_id=item.id, lease_token=item.lease_token, now=utcnow(), error="Timeout"
        )
    reply_id = case.messages[-1].id
    async with runtime.sessionmaker.begin() as session:
        case = await deliveries.dismiss_message(
            session, staff=volunteer, case_id=case.id, message_id=reply_id
        )
    assert case.messages[-1].delivery.status == OutboxStatus.dismissed
    assert case.undelivered_message_ids == []
    async with runtime.sessionmaker.begin() as session:
        with pytest.raises(InvalidTransition):
            await deliveries.dismiss_message(
                session, staff=volunteer, case_id=case.id, message_id=reply_id
            )


async def test_a_blocked_bot_is_recorded_on_the_case_and_not_retried(runtime, factory):
    volunteer, case = await _reply(runtime, factory)
    now = utcnow()
    [item] = await _claim(runtime, now)
    async with runtime.sessionmaker.begin() as session:
        await outbox.mark_worker_blocked(
            session, item_id=item.id, lease_token=item.lease_token, now=now,
            error="Forbidden: bot was blocked by the user",
        )
    assert await _claim(runtime, now + timedelta(days=1)) == []
    case = await _case(runtime, volunteer, case.id)
    assert case.worker_blocked_at == now
    assert case.messages[-1].delivery.status == OutboxStatus.blocked
    assert case.events[-1].kind == CaseEventKind.worker_blocked


async def test_failed_is_final_and_shown(runtime, factory):
    volunteer, case = await _reply(runtime, factory)
    [item] = await _claim(runtime, utcnow())
    async with runtime.sessionmaker.begin() as session:
        await outbox.mark_failed(
            session, item_id=item.id, lease_token=item.lease_token, now=utcnow(),
            error="400 Bad Request: message is too long",
        )
    case = await _case(runtime, volunteer, case.id)
    assert case.messages[-1].delivery.status == OutboxStatus.failed
    assert case.events[-1].kind == CaseEventKind.delivery_failed


async def test_crash_recovery_makes_worker_messages_uncertain_not_resent(runtime, factory):
    volunteer, case = await _reply(runtime, factory)
    async with runtime.sessionmaker.begin() as session:
        await outbox.enqueue(session, kind=OutboxKind.notice, chat_id=-7, payload={"n": 1})
    now = utcnow()
    claimed = await _claim(runtime, now)
    assert len(claimed) == 2
    # The sender dies here. Before the lease runs out nothing is recovered.
    async with runtime.sessionmaker.begin() as session:
        assert await outbox.recover_stuck(session, now=now + timedelta(seconds=10)) == []
    later = now + timedelta(seconds=outbox.LEASE_SECONDS + 1)
    async with runtime.sessionmaker.begin() as session:
        recovered = await outbox.recover_stuck(session, now=later)
    statuses = {item.kind: item.status for item in recovered}
    assert statuses == {
        OutboxKind.text: OutboxStatus.uncertain, OutboxKind.notice: OutboxStatus.pending,
    }
    [again] = await _claim(runtime, later)
    assert again.kind == OutboxKind.notice  # a repeated notice is harmless; the reply waits
    case = await _case(runtime, volunteer, case.id)
    assert case.events[-1].kind == CaseEventKind.delivery_uncertain


async def test_a_late_outcome_after_recovery_needs_the_lease(runtime, factory):
    await _reply(runtime, factory)
    now = utcnow()
    [item] = await _claim(runtime, now)
    async with runtime.sessionmaker.begin() as session:
        await outbox.recover_stuck(session, now=now + timedelta(minutes=5))
    async with runtime.sessionmaker.begin() as session:
        with pytest.raises(Conflict):
            await outbox.mark_retry(
                session, item_id=item.id, lease_token=item.lease_token, now=now, error="x"
            )
        with pytest.raises(Conflict):
            await outbox.mark_delivered(session, item_id=item.id, lease_token="wrong", now=now)
    # The slow sender did get it through: that settles the doubt.
    async with runtime.sessionmaker.begin() as session:
        item = await outbox.mark_delivered(
            session, item_id=item.id, lease_token=item.lease_token, now=now
        )
    assert item.status == OutboxStatus.delivered


async def test_outbox_rows_are_encrypted(runtime, factory):
    await _reply(runtime, factory, text="Bring your passport copy")
    async with runtime.engine.connect() as connection:
        rows = (await connection.exec_driver_sql("SELECT * FROM outbox")).all()
    assert rows and all("passport" not in str(row) for row in rows)


async def test_concurrent_senders_never_claim_the_same_item(runtime):
    import asyncio

    now = utcnow()
    async with runtime.sessionmaker.begin() as session:
        for n in range(30):
            await outbox.enqueue(session, kind=OutboxKind.notice, chat_id=-1 - n,
                                 payload={"n": n})

    async def sender() -> list[int]:
        taken: list[int] = []
        for _ in range(5):
            async with runtime.sessionmaker.begin() as session:
                items = await outbox.claim_due(session, now=now + timedelta(seconds=1), limit=4)
                taken.extend(item.id for item in items)
            await asyncio.sleep(0)
        return taken

    claims = await asyncio.gather(*(sender() for _ in range(3)))
    every = [item_id for claim in claims for item_id in claim]
    assert len(every) == len(set(every)) == 30
