"""Long polling that acknowledges an update only once it is stored.

getUpdates(offset=N) tells Telegram that every update below N was received. So each batch is
stored and committed (bot/intake.py) before the offset moves past it; if storing fails, or the
process dies first, Telegram sends the batch again and the store ignores what it already has.

The batch is fetched raw (PTB's `get_updates` parses it first, and one update it cannot parse,
such as an entity without `offset`, would make every call fail and log the raw update): each
update is stored as Telegram sent it, and one that cannot be parsed is kept for inspection by the
intake and skipped, so the offset moves on and nobody else waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from typing import Any

from telegram import Bot
from telegram.error import InvalidToken, TelegramError
from telegram.warnings import PTBUserWarning

from bot.intake import Intake
from bot.pause import pause

log = logging.getLogger(__name__)

POLL_TIMEOUT = 25  # seconds Telegram holds a getUpdates open when there is nothing new
MAX_BACKOFF = 60.0


class _Stopped(Exception):
    """The stop event was set while waiting for Telegram."""


class Poller:
    """Fetches updates, hands them to the intake to store, then acknowledges them."""

    def __init__(
        self, bot: Bot, intake: Intake, *, timeout: int = POLL_TIMEOUT, backoff: float = 1.0
    ) -> None:
        self.bot = bot
        self.intake = intake
        self.timeout = timeout
        self.backoff = backoff
        self.offset: int | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Polls until stop; a bad token ends it, other errors are waited out."""
        failures = 0
        while not stop.is_set():
            try:
                batch = await _unless_stopped(self._fetch(), stop)
                ids = [_update_id(data) for data in batch]
                if any(update_id is not None for update_id in ids):
                    await self.intake.store(
                        [d for d, i in zip(batch, ids, strict=True) if i is not None]
                    )
                    # acknowledged by the next call
                    self.offset = max(i for i in ids if i is not None) + 1
                failures = 0
            except _Stopped:
                break
            except InvalidToken:
                raise
            except Exception as exc:  # noqa: BLE001 - network, another poller, database away
                failures += 1
                log.warning("polling failed (%s); updates stay with Telegram, retrying",
                            type(exc).__name__)
                await pause(stop, min(self.backoff * 2 ** (failures - 1), MAX_BACKOFF))
        await self._acknowledge()

    async def _fetch(self, timeout: int | None = None, limit: int | None = None) -> list[Any]:
        """One getUpdates call, its result as Telegram's JSON (nothing parsed, nothing logged)."""
        timeout = self.timeout if timeout is None else timeout
        kwargs: dict[str, Any] = {"timeout": timeout}
        if limit is not None:
            kwargs["limit"] = limit
        if self.offset is not None:
            kwargs["offset"] = self.offset
        with warnings.catch_warnings():  # PTB suggests get_updates, which parses (see above)
            warnings.simplefilter("ignore", PTBUserWarning)
            result = await self.bot.do_api_request(
                "getUpdates", api_kwargs=kwargs, read_timeout=timeout + 10
            )
        return result if isinstance(result, list) else []

    async def _acknowledge(self) -> None:
        """Confirms the stored updates on the way out, so a restart does not fetch them again."""
        if self.offset is None:
            return
        with contextlib.suppress(TelegramError):
            await self._fetch(timeout=0, limit=1)


def _update_id(data: Any) -> int | None:
    """The update's id; None for something that is not an update at all (it is skipped)."""
    try:
        return int(data["update_id"])
    except (KeyError, TypeError, ValueError):
        return None


async def _unless_stopped(call: Any, stop: asyncio.Event) -> Any:
    """Awaits the call, or cancels it when stop is set first (nothing unstored is acked)."""
    task = asyncio.ensure_future(call)
    stopped = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        task.cancel()
        raise
    finally:
        stopped.cancel()
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, TelegramError):
            await task
        raise _Stopped
    return task.result()
