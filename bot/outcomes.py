"""What a failed send means for an outbox item: try again, maybe arrived, blocked, or failed.

The line that matters is whether the request reached Telegram. A 429, a proxy's 502, or a
connection that was never made, means it did not: try again. A timeout while waiting for the
answer, a connection that broke after sending, or another 5xx (Telegram can carry a call out and
still answer 500) means it may have arrived: uncertain for a message to a worker, never resent
blindly; a notice or a file for volunteers is simply sent again (a repeat is harmless there).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

from bot.outgoing import Undeliverable
from bot.request import BadGateway, ConnectionBroke, NotSent


@dataclass(frozen=True)
class Outcome:
    """How a send ended: delivered, retry, uncertain, blocked or failed."""

    status: str
    error: str | None = None
    retry_after: float | None = None
    until: datetime | None = None  # retry not before this moment (items held back)


DELIVERED = Outcome("delivered")


def _retry_after(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB warns that retry_after will become a timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def classify(exc: Exception, *, for_worker: bool, partly_sent: bool = False) -> Outcome:
    """What a failed send means for the item.

    Args:
        exc: what the send raised.
        for_worker: the item is a message to a worker (a 403 means they blocked the bot).
        partly_sent: earlier parts of a long message went out (a retry would repeat them).

    """
    error = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, RetryAfter):
        outcome = Outcome("retry", error, _retry_after(exc))
    elif isinstance(exc, Forbidden):
        outcome = Outcome("blocked" if for_worker else "failed", error)
    elif isinstance(exc, NotSent | BadGateway):  # never reached Telegram
        outcome = Outcome("retry", error)
    elif isinstance(exc, TimedOut | ConnectionBroke):  # sent, no answer: maybe carried out
        outcome = Outcome("uncertain", error)
    elif isinstance(exc, BadRequest | ChatMigrated | Undeliverable):
        outcome = Outcome("failed", error)
    elif isinstance(exc, NetworkError) and (
        exc.__cause__ is None or isinstance(exc.__cause__, TelegramError)
    ):
        # An HTTP error answer (5xx): Telegram may have carried the call out first.
        outcome = Outcome("uncertain" if for_worker else "retry", error)
    else:  # other Telegram errors, surprises: not taken (failed after MAX_ATTEMPTS)
        outcome = Outcome("retry", error)
    if partly_sent and outcome.status == "retry":
        return Outcome("uncertain", f"sent in part; {error}")
    return outcome


def retry_seconds(
    outcome: Outcome, attempt: int, *, base: float = 0.5, most: float = 5.0
) -> float:
    """How long a call that was not taken waits: Telegram's retry_after exactly, else backoff."""
    if outcome.retry_after is not None:
        return outcome.retry_after
    return min(base * 2 ** max(attempt - 1, 0), most)
