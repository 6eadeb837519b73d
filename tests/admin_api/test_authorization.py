"""Every endpoint against every kind of caller: admin, editor, volunteer for the case's language,
volunteer for another language, anonymous."""

from datetime import date

import pytest

from sathi import outbox
from sathi.db import utcnow
from sathi.enums import CaseStatus, MessageKind, Role
from sathi.models import Article, Member, Staff
from sathi.models_privacy import ChatProof
from sathi.services import canned, volunteer_cases, worker_cases

ACTOR_NAMES = ("admin", "editor", "volunteer", "volunteer_other_language", "anonymous")

# Expected status per caller, by kind of endpoint; "ok" is the endpoint's success status.
CASES = {"admin": "ok", "editor": 403, "volunteer": "ok", "volunteer_other_language": 404,
         "anonymous": 401}
CANNED_LIST = {"admin": "ok", "editor": 403, "volunteer": "ok", "volunteer_other_language": "ok",
               "anonymous": 401}
CANNED_CREATE = {"admin": "ok", "editor": 403, "volunteer": "ok",
                 "volunteer_other_language": 403, "anonymous": 401}
ADMIN_ONLY = {"admin": "ok", "editor": 403, "volunteer": 403, "volunteer_other_language": 403,
              "anonymous": 401}
ANY_STAFF = {"admin": "ok", "editor": "ok", "volunteer": "ok", "volunteer_other_language": "ok",
             "anonymous": 401}

ENDPOINTS = [
    ("GET", "/api/v1/auth/me", None, 200, ANY_STAFF),
    ("PATCH", "/api/v1/auth/me", {"public_name": "Sam"}, 200, ANY_STAFF),
    ("POST", "/api/v1/auth/password",
     {"current_password": "correct horse battery", "new_password": "a new long password"},
     204, ANY_STAFF),
    ("POST", "/api/v1/auth/logout", None, 204, ANY_STAFF),
    ("GET", "/api/v1/users", None, 200, ADMIN_ONLY),
    ("POST", "/api/v1/users",
     {"username": "newbie", "password": "a long password", "role": "volunteer"}, 201,
     ADMIN_ONLY),
    ("GET", "/api/v1/users/{helper}", None, 200, ADMIN_ONLY),
    ("PATCH", "/api/v1/users/{helper}", {"languages": ["ne", "tl"]}, 200, ADMIN_ONLY),
    ("POST", "/api/v1/users/{helper}/password", {"password": "another long one"}, 200,
     ADMIN_ONLY),
    ("GET", "/api/v1/cases", None, 200, CANNED_LIST),
    ("GET", "/api/v1/cases/{new}", None, 200, CASES),
    ("POST", "/api/v1/cases/{new}/claim", None, 200, CASES),
    ("POST", "/api/v1/cases/{new}/assign", {"assignee_id": "{helper}"}, 200, CASES),
    ("POST", "/api/v1/cases/{held}/unassign", None, 200, CASES),
    ("POST", "/api/v1/cases/{new}/replies", {"text": "Hello"}, 201, CASES),
    ("POST", "/api/v1/cases/{new}/articles", {"slug": "unpaid-wages"}, 201, CASES),
    ("POST", "/api/v1/cases/{new}/notes", {"text": "note"}, 201, CASES),
    ("POST", "/api/v1/cases/{held}/status", {"status": "resolved"}, 200, CASES),
    ("POST", "/api/v1/cases/{closed}/reopen", None, 200, CASES),
    ("POST", "/api/v1/cases/{new}/urgency", {"urgency": "urgent"}, 200, CASES),
    ("POST", "/api/v1/cases/{held}/messages/{uncertain}/resend", None, 200, CASES),
    ("POST", "/api/v1/cases/{held}/messages/{uncertain}/dismiss", None, 200, CASES),
    ("POST", "/api/v1/cases/{new}/messages/{photo}/file", None, 202, CASES),
    ("GET", "/api/v1/canned-replies", None, 200, CANNED_LIST),
    ("POST", "/api/v1/canned-replies", {"lang": "ne", "title": "Hi", "body": "Namaste"}, 201,
     CANNED_CREATE),
    ("GET", "/api/v1/canned-replies/{canned}", None, 200, CASES),
    ("PATCH", "/api/v1/canned-replies/{canned}", {"title": "Hello"}, 200, CASES),
    ("DELETE", "/api/v1/canned-replies/{canned}", None, 204, CASES),
]


@pytest.fixture
async def build_world(runtime, accounts, actors, make_case):
    """Builds, for each caller in turn, fresh Nepali cases in every state an endpoint needs."""
    counter = iter(range(100))
    async with runtime.sessionmaker.begin() as session:
        session.add(Article(
            slug="unpaid-wages", lang="ne", category="at-work", title="तलब", keywords=[],
            sources=[], alert_words=[], last_reviewed=date(2026, 11, 1), review="draft",
            body="...", content_hash="x",
        ))
        for name in ("admin", "editor", "volunteer", "volunteer_other_language"):
            # A requested file goes to the caller's own Telegram chat: give everyone one.
            (await session.get(Staff, actors[name + "_id"])).telegram_chat_id = 42
            session.add(ChatProof(staff_id=actors[name + "_id"], attempts=0,
                                  verified_at=utcnow()))  # and the chat is proven

    async def build() -> dict[str, int]:
        helper = await accounts.create(f"helper{next(counter)}", Role.volunteer, ("ne",))
        new, held, closed = await make_case(), await make_case(), await make_case()
        async with runtime.sessionmaker.begin() as session:
            member = await session.get(Member, new.member_id)
            new = await worker_cases.add_worker_message(
                session, member=member, case_id=new.id, kind=MessageKind.photo, file_id="AgAC"
            )
            volunteer = await session.get(Staff, actors["volunteer_id"])
            held = await volunteer_cases.reply_to_case(
                session, staff=volunteer, case_id=held.id, text="Hi"
            )
            await volunteer_cases.change_status(
                session, staff=helper, case_id=closed.id, status=CaseStatus.closed
            )
            reply = await canned.create_canned_reply(
                session, staff=helper, lang="ne", title="Hi", body="Namaste"
            )
        async with runtime.sessionmaker.begin() as session:
            for item in await outbox.claim_due(session, now=utcnow()):
                await outbox.mark_uncertain(
                    session, item_id=item.id, lease_token=item.lease_token, now=utcnow(),
                    error="timeout",
                )
        return {
            "helper": helper.id, "new": new.id, "held": held.id, "closed": closed.id,
            "uncertain": held.messages[-1].id, "photo": new.messages[-1].id, "canned": reply.id,
            "n": next(counter),
        }

    return build


def _fill(value, ids):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    return value


@pytest.mark.parametrize(
    ("method", "path", "body", "ok", "expected"), ENDPOINTS,
    ids=[f"{method} {path}" for method, path, *_ in ENDPOINTS],
)
async def test_endpoint_authorization(client, actors, build_world, method, path, body, ok,
                                      expected):
    outcomes = {}
    shared = await build_world()
    for actor in ACTOR_NAMES:
        # A caller who may act gets cases no one has touched; refused callers share one set.
        world = await build_world() if expected[actor] == "ok" else shared
        response = await client.request(
            method, path.format(**world), json=_fill(body, world), headers=actors[actor]
        )
        outcomes[actor] = response.status_code
        if response.status_code >= 400:
            assert set(response.json()["error"]) == {"code", "message", "fields"}
    wanted = {actor: ok if want == "ok" else want for actor, want in expected.items()}
    assert outcomes == wanted
