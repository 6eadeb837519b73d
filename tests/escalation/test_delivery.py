"""The delivery loop under Telegram's failures, as the fake Bot API answers them."""

import pytest
from sqlalchemy import select
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut

from bot.delivery import DeliveryLoop
from bot.outcomes import classify
from bot.ratelimit import RateLimiter
from bot.request import BadGateway, ConnectionBroke, NotSent
from sathi import outbox
from sathi.enums import CaseEventKind, OutboxStatus, Role
from sathi.models import OutboxItem
from sathi.runtime import Runtime
from sathi.services import volunteer_cases
from tests.escalation.conftest import VOLUNTEER_GROUP, queue_reply
from tests.fakes import updates

WORKER = updates.CHAT_ID


@pytest.fixture
async def reply(runtime: Runtime):
    return await queue_reply(runtime)


async def _items(runtime: Runtime) -> list[OutboxItem]:
    async with runtime.sessionmaker() as session:
        return list(await session.scalars(select(OutboxItem).order_by(OutboxItem.id)))


def _to_worker(fake_api) -> list:
    return [call for call in fake_api.sent() if call.params["chat_id"] == WORKER]


async def _events(runtime: Runtime, case_id: int) -> list[CaseEventKind]:
    async with runtime.sessionmaker() as session:
        from sathi.services import case_state

        case = await case_state.load_case(session, case_id)
        return [event.kind for event in case.events]


async def test_502_then_429_then_delivered_exactly_once_in_order(
    runtime, delivery, clock, fake_api
):
    await queue_reply(runtime, texts=("First reply", "Second reply"))
    fake_api.fail_next("sendMessage", 502)  # a proxy that could not reach Telegram
    fake_api.fail_next("sendMessage", 429, retry_after=30)
    assert await delivery.run_once() == 2  # the first meets the 502; the second is held back
    first, second = await _items(runtime)
    assert first.status == second.status == OutboxStatus.pending
    assert "Bad Gateway" in first.last_error and len(_to_worker(fake_api)) == 1
    assert (first.attempts, second.attempts) == (1, 0), "held back is not an attempt"

    clock.advance(4)
    assert await delivery.run_once() == 0, "backoff after a server error"
    clock.advance(1)
    assert await delivery.run_once() == 2  # the first meets the 429; the second waits too
    first, second = await _items(runtime)
    assert 29 <= (first.not_before - clock()).total_seconds() <= 30, "retry_after, no backoff"
    assert second.not_before >= first.not_before
    assert (first.attempts, second.attempts) == (1, 0), "a 429 is not a failed attempt"

    clock.advance(25)
    assert await delivery.run_once() == 0, "nothing before Telegram's retry_after"
    clock.advance(5)
    assert await delivery.run_once() == 2
    clock.advance(3600)
    assert await delivery.run_once() == 0
    delivered = fake_api.delivered(WORKER)
    assert ["First reply" in delivered[0].text, "Second reply" in delivered[1].text] == [True] * 2
    assert len(delivered) == 2 and len(_to_worker(fake_api)) == 4  # 500, 429, then each once
    assert [item.status for item in await _items(runtime)] == [OutboxStatus.delivered] * 2


async def test_a_timeout_makes_the_reply_uncertain_and_it_is_not_resent(
    runtime, reply, delivery, clock, fake_api
):
    fake_api.delay_next("sendMessage", 1.0)  # the reply arrives, the answer comes too late
    await delivery.run_once()
    [item] = await _items(runtime)
    assert item.status == OutboxStatus.uncertain
    assert CaseEventKind.delivery_uncertain in await _events(runtime, reply.id)
    async with runtime.sessionmaker() as session:
        case = await volunteer_cases.get_case(session, staff=_admin(), case_id=reply.id)
    assert case.undelivered_message_ids == [case.messages[-1].id]
    clock.advance(3600)
    await delivery.recover()
    assert await delivery.run_once() == 0
    assert len(_to_worker(fake_api)) == 1, "never resent blindly"


def _admin():
    from sathi.models import Staff

    return Staff(id=0, username="root", role=Role.admin, languages=[], is_active=True)


