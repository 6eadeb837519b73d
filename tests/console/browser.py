"""For the browser tests: `sathi run` as a subprocess, a worker talking through the fake Bot API,
and Chromium from the operating system driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from sathi import paths
from sathi.settings import Settings
from tests.fakes import updates
from tests.fakes.bot_api import Call, FakeBotApi

TOKEN = "123456:TEST-token-for-the-fake-bot-api-server"
CHROMIUM = Path(os.environ.get("CONSOLE_CHROMIUM", "/usr/bin/chromium"))
PHONE, LAPTOP = {"width": 360, "height": 780}, {"width": 1280, "height": 900}


def chromium() -> str:
    """The system Chromium; a clear failure (never a skip) when it is missing."""
    if not CHROMIUM.is_file():
        pytest.fail(f"no Chromium at {CHROMIUM}: install it with `apt-get install -y chromium` "
                    "(.ci/run does) or point CONSOLE_CHROMIUM at one", pytrace=False)
    return str(CHROMIUM)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def until(condition, seconds: float = 20.0, what: str = "condition") -> None:
    for _ in range(int(seconds / 0.1)):
        if condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class SathiProcess:
    """`sathi run` on the test's database and data folder, polling the fake Bot API."""

    def __init__(self, settings: Settings, api: FakeBotApi, folder: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {name: value for name, value in os.environ.items()
               if not name.startswith("SATHI_")}
        env.update({
            "SATHI_DATA_DIR": str(settings.data_dir),
            "SATHI_DATA_KEY": settings.data_key.get_secret_value() if settings.data_key else "",
            "SATHI_TELEGRAM_TOKEN": TOKEN,
            "SATHI_TELEGRAM_API_URL": api.url,
            "SATHI_API_PORT": str(self.port),
            "SATHI_LOG_LEVEL": "WARNING",
        })
        if settings.database_url:
            env["SATHI_DATABASE_URL"] = settings.database_url
        self.log = folder / "sathi-run.log"
        self._env, self._folder = env, folder
        self.process: subprocess.Popen | None = None

    async def start(self) -> None:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "sathi.cli", "run"], cwd=self._folder, env=self._env,
                stdout=log, stderr=subprocess.STDOUT,
            )
        async with httpx.AsyncClient() as client:
            for _ in range(600):
                if self.process.poll() is not None:
                    raise AssertionError(f"sathi run ended: {self.log.read_text()[-2000:]}")
                try:
                    if (await client.get(f"{self.url}/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError("sathi run never answered /healthz")

    async def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        for _ in range(150):
            if self.process.poll() is not None:
                return
            await asyncio.sleep(0.1)
        self.process.kill()
        self.process.wait()


class Worker:
    """A worker on Telegram: each update goes to the bot through getUpdates."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api

    def chat(self) -> list[Call]:
        """What arrived in the worker's chat."""
        return [call for call in self.api.messages()
                if call.params.get("chat_id") == updates.CHAT_ID]

    async def send(self, update: dict[str, Any], answers: int = 1) -> list[Call]:
        before = len(self.chat())
        self.api.queue_update(update)
        await until(lambda: len(self.chat()) >= before + answers, what="the bot's answer")
        seen = -1
        while seen != len(self.chat()):  # until the bot has said everything it had to say
            seen = len(self.chat())
            await asyncio.sleep(0.7)
        return self.chat()[before:]

    async def say(self, words: str, answers: int = 1) -> list[Call]:
        return await self.send(updates.text(words, language_code="ne"), answers)

    async def press(self, data: str) -> list[Call]:
        for call in reversed(self.chat()):
            if any(found == data for _label, found in call.buttons):
                return await self.send(updates.button(data, call.message_id or 1))
        raise AssertionError(f"no button {data!r} in the chat")


class Screenshots:
    """Each main page at phone and laptop width, in a folder the test prints."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        keep = os.environ.get("CONSOLE_SCREENSHOTS")  # a folder to copy them to, if wanted
        self.keep = Path(keep) if keep else None

    async def take(self, page: Any, name: str) -> None:
        for label, size in (("360", PHONE), ("1280", LAPTOP)):
            await page.set_viewport_size(size)
            path = self.folder / f"{name}-{label}.png"
            await page.screenshot(path=str(path), full_page=True)
            if self.keep:
                self.keep.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, self.keep / path.name)
        await page.set_viewport_size(LAPTOP)
        print(f"screenshots: {self.folder}/{name}-{{360,1280}}.png")


REPO = paths.REPO_ROOT
