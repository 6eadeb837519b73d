"""Both doors refuse oversized and malformed bodies cleanly; case answers are not cached."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select

from admin_api.hardening import MAX_BODY
from admin_api.main import create_app
from bot.intake import Intake
from bot.webhook import SECRET_HEADER, WEBHOOK_PATH, webhook_router
from sathi.enums import Role
from sathi.models import InboundUpdate
from tests.admin_api.conftest import accounts, cheap_passwords, make_case  # noqa: F401
from tests.bot.conftest import fake_api  # noqa: F401 - fixture
from tests.escalation.conftest import app, settings  # noqa: F401 - fixtures
from tests.fakes import updates
from tests.fakes.bot_api import _free_port, _QuietServer

SECRET = "webhook-secret-for-tests_0123456789"


def _nested(depth: int) -> str:
    return '{"update_id": 5, "message": ' + "[" * depth + "1" + "]" * depth + "}"


MALFORMED = {
    "a list": "[1, 2, 3]", "null": "null", "a string": '"hello"', "a number": "42",
    "update_id 2^70": json.dumps({"update_id": 2**70, "message": {}}),
    "negative update_id": '{"update_id": -1}', "update_id as text": '{"update_id": "7"}',
    "no update_id": '{"message": {}}', "deep nesting": _nested(100_000),
    "moderate nesting": _nested(40), "not JSON": "{not json", "not UTF-8": b"\xff\xfe\x00{",
    "empty": "", "a bad message": '{"update_id": 9, "message": {"chat": 5}}',
    "true": "true", "an object in update_id": '{"update_id": {"a": 1}}',
}


async def _stored(runtime) -> int:
    async with runtime.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(InboundUpdate)))


@pytest.fixture
async def server(runtime, app):  # noqa: F811
    """The admin API with the webhook, served by uvicorn over real HTTP."""
    api = create_app(runtime)
    api.include_router(webhook_router(Intake(app), SECRET))
    port = _free_port()
    served = _QuietServer(uvicorn.Config(api, host="127.0.0.1", port=port, log_level="error",
                                         lifespan="off"))
    task = asyncio.create_task(served.serve())
    while not served.started:
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        served.should_exit = True
        await task


async def test_malformed_updates_are_400_and_nothing_is_stored(runtime, server):
    async with httpx.AsyncClient(base_url=server, timeout=10) as client:
        for what, body in MALFORMED.items():
            response = await client.post(WEBHOOK_PATH, content=body, headers={
                SECRET_HEADER: SECRET, "content-type": "application/json"})
            assert response.status_code == 400, what
        assert await _stored(runtime) == 0
        good = await client.post(WEBHOOK_PATH, json=updates.text("hello"),
                                 headers={SECRET_HEADER: SECRET})
        assert good.status_code == 200 and await _stored(runtime) == 1


async def test_oversized_bodies_are_413_on_both_doors_without_a_reset(runtime, server):
    huge = b'{"update_id": 1, "message": {"text": "' + b"x" * (20 * 1024 * 1024) + b'"}}'

    async def chunks():
        for start in range(0, len(huge), 65536):
            yield huge[start:start + 65536]

    async with httpx.AsyncClient(base_url=server, timeout=30) as client:
        for path in (WEBHOOK_PATH, "/api/v1/auth/token"):
            declared = await client.post(path, content=huge, headers={SECRET_HEADER: SECRET})
            assert declared.status_code == 413, (path, declared.text)
            assert declared.json()["error"]["code"] == "payload_too_large"
            streamed = await client.post(path, content=chunks(), headers={SECRET_HEADER: SECRET})
            assert streamed.status_code == 413, path
        just_fits = {"update_id": 2, "message": {"text": "y" * 1000}}
        assert len(json.dumps(just_fits)) < MAX_BODY
    assert await _stored(runtime) == 0


async def test_case_answers_are_not_cached_nor_sniffed(runtime, accounts, make_case):  # noqa: F811
    case = await make_case()
    await accounts.create("sita", Role.volunteer, ("ne",))
    headers = await accounts.login("sita")
    for path in (f"/api/v1/cases/{case.id}", "/api/v1/cases", "/api/v1/cases/999999"):
        response = await accounts.client.get(path, headers=headers)
        assert response.headers["cache-control"] == "no-store", path
        assert response.headers["x-content-type-options"] == "nosniff", path
