"""Canary workers through the real bot (fake Bot API) and a volunteer on the admin API.

Every canary is a string that appears nowhere else, so finding one in a log line, a database
file or a dump means Sathi kept something it promised not to.
"""

from __future__ import annotations

import copy
import io
import logging
from dataclasses import dataclass
from typing import Any

import pytest

from sathi.enums import Role
from sathi.logging_filter import NOISY, protect
from sathi.services import staff as staff_service
from tests.admin_api.conftest import cheap_passwords, prove_chat  # noqa: F401 - autouse fixture
from tests.bot.conftest import TOKEN, fake_api  # noqa: F401 - fixture
from tests.escalation.conftest import (  # noqa: F401 - fixtures
    VOLUNTEER_GROUP,
    Worker,
    accounts,
    app,
    client,
    clock,
    delivery,
    settings,
)
from tests.fakes import updates

VOLUNTEER_PASSWORD = "Kathmandu-Canary-Pw-9931"


@dataclass
class Canary:
    """One worker's distinctive identity and words."""

    user_id: int
    first_name: str
    last_name: str
    username: str
    phone: str
    text: str
    follow_up: str
    voice_id: str
    reply: str

    def strings(self) -> dict[str, str]:
        """Every canary string, by what it is."""
        return {
            "user id": str(self.user_id), "first name": self.first_name,
            "last name": self.last_name, "username": self.username, "phone": self.phone,
            "case text": self.text, "follow-up": self.follow_up, "voice file id": self.voice_id,
            "volunteer reply": self.reply,
        }


def make_canary(n: int) -> Canary:
    """A worker whose every detail is unique to this test run."""
    return Canary(
        user_id=7_301_946_200 + n, first_name=f"Canaryfirst{n}Qv", last_name=f"Canarylast{n}Zx",
        username=f"canary_user_{n}_kq", phone=f"+8210555{n:04d}",
        text=f"Boss-Canary-{n}-Wq hit me and kept my passport",
        follow_up=f"Follow-Canary-{n}-Jp still no wages",
        voice_id=f"AwACAgUAAxkBCanaryVoice{n}Xr", reply=f"Reply-Canary-{n}-Ht keep your payslips",
    )


def _dress(update: dict[str, Any], canary: Canary) -> dict[str, Any]:
    """Puts the canary's names and username on every user and chat of an update."""
    update = copy.deepcopy(update)

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("id") == canary.user_id:
                value.update(first_name=canary.first_name, last_name=canary.last_name,
                             username=canary.username)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(update)
    return update


class CanaryWorker(Worker):
    """A worker whose updates carry the canary's names and username."""

    def __init__(self, intake, api, canary: Canary) -> None:
        super().__init__(intake, api, user_id=canary.user_id)
        self.canary = canary

    async def send(self, update: dict[str, Any]) -> list:
        return await super().send(_dress(update, self.canary))


async def escalate(worker: CanaryWorker) -> None:
    """/start, Nepali, a volunteer please, agree, the phone contact, a voice note, a text."""
    canary = worker.canary
    await worker.say("/start")
    await worker.press("lang:choose:ne")
    await worker.press("esc:offer")
    await worker.press("esc:agree")
    voice = updates.voice(user_id=canary.user_id)
    voice["message"]["voice"]["file_id"] = canary.voice_id
    voice["message"]["caption"] = canary.text
    await worker.send(voice)
    contact = updates.contact(user_id=canary.user_id)
    contact["message"]["contact"].update(phone_number=canary.phone, user_id=canary.user_id,
                                         first_name=canary.first_name)
    await worker.send(contact)
    await worker.say(canary.follow_up)


async def volunteer_answers(client, headers: dict[str, str], delivery) -> list[int]:  # noqa: F811
    """The volunteer opens every case, replies with the canary reply, asks for the voice note."""
    listed = (await client.get("/api/v1/cases", headers=headers)).json()["items"]
    ids = []
    for summary in listed:
        detail = (await client.get(f"/api/v1/cases/{summary['id']}", headers=headers)).json()
        text = detail["messages"][0]["text"] or ""
        number = text.split("Boss-Canary-", 1)[1].split("-", 1)[0]
        reply = make_canary(int(number)).reply
        response = await client.post(f"/api/v1/cases/{summary['id']}/replies",
                                     json={"text": reply}, headers=headers)
        assert response.status_code == 201, response.text
        voice = next(m for m in detail["messages"] if m["has_file"])
        asked = await client.post(
            f"/api/v1/cases/{summary['id']}/messages/{voice['id']}/file", headers=headers
        )
        assert asked.status_code == 202, asked.text
        ids.append(summary["id"])
    await delivery.run_once()
    return ids


@pytest.fixture
def canaries() -> list[Canary]:
    return [make_canary(n) for n in (1, 2)]


@pytest.fixture
def workers(app, fake_api, canaries) -> list[CanaryWorker]:  # noqa: F811
    from bot.intake import Intake

    intake = Intake(app)
    return [CanaryWorker(intake, fake_api, canary) for canary in canaries]


@pytest.fixture
async def volunteer(runtime, client):  # noqa: F811
    """Sita, a Nepali volunteer with a password that is itself a canary."""
    async with runtime.sessionmaker.begin() as session:
        await staff_service.create_staff(
            session, username="sita", password=VOLUNTEER_PASSWORD, role=Role.volunteer,
            languages=("ne",), public_name="Sita", telegram_chat_id=7_770_001,
        )
    response = await client.post("/api/v1/auth/token",
                                 data={"username": "sita", "password": VOLUNTEER_PASSWORD})
    assert response.status_code == 200, response.text
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    await prove_chat(runtime, client, headers)
    return headers


SECRETS = {"bot token": TOKEN, "volunteer password": VOLUNTEER_PASSWORD}


@pytest.fixture
def debug_log():
    """A root handler at DEBUG with Sathi's redaction, and every library at DEBUG."""
    stream = io.StringIO()
    raw = io.StringIO()
    handler = protect(logging.StreamHandler(stream), secrets=[])
    unprotected = logging.StreamHandler(raw)  # the control: what the libraries really say
    root = logging.getLogger()
    saved = root.level, {name: logging.getLogger(name).level for name in NOISY}
    for existing in logging.Logger.manager.loggerDict.values():  # alembic's fileConfig
        if isinstance(existing, logging.Logger):                 # disables loggers
            existing.disabled = False
    root.addHandler(handler)
    root.addHandler(unprotected)
    root.setLevel(logging.DEBUG)
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.DEBUG)
    try:
        yield stream, raw
    finally:
        root.removeHandler(handler)
        root.removeHandler(unprotected)
        root.setLevel(saved[0])
        for name, level in saved[1].items():
            logging.getLogger(name).setLevel(level)
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
