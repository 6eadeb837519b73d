"""A worker on the real bot, volunteers on the admin API, and the delivery loop, on one runtime.

The fake Bot API answers over HTTP; the admin API is called through ASGITransport; updates go
through the intake (stored, then processed) as in `sathi run`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from telegram.ext import Application

from admin_api.main import create_app
from bot.app import build_application
from bot.delivery import DeliveryLoop
from bot.intake import Intake
from bot.ratelimit import RateLimiter
from sathi.db import utcnow
from sathi.enums import MessageKind, Role
from sathi.models import Case
from sathi.runtime import Runtime
from sathi.services import members, volunteer_cases, worker_cases
from sathi.services import staff as staff_service
from sathi.settings import Settings
from tests.admin_api.conftest import Accounts, cheap_passwords  # noqa: F401 - autouse fixture
from tests.bot.conftest import TOKEN, fake_api  # noqa: F401 - fixture
from tests.fakes import updates
from tests.fakes.bot_api import Call, FakeBotApi

VOLUNTEER_GROUP = -100_555_777


class Clock:
    """Now, moved forward by the test (the outbox's waits are minutes, the test's are not)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@pytest.fixture
def settings(make_settings, fake_api: FakeBotApi) -> Settings:  # noqa: F811
    return make_settings(telegram_token=TOKEN, telegram_api_url=fake_api.url,
                         volunteer_chat_id=VOLUNTEER_GROUP)


@pytest.fixture
async def app(runtime: Runtime) -> AsyncIterator[Application]:
    application = build_application(runtime)
    async with application:
        yield application


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def delivery(runtime: Runtime, app: Application, clock: Clock) -> DeliveryLoop:
    limiter = RateLimiter(per_second=1000, chat_seconds=0, group_seconds=0)
    return DeliveryLoop(runtime, app.bot, limiter=limiter, clock=clock, send_timeout=0.3)


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.fixture
def accounts(runtime: Runtime, client: httpx.AsyncClient) -> Accounts:
    return Accounts(runtime, client)


class Worker:
    """A worker whose every update goes through the intake: stored, then processed."""

    def __init__(self, intake: Intake, api: FakeBotApi, **who: Any) -> None:
        self.intake = intake
        self.api = api
        self.who = who
        self.last: list[Call] = []

    async def send(self, update: dict[str, Any]) -> list[Call]:
        self.api.clear()
        await self.intake.store([update])
        await self.intake.process_pending()
        self.last = self.api.messages()
        return self.last

    async def say(self, words: str) -> list[Call]:
        return await self.send(updates.text(words, **self.who))

    async def press(self, data: str) -> list[Call]:
        for call in reversed(self.last):
            if any(found == data for _label, found in call.buttons):
                return await self.send(updates.button(data, call.message_id or 1, **self.who))
        raise AssertionError(f"no button {data!r} in {[c.buttons for c in self.last]}")


@pytest.fixture
def worker(app: Application, fake_api: FakeBotApi) -> Worker:  # noqa: F811
    return Worker(Intake(app), fake_api)


async def queue_reply(
    runtime: Runtime, *, group: int | None = None, texts: tuple[str, ...] = ("Keep your payslips",)
) -> Case:
    """A Nepali case with volunteers' replies in the outbox (and the group's notice, if any)."""
    async with runtime.sessionmaker.begin() as session:
        member = await members.get_or_create_member(
            session, telegram_user_id=updates.USER_ID, chat_id=updates.CHAT_ID
        )
        case = await worker_cases.open_case(
            session, member=member, lang="ne", consent=True, kind=MessageKind.text,
            text="my wages are late", volunteer_chat_id=group,
        )
        volunteer = await staff_service.create_staff(
            session, username="sita", password="correct horse battery", role=Role.volunteer,
            languages=("ne",),
        )
        for text in texts:
            case = await volunteer_cases.reply_to_case(
                session, staff=volunteer, case_id=case.id, text=text
            )
        return case
