"""No worker message is lost to a crash or a restart, and none is processed twice."""

import asyncio
import json
import logging
import threading

import httpx
from sqlalchemy import select, update

from admin_api.main import create_app
from bot.app import build_application
from bot.intake import Intake
from bot.polling import Poller
from bot.webhook import SECRET_HEADER, WEBHOOK_PATH, webhook_router
from sathi.cli.run import serve
from sathi.crypto import current_vault
from sathi.enums import MessageKind
from sathi.models import Case, CaseMessage, InboundUpdate
from sathi.runtime import Runtime, open_runtime
from sathi.sealing import member_key_name
from sathi.services import escalation, inbound, members, worker_cases
from tests.bot.conftest import TOKEN
from tests.bot.test_run import _free_port as free_port
from tests.escalation.conftest import Worker, queue_reply
from tests.fakes import updates

SECRET = "webhook-secret-for-tests_0123456789"


async def _member(runtime: Runtime, *, agreed: bool = False, open_case: bool = False):
    async with runtime.sessionmaker.begin() as session:
        member = await members.get_or_create_member(
            session, telegram_user_id=updates.USER_ID, chat_id=updates.CHAT_ID
        )
        await members.set_locale(session, member=member, locale="ne")
        if agreed:
            await escalation.agree(session, member=member)
        if open_case:
            await worker_cases.open_case(session, member=member, lang="ne", consent=True)
        return member


async def _case_messages(runtime: Runtime) -> list[CaseMessage]:
    async with runtime.sessionmaker() as session:
        return list(await session.scalars(select(CaseMessage).order_by(CaseMessage.id)))


async def _inbound(runtime: Runtime) -> list[InboundUpdate]:
    async with runtime.sessionmaker() as session:
        return list(await session.scalars(select(InboundUpdate).order_by(InboundUpdate.update_id)))


async def test_an_update_stored_before_a_crash_is_processed_after_the_restart(
    runtime, app, settings, fake_api
):
    await _member(runtime, agreed=True)
    voice = updates.voice()
    assert await Intake(app).store([voice]) == 1
    # The process dies here: stored and acknowledged, never processed.

    restarted = await open_runtime(settings)  # a new process on the same database
    try:
        async with build_application(restarted) as application:
            intake = Intake(application)
            assert await intake.process_pending() == 1
            assert await intake.process_pending() == 0
            assert await intake.store([voice]) == 0, "Telegram sends it again: ignored"
            assert await intake.process_pending() == 0
    finally:
        await restarted.close()
    [message] = await _case_messages(runtime)
    assert (message.kind, message.file_id) == (MessageKind.voice, "voice-1")
    [answer] = fake_api.delivered(updates.CHAT_ID)
    ne = runtime.catalogs.get("ne")
    async with runtime.sessionmaker() as session:
        reference = await session.scalar(select(Case.reference))
    assert answer.text.startswith(
        ne.gettext("Thank you. Your case number is {reference}.", reference=reference)
    )


async def test_a_handler_that_fails_once_is_retried_and_counts_once(
    runtime, app, fake_api, monkeypatch
):
    await _member(runtime, open_case=True)
    receive, calls = escalation.receive, []

    async def flaky(*args, **kwargs):
        calls.append(1)
        result = await receive(*args, **kwargs)  # the message is added ... then it breaks
        if len(calls) == 1:
            raise RuntimeError("database connection lost")
        return result

    monkeypatch.setattr(escalation, "receive", flaky)
    worker = Worker(Intake(app), fake_api)
    [sorry] = await worker.say("मेरो तलब आएन")
    assert sorry.text == runtime.catalogs.get("ne").gettext(
        "Sorry, something went wrong on my side. Please try again in a moment."
    )
    assert await _case_messages(runtime) == [], "rolled back"
    fake_api.clear()
    await worker.intake.process_pending()
    [message] = await _case_messages(runtime)
    assert message.text == "मेरो तलब आएन"
    [added] = fake_api.messages()
    async with runtime.sessionmaker() as session:
        reference = await session.scalar(select(Case.reference))
    ne = runtime.catalogs.get("ne")
    assert added.text == ne.gettext("Added to your case {reference}.", reference=reference)
    [row] = await _inbound(runtime)
    assert row.processed_at is not None and row.attempts == 2


async def test_an_update_that_always_fails_is_kept_for_inspection(
    runtime, app, fake_api, monkeypatch, caplog
):
    await _member(runtime, open_case=True)

    async def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(escalation, "receive", broken)
    intake = Intake(app, max_attempts=3)
    await intake.store([updates.text("secret-words-77")])
    with caplog.at_level(logging.WARNING):
        for _ in range(4):
            await intake.process_pending()
    [row] = await _inbound(runtime)
    assert row.processed_at is None and row.attempts == 3
    assert len(fake_api.delivered(updates.CHAT_ID)) == 1, "one apology, not one per attempt"
    assert "given up, kept for inspection" in caplog.text
    assert "secret-words-77" not in caplog.text


async def test_webhook_stores_before_answering_and_ignores_a_redelivery(runtime, app, fake_api):
    await _member(runtime, open_case=True)
    intake = Intake(app)
    api = create_app(runtime)
    api.include_router(webhook_router(intake, SECRET))
    update_json = updates.text("मेरो तलब आएन")
    transport = httpx.ASGITransport(app=api)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        wrong = await client.post(WEBHOOK_PATH, json=update_json, headers={SECRET_HEADER: "x"})
        assert wrong.status_code == 403 and await _inbound(runtime) == []
        for _ in range(2):
            answer = await client.post(WEBHOOK_PATH, json=update_json,
                                       headers={SECRET_HEADER: SECRET})
            assert answer.status_code == 200
            [row] = await _inbound(runtime)  # stored and committed before the 200
            assert row.processed_at is None
        await intake.process_pending()
        again = await client.post(WEBHOOK_PATH, json=update_json, headers={SECRET_HEADER: SECRET})
        assert again.status_code == 200
        await intake.process_pending()
    assert len(await _case_messages(runtime)) == 1
    assert len(fake_api.delivered(updates.CHAT_ID)) == 1


