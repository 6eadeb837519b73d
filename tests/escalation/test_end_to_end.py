"""A Nepali worker's voice note reaches a Nepali-speaking volunteer, and the reply comes back."""

from pathlib import Path

from sathi.db import Base
from sathi.enums import Role
from sathi.runtime import Runtime
from tests.admin_api.conftest import prove_chat
from tests.escalation.conftest import VOLUNTEER_GROUP
from tests.fakes import updates

CAPTION = "Saheb-Kx9 ले तलब दिएन"  # the worker's words: never in a notice or in the database
FOLLOW_UP = "दुई महिना भयो Follow-Up-Qz4"
VOICE_ID = "AwACAgUAAxkBAAIVoiceOfTheWorker-Zr5"
REPLY = "तलब पर्ची राख्नुहोस्। Reply-Wv3"


async def _dump(runtime: Runtime) -> str:
    """Every row of every table as the database returns it, without decryption."""
    rows = []
    async with runtime.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            result = await connection.exec_driver_sql(f'SELECT * FROM "{table.name}"')
            rows.extend(str(tuple(row)) for row in result)
    return "\n".join(rows)


async def test_voice_note_to_volunteer_and_reply_back(
    worker, imported: Runtime, client, accounts, delivery, fake_api, settings
):
    ne = imported.catalogs.get("ne")
    await accounts.create("sita", Role.volunteer, ("ne",), public_name="Sita",
                          telegram_chat_id=777)
    await accounts.create("rahim", Role.volunteer, ("bn",))
    await accounts.create("edith", Role.editor, ("ne",))
    sita, rahim, ed = [await accounts.login(name) for name in ("sita", "rahim", "edith")]
    await prove_chat(imported, client, sita)  # files go only to a proven chat

    await worker.say("/start")
    await worker.press("lang:choose:ne")
    await worker.press("esc:offer")
    await worker.press("esc:agree")
    voice = updates.voice(caption=CAPTION)
    voice["message"]["voice"]["file_id"] = VOICE_ID
    [opened] = await worker.send(voice)

    # The volunteer finds the case in her language and reads it.
    listed = (await client.get("/api/v1/cases", headers=sita)).json()
    [summary] = listed["items"]
    assert opened.text.startswith(ne.gettext(
        "Thank you. Your case number is {reference}.", reference=summary["reference"]
    ))
    base = f"/api/v1/cases/{summary['id']}"
    detail = (await client.get(base, headers=sita)).json()
    assert detail["lang"] == "ne"
    [first] = detail["messages"]
    assert first["kind"] == "voice" and first["text"] == CAPTION and first["has_file"]
    assert (await client.get(base, headers=rahim)).status_code == 404
    assert (await client.get("/api/v1/cases", headers=rahim)).json()["items"] == []
    refused = await client.post(f"{base}/replies", json={"text": "hi"}, headers=ed)
    assert refused.status_code == 403

    # She replies and asks for the voice note; the bot delivers both, and the group's notice.
    reply = await client.post(f"{base}/replies", json={"text": REPLY}, headers=sita)
    assert reply.status_code == 201
    asked = await client.post(f"{base}/messages/{first['id']}/file", headers=sita)
    assert asked.status_code == 202
    fake_api.clear()
    assert await delivery.run_once() == 3

    [notice] = fake_api.delivered(VOLUNTEER_GROUP)
    assert summary["reference"] in notice.text and "Nepali (ne)" in notice.text
    assert "Saheb" not in notice.text and "Follow-Up" not in notice.text
    [answer] = fake_api.delivered(updates.CHAT_ID)
    header = ne.gettext("Reply from {name}, a union volunteer (case {reference}):",
                        name="Sita", reference=summary["reference"])
    assert answer.text.startswith(f"💬 {header}") and REPLY in answer.text
    [file] = fake_api.delivered(777, "sendVoice")
    assert file.params["voice"] == VOICE_ID and summary["reference"] in file.params["caption"]
    detail = (await client.get(base, headers=sita)).json()
    assert detail["messages"][-1]["delivery"]["status"] == "delivered"

    # The worker answers: it joins the same thread. An article she sends reads like the menu's.
    [added] = await worker.say(FOLLOW_UP)
    assert summary["reference"] in added.text
    sent = await client.post(f"{base}/articles", json={"slug": "unpaid-wages"}, headers=sita)
    assert sent.status_code == 201
    fake_api.clear()
    await delivery.run_once()
    intro, *article = fake_api.delivered(updates.CHAT_ID)
    assert intro.text == "💬 " + ne.gettext(
        "A union volunteer sent you this topic (case {reference}):",
        reference=summary["reference"],
    )
    title = imported.knowledge.current.get("unpaid-wages", "ne").title
    assert article[0].text.startswith(title)
    assert "art:ko:unpaid-wages" in [data for _label, data in article[-1].buttons]
    detail = (await client.get(base, headers=sita)).json()
    inbound = [m["text"] for m in detail["messages"] if m["direction"] == "inbound"]
    assert inbound == [CAPTION, FOLLOW_UP]

    # Nothing the worker said, nor the voice note's file id, is readable in the database.
    dumped = await _dump(imported)
    raw = [dumped.encode()]
    if settings.uses_embedded_database:
        database = Path(settings.database.split("///", 1)[1])
        raw += [path.read_bytes() for path in database.parent.glob(database.name + "*")]
    for secret in ("Saheb-Kx9", "Follow-Up-Qz4", VOICE_ID, "Reply-Wv3"):
        assert all(secret.encode() not in blob for blob in raw), secret
