"""Lockdown (API and CLI) and the case-access log."""

from __future__ import annotations

import os

from sqlalchemy import select

from sathi.cli import main
from sathi.crypto import new_key
from sathi.enums import Role
from sathi.models import Staff
from tests.admin_api.conftest import (  # noqa: F401 - fixtures
    Accounts,
    accounts,
    cheap_passwords,
    client,
    make_case,
)


async def test_lockdown_revokes_disables_hides_and_lifts(runtime, client, accounts, make_case):  # noqa: F811
    case = await make_case(text="Lockdown-Canary words")
    await accounts.create("boss", Role.admin)
    await accounts.create("sita", Role.volunteer, ("ne",))
    await accounts.create("edith", Role.editor)
    boss, sita, edith = [await accounts.login(name) for name in ("boss", "sita", "edith")]
    assert (await client.get(f"/api/v1/cases/{case.id}", headers=sita)).status_code == 200
    refused = await client.post("/api/v1/admin/lockdown", headers=sita)
    assert refused.status_code == 403

    started = await client.post("/api/v1/admin/lockdown", headers=boss)
    assert started.status_code == 200, started.text
    assert started.json()["tokens_revoked"] >= 3 and started.json()["accounts_disabled"] == 2
    for headers in (boss, sita, edith):  # every token is dead, the caller's too
        assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 401
    for name in ("sita", "edith"):
        response = await client.post("/api/v1/auth/token",
                                     data={"username": name, "password": Accounts.password})
        assert response.status_code == 401
    boss = await accounts.login("boss")  # the caller's account stays
    hidden = await client.get(f"/api/v1/cases/{case.id}", headers=boss)
    assert hidden.status_code == 423 and "Lockdown-Canary" not in hidden.text
    assert (await client.get("/api/v1/cases", headers=boss)).status_code == 423
    assert (await client.get("/api/v1/admin/lockdown", headers=boss)).json()["active"] is True

    lifted = await client.delete("/api/v1/admin/lockdown", headers=boss)
    assert lifted.status_code == 200 and lifted.json()["active"] is False
    shown = await client.get(f"/api/v1/cases/{case.id}", headers=boss)
    assert shown.status_code == 200 and "Lockdown-Canary" in shown.text


async def test_destroying_the_key_needs_the_exact_confirmation(runtime, client, accounts):  # noqa: F811
    await accounts.create("boss", Role.admin)
    boss = await accounts.login("boss")
    response = await client.post("/api/v1/admin/lockdown", headers=boss,
                                 json={"destroy_data_key": True, "confirm": "yes"})
    assert response.status_code == 422
    assert (await client.get("/api/v1/admin/lockdown", headers=boss)).json()["active"] is False
    # The test key is in SATHI_DATA_KEY: there is no file to destroy, and the API says so.
    response = await client.post("/api/v1/admin/lockdown", headers=boss, json={
        "destroy_data_key": True, "confirm": "destroy every case forever"})
    assert response.status_code == 422 and "SATHI_DATA_KEY" in response.text


def test_cli_lockdown_destroys_the_key_file_only_when_confirmed(tmp_path, monkeypatch, capsys):
    key_file = tmp_path / "sathi.key"
    key_file.write_text(new_key() + "\n", encoding="ascii")
    os.chmod(key_file, 0o600)
    monkeypatch.setenv("SATHI_DATA_KEY_FILE", str(key_file))
    monkeypatch.setenv("SATHI_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)
    root = __import__("logging").getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    assert main(["lockdown", "--destroy-data-key"]) == 2
    assert "unreadable forever" in capsys.readouterr().err and key_file.exists()
    assert main(["lockdown"]) == 0
    assert "cases hidden" in capsys.readouterr().out and key_file.exists()
    assert main(["lockdown", "lift"]) == 0
    assert main(["lockdown", "--destroy-data-key", "--yes-destroy-every-case-forever"]) == 0
    assert "was destroyed" in capsys.readouterr().out
    assert not key_file.exists()


async def test_case_reads_are_logged_without_content(runtime, client, accounts, make_case):  # noqa: F811
    case = await make_case(text="Audit-Canary words")
    await accounts.create("boss", Role.admin)
    sita_account = await accounts.create("sita", Role.volunteer, ("ne",))
    boss, sita = await accounts.login("boss"), await accounts.login("sita")
    assert (await client.get(f"/api/v1/cases/{case.id}", headers=sita)).status_code == 200
    await client.post(f"/api/v1/cases/{case.id}/notes", json={"text": "Note-Audit-Canary"},
                      headers=sita)
    await client.get("/api/v1/cases", headers=sita)  # a list shows no content: not logged
    assert (await client.get("/api/v1/admin/case-access", headers=sita)).status_code == 403
    log = await client.get(f"/api/v1/admin/case-access?case_id={case.id}", headers=boss)
    assert log.status_code == 200
    entries = log.json()
    assert [e["action"] for e in entries] == ["create_note", "read_case"]
    assert {e["staff_id"] for e in entries} == {sita_account.id}
    assert "Canary" not in log.text
    async with runtime.sessionmaker() as session:
        assert (await session.scalar(select(Staff).where(Staff.username == "sita"))).is_active


async def test_a_case_read_by_its_reference_is_logged_under_its_id(runtime, client, accounts, make_case):  # noqa: F811, E501
    case = await make_case(text="Reference-Audit-Canary")
    await accounts.create("boss", Role.admin)
    sita_account = await accounts.create("sita", Role.volunteer, ("ne",))
    boss, sita = await accounts.login("boss"), await accounts.login("sita")
    read = await client.get(f"/api/v1/cases/{case.reference.lower()}", headers=sita)
    assert read.status_code == 200 and read.json()["id"] == case.id
    missing = await client.get("/api/v1/cases/ZZZZZZZ", headers=sita)
    assert missing.status_code == 404
    log = await client.get(f"/api/v1/admin/case-access?case_id={case.id}", headers=boss)
    assert [(e["action"], e["staff_id"]) for e in log.json()] == [("read_case", sita_account.id)]
    everything = await client.get("/api/v1/admin/case-access", headers=boss)
    assert len(everything.json()) == 1, "a failed read leaves no entry"
