from sqlalchemy import select

from sathi.models import Member
from sathi.services.members import find_member, get_or_create_member, set_locale


async def test_member_is_stored_by_pseudonym_with_encrypted_chat_id(runtime):
    async with runtime.sessionmaker.begin() as session:
        member = await get_or_create_member(session, telegram_user_id=987654321, chat_id=987654321)
        await set_locale(session, member=member, locale="ne")
    async with runtime.engine.connect() as connection:
        row = (await connection.exec_driver_sql("SELECT telegram_key, chat_id FROM member")).one()
    assert "987654321" not in row.telegram_key
    assert "987654321" not in row.chat_id
    async with runtime.sessionmaker() as session:
        again = await find_member(session, telegram_user_id=987654321)
        assert again is not None and again.locale == "ne" and again.chat_id == "987654321"


async def test_second_contact_reuses_the_member_and_follows_a_new_chat(runtime):
    async with runtime.sessionmaker.begin() as session:
        first = await get_or_create_member(session, telegram_user_id=5, chat_id=5)
    async with runtime.sessionmaker.begin() as session:
        second = await get_or_create_member(session, telegram_user_id=5, chat_id=77)
    async with runtime.sessionmaker() as session:
        members = (await session.scalars(select(Member))).all()
    assert first.id == second.id and len(members) == 1 and members[0].chat_id == "77"
