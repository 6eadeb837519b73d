from datetime import timedelta

import pytest
from sqlalchemy import select

from sathi.db import utcnow
from sathi.enums import Role
from sathi.errors import Conflict, Invalid, NotAuthenticated
from sathi.models import Staff, StaffToken
from sathi.services import staff

PASSWORD = "correct horse battery"


async def _login(runtime, username="amina", password=PASSWORD, minutes=60):
    async with runtime.sessionmaker.begin() as session:
        return await staff.login(
            session, username=username, password=password, ttl=timedelta(minutes=minutes)
        )


async def _whoami(runtime, token, now=None):
    async with runtime.sessionmaker() as session:
        return (await staff.caller_for_token(session, token=token, now=now)).staff


async def test_password_is_hashed_with_argon2id_and_only_the_token_hash_is_stored(runtime):
    async with runtime.sessionmaker.begin() as session:
        await staff.create_staff(
            session, username="Amina", password=PASSWORD, role=Role.volunteer,
            languages=["ne", "bn", "ne"],
        )
    issued = await _login(runtime, username="AMINA")
    async with runtime.sessionmaker() as session:
        account = await session.scalar(select(Staff))
        token_row = await session.scalar(select(StaffToken))
    assert account.username == "amina" and account.languages == ["bn", "ne"]
    assert account.password_hash.startswith("$argon2id$") and PASSWORD not in account.password_hash
    assert token_row.token_hash != issued.token and len(token_row.token_hash) == 64
    assert (await _whoami(runtime, issued.token)).id == account.id


async def test_wrong_password_unknown_user_and_inactive_account_are_refused(runtime, factory):
    account = await factory.staff(username="amina")
    for username, password in (("amina", "wrong password"), ("nobody", PASSWORD)):
        with pytest.raises(NotAuthenticated, match="wrong username or password"):
            await _login(runtime, username=username, password=password)
    issued = await _login(runtime)
    async with runtime.sessionmaker.begin() as session:
        await staff.update_staff(session, staff_id=account.id, is_active=False)
    with pytest.raises(NotAuthenticated):
        await _whoami(runtime, issued.token)
    with pytest.raises(NotAuthenticated):
        await _login(runtime)


async def test_token_expires_and_logout_revokes_it(runtime, factory):
    await factory.staff(username="amina")
    issued = await _login(runtime, minutes=30)
    assert (await _whoami(runtime, issued.token, now=utcnow() + timedelta(minutes=29))).username
    with pytest.raises(NotAuthenticated):
        await _whoami(runtime, issued.token, now=utcnow() + timedelta(minutes=31))
    async with runtime.sessionmaker.begin() as session:
        await staff.revoke_token(session, token=issued.token)
    with pytest.raises(NotAuthenticated):
        await _whoami(runtime, issued.token)


async def test_password_reset_ends_every_session(runtime, factory):
    account = await factory.staff(username="amina")
    issued = await _login(runtime)
    async with runtime.sessionmaker.begin() as session:
        await staff.reset_password(session, staff_id=account.id, password="a new long password")
    with pytest.raises(NotAuthenticated):
        await _whoami(runtime, issued.token)
    assert (await _login(runtime, password="a new long password")).staff.id == account.id


async def test_own_password_change_keeps_the_current_session(runtime, factory):
    account = await factory.staff(username="amina")
    current = await _login(runtime)
    other = await _login(runtime)
    async with runtime.sessionmaker.begin() as session:
        with pytest.raises(Invalid) as error:
            await staff.change_password(
                session, staff=account, current_password="not it at all",
                new_password="another long password",
            )
        assert error.value.field == "current_password"
    async with runtime.sessionmaker.begin() as session:
        await staff.change_password(
            session, staff=account, current_password=PASSWORD,
            new_password="another long password", keep_token=current.token,
        )
    assert (await _whoami(runtime, current.token)).id == account.id
    with pytest.raises(NotAuthenticated):
        await _whoami(runtime, other.token)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"username": "a"}, "username"),
        ({"username": "has space"}, "username"),
        ({"password": "short"}, "password"),
        ({"languages": ["nepali"]}, "languages"),
    ],
)
async def test_bad_account_input_names_the_field(runtime, fields, field):
    values = {"username": "amina", "password": PASSWORD, "role": Role.volunteer} | fields
    async with runtime.sessionmaker.begin() as session:
        with pytest.raises(Invalid) as error:
            await staff.create_staff(session, **values)
    assert error.value.field == field


async def test_usernames_are_unique(runtime, factory):
    await factory.staff(username="amina")
    with pytest.raises(Conflict):
        await factory.staff(username="Amina")


async def test_the_last_active_admin_cannot_be_demoted_or_deactivated(runtime, factory):
    admin = await factory.staff(Role.admin, (), username="root")
    for change in ({"role": Role.volunteer}, {"is_active": False}):
        async with runtime.sessionmaker.begin() as session:
            with pytest.raises(Conflict):
                await staff.update_staff(session, staff_id=admin.id, **change)
    await factory.staff(Role.admin, (), username="second")
    async with runtime.sessionmaker.begin() as session:
        demoted = await staff.update_staff(session, staff_id=admin.id, role=Role.editor)
    assert demoted.role == Role.editor
