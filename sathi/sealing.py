"""Which key encrypts what: a case's words with the case's key, a worker's chat id with theirs.

Mapper events mark the values about to be written as `Sealed(text, key name)`; the
EncryptedText column type (sathi/crypto.py) then encrypts them with that key of the key store.
Erasing a case or a worker destroys the key (sathi/services/erasure.py), so every copy of those
rows -- the live database, its WAL, an old backup -- stops being readable.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import attributes

from sathi.crypto import Sealed, current_vault
from sathi.models import Case, CaseMessage, CaseNote, Member, OutboxItem
from sathi.models_privacy import BotMessage


def case_key_name(case_id: int) -> str:
    """The key-store name of a case's key."""
    return f"case-{case_id}"


def member_key_name(telegram_key: str) -> str:
    """The key-store name of a worker's key (by their pseudonym)."""
    return f"member-{telegram_key}"


def sender_key_name(data: Any) -> str | None:
    """The key-store name of the key a Telegram update is sealed with: its sender's, if any."""
    for kind in ("message", "edited_message", "callback_query"):
        found = data.get(kind) if isinstance(data, dict) else None
        sender = found.get("from") if isinstance(found, dict) else None
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return member_key_name(current_vault().pseudonym("telegram-user", sender["id"]))
    return None


def seal_update(payload: str) -> str:
    """A stored Telegram update, to be encrypted with its sender's key (erased with them)."""
    try:
        data = json.loads(payload)
    except ValueError:
        return payload
    name = sender_key_name(data)
    return payload if name is None else Sealed(payload, name)


def _seal(target: Any, names: tuple[str, ...], key_name: str, *, insert: bool) -> None:
    for name in names:
        value = getattr(target, name)
        if not isinstance(value, str) or isinstance(value, Sealed):
            continue
        if insert or attributes.get_history(target, name).added:
            setattr(target, name, Sealed(value, key_name))


def _register(cls: type, names: tuple[str, ...], key_of) -> None:  # noqa: ANN001
    def before_insert(mapper: Any, connection: Any, target: Any) -> None:
        key_name = key_of(target)
        if key_name is not None:
            _seal(target, names, key_name, insert=True)

    def before_update(mapper: Any, connection: Any, target: Any) -> None:
        key_name = key_of(target)
        if key_name is not None:
            _seal(target, names, key_name, insert=False)

    event.listen(cls, "before_insert", before_insert)
    event.listen(cls, "before_update", before_update)


def _case_of(target: Any) -> str | None:
    return None if target.case_id is None else case_key_name(target.case_id)


_register(CaseMessage, ("text", "file_id"), _case_of)
_register(CaseNote, ("text",), _case_of)
_register(OutboxItem, ("payload_text", "chat_id"), _case_of)
_register(Case, ("rating_comment",),
          lambda case: None if case.id is None else case_key_name(case.id))
_register(Member, ("chat_id",), lambda member: member_key_name(member.telegram_key))
_register(BotMessage, ("message_ref",), lambda sent: member_key_name(sent.telegram_key))


async def fresh_case_key(case: Case) -> None:
    """Gives a case just inserted a new key: it never inherits an erased case's key.

    SQLite hands out ids again; any key left under this name is destroyed before the case's
    first words are written. In a thread: a commit of the key store waits for the disk, and
    would hold the event loop meanwhile.
    """
    await asyncio.to_thread(current_vault().renew_keys, [case_key_name(case.id)])
