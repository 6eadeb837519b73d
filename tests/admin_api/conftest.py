"""An API client on the test runtime, one logged-in account per role, and cases to work on."""

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from argon2 import PasswordHasher

from admin_api.main import create_app
from sathi.enums import MessageKind, Role
from sathi.models import Case
from sathi.runtime import Runtime
from sathi.services import members, worker_cases
from sathi.services import staff as staff_service

PASSWORD = "correct horse battery"
_user_ids = itertools.count(5000)

# Who calls, in the authorization table: (role, languages); None is an anonymous caller.
ACTORS: dict[str, tuple[Role, tuple[str, ...]] | None] = {
    "admin": (Role.admin, ()),
    "editor": (Role.editor, ("ne",)),
    "volunteer": (Role.volunteer, ("ne",)),
    "volunteer_other_language": (Role.volunteer, ("bn",)),
    "anonymous": None,
}


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        staff_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


class Accounts:
    """Makes accounts in the database and logs them in through the API."""

    password = PASSWORD

    def __init__(self, runtime: Runtime, client: httpx.AsyncClient) -> None:
        self.runtime = runtime
        self.client = client

    async def create(
        self, username: str, role: Role, languages: tuple[str, ...] = (), **fields: object
    ):
        async with self.runtime.sessionmaker.begin() as session:
            return await staff_service.create_staff(
                session, username=username, password=PASSWORD, role=role, languages=languages,
                **fields,
            )

    async def login(self, username: str, password: str = PASSWORD) -> dict[str, str]:
        response = await self.client.post(
            "/api/v1/auth/token", data={"username": username, "password": password}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def accounts(runtime: Runtime, client: httpx.AsyncClient) -> Accounts:
    return Accounts(runtime, client)


@pytest.fixture
async def actors(accounts: Accounts) -> dict[str, dict]:
    """Headers for each actor of ACTORS (empty for the anonymous caller), plus their ids."""
    headers: dict[str, dict] = {}
    for name, spec in ACTORS.items():
        if spec is None:
            headers[name] = {}
            continue
        account = await accounts.create(name.replace("_", "-"), *spec)
        headers[name] = await accounts.login(account.username)
        headers[name + "_id"] = account.id
    return headers


MakeCase = Callable[..., Awaitable[Case]]


@pytest.fixture
def make_case(runtime: Runtime) -> MakeCase:
    """Opens a case as the bot would, for a new worker."""

    async def make(lang: str = "ne", text: str = "My wages are late", **fields) -> Case:
        user_id = next(_user_ids)
        async with runtime.sessionmaker.begin() as session:
            member = await members.get_or_create_member(
                session, telegram_user_id=user_id, chat_id=user_id
            )
            return await worker_cases.open_case(
                session, member=member, lang=lang, consent=True, kind=MessageKind.text,
                text=text, **fields,
            )

    return make


async def prove_chat(runtime: Runtime, client: httpx.AsyncClient, headers: dict[str, str]):
    """Enters the newest code the bot was told to send (as the volunteer reads it in Telegram)."""
    from sqlalchemy import select

    from sathi.enums import OutboxKind
    from sathi.models import OutboxItem

    async with runtime.sessionmaker() as session:
        item = await session.scalar(select(OutboxItem).where(OutboxItem.kind == OutboxKind.verify)
                                    .order_by(OutboxItem.id.desc()))
    assert item is not None, "no code was sent"
    response = await client.post("/api/v1/auth/me/telegram-chat/verify", headers=headers,
                                 json={"code": item.payload["code"]})
    assert response.status_code == 204, response.text
    async with runtime.sessionmaker.begin() as session:
        await session.delete(await session.get(OutboxItem, item.id))
