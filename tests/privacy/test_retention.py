"""The retention schedule deletes what is due and nothing else."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from sathi import outbox
from sathi.cli import main
from sathi.db import utcnow
from sathi.enums import CaseStatus, OutboxKind, OutboxStatus
from sathi.models import Case, CaseMessage, CaseReply, Member, OutboxItem
from sathi.models_privacy import BotMessage
from sathi.sealing import case_key_name
from sathi.services import retention, worker_cases
from tests.sathi.conftest import cheap_passwords, factory  # noqa: F401 - fixtures


async def _age(runtime, model, ident_col, ident, **values) -> None:
    async with runtime.sessionmaker.begin() as session:
        await session.execute(update(model).where(ident_col == ident).values(**values))


async def test_retention_deletes_what_is_due(runtime, factory):  # noqa: F811
    now = utcnow()
    old_closed = await factory.case(text="Old-Closed-Canary")
    recent_closed = await factory.case(text="Recent-Closed-Canary")
    still_open = await factory.case(text="Open-Canary")
    for case in (old_closed, recent_closed):
        async with runtime.sessionmaker.begin() as session:
            member = await session.get(Member, case.member_id)
            await worker_cases.close_case_by_worker(session, member=member, case_id=case.id)
    await _age(runtime, Case, Case.id, old_closed.id, closed_at=now - timedelta(days=91))
    await _age(runtime, Case, Case.id, recent_closed.id, closed_at=now - timedelta(days=10))
    idle = await factory.member()
    await _age(runtime, Member, Member.id, idle.id, last_seen_at=now - timedelta(days=181))
    await _age(runtime, Member, Member.id, still_open.member_id,
               last_seen_at=now - timedelta(days=400))  # idle, but with an open case: kept
    async with runtime.sessionmaker.begin() as session:
        for chat in (1, 2, 3):
            await outbox.enqueue(session, kind=OutboxKind.notice, chat_id=-chat,
                                 payload={"reference": "X"}, case_id=still_open.id)
        await session.flush()
        await session.execute(update(OutboxItem).values(
            status=OutboxStatus.delivered, updated_at=now - timedelta(days=8)))
        for case in (old_closed, recent_closed):  # a volunteer's message in the worker's chat
            session.add(CaseReply(case_id=case.id, telegram_message_id=77))
        kept = await session.get(Member, still_open.member_id)
        session.add(BotMessage(telegram_key=kept.telegram_key, message_ref="1:2",
                               sent_at=now - timedelta(hours=49)))
        session.add(BotMessage(telegram_key=kept.telegram_key, message_ref="1:3",
                               sent_at=now - timedelta(hours=47)))

    done = await retention.run_once(runtime.sessionmaker, runtime.settings)
    assert (done.cases, done.members, done.bot_messages) == (1, 1, 1)
    assert done.outbox == 3
    async with runtime.sessionmaker() as session:
        old = await session.get(Case, old_closed.id)
        assert old.erased_at is not None and old.status == CaseStatus.closed
        texts = list(await session.scalars(select(CaseMessage.text)))
        assert "Old-Closed-Canary" not in texts
        assert {"Recent-Closed-Canary", "Open-Canary"} <= set(texts)
        assert await session.get(Member, idle.id) is None
        assert await session.get(Member, still_open.member_id) is not None
        assert await session.scalar(select(func.count()).select_from(OutboxItem)) == 0
        replies = set(await session.scalars(select(CaseReply.case_id)))
        assert replies == {recent_closed.id}, "the old case's message ids went with its words"
    assert runtime.vault.keys.get(case_key_name(old_closed.id)) is None
    assert runtime.vault.keys.get(case_key_name(recent_closed.id)) is not None
    again = await retention.run_once(runtime.sessionmaker, runtime.settings)
    assert (again.cases, again.members, again.outbox) == (0, 0, 0)


async def test_pending_outbox_rows_are_kept(runtime, factory):  # noqa: F811
    case = await factory.case()
    async with runtime.sessionmaker.begin() as session:
        await outbox.enqueue(session, kind=OutboxKind.notice, chat_id=-1,
                             payload={"reference": "X"}, case_id=case.id)
        await session.execute(update(OutboxItem).values(updated_at=utcnow() - timedelta(days=30)))
    done = await retention.run_once(runtime.sessionmaker, runtime.settings)
    assert done.outbox == 0


def test_retention_cli(tmp_path, monkeypatch, capsys):
    from sathi.crypto import new_key

    monkeypatch.setenv("SATHI_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SATHI_DATA_KEY", new_key())
    monkeypatch.setenv("SATHI_RETENTION_CASE_DAYS", "30")
    monkeypatch.chdir(tmp_path)
    root = __import__("logging").getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    assert main(["retention", "run"]) == 0
    assert capsys.readouterr().out.startswith("retention: 0 closed cases emptied")
    monkeypatch.setenv("SATHI_RETENTION_CASE_DAYS", "0")
    assert main(["retention", "run"]) == 2
    assert "SATHI_RETENTION_CASE_DAYS" in capsys.readouterr().err


async def test_member_times_are_kept_to_the_day(runtime, factory):  # noqa: F811
    member = await factory.member()
    async with runtime.sessionmaker() as session:
        stored = await session.get(Member, member.id)
    for moment in (stored.created_at, stored.last_seen_at):
        assert (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0)
