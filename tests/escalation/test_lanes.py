"""Chats side by side in the intake: a slow chat holds no other, each chat keeps its order."""

import asyncio

from sqlalchemy import event, select

from bot import intake as intake_module
from bot.app import build_application
from bot.intake import Intake
from sathi.models import Case, CaseMessage, InboundUpdate
from sathi.runtime import Runtime, open_runtime
from sathi.services import escalation, members, worker_cases
from tests.fakes import updates

A, B, C = 5_550_000_001, 5_550_000_002, 5_550_000_003


async def _open_cases(runtime: Runtime, *users: int) -> None:
    """Each user has an open case: every text they send joins it, in the order processed."""
    async with runtime.sessionmaker.begin() as session:
        for user in users:
            member = await members.get_or_create_member(
                session, telegram_user_id=user, chat_id=user
            )
            await members.set_locale(session, member=member, locale="en")
            await worker_cases.open_case(session, member=member, lang="en", consent=True)


async def _case_texts(runtime: Runtime) -> dict[int, list[str]]:
    """Each case's messages, in the order they were stored, by the worker's chat."""
    async with runtime.sessionmaker() as session:
        rows = (await session.execute(
            select(Case.member_id, CaseMessage.text).join(CaseMessage.case)
            .order_by(CaseMessage.id)
        )).all()
    found: dict[int, list[str]] = {}
    for member_id, text in rows:
        found.setdefault(member_id, []).append(text)
    return found


async def _inbound(runtime: Runtime) -> list[InboundUpdate]:
    async with runtime.sessionmaker() as session:
        return list(await session.scalars(select(InboundUpdate).order_by(InboundUpdate.update_id)))


