"""Named facts in the database: imported from facts.yaml, new values added by editors."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge import facts as fact_files
from knowledge.facts import Fact as FactFile
from knowledge.facts import FactValue as FactValueFile
from sathi.db import utcnow
from sathi.errors import Conflict, Invalid, NotFound
from sathi.models import Article, Fact, FactValue, Staff


@dataclass(frozen=True)
class FactImport:
    """What a facts import changed."""

    facts_added: int
    values_added: int
    values_updated: int


def as_file(row: Fact) -> FactFile:
    """A database fact as the knowledge package's plain object."""
    values = tuple(
        FactValueFile(v.value, v.valid_from, v.source, v.valid_until)
        for v in sorted(row.values, key=lambda v: v.valid_from)
    )
    return FactFile(row.name, row.kind, row.description, values)


async def load_facts(session: AsyncSession) -> dict[str, FactFile]:
    """Every fact with its values."""
    rows = await session.scalars(select(Fact).order_by(Fact.name))
    return {row.name: as_file(row) for row in rows}


async def get_fact(session: AsyncSession, name: str) -> Fact:
    """One fact row, or NotFound."""
    row = await session.get(Fact, name)
    if row is None:
        raise NotFound(f"fact {name!r} not found")
    return row


async def import_facts(session: AsyncSession, facts: dict[str, FactFile]) -> FactImport:
    """Adds the facts and values of the files that the database lacks; changes differing ones."""
    existing = {row.name: row for row in await session.scalars(select(Fact))}
    facts_added = values_added = values_updated = 0
    for fact in facts.values():
        row = existing.get(fact.name)
        if row is None:
            row = Fact(name=fact.name, kind=fact.kind, description=fact.description, values=[])
            session.add(row)
            facts_added += 1
        else:
            row.kind, row.description = fact.kind, fact.description
        by_start = {value.valid_from: value for value in row.values}
        for value in fact.values:
            stored = by_start.get(value.valid_from)
            if stored is None:
                row.values.append(FactValue(
                    value=value.value, valid_from=value.valid_from,
                    valid_until=value.valid_until, source=value.source,
                ))
                values_added += 1
            elif (stored.value, stored.valid_until, stored.source) != (
                value.value, value.valid_until, value.source
            ):
                stored.value, stored.valid_until = value.value, value.valid_until
                stored.source = value.source
                stored.created_at = utcnow()  # so the bot's knowledge base notices the change
                values_updated += 1
    await session.flush()
    return FactImport(facts_added, values_added, values_updated)


async def add_value(
    session: AsyncSession, *, staff: Staff, name: str, value: str,
    valid_from: datetime.date, source: str, valid_until: datetime.date | None = None,
) -> Fact:
    """A new value of a fact from a date on; every language shows it from that date."""
    row = await get_fact(session, name)
    problems = fact_files.check_value(row.kind, value.strip())
    if problems:
        raise Invalid(problems[0], field="value")
    if not fact_files.is_url(source.strip()):
        raise Invalid("the source must be the http(s) URL the value comes from", field="source")
    if valid_until is not None and valid_until <= valid_from:
        raise Invalid("valid_until must be after valid_from", field="valid_until")
    if any(v.valid_from == valid_from for v in row.values):
        raise Conflict(f"fact {name!r} already has a value from {valid_from.isoformat()}")
    row.values.append(FactValue(
        value=value.strip(), valid_from=valid_from, valid_until=valid_until,
        source=source.strip(), created_by_id=staff.id,
    ))
    await session.flush()
    return row


@dataclass(frozen=True)
class DueFact:
    """A fact whose value stops applying soon (or already has) with no newer value entered."""

    name: str
    description: str
    value: str
    ends: datetime.date
    expired: bool


def due_facts(
    facts: dict[str, FactFile], today: datetime.date, within_days: int
) -> list[DueFact]:
    """Facts ending within the window, the ones already ended first, then by end date."""
    horizon = today + datetime.timedelta(days=within_days)
    due = []
    for fact in facts.values():
        ends = fact.ends(today)
        shown = fact.shown(today)
        if ends is not None and shown is not None and ends <= horizon:
            due.append(DueFact(fact.name, fact.description, shown.value, ends, ends <= today))
    return sorted(due, key=lambda d: (not d.expired, d.ends, d.name))


async def list_facts(session: AsyncSession) -> list[Fact]:
    """Every fact row with its values, by name."""
    return list(await session.scalars(select(Fact).order_by(Fact.name)))


async def articles_using(session: AsyncSession) -> dict[str, list[tuple[str, str]]]:
    """For each fact name, the published article texts (slug, lang) that refer to it."""
    uses: dict[str, set[tuple[str, str]]] = {}
    for slug, lang, body in await session.execute(select(Article.slug, Article.lang,
                                                         Article.body)):
        for name in fact_files.references(body):
            uses.setdefault(name, set()).add((slug, lang))
    return {name: sorted(found) for name, found in uses.items()}
