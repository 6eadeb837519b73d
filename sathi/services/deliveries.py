"""Volunteers and delivery: resend or dismiss a doubtful message, fetch a worker's file.

A worker's voice note, photo or document stays a Telegram file id; the bot sends it by that id
to the volunteer's own chat on request, and Sathi never downloads it.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from sathi import outbox
from sathi.enums import FILE_KINDS, CaseEventKind, MessageDirection, OutboxKind
from sathi.errors import Conflict, InvalidTransition, NotFound
from sathi.models import Case, CaseMessage, Staff
from sathi.services import access, case_state, chat_proof


async def _message(
    session: AsyncSession, staff: Staff, case_id: int, message_id: int
) -> tuple[Case, CaseMessage]:
    access.require_case_worker(staff)
    case = access.ensure_visible(
        staff, await case_state.load_case(session, case_id, for_update=True), case_id
    )
    message = next((m for m in case.messages if m.id == message_id), None)
    if message is None:
        raise NotFound(f"message {message_id} not found in case {case_id}")
    return case, message


@case_state.one_writer
async def resend_message(
    session: AsyncSession, *, staff: Staff, case_id: int, message_id: int
) -> Case:
    """Queues a failed, uncertain or blocked message to the worker again."""
    case, message = await _message(session, staff, case_id, message_id)
    if message.delivery is None:
        raise InvalidTransition("only messages to the worker are delivered")
    await outbox.requeue(session, item=message.delivery, actor_id=staff.id)
    return await case_state.reload(session, case)


@case_state.one_writer
async def dismiss_message(
    session: AsyncSession, *, staff: Staff, case_id: int, message_id: int
) -> Case:
    """Marks a delivery problem as handled without sending again."""
    case, message = await _message(session, staff, case_id, message_id)
    if message.delivery is None:
        raise InvalidTransition("only messages to the worker are delivered")
    await outbox.dismiss(session, item=message.delivery, actor_id=staff.id)
    return await case_state.reload(session, case)


@case_state.one_writer
async def request_file(
    session: AsyncSession, *, staff: Staff, case_id: int, message_id: int
) -> Case:
    """Has the bot send a worker's file to the volunteer's own Telegram chat, by file id.

    The request is recorded in the audit trail.

    Raises:
        InvalidTransition: the message carries no file.
        Conflict: the volunteer has not set their Telegram chat id.

    """
    case, message = await _message(session, staff, case_id, message_id)
    if (
        message.direction != MessageDirection.inbound
        or message.kind not in FILE_KINDS
        or not message.file_id
    ):
        raise InvalidTransition("this message carries no file")
    if staff.telegram_chat_id is None:
        raise Conflict("set your Telegram chat id in your profile first (PATCH /api/v1/auth/me)")
    if not await chat_proof.is_verified(session, staff):
        raise Conflict("prove your Telegram chat first: enter the code the bot sent there "
                       "(POST /api/v1/auth/me/telegram-chat/verify)")
    payload = {"file_id": message.file_id, "media": str(message.kind), "reference": case.reference}
    await outbox.enqueue(
        session, kind=OutboxKind.file, chat_id=staff.telegram_chat_id, payload=payload,
        case_id=case.id,
    )
    case_state.record(session, case, CaseEventKind.file_requested, actor=staff,
                      detail=f"message {message.id}")
    return await case_state.reload(session, case)
