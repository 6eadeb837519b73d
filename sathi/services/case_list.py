"""One page of the case list, in the list's order, by offset or by keyset cursor, cheaply at scale.

The order is urgent first, then oldest first: (urgency rank, created_at, id). Each urgency is
read as its own segment, `WHERE <filters> AND urgency = U ORDER BY created_at, id`, which the
composite indexes on Case (sathi/models.py: ix_case_queue and its lang/status variants) serve in
index order, so a page reads about `limit` index entries instead of sorting every match.

A cursor names the last case of a page (its urgency, created_at and id) and is signed with the
vault's keyed hash over that position and the filters, so a page continues exactly after it,
whatever was added or changed meanwhile, and a cursor that was altered, or is used with other
filters than the ones it came from, is refused (Invalid, a 422) instead of silently listing
something else. Cursor pages carry no total: counting every match is the one cost that grows
with the table, so only offset pages (page numbers) pay for it.

An offset still works and is exact; it costs a walk over the `offset` index entries before the
page (about 10-20 ms at 100,000 on this machine), which is why the cursor is the way to page deep.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Row, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from sathi.crypto import current_vault
from sathi.enums import Urgency
from sathi.errors import Invalid
from sathi.models import Case

# The list's order of urgencies: every case of the first before any of the next.
URGENCY_ORDER = (Urgency.urgent, Urgency.normal)
# What a listed case shows (admin_api.schemas.CaseRead, the console's queue): plain rows, not ORM
# objects, so a page of 50 costs no identity map, no instance state, no attribute events; and no
# rating comment, so nothing of a case's words is read or decrypted for the list.
LISTED = tuple(Case.__table__.c[name] for name in (
    "id", "reference", "status", "urgency", "lang", "topic", "assignee_id", "created_at",
    "updated_at", "last_worker_message_at", "resolved_at", "closed_at", "worker_blocked_at",
    "erased_at", "rating",
))
_SIGNATURE_CHARS = 22


@dataclass(frozen=True)
class Position:
    """Where a page ended: the last case's place in the list's order."""

    urgency: Urgency
    created_at: datetime
    case_id: int


@dataclass(frozen=True)
class CasePage:
    """One page of a case list; total only on offset pages, next_cursor when more follow.

    The items are rows of the LISTED columns, read by attribute like a Case (`row.reference`).
    """

    items: list[Row]
    total: int | None
    limit: int
    offset: int | None
    next_cursor: str | None


def _signature(body: str, filters: str) -> str:
    return current_vault().pseudonym("case-list-cursor", f"{body}|{filters}")[:_SIGNATURE_CHARS]


def encode_cursor(position: Position, filters: str) -> str:
    """An opaque cursor for the page after `position`, valid with these filters only."""
    body = json.dumps([position.urgency.value, position.created_at.isoformat(),
                       position.case_id], separators=(",", ":"))
    raw = f"{body}|{_signature(body, filters)}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, filters: str) -> Position:
    """The position a cursor names; Invalid (field cursor) for anything this API did not give."""
    refused = Invalid(
        "is not a cursor of this list: pass the next_cursor of the previous page unchanged, "
        "with the same filters", field="cursor", location="query",
    )
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        body, signature = raw.rsplit("|", 1)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise refused from None
    if not hmac.compare_digest(signature, _signature(body, filters)):
        raise refused
    urgency, created_at, case_id = json.loads(body)
    return Position(Urgency(urgency), datetime.fromisoformat(created_at), int(case_id))


def _position(case: Row) -> Position:
    return Position(case.urgency, case.created_at, case.id)


async def _segments(
    session: AsyncSession, conditions: list[ColumnElement[bool]], *,
    limit: int, offset: int = 0, after: Position | None = None,
) -> list[Row]:
    """Up to `limit` cases in the list's order, from an offset or after a position.

    Usually one query: the first segment holds the page. A deep offset first walks the index for
    ids only (no row is read for the cases it skips), then reads the page's rows.
    """
    found: list[Row] = []
    for urgency in URGENCY_ORDER:
        if after is not None and URGENCY_ORDER.index(urgency) < URGENCY_ORDER.index(after.urgency):
            continue
        where = [Case.urgency == urgency, *conditions]
        if after is not None and urgency == after.urgency:
            where.append(tuple_(Case.created_at, Case.id) > (after.created_at, after.case_id))
        wanted = limit - len(found)
        if offset:
            ids = list(await session.scalars(
                select(Case.id).where(*where).order_by(Case.created_at, Case.id)
                .limit(wanted).offset(offset)
            ))
            rows = {case.id: case for case in await session.execute(
                select(*LISTED).where(Case.id.in_(ids)))} if ids else {}
            page = [rows[case_id] for case_id in ids if case_id in rows]
        else:
            page = list(await session.execute(
                select(*LISTED).where(*where).order_by(Case.created_at, Case.id).limit(wanted)
            ))
        found += page
        if len(found) >= limit:
            break
        if offset and not page:  # the offset is past this segment: skip its cases
            count = await session.scalar(select(func.count()).select_from(Case).where(*where))
            offset = max(0, offset - int(count or 0))
        else:
            offset = 0
    return found


async def page(
    session: AsyncSession, conditions: list[ColumnElement[bool]], *, filters: str,
    limit: int, offset: int = 0, cursor: str | None = None,
) -> CasePage:
    """One page of the cases matching `conditions` (filters: their canonical text, for cursors)."""
    if cursor is not None and offset:
        raise Invalid("give either cursor or offset, not both", field="cursor",
                      location="query")
    after = decode_cursor(cursor, filters) if cursor is not None else None
    found = await _segments(session, conditions, limit=limit + 1, offset=offset, after=after)
    items = found[:limit]
    next_cursor = encode_cursor(_position(items[-1]), filters) if len(found) > limit else None
    total = None
    if cursor is None and next_cursor is None and (items or not offset):
        total = offset + len(items)  # the last page: what precedes it and what is on it
    elif cursor is None:
        total = await session.scalar(select(func.count()).select_from(Case).where(*conditions))
    return CasePage(items=items, total=None if total is None else int(total), limit=limit,
                    offset=None if cursor is not None else offset, next_cursor=next_cursor)
