"""Privacy tables: the bot's recent messages, case reads, login throttling, lockdown."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sathi.crypto import EncryptedText
from sathi.db import Base, UTCDateTime, utcnow


class BotMessage(Base):
    """A message the bot sent to a worker's private chat, for the 48 hours it can be deleted.

    Kept encrypted under the worker's key, only while Telegram still lets the bot delete it.
    """

    __tablename__ = "bot_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_key: Mapped[str] = mapped_column(String(64), index=True)
    message_ref: Mapped[str] = mapped_column(EncryptedText)  # "<chat id>:<message id>"
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class CaseAccess(Base):
    """Who read which case and when; never any content. Kept after the case is erased."""

    __tablename__ = "case_access"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(Integer, index=True)
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class LoginThrottle(Base):
    """Failed logins in a row for one account or one client address (a keyed hash of either)."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Lockdown(Base):
    """At most one row: while it is active the API shows no case content."""

    __tablename__ = "lockdown"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ChatProof(Base):
    """A volunteer proving their Telegram chat: a code the bot sent there, entered back."""

    __tablename__ = "chat_proof"

    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True
    )
    code_hash: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
