"""The member and the cases that route their messages, read in one query for each update."""

from datetime import timedelta

from sqlalchemy import event

from sathi.db import utcnow
from sathi.enums import CaseEventKind, CaseStatus
from sathi.models import CaseEvent
from sathi.services import escalation, members, worker_cases


async def _close(session, case, *, ago: timedelta, by_worker: bool = False) -> None:
    case.status, case.closed_at = CaseStatus.closed, utcnow() - ago
    if by_worker:
        session.add(CaseEvent(case_id=case.id, kind=CaseEventKind.closed_by_worker))
    await session.flush()


async def test_open_cases_and_the_latest_closed_by_a_volunteer_in_one_query(runtime):
    async with runtime.sessionmaker.begin() as session:
        member = await members.get_or_create_member(session, telegram_user_id=7, chat_id=7)
        cases = [await worker_cases.open_case(session, member=member, lang="ne", consent=True)
                 for _ in range(5)]
        await _close(session, cases[1], ago=timedelta(days=2))
        await _close(session, cases[2], ago=timedelta(days=1))  # the latest: noted
        await _close(session, cases[3], ago=timedelta(hours=1), by_worker=True)  # they know
        await _close(session, cases[4], ago=escalation.CLOSED_NOTE_FOR + timedelta(hours=1))
        other = await members.get_or_create_member(session, telegram_user_id=8, chat_id=8)
        await worker_cases.open_case(session, member=other, lang="ne", consent=True)
    statements = []
    event.listen(runtime.engine.sync_engine, "before_cursor_execute",
                 lambda *args: statements.append(args[2]))
    async with runtime.sessionmaker.begin() as session:
        found, routes = await escalation.member_with_cases(session, telegram_user_id=7,
                                                           chat_id=7)
        assert len(statements) == 1, "one SELECT, nothing written (same chat, same day)"
        assert found.id == member.id
        assert [case.id for case in routes.open] == [cases[0].id]
        assert routes.closed is not None and routes.closed.id == cases[2].id
        assert await escalation.cases_of(session, member=found) == routes


async def test_a_new_worker_is_created_with_no_cases(runtime):
    async with runtime.sessionmaker.begin() as session:
        member, routes = await escalation.member_with_cases(session, telegram_user_id=9,
                                                            chat_id=90)
        assert member.id is not None and member.chat_id == "90"
        assert routes == escalation.Cases([], None)
    async with runtime.sessionmaker.begin() as session:
        again, _ = await escalation.member_with_cases(session, telegram_user_id=9, chat_id=91)
        assert again.id == member.id and again.chat_id == "91"
