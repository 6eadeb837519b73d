"""A volunteer proves their Telegram chat before a worker's file is sent to it.

Setting a chat id (by an admin or in one's profile) sends a 6-digit code there through the
outbox; the volunteer enters it back (POST /api/v1/auth/me/telegram-chat/verify) within 30
minutes, with at most 5 tries. Until then no file goes to that chat. Changing the chat id starts
over. The code is kept only as a keyed hash.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from sathi import outbox
from sathi.crypto import current_vault
from sathi.db import utcnow
from sathi.enums import OutboxKind
from sathi.errors import Invalid
from sathi.models import Staff
from sathi.models_privacy import ChatProof

VALID_FOR = timedelta(minutes=30)
MAX_TRIES = 5


def _hash(staff_id: int, code: str) -> str:
    return current_vault().pseudonym("chat-proof", f"{staff_id}:{code}")


async def send_code(session: AsyncSession, staff: Staff) -> None:
    """Starts (or restarts) the proof for the staff member's current chat id."""
    proof = await session.get(ChatProof, staff.id)
    if proof is None:
        proof = ChatProof(staff_id=staff.id, attempts=0)
        session.add(proof)
    proof.verified_at = None
    proof.attempts = 0
    if staff.telegram_chat_id is None:
        proof.code_hash = proof.expires_at = None
        return
    code = f"{secrets.randbelow(10**6):06d}"
    proof.code_hash = _hash(staff.id, code)
    proof.expires_at = utcnow() + VALID_FOR
    await outbox.enqueue(session, kind=OutboxKind.verify, chat_id=staff.telegram_chat_id,
                         payload={"code": code, "username": staff.username})


async def verify(session: AsyncSession, staff: Staff, code: str) -> None:
    """Accepts the code; Invalid (and one try less) otherwise."""
    proof = await session.get(ChatProof, staff.id)
    if proof is None or proof.code_hash is None or staff.telegram_chat_id is None:
        raise Invalid("no code was sent: set your Telegram chat id first", field="code")
    if proof.verified_at is not None:
        return
    if proof.expires_at is None or proof.expires_at < utcnow() or proof.attempts >= MAX_TRIES:
        raise Invalid("the code has expired or was tried too often: set the chat id again to "
                      "get a new one", field="code")
    proof.attempts += 1
    if not hmac.compare_digest(proof.code_hash, _hash(staff.id, code.strip())):
        await session.commit()  # the try counts although the request fails
        raise Invalid("is not the code the bot sent", field="code")
    proof.verified_at = utcnow()
    proof.code_hash = None


async def is_verified(session: AsyncSession, staff: Staff) -> bool:
    """True when the staff member proved the chat id they have now."""
    proof = await session.get(ChatProof, staff.id)
    return proof is not None and proof.verified_at is not None


async def state(session: AsyncSession, staff: Staff) -> str:
    """'none' (no chat set), 'verified', 'waiting' (a code to enter) or 'expired'."""
    proof = await session.get(ChatProof, staff.id)
    if staff.telegram_chat_id is None:
        return "none"
    if proof is not None and proof.verified_at is not None:
        return "verified"
    if (proof is None or proof.code_hash is None or proof.expires_at is None
            or proof.expires_at < utcnow() or proof.attempts >= MAX_TRIES):
        return "expired"
    return "waiting"
