"""Staff accounts, argon2id passwords and bearer tokens: who may use the admin API, and how."""

import asyncio
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from zxcvbn import zxcvbn

from sathi.db import utcnow
from sathi.enums import Role
from sathi.errors import Conflict, Invalid, NotAuthenticated, NotFound
from sathi.models import Staff, StaffToken
from sathi.services import chat_proof, lockdown

# argon2-cffi's default: argon2id, RFC 9106 low-memory profile. Tests swap in a cheaper one.
_hasher = PasswordHasher()

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,31}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 256


class _Unset(Enum):
    unset = "unset"


UNSET = _Unset.unset
"""Marks an optional field the caller did not send (so None can mean "clear it")."""


@dataclass(frozen=True)
class IssuedToken:
    """A new bearer token: the secret is returned once and only its hash is stored."""

    token: str
    expires_at: datetime
    staff: Staff


def normalize_username(username: str) -> str:
    """The stored form of a username: lower case, 3-32 of a-z 0-9 _ . - starting alphanumeric."""
    value = username.strip().lower()
    if not USERNAME.match(value):
        raise Invalid("3-32 characters: a-z, 0-9, _ . - (starting with a letter or digit)",
                      field="username")
    return value


def normalize_languages(languages: Iterable[str]) -> list[str]:
    """Sorted, de-duplicated ISO 639 codes; anything else is refused."""
    codes = sorted({code.strip().lower() for code in languages})
    for code in codes:
        if not LANGUAGE.match(code):
            raise Invalid(f"{code!r} is not a language code such as ne, bn, tl", field="languages")
    return codes


def check_password(password: str, *, field: str = "password", username: str | None = None
                   ) -> None:
    """Refuses passwords too short or long to hash sensibly, too common, or made of the username.

    "Too common" is zxcvbn's judgement (its lists of leaked passwords, words and names, keyboard
    patterns, dates): a score below 3 means fewer than about 10^8 guesses.
    """
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise Invalid(f"must be {MIN_PASSWORD} to {MAX_PASSWORD} characters", field=field)
    if not _encodable(password):
        raise Invalid("must be valid text", field=field)
    name = (username or "").strip().lower()
    if name and (name in password.lower() or password.lower() in name):
        raise Invalid("must not contain the username", field=field)
    strength = zxcvbn(password[:100], user_inputs=[name] if name else [])
    if strength["score"] < 3:
        raise Invalid("is too common or too easy to guess; use a few unrelated words",
                      field=field)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


async def hash_password(password: str) -> str:
    """An argon2id hash, computed off the event loop (it takes tens of milliseconds on purpose)."""
    return await asyncio.to_thread(_hasher.hash, password)


