from datetime import timedelta

import pytest
from sqlalchemy import select, update

from sathi import outbox
from sathi.db import utcnow
from sathi.enums import Role
from sathi.models import Case, OutboxItem
from tests.admin_api.conftest import prove_chat


async def _outbox(runtime) -> list[OutboxItem]:
    async with runtime.sessionmaker() as session:
        return list(await session.scalars(select(OutboxItem).order_by(OutboxItem.id)))


async def test_case_lifecycle_through_the_api(runtime, client, actors, accounts, make_case):
    volunteer = actors["volunteer"]
    case = await make_case(text="My boss keeps my passport")
    base = f"/api/v1/cases/{case.id}"

    detail = (await client.get(base, headers=volunteer)).json()
    assert detail["status"] == "new" and detail["reference"] == case.reference
    assert [m["text"] for m in detail["messages"]] == ["My boss keeps my passport"]

    claimed = await client.post(f"{base}/claim", headers=volunteer)
    assert claimed.status_code == 200 and claimed.json()["status"] == "assigned"
    assert claimed.json()["assignee_id"] == actors["volunteer_id"]
    again = await client.post(f"{base}/claim", headers=volunteer)
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"

    note = await client.post(f"{base}/notes", headers=volunteer, json={"text": "Call HRD"})
    assert note.status_code == 201 and note.json()["notes"][0]["text"] == "Call HRD"

    reply = await client.post(
        f"{base}/replies", headers=volunteer, json={"text": "Do not sign anything"}
    )
    assert reply.status_code == 201
    body = reply.json()
    assert body["status"] == "waiting_for_worker"
    sent = body["messages"][-1]
    assert sent["direction"] == "outbound" and sent["delivery"]["status"] == "pending"
    [item] = await _outbox(runtime)
    assert item.payload["text"] == "Do not sign anything" and item.payload["signature"] is None

    # The bot delivers it; the detail shows it.
    async with runtime.sessionmaker.begin() as session:
        [claimed_item] = await outbox.claim_due(session, now=utcnow())
    async with runtime.sessionmaker.begin() as session:
        await outbox.mark_delivered(
            session, item_id=claimed_item.id, lease_token=claimed_item.lease_token, now=utcnow()
        )
    detail = (await client.get(base, headers=volunteer)).json()
    assert detail["messages"][-1]["delivery"]["status"] == "delivered"

    for status in ("resolved", "closed"):
        moved = await client.post(f"{base}/status", headers=volunteer, json={"status": status})
        assert moved.status_code == 200 and moved.json()["status"] == status
    bad = await client.post(f"{base}/status", headers=volunteer, json={"status": "resolved"})
    assert bad.status_code == 409
    reopened = await client.post(f"{base}/reopen", headers=volunteer)
    assert reopened.json()["status"] == "assigned"
    unassigned = await client.post(f"{base}/unassign", headers=volunteer)
    assert unassigned.json()["status"] == "new" and unassigned.json()["assignee_id"] is None

    kinds = [event["kind"] for event in unassigned.json()["events"]]
    assert kinds[0] == "opened" and kinds[-1] == "status_changed"
    assert {"claimed", "note_added", "replied", "reopened", "unassigned"} <= set(kinds)
    assert all(event["detail"] is None or "passport" not in event["detail"]
               for event in unassigned.json()["events"])


async def test_reply_with_a_public_name_and_a_canned_reply(runtime, client, accounts, make_case):
    await accounts.create("sita", Role.volunteer, ("ne",), public_name="Sita")
    headers = await accounts.login("sita")
    case = await make_case()
    created = await client.post(
        "/api/v1/canned-replies", headers=headers,
        json={"lang": "ne", "title": "Payslip", "body": "तलब पर्ची राख्नुहोस्"},
    )
    assert created.status_code == 201
    listed = await client.get("/api/v1/canned-replies?lang=ne", headers=headers)
    assert [r["title"] for r in listed.json()] == ["Payslip"]
    reply = await client.post(
        f"/api/v1/cases/{case.id}/replies", headers=headers,
        json={"canned_reply_id": created.json()["id"]},
    )
    assert reply.status_code == 201
    [item] = await _outbox(runtime)
    assert item.payload == {
        "text": "तलब पर्ची राख्नुहोस्", "signature": "Sita", "reference": case.reference,
    }


