"""A simple limiter for the delivery loop, under Telegram's limits for bots.

Telegram asks bots to stay under about 30 messages a second overall, about one a second in a
chat and 20 a minute in a group. Each send reserves the next free moment for its chat and for
the bot, and sleeps until then. The booking happens before any await, so the delivery loop and
the bot's own answers can share one limiter without a lock. A 429 holds its chat back (`hold`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class RateLimiter:
    """Spaces sends: `per_second` overall, one per `chat_seconds` (`group_seconds` in groups).

    A private chat may take `chat_burst` messages at once before the spacing applies (Telegram
    lets a short answer in several messages through); groups get no burst.
    """

    def __init__(
        self,
        *,
        per_second: float = 25.0,
        chat_seconds: float = 1.0,
        group_seconds: float = 3.0,
        chat_burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.spacing = 1.0 / per_second if per_second > 0 else 0.0  # 0: no overall limit
        self.chat_seconds = chat_seconds
        self.group_seconds = group_seconds
        self.chat_burst = max(chat_burst, 1)
        self.clock = clock
        self.sleep = sleep
        self._next_any = 0.0
        self._next_in_chat: dict[int, float] = {}

    async def wait(self, chat_id: int) -> None:
        """Sleeps until this chat and the bot may send again, and books that moment."""
        now = self.clock()
        # Group and channel ids are negative; private chats are the user's (positive) id.
        interval = self.group_seconds if chat_id < 0 else self.chat_seconds
        burst = 1 if chat_id < 0 else self.chat_burst
        booked = self._next_in_chat.get(chat_id, 0.0)  # when the chat's spacing is used up
        at = max(now, self._next_any, booked - (burst - 1) * interval)
        self._next_any = at + self.spacing
        self._next_in_chat[chat_id] = max(booked, at) + interval
        if len(self._next_in_chat) > 10_000:
            self._next_in_chat = {c: t for c, t in self._next_in_chat.items() if t > now}
        if at > now:
            await self.sleep(at - now)

    def hold(self, chat_id: int, seconds: float) -> None:
        """Telegram said wait (429 retry_after): no send to this chat before then."""
        until = self.clock() + seconds
        interval = self.group_seconds if chat_id < 0 else self.chat_seconds
        burst = 1 if chat_id < 0 else self.chat_burst
        booked = until + (burst - 1) * interval  # so that `wait` sends nothing before `until`
        self._next_in_chat[chat_id] = max(self._next_in_chat.get(chat_id, 0.0), booked)
