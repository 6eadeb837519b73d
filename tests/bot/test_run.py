"""`sathi run`'s serve(): polling through getUpdates, webhook mode, and no-token mode."""

import asyncio
import logging
import socket

import httpx

from sathi.cli.run import serve
from sathi.runtime import open_runtime
from sathi.services.articles import import_articles
from tests.bot.conftest import TOKEN
from tests.fakes import updates

SECRET = "webhook-secret-for-tests_0123456789"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _until(condition, seconds: float = 15.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


async def _request(client: httpx.AsyncClient, method: str, url: str, **options) -> httpx.Response:
    """The admin API may still be starting: retry refused connections for a while."""
    for _ in range(200):
        try:
            return await client.request(method, url, **options)
        except httpx.ConnectError:
            await asyncio.sleep(0.05)
    raise AssertionError(f"{url} never answered")


async def _runtime(settings, article_files):
    runtime = await open_runtime(settings)
    async with runtime.sessionmaker.begin() as session:
        await import_articles(session, article_files)
    await runtime.knowledge.refresh()
    return runtime


async def test_polling_answers_an_update_and_stops(make_settings, fake_api, article_files):
    settings = make_settings(telegram_token=TOKEN, telegram_api_url=fake_api.url,
                             api_port=_free_port())
    runtime = await _runtime(settings, article_files)
    fake_api.queue_update(updates.command("start", language_code="ne"))
    stop = asyncio.Event()
    try:
        task = asyncio.create_task(serve(runtime, stop))
        await _until(lambda: fake_api.sent())
        async with httpx.AsyncClient() as client:
            health = await _request(client, "GET", f"http://127.0.0.1:{settings.api_port}/healthz")
        assert health.status_code == 200, "the admin API runs in the same loop"
        stop.set()
        await asyncio.wait_for(task, 15)
    finally:
        await runtime.close()
    methods = [call.method for call in fake_api.calls]
    assert "getUpdates" in methods and "deleteWebhook" in methods
    assert "setMyCommands" in methods
    [offer] = fake_api.sent()
    assert offer.params["chat_id"] == updates.CHAT_ID
    assert offer.buttons[0][1] == "lang:choose:ne"


async def test_webhook_mode_checks_the_secret(make_settings, fake_api, article_files):
    settings = make_settings(
        telegram_token=TOKEN, telegram_api_url=fake_api.url, api_port=_free_port(),
        webhook_url="https://sathi.example.org", webhook_secret=SECRET,
    )
    runtime = await _runtime(settings, article_files)
    stop = asyncio.Event()
    url = f"http://127.0.0.1:{settings.api_port}/telegram/webhook"
    try:
        task = asyncio.create_task(serve(runtime, stop))
        await _until(lambda: fake_api.sent("setWebhook"))
        [hook] = fake_api.sent("setWebhook")
        assert hook.params["url"] == "https://sathi.example.org/telegram/webhook"
        assert hook.params["secret_token"] == SECRET
        update = updates.command("start", language_code="ko-KR")
        async with httpx.AsyncClient() as client:
            refused = await _request(client, "POST", url, json=update,
                                     headers={"X-Telegram-Bot-Api-Secret-Token": "x"})
            assert refused.status_code == 403
            missing = await client.post(url, json=update)
            assert missing.status_code == 403
            accepted = await client.post(url, json=update,
                                         headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
            assert accepted.status_code == 200
        await _until(lambda: fake_api.sent())
        stop.set()
        await asyncio.wait_for(task, 15)
    finally:
        await runtime.close()
    [offer] = fake_api.sent()
    assert offer.buttons[0][1] == "lang:choose:ko"
    assert "getUpdates" not in [call.method for call in fake_api.calls]


async def test_without_a_token_only_the_admin_api_runs(make_settings, caplog):
    settings = make_settings(api_port=_free_port())
    runtime = await open_runtime(settings)
    stop = asyncio.Event()
    try:
        with caplog.at_level(logging.INFO, logger="sathi.cli.run"):
            task = asyncio.create_task(serve(runtime, stop))
            async with httpx.AsyncClient() as client:
                url = f"http://127.0.0.1:{settings.api_port}/healthz"
                response = await _request(client, "GET", url)
            assert response.status_code == 200
            stop.set()
            await asyncio.wait_for(task, 15)
    finally:
        await runtime.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "sathi.cli.run"]
    assert len(lines) == 1
    assert "SATHI_TELEGRAM_TOKEN" in lines[0] and "sathi chat" in lines[0]