async def test_reply_needs_text_or_a_canned_reply_but_not_both(client, actors, make_case):
    case = await make_case()
    url = f"/api/v1/cases/{case.id}/replies"
    for body in ({}, {"text": "hi", "canned_reply_id": 1}, {"text": "   "}):
        response = await client.post(url, headers=actors["volunteer"], json=body)
        assert response.status_code == 422, body
    missing = await client.post(url, headers=actors["volunteer"], json={"canned_reply_id": 999})
    assert missing.status_code == 422
    assert missing.json()["error"]["fields"][0]["field"] == "canned_reply_id"


async def test_a_requested_file_goes_to_the_volunteers_own_chat(
    runtime, client, accounts, make_case
):
    from sathi.enums import MessageKind
    from sathi.models import Member
    from sathi.services import worker_cases

    await accounts.create("sita", Role.volunteer, ("ne",))
    headers = await accounts.login("sita")
    case = await make_case()
    async with runtime.sessionmaker.begin() as session:
        member = await session.get(Member, case.member_id)
        case = await worker_cases.add_worker_message(
            session, member=member, case_id=case.id, kind=MessageKind.voice, file_id="AwACAgUA"
        )
    message = case.messages[-1]
    url = f"/api/v1/cases/{case.id}/messages/{message.id}/file"
    no_chat = await client.post(url, headers=headers)
    assert no_chat.status_code == 409 and "Telegram chat id" in no_chat.json()["error"]["message"]
    await client.patch("/api/v1/auth/me", headers=headers, json={"telegram_chat_id": 777})
    unproven = await client.post(url, headers=headers)
    assert unproven.status_code == 409 and "prove" in unproven.json()["error"]["message"]
    await prove_chat(runtime, client, headers)
    sent = await client.post(url, headers=headers)
    assert sent.status_code == 202
    detail = sent.json()
    assert detail["messages"][-1]["has_file"] is True and "file_id" not in detail["messages"][-1]
    assert detail["events"][-1]["kind"] == "file_requested"
    [item] = await _outbox(runtime)
    assert item.kind == "file" and item.chat_id == "777"
    assert item.payload == {"file_id": "AwACAgUA", "media": "voice", "reference": case.reference}
    text_message = case.messages[0]
    no_file = await client.post(
        f"/api/v1/cases/{case.id}/messages/{text_message.id}/file", headers=headers
    )
    assert no_file.status_code == 409


async def _age(runtime, case_id, minutes):
    async with runtime.sessionmaker.begin() as session:
        await session.execute(
            update(Case).where(Case.id == case_id)
            .values(created_at=utcnow() - timedelta(minutes=minutes))
        )


@pytest.fixture
async def listed_cases(runtime, make_case, actors):
    """Six cases of different ages, languages, topics, urgencies and assignees."""
    made = {
        "old_ne": await make_case(topic="unpaid-wages"),
        "urgent_new_ne": await make_case(urgent=True),
        "mid_ne": await make_case(topic="dismissal"),
        "urgent_old_ne": await make_case(urgent=True, topic="unpaid-wages"),
        "bn": await make_case(lang="bn"),
        "newest_ne": await make_case(),
    }
    ages = {"old_ne": 50, "urgent_new_ne": 10, "mid_ne": 30, "urgent_old_ne": 40, "bn": 60,
            "newest_ne": 1}
    for name, minutes in ages.items():
        await _age(runtime, made[name].id, minutes)
    from sathi.services import volunteer_cases

    async with runtime.sessionmaker.begin() as session:
        from sathi.models import Staff

        volunteer = await session.get(Staff, actors["volunteer_id"])
        await volunteer_cases.claim_case(session, staff=volunteer, case_id=made["mid_ne"].id)
    return {name: case.id for name, case in made.items()}


async def _list(client, headers, query=""):
    response = await client.get(f"/api/v1/cases{query}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_list_is_urgent_first_then_oldest(client, actors, listed_cases):
    page = await _list(client, actors["admin"])
    order = ["urgent_old_ne", "urgent_new_ne", "bn", "old_ne", "mid_ne", "newest_ne"]
    assert [case["id"] for case in page["items"]] == [listed_cases[name] for name in order]
    assert page["total"] == 6 and page["limit"] == 50 and page["offset"] == 0


async def test_volunteers_list_only_their_languages(client, actors, listed_cases):
    assert (await _list(client, actors["volunteer"]))["total"] == 5
    other = await _list(client, actors["volunteer_other_language"])
    assert [case["id"] for case in other["items"]] == [listed_cases["bn"]]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("?status=assigned", ["mid_ne"]),
        ("?status=new&status=assigned&urgency=normal&lang=ne",
         ["old_ne", "mid_ne", "newest_ne"]),
        ("?urgency=urgent", ["urgent_old_ne", "urgent_new_ne"]),
        ("?topic=unpaid-wages", ["urgent_old_ne", "old_ne"]),
        ("?lang=bn", ["bn"]),
        ("?assignee=me", ["mid_ne"]),
        ("?assignee=none&urgency=normal&lang=ne", ["old_ne", "newest_ne"]),
        ("?status=closed", []),
    ],
)
async def test_list_filters(client, actors, listed_cases, query, names):
    page = await _list(client, actors["admin"] if "me" not in query else actors["volunteer"],
                       query)
    assert [case["id"] for case in page["items"]] == [listed_cases[name] for name in names]
    assert page["total"] == len(names)


