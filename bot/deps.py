"""One database transaction per update, and the replies sent only after it has committed."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from telegram import Bot, Update
from telegram.error import BadRequest, RetryAfter, TelegramError

from bot import api, guidance
from bot.context import Delivery, Outgoing, SathiContext
from bot.outcomes import classify, retry_seconds
from bot.ratelimit import RateLimiter
from bot.work import UpdateWork, current
from sathi.services import escalation, gaps

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)

Handler = Callable[[Update, SathiContext], Awaitable[None]]
RETRIES = 20  # 429s and calls that never reached Telegram, per Bot API call of an answer


def with_member(handler: Handler) -> Handler:
    """Runs the handler in the update's transaction with the member and their language loaded.

    Under the intake (bot.work) the transaction and the replies belong to the stored update:
    they are committed and sent once every handler has run. Otherwise (`sathi chat`, tests that
    feed updates directly) the handler gets its own transaction and replies after its commit.
    """

    @functools.wraps(handler)
    async def wrapper(update: Update, context: SathiContext) -> None:
        if update.effective_user is None or update.effective_chat is None:
            return
        work = current()
        if work is not None:
            if work.failed:  # an earlier handler failed: the whole update is retried later
                return
            try:
                await _run(handler, update, context, work.session, work)
            except BaseException:
                work.failed = True
                raise
            work.outgoing.extend(context.outbox)
            context.outbox = []
            return
        async with context.runtime.sessionmaker.begin() as session:
            await _run(handler, update, context, session)
        await deliver(context.bot, update, context.outbox)
        context.outbox = []

    return wrapper


async def _run(
    handler: Handler, update: Update, context: SathiContext, session: AsyncSession,
    work: UpdateWork | None = None,
) -> None:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    context.outbox = []
    member, cases = (work.member, work.cases) if work is not None else (None, None)
    if member is None or member not in session:  # the alerts' handler loaded it already
        member, cases = await escalation.member_with_cases(
            session, telegram_user_id=user.id, chat_id=chat.id
        )
        if work is not None:
            work.member, work.cases = member, cases
    await gaps.settle_shown(session, member)  # any step after an article: they did not leave it
    context.session, context.member, context.cases = session, member, cases
    context.locale = member.locale or _guess_locale(update, context)
    context.phone_locale = context.runtime.catalogs.normalize(user.language_code)
    try:
        await handler(update, context)
    finally:
        context.session = None
        if work is not None:
            work.cases = context.cases  # None once a handler routed a message to a case


def _guess_locale(update: Update, context: SathiContext) -> str:
    """For a worker who has not chosen: the language they write in, else Telegram's, else ours.

    Only the worker's own words are evidence: a /command is not a word of any language, and a
    pressed button's message is the bot's own text (in the language it guessed before).
    """
    catalogs = context.runtime.catalogs
    message = update.message or update.edited_message  # never the message under a button
    text = (message.text or message.caption) if message else None
    if text and text.lstrip().startswith("/"):
        text = None
    code = update.effective_user.language_code if update.effective_user else None
    return (
        guidance.language_of(context.kb, catalogs.available, text)
        or catalogs.normalize(code)
        or catalogs.default
    )


async def deliver(
    bot: Bot, update: Update, outbox: Sequence[Outgoing], limiter: RateLimiter | None = None
) -> None:
    """Sends the queued replies in order, then acknowledges a pressed button.

    Each call waits for the rate limiter the delivery loop uses (one per chat, a pace for the
    bot), and a 429 is waited out (Telegram's retry_after) and tried again, as is a call that
    never reached Telegram; so a fast-writing worker gets every answer, in order. An update with
    no chat (an inline query, a press under an inline message) has nothing to send.
    """
    chat = update.effective_chat
    query = update.callback_query
    if chat is None:
        if query is not None:
            await _quietly(query.answer())
        return
    send = functools.partial(_paced, limiter, chat.id)
    pressed = query.message if query else None
    for outgoing in outbox:
        if outgoing.delivery is Delivery.DETACH:
            if pressed is not None:
                await _quietly(send(functools.partial(
                    api.drop_markup, bot, chat.id, pressed.message_id)))
            continue
        chunks = list(outgoing.chunks)
        if outgoing.delivery is Delivery.REPLACE and pressed is not None and len(chunks) == 1:
            await _replace(send, bot, chat.id, pressed.message_id, outgoing)
            continue
        for index, chunk in enumerate(chunks):
            markup = outgoing.markup if index == len(chunks) - 1 else None
            await send(functools.partial(api.send_text, bot, chat.id, chunk, markup))
    if query is not None:
        await _quietly(query.answer())


async def _paced(
    limiter: RateLimiter | None, chat_id: int, call: Callable[[], Awaitable[object]]
) -> object:
    """One Bot API call under the limiter, tried again while Telegram did not take it."""
    for attempt in range(1, RETRIES + 1):
        if limiter is not None:
            await limiter.wait(chat_id)
        try:
            return await call()
        except TelegramError as exc:
            outcome = classify(exc, for_worker=True)
            if outcome.status != "retry" or attempt == RETRIES:
                raise
            wait = retry_seconds(outcome, attempt)
            if isinstance(exc, RetryAfter) and limiter is not None:
                limiter.hold(chat_id, wait)
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")


async def _replace(
    send: Callable[[Callable[[], Awaitable[object]]], Awaitable[object]], bot: Bot,
    chat_id: int, message_id: int, out: Outgoing,
) -> None:
    try:
        await send(functools.partial(
            api.edit_text, bot, chat_id, message_id, out.chunks[0], out.markup))
    except BadRequest as exc:
        if "not modified" in str(exc).lower():
            return  # the same button pressed twice
        # Too old or not ours to edit: a new message says the same.
        await send(functools.partial(api.send_text, bot, chat_id, out.chunks[0], out.markup))


async def _quietly(call: Awaitable[object]) -> None:
    """Cosmetic calls (answering a button, removing old buttons) must not fail an update."""
    try:
        await call
    except BadRequest as exc:
        log.debug("cosmetic Bot API call refused: %s", type(exc).__name__)