async def _until(condition, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


def _break_chat_a(monkeypatch) -> set[bool]:
    """Chat A's messages fail to join its case until the returned set is cleared (fixed)."""
    receive = escalation.receive
    broken = {True}

    async def fails_for_a(session, *, member, **kwargs):
        if broken and member.telegram_key == members.member_key(A):
            raise RuntimeError("bug")
        return await receive(session, member=member, **kwargs)

    monkeypatch.setattr(escalation, "receive", fails_for_a)
    return broken


async def test_a_chat_waiting_for_telegram_holds_no_other_chat(runtime, app, fake_api):
    await _open_cases(runtime, A, B)
    intake = Intake(app)
    # Telegram makes chat A wait (429, retry after 1 s); B wrote after A.
    fake_api.fail_next("sendMessage", 429, retry_after=1)
    await intake.store([updates.text("first of A", user_id=A),
                        updates.text("first of B", user_id=B)])
    task = asyncio.create_task(intake.process_pending())
    await _until(lambda: fake_api.delivered(B))
    assert not fake_api.delivered(A), "B was answered while A still waited for Telegram"
    assert await task == 2
    assert len(fake_api.delivered(A)) == 1 and len(fake_api.delivered(B)) == 1


async def test_a_slow_answer_in_one_chat_delays_only_that_chat(runtime, app, fake_api):
    await _open_cases(runtime, A, B)
    intake = Intake(app)
    fake_api.delay_next("sendMessage", 1.5)  # A's answer takes Telegram 1.5 s
    await intake.store([updates.text("slow one", user_id=A),
                        updates.text("then this", user_id=A),
                        updates.text("quick one", user_id=B)])
    task = asyncio.create_task(intake.process_pending())
    await _until(lambda: fake_api.delivered(B))
    [a_first] = fake_api.sent("sendMessage")[:1]
    assert a_first.params["chat_id"] == A and a_first.status is None, "A's answer still pending"
    texts = await _case_texts(runtime)
    assert ["slow one"] in texts.values(), "A's next update waits for A's answer to go out"
    await task
    assert len(fake_api.delivered(A)) == 2
    assert ["slow one", "then this"] in (await _case_texts(runtime)).values()


async def test_each_chat_keeps_its_order_while_chats_interleave(runtime, app, fake_api):
    await _open_cases(runtime, A, B, C)
    intake = Intake(app)
    sent = [(user, f"{user % 10}-{n}") for n in range(6) for user in (A, B, C)]
    await intake.store([updates.text(text, user_id=user) for user, text in sent])
    assert await intake.process_pending() == len(sent)
    texts = sorted((await _case_texts(runtime)).values())
    assert texts == sorted([[t for u, t in sent if u == user] for user in (A, B, C)])
    for user in (A, B, C):
        assert len(fake_api.delivered(user)) == 6
    rows = await _inbound(runtime)
    assert all(row.processed_at is not None and row.attempts == 1 for row in rows)


async def test_a_failing_update_holds_its_own_chat_only(runtime, app, fake_api, monkeypatch):
    await _open_cases(runtime, A, B)
    broken = _break_chat_a(monkeypatch)
    intake = Intake(app)
    await intake.store([updates.text("a1", user_id=A), updates.text("b1", user_id=B),
                        updates.text("a2", user_id=A), updates.text("b2", user_id=B)])
    await intake.process_pending()
    assert sorted((await _case_texts(runtime)).values()) == [["b1", "b2"]]
    a1, _b1, a2, _b2 = await _inbound(runtime)
    assert (a1.processed_at, a1.attempts) == (None, 1)
    assert (a2.processed_at, a2.attempts) == (None, 0), "a2 waits for a1, costing no attempt"

    broken.clear()  # fixed: the next pass takes A's updates in order
    assert await intake.process_pending() == 2
    assert sorted((await _case_texts(runtime)).values()) == [["a1", "a2"], ["b1", "b2"]]


async def test_nothing_is_lost_or_doubled_when_stopped_mid_batch(runtime, settings, app, fake_api):
    users = (A, B, C)
    await _open_cases(runtime, *users)
    sent = [(user, f"{user % 10}-{n}") for n in range(8) for user in users]
    intake = Intake(app)
    await intake.store([updates.text(text, user_id=user) for user, text in sent])
    stop = asyncio.Event()
    task = asyncio.create_task(intake.run(stop))
    await _until(lambda: len(fake_api.sent("sendMessage")) >= 4)
    stop.set()  # a restart: each chat finishes the update in hand
    await asyncio.wait_for(task, 15)
    done = [row for row in await _inbound(runtime) if row.processed_at is not None]
    assert 0 < len(done) < len(sent)

    restarted = await open_runtime(settings)  # a new process on the same database
    try:
        async with build_application(restarted) as application:
            assert await Intake(application).process_pending() == len(sent) - len(done)
    finally:
        await restarted.close()
    texts = sorted((await _case_texts(runtime)).values())
    assert texts == sorted([[t for u, t in sent if u == user] for user in users])
    rows = await _inbound(runtime)
    assert all(row.processed_at is not None and row.attempts == 1 for row in rows)
    for user in users:
        assert len(fake_api.delivered(user)) == 8, "one answer per update, none twice"


async def _running(intake: Intake):
    """Starts the intake's loop; returns its stop event and task."""
    stop = asyncio.Event()
    return stop, asyncio.create_task(intake.run(stop))


async def test_while_running_stored_updates_go_to_their_lanes_without_a_take(
    runtime, app, fake_api
):
    await _open_cases(runtime, A, B)
    intake = Intake(app)
    stop, task = await _running(intake)
    try:
        await intake.store([updates.text("first", user_id=A)])
        await _until(lambda: len(fake_api.delivered(A)) == 1)
        statements: list[str] = []
        event.listen(runtime.engine.sync_engine, "before_cursor_execute",
                     lambda _c, _k, sql, *rest: statements.append(sql))
        sent = [(A, "a1"), (B, "b1"), (A, "a2"), (B, "b2")]
        assert await intake.store([updates.text(text, user_id=user) for user, text in sent]) == 4
        await _until(lambda: len(fake_api.delivered(A)) == 3 and len(fake_api.delivered(B)) == 2)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
    reads = [sql for sql in statements if sql.lstrip().startswith("SELECT")
             and "FROM inbound_updates" in sql]
    assert reads == [], "handed over by the store: nothing read back"
    assert sorted((await _case_texts(runtime)).values()) == [["b1", "b2"], ["first", "a1", "a2"]]
    rows = await _inbound(runtime)
    assert all(row.processed_at is not None and row.attempts == 1 for row in rows)


async def test_what_the_lanes_have_no_room_for_is_taken_later_in_order(
    runtime, app, fake_api, monkeypatch
):
    await _open_cases(runtime, A)
    monkeypatch.setattr(intake_module, "MAX_IN_FLIGHT", 2)
    monkeypatch.setattr(intake_module, "BATCH", 1)
    intake = Intake(app)
    stop, task = await _running(intake)
    try:
        await intake.store([updates.text("first", user_id=A)])
        await _until(lambda: len(fake_api.delivered(A)) == 1)
        texts = [f"a{n}" for n in range(7)]
        await intake.store([updates.text(text, user_id=A) for text in texts])
        await intake.store([updates.text("last", user_id=A)])  # behind the backlog
        await _until(lambda: len(fake_api.delivered(A)) == 9)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
    assert list((await _case_texts(runtime)).values()) == [["first", *texts, "last"]]
    rows = await _inbound(runtime)
    assert all(row.processed_at is not None and row.attempts == 1 for row in rows)


async def test_while_running_a_chat_whose_update_failed_keeps_its_order(
    runtime, app, fake_api, monkeypatch
):
    await _open_cases(runtime, A, B)
    broken = _break_chat_a(monkeypatch)
    intake = Intake(app, retry_seconds=0.5)
    stop, task = await _running(intake)
    try:
        await intake.store([updates.text("a1", user_id=A)])
        await _until(lambda: len(fake_api.delivered(A)) == 1)  # the apology: a1 rests
        await intake.store([updates.text("a2", user_id=A), updates.text("b1", user_id=B)])
        await _until(lambda: len(fake_api.delivered(B)) == 1)
        assert await _case_texts(runtime) != {} and all(
            texts == ["b1"] for texts in (await _case_texts(runtime)).values())
        broken.clear()
        await _until(lambda: len(fake_api.delivered(A)) == 3)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
    assert sorted((await _case_texts(runtime)).values()) == [["a1", "a2"], ["b1"]]
    a1, a2, _b1 = await _inbound(runtime)
    assert a1.attempts >= 2 and a2.attempts == 1, "a2 waited for a1, costing no attempt"


async def test_while_running_an_update_twice_in_one_batch_is_processed_once(
    runtime, app, fake_api
):
    await _open_cases(runtime, A)
    intake = Intake(app)
    stop, task = await _running(intake)
    try:
        await intake.store([updates.text("first", user_id=A)])
        await _until(lambda: len(fake_api.delivered(A)) == 1)
        twice = updates.text("twice", user_id=A)
        assert await intake.store([twice, dict(twice), updates.text("after", user_id=A)]) == 2
        await _until(lambda: len(fake_api.delivered(A)) == 3)
        await asyncio.sleep(0.3)  # time for a second copy's answer, if there were one
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
    assert list((await _case_texts(runtime)).values()) == [["first", "twice", "after"]]
    assert len(fake_api.delivered(A)) == 3
