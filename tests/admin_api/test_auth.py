from datetime import timedelta

from sathi.db import utcnow
from sathi.enums import Role
from sathi.services import staff as staff_service

PASSWORD = "correct horse battery"


async def test_login_returns_a_bearer_token_with_expiry(runtime, client, accounts):
    await accounts.create("amina", Role.volunteer, ("ne",))
    before = utcnow()
    response = await client.post(
        "/api/v1/auth/token", data={"username": "amina", "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and len(body["access_token"]) >= 40
    assert body["expires_in"] == runtime.settings.token_ttl_minutes * 60 == 720 * 60
    me = await client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["username"] == "amina" and me.json()["languages"] == ["ne"]
    assert "password_hash" not in me.json()
    assert me.json()["last_login_at"] >= before.isoformat()[:19]


async def test_wrong_password_is_401_in_the_error_shape(runtime, client, accounts):
    await accounts.create("amina", Role.volunteer)
    response = await client.post(
        "/api/v1/auth/token", data={"username": "amina", "password": "not the password"}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"error": {
        "code": "not_authenticated", "message": "wrong username or password", "fields": [],
    }}


async def test_missing_or_bad_token_is_401(client):
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic abc"}):
        response = await client.get("/api/v1/auth/me", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"


async def test_logout_revokes_the_token(runtime, client, accounts):
    await accounts.create("amina", Role.volunteer)
    headers = await accounts.login("amina")
    other = await accounts.login("amina")
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 401
    assert (await client.get("/api/v1/auth/me", headers=other)).status_code == 200


async def test_token_stops_working_when_it_expires(runtime, client, accounts, monkeypatch):
    await accounts.create("amina", Role.volunteer)
    headers = await accounts.login("amina")
    ttl = timedelta(minutes=runtime.settings.token_ttl_minutes)
    later = utcnow() + ttl + timedelta(seconds=1)
    monkeypatch.setattr(staff_service, "utcnow", lambda: later)
    response = await client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]


async def test_token_lifetime_comes_from_settings(make_settings, client):
    assert make_settings(token_ttl_minutes=15).token_ttl_minutes == 15


async def test_staff_set_their_public_name_and_change_their_password(runtime, client, accounts):
    await accounts.create("amina", Role.volunteer, ("ne",))
    headers = await accounts.login("amina")
    response = await client.patch(
        "/api/v1/auth/me", headers=headers,
        json={"public_name": "Amina", "telegram_chat_id": 123456},
    )
    assert response.status_code == 200
    assert response.json()["public_name"] == "Amina"
    cleared = await client.patch("/api/v1/auth/me", headers=headers, json={"public_name": None})
    assert cleared.json()["public_name"] is None and cleared.json()["telegram_chat_id"] == 123456
    change = await client.post(
        "/api/v1/auth/password", headers=headers,
        json={"current_password": PASSWORD, "new_password": "a brand new password"},
    )
    assert change.status_code == 204
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200
    await accounts.login("amina", "a brand new password")