async def test_a_blocked_worker_is_marked_on_the_case(runtime, reply, delivery, fake_api):
    fake_api.fail_next("sendMessage", 403)
    await delivery.run_once()
    [item] = await _items(runtime)
    assert item.status == OutboxStatus.blocked
    async with runtime.sessionmaker() as session:
        case = await volunteer_cases.get_case(session, staff=_admin(), case_id=reply.id)
    assert case.worker_blocked_at is not None
    assert CaseEventKind.worker_blocked in [event.kind for event in case.events]


async def test_a_crash_while_sending_loses_nothing(runtime, app, clock, fake_api):
    await queue_reply(runtime, group=VOLUNTEER_GROUP)
    async with runtime.sessionmaker.begin() as session:
        claimed = await outbox.claim_due(session, now=clock())
    assert len(claimed) == 2  # ... and the process dies before sending or recording anything

    restarted = DeliveryLoop(runtime, app.bot, clock=clock,
                             limiter=RateLimiter(chat_seconds=0, group_seconds=0))
    assert await restarted.recover() == 0, "not before the lease runs out"
    clock.advance(outbox.LEASE_SECONDS + 1)
    assert await restarted.recover() == 2
    notice, reply = await _items(runtime)
    assert reply.status == OutboxStatus.uncertain  # it may have gone out: not resent
    assert notice.status == OutboxStatus.pending  # a repeated notice is harmless
    await restarted.run_once()
    assert len(fake_api.delivered(VOLUNTEER_GROUP)) == 1 and fake_api.delivered(WORKER) == []


async def test_the_limiter_keeps_to_telegrams_pace():
    now, slept = [100.0], []

    async def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        now[0] += seconds

    limiter = RateLimiter(per_second=20, chat_seconds=1, group_seconds=3,
                          clock=lambda: now[0], sleep=sleep)
    for chat in (1, 2, 1, -5, -5):
        await limiter.wait(chat)
    # 20 a second overall; chat 1 again after a second; the group after three.
    assert slept == [0.05, 0.95, 0.05, 3.0]


async def test_the_limiter_lets_a_short_burst_through_and_holds_after_a_429():
    now, slept = [100.0], []

    async def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        now[0] += seconds

    limiter = RateLimiter(per_second=1000, chat_seconds=1, chat_burst=3,
                          clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        await limiter.wait(1)
    assert slept == [0.001, 0.001, 0.998, 1.0], "three at once, then one a second"
    limiter.hold(7, 5.0)  # Telegram said retry_after 5 for chat 7
    slept.clear()
    await limiter.wait(7)
    assert slept == [5.0]


async def test_the_limiter_without_an_overall_pace_still_paces_each_chat():
    now, slept = [100.0], []

    async def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        now[0] += seconds

    limiter = RateLimiter(per_second=0, chat_seconds=1, clock=lambda: now[0], sleep=sleep)
    for chat in (1, 2, 3, 1):
        await limiter.wait(chat)
    assert slept == [1.0], "other chats at once; chat 1 again only after a second"


@pytest.mark.parametrize(("error", "for_worker", "status"), [
    (NotSent("refused"), True, "retry"),
    (NotSent("no free connection"), False, "retry"),
    (ConnectionBroke("reset"), True, "uncertain"),
    (TimedOut(), True, "uncertain"),
    (BadGateway("Bad Gateway (502)"), True, "retry"),
    (NetworkError("Internal Server Error"), True, "uncertain"),  # a 5xx: maybe carried out
    (NetworkError("Internal Server Error"), False, "retry"),  # a notice: a repeat is harmless
    (Forbidden("Forbidden: bot was kicked from the group chat"), False, "failed"),
    (Forbidden("Forbidden: bot was blocked by the user"), True, "blocked"),
    (BadRequest("Bad Request: chat not found"), True, "failed"),
])
def test_what_a_failed_send_means(error, for_worker, status):
    assert classify(error, for_worker=for_worker).status == status


def test_a_long_message_sent_in_part_is_not_repeated():
    assert classify(BadGateway("Bad Gateway"), for_worker=True, partly_sent=True).status == (
        "uncertain"
    )
