"""A database with data written at revision 0003 (data-key encryption) still reads after 0005,
and its cases then take per-case keys for new words and can be erased."""

from __future__ import annotations

from sqlalchemy import insert, text

from sathi import migrations
from sathi.db import Base, utcnow
from sathi.enums import Role
from sathi.models import CaseMessage
from sathi.services import erasure, members, volunteer_cases
from sathi.services import staff as staff_service
from tests.sathi.conftest import cheap_passwords  # noqa: F401 - fixture

USER = 7_999_000_111


async def test_rows_from_revision_0003_read_and_erase_after_0005(runtime):
    engine = runtime.engine
    await migrations.downgrade(engine, "0003")
    now = utcnow()
    tables = Base.metadata.tables
    async with engine.begin() as connection:
        member_id = (await connection.execute(insert(tables["member"]).values(
            telegram_key=members.member_key(USER), chat_id=str(USER), locale="ne",
            created_at=now, last_seen_at=now,
        ).returning(tables["member"].c.id))).scalar_one()
        case_id = (await connection.execute(insert(tables["case"]).values(
            reference="OLD0003A", member_id=member_id, lang="ne", urgency="normal",
            status="new", consent_at=now, created_at=now, updated_at=now, version=1,
        ).returning(tables["case"].c.id))).scalar_one()
        await connection.execute(insert(tables["case_message"]).values(
            case_id=case_id, direction="inbound", kind="text", text="Legacy-Canary words",
            created_at=now,
        ))
        [(stored,)] = (await connection.execute(text("SELECT text FROM case_message"))).all()
    assert stored.startswith("gAAAA")  # the 0003 format: the data key's column key

    await migrations.upgrade(engine, "head")
    if engine.dialect.name == "sqlite":  # the rebuild of "case" kept its messages, and the
        async with engine.connect() as connection:  # app's connections enforce keys again
            assert (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
    async with runtime.sessionmaker.begin() as session:
        admin = await staff_service.create_staff(session, username="boss", password="a long "
                                                 "password here", role=Role.admin)
        case = await volunteer_cases.get_case(session, staff=admin, case_id=case_id)
        assert [m.text for m in case.messages] == ["Legacy-Canary words"]
        member = await members.find_member(session, telegram_user_id=USER)
        assert member is not None and member.chat_id == str(USER)
        await volunteer_cases.reply_to_case(
            session, staff=admin, case_id=case_id, text="New-Canary"
        )
    async with engine.connect() as connection:
        texts = [row[0] for row in await connection.execute(
            text("SELECT text FROM case_message ORDER BY id"))]
    assert texts[0].startswith("gAAAA") and texts[1].startswith(f"k1:case-{case_id}:")

    async with runtime.sessionmaker.begin() as session:
        member = await members.find_member(session, telegram_user_id=USER)
        erased = await erasure.erase_member(session, member=member, telegram_user_id=USER)
    erased.destroy_keys()
    async with runtime.sessionmaker() as session:
        left = (await session.execute(text("SELECT count(*) FROM case_message"))).scalar_one()
    assert left == 0 and CaseMessage.__tablename__ == "case_message"
