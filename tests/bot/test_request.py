"""The bot's HTTP client over real sockets: answers, uploads, and what each failure means."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot
from telegram.error import TimedOut

from bot.outcomes import classify
from bot.request import BadGateway, ConnectionBroke, NotSent, SathiRequest
from tests.fakes.bot_api import _free_port

TOKEN = "123:TEST"


def _bot(url: str, request: SathiRequest) -> Bot:
    return Bot(TOKEN, base_url=f"{url}/bot", request=request, get_updates_request=request)


async def _failure(url: str, request: SathiRequest, **options: float) -> Exception:
    async with _bot(url, request) as bot:
        with pytest.raises(Exception) as raised:
            await bot.send_message(chat_id=7, text="hello", **options)
    return raised.value


async def test_a_message_is_sent_and_its_answer_read(fake_api):
    async with _bot(fake_api.url, SathiRequest()) as bot:
        message = await bot.send_message(chat_id=7, text="नमस्ते, সাহায্য", reply_markup=None)
    assert message.text == "नमस्ते, সাহায্য"
    assert [(c.method, c.params["chat_id"], c.params["text"]) for c in fake_api.sent()] == [
        ("sendMessage", 7, "नमस्ते, সাহায্য"),
    ]


async def test_a_file_is_uploaded_as_multipart(fake_api):
    async with _bot(fake_api.url, SathiRequest()) as bot:
        await bot.send_document(chat_id=7, document=b"%PDF-1.4 card", filename="card.pdf",
                                caption="근로계약서")
    [call] = fake_api.sent("sendDocument")
    assert call.params["chat_id"] == 7
    assert call.params["caption"] == "근로계약서"
    assert "document" in call.params


async def test_no_connection_made_is_not_sent_and_retried():
    request = SathiRequest()
    await request.initialize()
    try:  # nothing listens there
        with pytest.raises(NotSent) as raised:
            await request.post(f"http://127.0.0.1:{_free_port()}/bot{TOKEN}/sendMessage")
    finally:
        await request.shutdown()
    error = raised.value
    assert classify(error, for_worker=True).status == "retry"


async def test_no_free_connection_in_time_is_not_sent_and_retried(fake_api):
    fake_api.delay_next("sendMessage", 1.0)
    request = SathiRequest(connection_pool_size=1, pool_timeout=0.2, connect_timeout=0.1)
    async with _bot(fake_api.url, request) as bot:
        first = asyncio.create_task(bot.send_message(chat_id=7, text="first"))
        await asyncio.sleep(0.1)  # the first holds the only connection
        with pytest.raises(NotSent) as raised:
            await bot.send_message(chat_id=8, text="second")
        await first
    assert classify(raised.value, for_worker=True).status == "retry"
    assert [c.params["text"] for c in fake_api.calls if c.method == "sendMessage"] == ["first"]


async def test_no_answer_in_time_is_uncertain(fake_api):
    fake_api.delay_next("sendMessage", 1.0)
    error = await _failure(fake_api.url, SathiRequest(), read_timeout=0.2)
    assert isinstance(error, TimedOut)
    assert classify(error, for_worker=True).status == "uncertain"
    assert [c.method for c in fake_api.calls] == ["getMe", "sendMessage"], "it did arrive"


async def test_a_connection_broken_after_sending_is_uncertain():
    received = []

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.append(await reader.read(65536))
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = SathiRequest()
    await request.initialize()
    try:
        with pytest.raises(ConnectionBroke) as raised:
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/sendMessage")
    finally:
        await request.shutdown()
        server.close()
        await server.wait_closed()
    assert received and received[0].startswith(b"POST /bot"), "the call went out"
    assert classify(raised.value, for_worker=True).status == "uncertain"


async def test_a_proxys_502_is_not_carried_out_and_retried(fake_api):
    fake_api.faults(rate=1.0)
    error = await _failure(fake_api.url, SathiRequest())
    assert isinstance(error, BadGateway)
    assert classify(error, for_worker=True).status == "retry"


async def test_a_proxy_named_by_the_environment_is_used(monkeypatch):
    asked = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        asked.append((await reader.readuntil(b"\r\n")).decode())
        body = b'{"ok": true, "result": true}'
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(proxy, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    for name in ("NO_PROXY", "no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    request = SathiRequest()
    await request.initialize()
    try:
        code, payload = await request.do_request(
            f"http://fake_api.telegram.example/bot{TOKEN}/getMe", "POST")
    finally:
        await request.shutdown()
        server.close()
        await server.wait_closed()
    assert (code, payload) == (200, b'{"ok": true, "result": true}')
    assert asked == [f"POST http://fake_api.telegram.example/bot{TOKEN}/getMe HTTP/1.1\r\n"]


async def test_a_host_in_no_proxy_is_reached_directly(fake_api, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_free_port()}")  # nothing listens
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    for name in ("no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    async with _bot(fake_api.url, SathiRequest()) as bot:
        await bot.send_message(chat_id=7, text="direct")
    assert [c.params["text"] for c in fake_api.sent()] == ["direct"]