async def test_polling_acknowledges_only_what_is_stored(runtime, app, fake_api, monkeypatch):
    await _member(runtime, open_case=True)
    intake = Intake(app)
    store, failures = intake.store, []

    async def store_fails_once(batch):
        if not failures:
            failures.append(1)
            raise ConnectionError("database away")
        return await store(batch)

    monkeypatch.setattr(intake, "store", store_fails_once)
    update_json = updates.text("मेरो तलब आएन")
    fake_api.queue_update(update_json)
    stop = asyncio.Event()
    poller = Poller(app.bot, intake, timeout=1, backoff=0.01)
    task = asyncio.create_task(poller.run(stop))
    for _ in range(200):
        if poller.offset is not None:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, 5)
    offsets = [call.params.get("offset") for call in fake_api.sent("getUpdates")]
    assert offsets[:2] == [None, None], "not acknowledged while it could not be stored"
    assert offsets[-1] == update_json["update_id"] + 1, "acknowledged once stored"
    await intake.process_pending()

    # After a restart Telegram may send it again (say the last acknowledgement was lost).
    fake_api.queue_update(update_json)
    stop = asyncio.Event()
    second = Poller(app.bot, intake, timeout=1)
    task = asyncio.create_task(second.run(stop))
    for _ in range(200):
        if second.offset is not None:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, 5)
    await intake.process_pending()
    assert len(await _case_messages(runtime)) == 1
    assert len(fake_api.delivered(updates.CHAT_ID)) == 1


async def test_stored_updates_keep_no_names_or_phone_numbers(runtime, imported, app, fake_api):
    intake = Intake(app)
    await intake.store([updates.contact(), updates.text("hello")])
    for row in await _inbound(runtime):
        assert updates.FIRST_NAME not in row.payload and "+8210" not in row.payload
    await intake.process_pending()
    personal, _menu_text = fake_api.delivered(updates.CHAT_ID)[0].text.split("\n\n", 1)
    assert personal == runtime.catalogs.get("en").gettext(
        "I do not need your phone number or your location. Please do not send them. Write your "
        "question in a few words, or choose a topic."
    )
    assert all(row.processed_at is not None for row in await _inbound(runtime))


async def test_processed_payloads_are_purged_after_a_day(runtime, app, clock):
    intake = Intake(app, clock=clock)
    await intake.store([updates.command("start"), updates.text("stuck")])
    async with runtime.sessionmaker.begin() as session:
        first, second = await inbound.pending(session)
        await inbound.mark_processed(session, update_id=first.update_id, now=clock())
        await session.execute(update(InboundUpdate).where(
            InboundUpdate.update_id == second.update_id
        ).values(attempts=inbound.MAX_ATTEMPTS))
    await intake.purge_if_due()
    assert len(await _inbound(runtime)) == 2
    clock.advance(25 * 3600)
    await intake.purge_if_due()
    assert [row.update_id for row in await _inbound(runtime)] == [second.update_id]
    clock.advance(7 * 24 * 3600)
    await intake.purge_if_due()
    assert await _inbound(runtime) == []


async def test_replies_written_while_the_bot_is_down_arrive_when_it_starts(
    runtime, make_settings, fake_api
):
    await queue_reply(runtime, texts=("Written while the bot was down",))
    settings = make_settings(
        telegram_token=TOKEN, telegram_api_url=fake_api.url, api_port=free_port(),
        data_key=runtime.settings.data_key.get_secret_value(),
    )
    served = await open_runtime(settings)  # `sathi run` starting on the same database
    stop = asyncio.Event()
    try:
        task = asyncio.create_task(serve(served, stop))
        for _ in range(300):
            if fake_api.delivered(updates.CHAT_ID):
                break
            await asyncio.sleep(0.02)
        stop.set()
        await asyncio.wait_for(task, 15)
    finally:
        await served.close()
    [reply] = fake_api.delivered(updates.CHAT_ID)
    assert "Written while the bot was down" in reply.text
    assert "getUpdates" in [call.method for call in fake_api.calls]


async def test_the_keys_of_a_batchs_new_senders_are_made_in_one_commit_off_the_loop(
    runtime, app, monkeypatch
):
    keys = current_vault().keys
    create, made = keys.create, []

    def recording(names):
        made.append((sorted(names), threading.current_thread() is threading.main_thread()))
        create(names)

    monkeypatch.setattr(keys, "create", recording)
    users = (8_800_000_001, 8_800_000_002, 8_800_000_003)
    batch = [updates.text("hello", user_id=user) for user in (*users, users[0])]
    assert await Intake(app).store(batch) == 4
    names = sorted(member_key_name(members.member_key(user)) for user in users)
    assert made == [(names, False)], "one call, in a worker thread"
    assert await Intake(app).store([updates.text("again", user_id=users[1])]) == 1
    assert len(made) == 1, "a known sender's key is not made again"
    async with runtime.sessionmaker() as session:
        rows = await inbound.pending(session)
    assert [json.loads(row.payload)["message"]["text"] for row in rows] == [
        "hello", "hello", "hello", "hello", "again"]
