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

An offset page (the first page too) costs two statements: the segments' sizes (which are the
total), then the page's rows straight from the segment(s) it falls in. Its ids are found by a
walk over the index from the segment's nearer end, so the cost grows with the distance to the
nearer end of the list, not with the offset; still, a page in the middle of 100,000 cases walks
50,000 entries (5-15 ms), which is why the cursor is the way to page deep.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Row, func, select, tuple_, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from sathi.crypto import current_vault
from sathi.enums import Urgency
from sathi.errors import Invalid
from sathi.models import Case

# The list's order of urgencies: every case of the first before any of the next.
URGENCY_ORDER = (Urgency.urgent, Urgency.normal)
assert set(URGENCY_ORDER) == set(Urgency), "every urgency has its place in the list's order"
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


def _segment(urgency: Urgency, conditions: list[ColumnElement[bool]]) -> list[ColumnElement[bool]]:
    return [Case.urgency == urgency, *conditions]


async def _after(
    session: AsyncSession, conditions: list[ColumnElement[bool]], *, limit: int, after: Position,
) -> list[Row]:
    """Up to `limit` cases in the list's order after a position.

    Usually one query: the position's segment holds the page; a seek in the index, however deep.
    """
    found: list[Row] = []
    for urgency in URGENCY_ORDER[URGENCY_ORDER.index(after.urgency):]:
        where = _segment(urgency, conditions)
        if urgency == after.urgency:
            where.append(tuple_(Case.created_at, Case.id) > (after.created_at, after.case_id))
        found += await session.execute(
            select(*LISTED).where(*where).order_by(Case.created_at, Case.id)
            .limit(limit - len(found)))
        if len(found) >= limit:
            break
    return found


async def _sizes(session: AsyncSession, conditions: list[ColumnElement[bool]]) -> list[int]:
    """How many cases match in each segment, in one statement: the total and all but the last.

    The total is a count of its own (not a sum over the segments) because SQLite counts a whole
    table without reading it, and the last segment, mostly the largest, is then never counted.
    """
    total = select(func.count()).select_from(Case).where(*conditions).scalar_subquery()
    firsts = [select(func.count()).select_from(Case).where(*_segment(urgency, conditions))
              .scalar_subquery() for urgency in URGENCY_ORDER[:-1]]
    counted = [int(n or 0) for n in (await session.execute(select(total, *firsts))).one()]
    return [*counted[1:], counted[0] - sum(counted[1:])]


def _ids(urgency: Urgency, conditions: list[ColumnElement[bool]], start: int, stop: int,
         size: int):  # noqa: ANN202
    """The ids at places start..stop of a segment of `size` cases, walking from its nearer end.

    An offset walks over every index entry before it; from the end, a page near the last one
    walks over the few after it instead (the 80,000th of 100,000 cases: 20,000, not 80,000).
    """
    query = select(Case.id).where(*_segment(urgency, conditions))
    if start > size - stop:
        return query.order_by(Case.created_at.desc(), Case.id.desc()).limit(stop - start) \
            .offset(size - stop)
    return query.order_by(Case.created_at, Case.id).limit(stop - start).offset(start)


async def _at_offset(
    session: AsyncSession, conditions: list[ColumnElement[bool]], *, limit: int, offset: int,
) -> tuple[list[Row], int]:
    """The page at an offset and the total: two statements whatever the offset.

    The segments' sizes come first, so the page is read straight from the segment(s) it falls
    in (ids by the index only, then the rows of those ids), never by walking past a segment.
    """
    sizes = await _sizes(session, conditions)
    picks = []
    start = 0
    for urgency, size in zip(URGENCY_ORDER, sizes, strict=True):
        first, stop = max(offset - start, 0), min(offset + limit - start, size)
        if first < stop:
            picks.append(_ids(urgency, conditions, first, stop, size).subquery())
        start += size
    if not picks:
        return [], sum(sizes)
    # id IN (ids of one segment UNION ALL ids of the next): PostgreSQL turns an OR of two INs
    # into a scan of the whole table.
    ids = union_all(*(select(pick.c.id) for pick in picks))
    rows = list(await session.execute(select(*LISTED).where(Case.id.in_(ids))))
    rows.sort(key=lambda row: (URGENCY_ORDER.index(row.urgency), row.created_at, row.id))
    return rows, sum(sizes)


async def page(
    session: AsyncSession, conditions: list[ColumnElement[bool]], *, filters: str,
    limit: int, offset: int = 0, cursor: str | None = None,
) -> CasePage:
    """One page of the cases matching `conditions` (filters: their canonical text, for cursors)."""
    if cursor is not None and offset:
        raise Invalid("give either cursor or offset, not both", field="cursor",
                      location="query")
    if cursor is None:
        items, total = await _at_offset(session, conditions, limit=limit, offset=offset)
        more = offset + len(items) < total
    else:
        after = decode_cursor(cursor, filters)
        found = await _after(session, conditions, limit=limit + 1, after=after)
        items, more, total = found[:limit], len(found) > limit, None
    next_cursor = encode_cursor(_position(items[-1]), filters) if more and items else None
    return CasePage(items=items, total=total, limit=limit,
                    offset=None if cursor is not None else offset, next_cursor=next_cursor)
