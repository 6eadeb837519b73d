"""Answers remembered while one message is handled, and forgotten right after.

Several handlers of one update ask the same pure questions about the same words (which
language is this, is it a crisis); the bot's intake opens `remembering()` around each update,
so each is worked out once. Nothing outlives the block: no worker's words stay in memory
between updates. Outside a block `remembered` simply computes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_memo: ContextVar[dict[Hashable, object] | None] = ContextVar("sathi_memo", default=None)


@contextmanager
def remembering() -> Iterator[None]:
    """Within the block, `remembered` computes each key once."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remembered(key: Hashable, compute: Callable[[], T]) -> T:
    """compute(), or what it gave for this key earlier in the block."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[return-value]
