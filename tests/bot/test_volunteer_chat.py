"""SATHI_VOLUNTEER_CHAT_ID is checked at start (getChat): a clear WARNING, and /readyz says so."""

import dataclasses
import logging

import httpx
import pytest

from admin_api.main import create_app
from bot.runner import check_volunteer_chat
from tests.bot.conftest import TOKEN

GROUP = -100_222_333


async def _ready(runtime) -> dict:
    transport = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return (await client.get("/readyz")).json()


@pytest.fixture
def settings(make_settings, fake_api):
    return make_settings(telegram_token=TOKEN, telegram_api_url=fake_api.url,
                         volunteer_chat_id=GROUP)


async def test_unreachable_volunteer_chat_is_a_warning_and_shown(app, imported, caplog):
    caplog.set_level(logging.INFO)
    assert await check_volunteer_chat(imported, app.bot) == "unreachable"
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "SATHI_VOLUNTEER_CHAT_ID" in warning.getMessage()
    assert str(GROUP) in warning.getMessage()
    assert (await _ready(imported))["volunteer_chat"] == "unreachable"


async def test_reachable_volunteer_chat_is_ok(app, imported, fake_api, caplog):
    fake_api.groups.add(GROUP)
    assert await check_volunteer_chat(imported, app.bot) == "ok"
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert fake_api.sent("getChat")[0].params["chat_id"] == GROUP
    assert (await _ready(imported))["volunteer_chat"] == "ok"


async def test_no_volunteer_chat_set(app, imported, fake_api):
    settings = imported.settings.model_copy(update={"volunteer_chat_id": None})
    runtime = dataclasses.replace(imported, settings=settings)
    assert await check_volunteer_chat(runtime, app.bot) == "not set"
    assert not fake_api.sent("getChat")
