"""Factories for the escalation services, and argon2 parameters cheap enough for tests."""

import itertools
from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher

from sathi.enums import MessageKind, Role
from sathi.models import Case, Member, Staff
from sathi.runtime import Runtime
from sathi.services import members, worker_cases
from sathi.services import staff as staff_service

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        staff_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )


@dataclass
class Factory:
    runtime: Runtime

    def __post_init__(self) -> None:
        self._ids = itertools.count(1000)

    async def member(self, locale: str = "ne") -> Member:
        user_id = next(self._ids)
        async with self.runtime.sessionmaker.begin() as session:
            member = await members.get_or_create_member(
                session, telegram_user_id=user_id, chat_id=user_id
            )
            await members.set_locale(session, member=member, locale=locale)
        return member

    async def staff(
        self, role: Role = Role.volunteer, languages: tuple[str, ...] = ("ne",),
        username: str | None = None, **fields: object,
    ) -> Staff:
        async with self.runtime.sessionmaker.begin() as session:
            return await staff_service.create_staff(
                session, username=username or f"{role}{next(self._ids)}", password=PASSWORD,
                role=role, languages=languages, **fields,
            )

    async def case(
        self, member: Member | None = None, lang: str = "ne", text: str = "My wages are late",
        **fields: object,
    ) -> Case:
        member = member or await self.member(lang)
        async with self.runtime.sessionmaker.begin() as session:
            return await worker_cases.open_case(
                session, member=member, lang=lang, consent=True, kind=MessageKind.text,
                text=text, **fields,
            )


@pytest.fixture
def factory(runtime: Runtime) -> Factory:
    return Factory(runtime)