async def test_list_filters_by_assignee_id(client, actors, listed_cases):
    page = await _list(client, actors["admin"], f"?assignee={actors['volunteer_id']}")
    assert [case["id"] for case in page["items"]] == [listed_cases["mid_ne"]]


async def test_list_pages(client, actors, listed_cases):
    first = await _list(client, actors["admin"], "?limit=4")
    second = await _list(client, actors["admin"], "?limit=4&offset=4")
    assert len(first["items"]) == 4 and len(second["items"]) == 2
    assert first["total"] == second["total"] == 6
    ids = [case["id"] for case in first["items"] + second["items"]]
    assert sorted(ids) == sorted(listed_cases.values())
    assert (await _list(client, actors["admin"], "?offset=100"))["items"] == []


async def test_list_items_carry_no_contents(client, actors, listed_cases):
    item = (await _list(client, actors["admin"]))["items"][0]
    assert "messages" not in item and "notes" not in item


async def test_send_article_in_the_workers_language(imported, client, actors, make_case):
    case = await make_case(lang="ne")
    sent = await client.post(
        f"/api/v1/cases/{case.id}/articles", headers=actors["volunteer"],
        json={"slug": "eps-overview"},
    )
    assert sent.status_code == 201
    assert sent.json()["messages"][-1]["article_slug"] == "eps-overview"
    [item] = await _outbox(imported)
    assert item.kind == "article" and item.payload["lang"] == "ne"
    missing = await client.post(
        f"/api/v1/cases/{case.id}/articles", headers=actors["volunteer"],
        json={"slug": "no-such-article"},
    )
    assert missing.status_code == 422
    [field] = missing.json()["error"]["fields"]
    assert field == {
        "location": "body", "field": "slug",
        "message": "no ne version of article 'no-such-article'",
    }


async def test_uncertain_delivery_can_be_resent_through_the_api(runtime, client, actors,
                                                                make_case):
    case = await make_case()
    reply = await client.post(
        f"/api/v1/cases/{case.id}/replies", headers=actors["volunteer"], json={"text": "Hi"}
    )
    message_id = reply.json()["messages"][-1]["id"]
    early = await client.post(
        f"/api/v1/cases/{case.id}/messages/{message_id}/resend", headers=actors["volunteer"]
    )
    assert early.status_code == 409  # pending: nothing to resend yet
    async with runtime.sessionmaker.begin() as session:
        [item] = await outbox.claim_due(session, now=utcnow())
        await outbox.mark_uncertain(
            session, item_id=item.id, lease_token=item.lease_token, now=utcnow(),
            error="TimedOut",
        )
    detail = (await client.get(f"/api/v1/cases/{case.id}", headers=actors["volunteer"])).json()
    assert detail["undelivered_message_ids"] == [message_id]
    assert detail["messages"][-1]["delivery"]["status"] == "uncertain"
    resent = await client.post(
        f"/api/v1/cases/{case.id}/messages/{message_id}/resend", headers=actors["volunteer"]
    )
    assert resent.status_code == 200
    assert resent.json()["messages"][-1]["delivery"]["status"] == "pending"
    assert resent.json()["undelivered_message_ids"] == []


async def test_concurrent_claims_have_one_winner(client, accounts, make_case):
    import asyncio

    headers = []
    for n in range(5):
        await accounts.create(f"vol{n}", Role.volunteer, ("ne",))
        headers.append(await accounts.login(f"vol{n}"))
    for _ in range(3):
        case = await make_case()
        responses = await asyncio.gather(*(
            client.post(f"/api/v1/cases/{case.id}/claim", headers=h) for h in headers
        ))
        codes = sorted(response.status_code for response in responses)
        assert codes == [200, 409, 409, 409, 409], [r.json() for r in responses]
        detail = (await client.get(f"/api/v1/cases/{case.id}", headers=headers[0])).json()
        assert [e["kind"] for e in detail["events"]].count("claimed") == 1
