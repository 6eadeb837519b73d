"""`sathi run`: the admin API and the bot in one process and one event loop.

With a token the bot polls Telegram, or, when SATHI_WEBHOOK_URL is set, receives updates on the
admin API's own server; either way each update is stored before it is acknowledged, and the
delivery loop sends volunteers' replies and notices (bot/runner.py). Without a token only the
admin API runs. Ctrl-C or SIGTERM stops everything in order and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import signal
import sys
from collections.abc import Callable, Iterator

import uvicorn
from telegram.error import TelegramError

from admin_api.main import create_app
from bot.runner import BotRunner
from bot.webhook import webhook_router
from sathi.runtime import Runtime, open_runtime
from sathi.services import retention
from sathi.settings import Settings

log = logging.getLogger(__name__)

KNOWLEDGE_REFRESH_SECONDS = 60.0
RETENTION_SECONDS = 3600.0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Registers the sub-command."""
    parser = subparsers.add_parser("run", help="run the bot and the admin API")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Serves until interrupted."""
    try:
        with asyncio.Runner(loop_factory=loop_factory()) as runner:
            runner.run(main(settings))
    except KeyboardInterrupt:  # a second Ctrl-C while stopping
        pass
    except TelegramError as exc:  # e.g. a revoked token: one line, not a traceback
        print(f"sathi: Telegram did not accept the bot: {exc}", file=sys.stderr)
        return 1
    return 0


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The event loop to serve on: uvloop's where installed (not on Windows), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


async def main(settings: Settings) -> None:
    """Opens the runtime and serves until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows has no loop signal handlers
            loop.add_signal_handler(signum, stop.set)
    runtime = await open_runtime(settings)
    settle_heap()
    try:
        await serve(runtime, stop)
    finally:
        await runtime.close()


def settle_heap() -> None:
    """Keeps what start-up built out of the garbage collector's full passes.

    A full pass walks every tracked object: with the search index, the catalogs and Kiwi's
    wrappers in memory one took 72-94 ms here, and every update waited meanwhile. Frozen objects
    are still freed by reference counting when they are replaced (a new index after an edit).
    """
    gc.collect()
    gc.freeze()


class _Server(uvicorn.Server):
    """Uvicorn without its own signal handling: `serve` decides when everything stops."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(runtime: Runtime, stop: asyncio.Event) -> None:
    """Runs the admin API, the bot (if there is a token) and the knowledge refresh until stop."""
    settings = runtime.settings
    api = create_app(runtime)
    bot = None
    if settings.telegram_token is not None:
        bot = BotRunner(runtime)
        if settings.webhook_url:
            secret = settings.webhook_secret.get_secret_value()  # type: ignore[union-attr]
            api.include_router(webhook_router(bot.intake, secret))
    else:
        log.info("No Telegram token: only the admin API runs. Set SATHI_TELEGRAM_TOKEN "
                 "(see README) or try the bot in a terminal with `sathi chat`.")
    config = uvicorn.Config(api, host=settings.api_host, port=settings.api_port,
                            log_level=settings.log_level.lower(), lifespan="on",
                            log_config=None)  # uvicorn logs through the redacting root handler
    server = _Server(config)
    api_task = asyncio.create_task(server.serve(), name="admin-api")
    refresh_task = asyncio.create_task(_refresh_knowledge(runtime), name="knowledge-refresh")
    retention_task = asyncio.create_task(_retention(runtime), name="retention")
    try:
        if bot is not None:
            await bot.start()
        await _wait(stop, api_task, *(bot.tasks if bot else ()))
    finally:
        if bot is not None:
            await bot.stop()
        refresh_task.cancel()
        retention_task.cancel()
        server.should_exit = True
        await asyncio.gather(api_task, refresh_task, retention_task, return_exceptions=True)


async def _wait(stop: asyncio.Event, *tasks: asyncio.Task[None]) -> None:
    """Until a stop signal, or until the API server or a bot task ends by itself."""
    stop_task = asyncio.create_task(stop.wait())
    await asyncio.wait({stop_task, *tasks}, return_when=asyncio.FIRST_COMPLETED)
    stop_task.cancel()


async def _refresh_knowledge(runtime: Runtime) -> None:
    """Picks up imported or edited articles without a restart."""
    while True:
        await asyncio.sleep(KNOWLEDGE_REFRESH_SECONDS)
        try:
            if await runtime.knowledge.refresh():
                settle_heap()
        except Exception:  # noqa: BLE001 - a failed refresh keeps the old index; try again later
            log.exception("knowledge refresh failed")


async def _retention(runtime: Runtime) -> None:
    """The retention schedule: once at start, then every hour."""
    while True:
        try:
            await retention.run_once(runtime.sessionmaker, runtime.settings)
        except Exception:  # noqa: BLE001 - a failed run is tried again in an hour
            log.exception("retention run failed")
        await asyncio.sleep(RETENTION_SECONDS)
