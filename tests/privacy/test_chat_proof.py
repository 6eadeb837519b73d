"""A volunteer's chat id is stored encrypted, and must be proven before a file goes there."""

from __future__ import annotations

from sqlalchemy import select, text

from sathi.enums import MessageKind, OutboxKind, Role
from sathi.models import Member, OutboxItem
from sathi.services import worker_cases
from tests.admin_api.conftest import (  # noqa: F401 - fixtures
    accounts,
    cheap_passwords,
    client,
    make_case,
)

CHAT = 7_123_456_789


async def _code(runtime) -> tuple[str, int]:
    async with runtime.sessionmaker() as session:
        item = await session.scalar(select(OutboxItem).where(OutboxItem.kind == OutboxKind.verify)
                                    .order_by(OutboxItem.id.desc()))
        return item.payload["code"], int(item.chat_id)


async def test_chat_ids_are_encrypted_and_files_wait_for_the_proof(  # noqa: F811
    runtime, client, accounts, make_case  # noqa: F811
):
    await accounts.create("sita", Role.volunteer, ("ne",))
    sita = await accounts.login("sita")
    case = await make_case()
    async with runtime.sessionmaker.begin() as session:
        member = await session.get(Member, case.member_id)
        case = await worker_cases.add_worker_message(session, member=member, case_id=case.id,
                                              kind=MessageKind.voice, file_id="AwACVoice")
    url = f"/api/v1/cases/{case.id}/messages/{case.messages[-1].id}/file"

    assert (await client.patch("/api/v1/auth/me", headers=sita,
                               json={"telegram_chat_id": CHAT})).status_code == 200
    async with runtime.engine.connect() as connection:
        [stored] = (await connection.execute(text("SELECT telegram_chat_id FROM staff"))).one()
    assert str(CHAT) not in stored and stored.startswith("gAAAA")
    code, sent_to = await _code(runtime)
    assert sent_to == CHAT and len(code) == 6

    refused = await client.post(url, headers=sita)
    assert refused.status_code == 409 and "prove" in refused.text
    wrong = "000000" if code != "000000" else "111111"
    bad = await client.post("/api/v1/auth/me/telegram-chat/verify", headers=sita,
                            json={"code": wrong})
    assert bad.status_code == 422
    good = await client.post("/api/v1/auth/me/telegram-chat/verify", headers=sita,
                             json={"code": code})
    assert good.status_code == 204
    assert (await client.post(url, headers=sita)).status_code == 202

    # Pointing the account at another chat needs a new proof.
    await client.patch("/api/v1/auth/me", headers=sita, json={"telegram_chat_id": CHAT + 1})
    assert (await client.post(url, headers=sita)).status_code == 409
    new_code, sent_to = await _code(runtime)
    assert sent_to == CHAT + 1


async def test_five_wrong_codes_end_the_proof(runtime, client, accounts):  # noqa: F811
    await accounts.create("sita", Role.volunteer, ("ne",), telegram_chat_id=CHAT)
    sita = await accounts.login("sita")
    code, _ = await _code(runtime)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        await client.post("/api/v1/auth/me/telegram-chat/verify", headers=sita,
                          json={"code": wrong})
    late = await client.post("/api/v1/auth/me/telegram-chat/verify", headers=sita,
                             json={"code": code})
    assert late.status_code == 422 and "expired" in late.text
