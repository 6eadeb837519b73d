"""Login throttling per account and per address, with state in the database; weak passwords."""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx
import pytest

from admin_api.main import create_app
from sathi.db import utcnow
from sathi.enums import Role
from sathi.runtime import open_runtime
from sathi.services import throttle
from tests.admin_api.conftest import (  # noqa: F401 - fixtures
    Accounts,
    accounts,
    cheap_passwords,
    client,
)

WRONG = "Wrong-Secret-Canary-77"


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    found = Clock()
    monkeypatch.setattr(throttle, "utcnow", found)
    return found


async def _login(client, username: str, password: str) -> httpx.Response:  # noqa: F811
    return await client.post("/api/v1/auth/token",
                             data={"username": username, "password": password})


async def test_growing_delays_per_account_then_the_right_password(
    runtime, settings, client, accounts, clock, caplog  # noqa: F811
):
    await accounts.create("sita", Role.volunteer, ("ne",))
    caplog.set_level(logging.WARNING, logger="admin_api")
    for _ in range(throttle.FREE_ACCOUNT):
        assert (await _login(client, "sita", WRONG)).status_code == 401
    assert (await _login(client, "sita", WRONG)).status_code == 401  # now blocked for 2 s
    blocked = await _login(client, "sita", Accounts.password)
    assert blocked.status_code == 429 and blocked.headers["Retry-After"] == "2"
    assert blocked.json()["error"]["code"] == "too_many_requests"

    # Another instance (its own engine, same database) sees the same block.
    other = await open_runtime(settings)
    try:
        transport = httpx.ASGITransport(app=create_app(other))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as second:
            assert (await _login(second, "sita", Accounts.password)).status_code == 429
    finally:
        await other.close()

    clock.now += timedelta(seconds=3)
    assert (await _login(client, "sita", WRONG)).status_code == 401
    again = await _login(client, "sita", Accounts.password)
    assert again.status_code == 429 and again.headers["Retry-After"] == "4"  # growing
    clock.now += timedelta(seconds=5)
    assert (await _login(client, "sita", Accounts.password)).status_code == 200
    assert (await _login(client, "sita", WRONG)).status_code == 401  # the count starts over
    assert "failed login: account 'sita'" in caplog.text and "throttled" in caplog.text
    assert WRONG not in caplog.text and Accounts.password not in caplog.text


async def test_spraying_one_password_over_many_accounts_is_slowed_per_address(
    client, accounts, clock  # noqa: F811
):
    await accounts.create("rahim", Role.volunteer, ("bn",))
    for n in range(throttle.FREE_ADDRESS + 1):
        assert (await _login(client, f"user{n}", "Summer2026!")).status_code == 401
    refused = await _login(client, "rahim", Accounts.password)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


@pytest.mark.parametrize(("password", "username"), [
    ("password123", "sita"), ("qwertyuiop", "sita"), ("iloveyou2024", "sita"),
    ("sita-rahim-sita", "sita-rahim"), ("my name is sita", "sita"),
])
async def test_common_passwords_and_the_username_are_refused(client, accounts, password,  # noqa: F811
                                                             username):
    await accounts.create("boss", Role.admin)
    boss = await accounts.login("boss")
    response = await client.post("/api/v1/users", headers=boss, json={
        "username": username, "password": password, "role": "volunteer"})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["fields"][0]["field"] == "password"


async def test_token_route_documents_400_and_429(client):  # noqa: F811
    spec = (await client.get("/openapi.json")).json()
    responses = spec["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert {"400", "429"} <= set(responses)