async def _verify(password_hash: str, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


async def _active_admins(session: AsyncSession) -> int:
    query = select(func.count(Staff.id)).where(Staff.role == Role.admin, Staff.is_active.is_(True))
    return int(await session.scalar(query) or 0)


async def revoke_all_tokens(
    session: AsyncSession, *, staff_id: int, keep_token: str | None = None
) -> None:
    """Ends every session of a staff member (after a password change, deactivation...)."""
    query = update(StaffToken).where(
        StaffToken.staff_id == staff_id, StaffToken.revoked_at.is_(None)
    )
    if keep_token is not None:
        query = query.where(StaffToken.token_hash != _token_hash(keep_token))
    await session.execute(query.values(revoked_at=utcnow()))


async def create_staff(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    role: Role,
    languages: Iterable[str] = (),
    public_name: str | None = None,
    telegram_chat_id: int | None = None,
) -> Staff:
    """Creates an account.

    Raises:
        Invalid: the username, password or a language code is unusable.
        Conflict: the username is taken.

    """
    name = normalize_username(username)
    check_password(password, username=username)
    codes = normalize_languages(languages)
    if await session.scalar(select(Staff.id).where(Staff.username == name)) is not None:
        raise Conflict(f"the username {name!r} is taken")
    staff = Staff(
        username=name, password_hash=await hash_password(password), role=Role(role),
        languages=codes, public_name=public_name, telegram_chat_id=telegram_chat_id,
        is_active=True,
    )
    session.add(staff)
    await session.flush()
    if telegram_chat_id is not None:
        await chat_proof.send_code(session, staff)
    return staff


async def list_staff(session: AsyncSession) -> list[Staff]:
    """Every account, by username."""
    return list(await session.scalars(select(Staff).order_by(Staff.username)))


async def get_staff(session: AsyncSession, *, staff_id: int) -> Staff:
    """One account; NotFound if there is none."""
    staff = await session.get(Staff, staff_id)
    if staff is None:
        raise NotFound(f"user {staff_id} not found")
    return staff


async def update_staff(
    session: AsyncSession,
    *,
    staff_id: int,
    role: Role | None = None,
    languages: Iterable[str] | None = None,
    is_active: bool | None = None,
    public_name: str | None | _Unset = UNSET,
    telegram_chat_id: int | None | _Unset = UNSET,
) -> Staff:
    """Changes an account; never leaves Sathi without an active admin.

    Raises:
        Conflict: the change would remove the last active admin.

    """
    staff = await get_staff(session, staff_id=staff_id)
    stays_admin = (role or staff.role) == Role.admin and (
        staff.is_active if is_active is None else is_active
    )
    if staff.role == Role.admin and staff.is_active and not stays_admin:
        if await _active_admins(session) <= 1:
            raise Conflict("this would leave no active admin; make another admin first")
    if role is not None:
        staff.role = Role(role)
    if languages is not None:
        staff.languages = normalize_languages(languages)
    if is_active is not None:
        staff.is_active = is_active
    if public_name is not UNSET:
        staff.public_name = public_name
    if telegram_chat_id is not UNSET and telegram_chat_id != staff.telegram_chat_id:
        staff.telegram_chat_id = telegram_chat_id
        await chat_proof.send_code(session, staff)
    staff.updated_at = utcnow()
    if not staff.is_active:
        await revoke_all_tokens(session, staff_id=staff.id)
    return staff


async def update_profile(
    session: AsyncSession,
    *,
    staff: Staff,
    public_name: str | None | _Unset = UNSET,
    telegram_chat_id: int | None | _Unset = UNSET,
) -> Staff:
    """What a staff member sets for themselves: the name workers see and their Telegram chat."""
    return await update_staff(
        session, staff_id=staff.id, public_name=public_name, telegram_chat_id=telegram_chat_id
    )


async def reset_password(session: AsyncSession, *, staff_id: int, password: str) -> Staff:
    """An admin sets a new password; every session of that account ends."""
    staff = await get_staff(session, staff_id=staff_id)
    check_password(password, username=staff.username)
    staff.password_hash = await hash_password(password)
    staff.updated_at = utcnow()
    await revoke_all_tokens(session, staff_id=staff.id)
    return staff


async def change_password(
    session: AsyncSession, *, staff: Staff, current_password: str, new_password: str,
    keep_token: str | None = None,
) -> Staff:
    """A staff member changes their own password; their other sessions end."""
    if not _encodable(current_password) or not await _verify(
        staff.password_hash, current_password
    ):
        raise Invalid("is not your current password", field="current_password")
    check_password(new_password, field="new_password", username=staff.username)
    staff.password_hash = await hash_password(new_password)
    staff.updated_at = utcnow()
    await revoke_all_tokens(session, staff_id=staff.id, keep_token=keep_token)
    return staff


async def authenticate(session: AsyncSession, *, username: str, password: str) -> Staff:
    """The active account for these credentials; NotAuthenticated (one message for every cause)."""
    name = username.strip().lower()
    staff = None
    if USERNAME.match(name):
        staff = await session.scalar(select(Staff).where(Staff.username == name))
    if not _encodable(password):
        password = ""
    if staff is None:
        # Spend the same time as a real check so response times do not reveal usernames.
        await _verify(_dummy_hash(), password)
        raise NotAuthenticated("wrong username or password")
    if not await _verify(staff.password_hash, password) or not staff.is_active:
        raise NotAuthenticated("wrong username or password")
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = await hash_password(password)
    return staff


_dummy: dict[PasswordHasher, str] = {}


def _dummy_hash() -> str:
    if _hasher not in _dummy:
        _dummy[_hasher] = _hasher.hash(secrets.token_urlsafe(16))
    return _dummy[_hasher]


async def login(
    session: AsyncSession, *, username: str, password: str, ttl: timedelta
) -> IssuedToken:
    """Checks the credentials and issues a bearer token that expires after ttl."""
    staff = await authenticate(session, username=username, password=password)
    now = utcnow()
    token = secrets.token_urlsafe(32)
    expires_at = now + ttl
    session.add(StaffToken(
        staff_id=staff.id, token_hash=_token_hash(token), created_at=now, expires_at=expires_at
    ))
    staff.last_login_at = now
    await session.flush()
    return IssuedToken(token=token, expires_at=expires_at, staff=staff)


@dataclass(frozen=True)
class Caller:
    """Who sent a request, and whether a lockdown is in force (read in the same query)."""

    staff: Staff
    lockdown: bool


async def caller_for_token(
    session: AsyncSession, *, token: str, now: datetime | None = None
) -> Caller:
    """The active staff member a bearer token belongs to, and the lockdown state.

    One indexed query on the token's SHA-256 (no password hashing per request): the token, its
    account and whether a lockdown is active, so a case route needs no second round trip and
    the lockdown is seen at once by every instance (nothing of it is cached).

    Raises:
        NotAuthenticated: the token is unknown, expired or revoked, or the account is inactive.

    """
    now = now or utcnow()
    found = (await session.execute(
        select(StaffToken, lockdown.active_clause().label("lockdown"))
        .where(StaffToken.token_hash == _token_hash(token))
    )).first()
    if found is None:
        raise NotAuthenticated("the token is invalid or has expired; log in again")
    row, locked = found
    if row.revoked_at is not None or row.expires_at <= now:
        raise NotAuthenticated("the token is invalid or has expired; log in again")
    if row.idle_until is not None:  # a web console session (services/console_sessions.py)
        raise NotAuthenticated("a console session is not an API token; log in at /auth/token")
    if not row.staff.is_active:
        raise NotAuthenticated("this account is deactivated")
    return Caller(row.staff, bool(locked))


async def revoke_token(session: AsyncSession, *, token: str) -> None:
    """Logs out: the token stops working at once."""
    await session.execute(
        update(StaffToken)
        .where(StaffToken.token_hash == _token_hash(token), StaffToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )

