"""Proving one's Telegram chat: the code the bot sent there, entered back."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from admin_api.deps import CurrentStaff, SessionDep
from admin_api.errors import ERROR_RESPONSES
from sathi.services import chat_proof

router = APIRouter(prefix="/auth/me/telegram-chat", tags=["auth"], responses=ERROR_RESPONSES)


class ChatCode(BaseModel):
    """The 6-digit code the bot sent to the chat set in the profile."""

    code: str = Field(pattern=r"^\s*\d{6}\s*$")


@router.post("/verify", status_code=status.HTTP_204_NO_CONTENT)
async def verify_chat(session: SessionDep, staff: CurrentStaff, body: ChatCode) -> None:
    """Proves the chat: from now on requested files may be sent to it."""
    await chat_proof.verify(session, staff, body.code)
