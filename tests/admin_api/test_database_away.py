"""The database goes away and comes back: 503s with Retry-After, no dropped connection, 0 lost.

The admin API runs in a real uvicorn server and the client keeps one connection alive, so a
connection the server closes would show as a new client port. On PostgreSQL the engine reaches
the database through a TCP proxy that the test cuts and restores (the server itself keeps
running for everyone else); on SQLite the engine is pointed at a closed port meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import uvicorn
from sqlalchemy.engine import make_url

from admin_api.main import create_app
from sathi.db import make_engine, make_sessionmaker
from sathi.enums import MessageKind, Role
from sathi.runtime import Runtime
from sathi.services import members, worker_cases
from tests.admin_api.conftest import PASSWORD, Accounts
from tests.conftest import TEST_DATABASE_URL
from tests.fakes.tcp_proxy import TcpProxy, free_port

OUTAGE_SECONDS = 2.0


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def _serving(runtime: Runtime) -> AsyncIterator[str]:
    port = free_port()
    server = _Server(uvicorn.Config(create_app(runtime), host="127.0.0.1", port=port,
                                    log_level="info", lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


class Outage:
    """Takes the runtime's database away and brings it back."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.original = (runtime.engine, runtime.sessionmaker)
        self.proxy: TcpProxy | None = None
        self.engines = []

    async def __aenter__(self) -> Outage:
        if TEST_DATABASE_URL:  # every connection goes through the proxy from now on
            url = make_url(TEST_DATABASE_URL)
            self.proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
            await self.proxy.start()
            self._use(url.set(host="127.0.0.1", port=self.proxy.port))
        return self

    def _use(self, url) -> None:
        engine = make_engine(url.render_as_string(hide_password=False))
        self.engines.append(engine)
        self.runtime.engine, self.runtime.sessionmaker = engine, make_sessionmaker(engine)

    async def down(self) -> None:
        if self.proxy is not None:
            await self.proxy.stop()
        else:  # SQLite has no server to cut: a database address where nothing listens
            self._use(make_url(f"postgresql+asyncpg://sathi@127.0.0.1:{free_port()}/sathi"))

    async def up(self) -> None:
        if self.proxy is not None:
            await self.proxy.start()
        else:
            self.runtime.engine, self.runtime.sessionmaker = self.original

    async def __aexit__(self, *exc: object) -> None:
        self.runtime.engine, self.runtime.sessionmaker = self.original
        for engine in self.engines:
            await engine.dispose()
        if self.proxy is not None:
            await self.proxy.stop()


def _client_port(response: httpx.Response) -> int:
    return response.extensions["network_stream"].get_extra_info("client_addr")[1]


async def test_database_away_gives_503s_keeps_the_connection_and_loses_nothing(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO)
    async with runtime.sessionmaker.begin() as session:
        member = await members.get_or_create_member(session, telegram_user_id=77, chat_id=77)
        case = await worker_cases.open_case(session, member=member, lang="ne", consent=True,
                                     kind=MessageKind.text, text="my wages are late")
    async with Outage(runtime) as outage, _serving(runtime) as base_url:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=10) as client:
            await Accounts(runtime, client).create("sita", Role.volunteer, ("ne",))
            token = await client.post("/api/v1/auth/token",
                                      data={"username": "sita", "password": PASSWORD})
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            first = await client.post(f"/api/v1/cases/{case.id}/replies", headers=headers,
                                      json={"text": "reply 0"})
            assert first.status_code == 201
            port = _client_port(first)

            await outage.down()
            refused, statuses, n = [], [], 1
            started = asyncio.get_running_loop().time()
            while asyncio.get_running_loop().time() - started < OUTAGE_SECONDS:
                reply = await client.post(f"/api/v1/cases/{case.id}/replies", headers=headers,
                                          json={"text": f"reply {n}"})
                listing = await client.get("/api/v1/cases", headers=headers)
                for response in (reply, listing):
                    statuses.append(response.status_code)
                    assert response.status_code == 503, response.text
                    assert response.headers["retry-after"].isdigit()
                    assert response.json()["error"]["code"] == "database_unavailable"
                    assert _client_port(response) == port, "the connection was kept"
                refused.append(f"reply {n}")
                n += 1
                await asyncio.sleep(0.05)
            await outage.up()

            for text in refused:  # the client retries what was refused, as Retry-After says
                for _ in range(20):
                    again = await client.post(f"/api/v1/cases/{case.id}/replies",
                                              headers=headers, json={"text": text})
                    if again.status_code != 503:
                        break
                    await asyncio.sleep(0.1)
                assert again.status_code == 201, again.text
                assert _client_port(again) == port
            detail = await client.get(f"/api/v1/cases/{case.id}", headers=headers)
    texts = [m["text"] for m in detail.json()["messages"]]
    assert len(refused) >= 3 and set(statuses) == {503}
    assert [t for t in texts if t and t.startswith("reply ")] == ["reply 0", *refused], "0 lost"
    away = [r for r in caplog.records if "database unavailable" in r.getMessage()]
    assert len(away) >= len(statuses) and all(r.exc_info is None for r in away)
    assert "Traceback" not in caplog.text and "Exception in ASGI application" not in caplog.text
