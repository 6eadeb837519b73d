async def test_admins_manage_accounts(client, actors, accounts):
    admin = actors["admin"]
    created = await client.post("/api/v1/users", headers=admin, json={
        "username": "Rina", "password": "a long password", "role": "volunteer",
        "languages": ["tl", "en"],
    })
    assert created.status_code == 201
    user = created.json()
    assert user["username"] == "rina" and user["languages"] == ["en", "tl"]
    assert user["is_active"] is True and "password" not in user and "password_hash" not in user

    duplicate = await client.post("/api/v1/users", headers=admin, json={
        "username": "rina", "password": "a long password", "role": "editor",
    })
    assert duplicate.status_code == 409 and duplicate.json()["error"]["code"] == "conflict"

    listed = await client.get("/api/v1/users", headers=admin)
    assert "rina" in [u["username"] for u in listed.json()]

    rina = await accounts.login("rina", "a long password")
    updated = await client.patch(f"/api/v1/users/{user['id']}", headers=admin, json={
        "role": "editor", "languages": [],
    })
    assert updated.json()["role"] == "editor" and updated.json()["languages"] == []
    assert (await client.get("/api/v1/cases", headers=rina)).status_code == 403

    reset = await client.post(
        f"/api/v1/users/{user['id']}/password", headers=admin, json={"password": "fresh password!"}
    )
    assert reset.status_code == 200
    assert (await client.get("/api/v1/auth/me", headers=rina)).status_code == 401
    rina = await accounts.login("rina", "fresh password!")

    off = await client.patch(
        f"/api/v1/users/{user['id']}", headers=admin, json={"is_active": False}
    )
    assert off.json()["is_active"] is False
    assert (await client.get("/api/v1/auth/me", headers=rina)).status_code == 401


async def test_the_last_admin_stays_an_admin(client, actors):
    response = await client.patch(
        f"/api/v1/users/{actors['admin_id']}", headers=actors["admin"], json={"role": "volunteer"}
    )
    assert response.status_code == 409
    assert "no active admin" in response.json()["error"]["message"]


async def test_unknown_user_is_404_and_bad_input_422(client, actors):
    admin = actors["admin"]
    assert (await client.get("/api/v1/users/4242", headers=admin)).status_code == 404
    bad = await client.post("/api/v1/users", headers=admin, json={
        "username": "x", "password": "short", "role": "superuser", "languages": ["Nepali"],
    })
    assert bad.status_code == 422
    fields = {f["field"] for f in bad.json()["error"]["fields"]}
    assert fields == {"username", "password", "role", "languages.0"}
