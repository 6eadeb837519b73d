"""The real bot against the fake Bot API: settings pointing at it, the repo's articles imported."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application

from bot.app import build_application
from sathi.runtime import Runtime
from sathi.settings import Settings
from tests.fakes import updates
from tests.fakes.bot_api import Call, FakeBotApi

TOKEN = "123456:TEST-token-for-the-fake-bot-api-server"


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    """A fake Bot API server for this test."""
    api = FakeBotApi()
    await api.start()
    try:
        yield api
    finally:
        await api.stop()


@pytest.fixture
def settings(make_settings, fake_api: FakeBotApi) -> Settings:
    """Settings whose Telegram is the fake server (overrides the plain test settings)."""
    return make_settings(telegram_token=TOKEN, telegram_api_url=fake_api.url)


@pytest.fixture
async def app(imported: Runtime) -> AsyncIterator[Application]:
    """The real Application on the runtime with the repository's articles."""
    application = build_application(imported)
    async with application:
        yield application


class Conversation:
    """One worker talking to the bot: each step returns what the bot sent in answer."""

    def __init__(self, application: Application, api: FakeBotApi, **who: Any) -> None:
        self.application = application
        self.api = api
        self.who = who
        self.last: list[Call] = []

    async def send(self, update: dict[str, Any]) -> list[Call]:
        """Feeds one update and returns the messages sent or edited in reply."""
        self.api.clear()
        await self.application.process_update(Update.de_json(update, self.application.bot))
        self.last = self.api.messages()
        return self.last

    async def say(self, words: str) -> list[Call]:
        """The worker types words (or a /command)."""
        return await self.send(updates.text(words, **self.who))

    async def press(self, data: str) -> list[Call]:
        """The worker presses the button with this callback data under the last messages."""
        for call in reversed(self.last):
            if any(found == data for _label, found in call.buttons):
                assert call.message_id is not None, "the fake server refused that message"
                return await self.send(updates.button(data, call.message_id, **self.who))
        raise AssertionError(f"no button {data!r} in {[c.buttons for c in self.last]}")


@pytest.fixture
def chat(app: Application, fake_api: FakeBotApi) -> Conversation:
    """A worker whose Telegram app is in English, in a private chat."""
    return Conversation(app, fake_api)
