"""Answers remembered while one message is handled, and forgotten right after.

Several handlers of one update ask the same pure questions about the same words (which
language is this, is it a crisis); the bot's intake opens `remembering()` around each update,
so each is worked out once. Nothing outlives the block: no worker's words stay in memory
between updates. Outside a block `remembered` simply computes. An index build opens
`building()`, so the articles' words are analysed once per build (`word_cached`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_memo: ContextVar[dict[Hashable, object] | None] = ContextVar("sathi_memo", default=None)
_build: ContextVar[dict[Hashable, object] | None] = ContextVar("sathi_build", default=None)


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


@contextmanager
def building() -> Iterator[None]:
    """While an index is built, `word_cached` functions keep their answers; dropped after."""
    token = _build.set({})
    try:
        yield
    finally:
        _build.reset(token)


def word_cached(function: Callable[..., T]) -> Callable[..., T]:
    """The function's answers kept for one update (`remembering`) or one build, never longer.

    For functions of single words: a worker's words must not stay in memory after their
    update, as they would in an lru_cache; the articles' words are worked out once per build.
    """

    @functools.wraps(function)
    def cached(*args: Hashable) -> T:
        store = _memo.get()
        if store is None:
            store = _build.get()
            if store is None:
                return function(*args)
        key = (cached, args)
        if key not in store:
            store[key] = function(*args)
        return store[key]  # type: ignore[return-value]

    return cached
