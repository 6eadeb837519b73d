"""What workers asked and did not find: counts per language and ISO week, no worker identity.

Three kinds of count: `no_match` (a question that matched no article), `unhelpful` / `helpful`
(the 👎 / 👍 under an article) and `left` (an article after which the worker did nothing more
for LEFT_AFTER: no More button, no other article, no question, no 👍/👎, no other button). A
question that matched nothing is also kept as text for editors, but only after removing
everything that could point at a person (digits, words with digits such as ids and phone
numbers, e-mail addresses, links, @names, capitalised words that may be names), and for
RETENTION_DAYS at most; its hash counts repeats of the same question.

To know that a worker left, the bot must remember for a while which article it showed them.
That is kept on their member row only (`shown_article`, encrypted like their chat id, and
`shown_article_at`), never with the counts, and never more than one article: it is cleared at
the worker's next step (and counted first if that step came LEFT_AFTER or more later), or
counted and cleared by `count_left` (the hourly retention run) once LEFT_AFTER has passed; it
is counted in the week it was shown.
The count itself holds the language, the article and the week, nothing about the worker.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sathi.db import utcnow
from sathi.models import GuideGap, Member, MissedQuery

RETENTION_DAYS = 30
LEFT_AFTER = datetime.timedelta(minutes=30)  # nothing more from the worker for this long: left
NO_MATCH, HELPFUL, UNHELPFUL, LEFT = "no_match", "helpful", "unhelpful", "left"
MAX_TEXT = 120
_DROP = re.compile(
    r"\S*\d\S*"            # anything with a digit: phone numbers, ids, amounts, dates
    r"|\S+@\S+|@\w+"       # e-mail addresses and @names
    r"|https?://\S+|www\.\S+"
    r"|\b[A-Z][\w'’-]*"    # capitalised Latin words: may be a person's or a company's name
)
_SPACES = re.compile(r"\s+")


def iso_week(day: datetime.date) -> str:
    """'2026-W49'."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def scrub(text: str) -> str:
    """The question without anything that looks like a name, a number or an id ('' if none)."""
    kept = _SPACES.sub(" ", _DROP.sub(" ", text)).strip(" .,!?;:-")
    return kept.lower()[:MAX_TEXT].strip()


async def _count(
    session: AsyncSession, *, week: str, lang: str, kind: str, slug: str = ""
) -> None:
    match = (GuideGap.week == week, GuideGap.lang == lang, GuideGap.kind == kind,
             GuideGap.slug == slug)
    bumped = await session.execute(update(GuideGap).where(*match).values(count=GuideGap.count + 1))
    if bumped.rowcount:
        return
    try:
        async with session.begin_nested():
            session.add(GuideGap(week=week, lang=lang, kind=kind, slug=slug, count=1))
    except IntegrityError:  # another instance inserted it at the same moment
        await session.execute(update(GuideGap).where(*match).values(count=GuideGap.count + 1))


async def record_miss(
    session: AsyncSession, *, lang: str, question: str, now: datetime.datetime | None = None
) -> None:
    """A question that matched nothing: counted, and kept scrubbed for 30 days."""
    now = now or utcnow()
    week = iso_week(now.date())
    await _count(session, week=week, lang=lang, kind=NO_MATCH)
    await session.execute(delete(MissedQuery).where(
        MissedQuery.created_at < now - datetime.timedelta(days=RETENTION_DAYS)
    ))
    text = scrub(question)
    if text:
        digest = hashlib.sha256(f"{lang}:{text}".encode()).hexdigest()
        session.add(MissedQuery(lang=lang, week=week, text=text, text_hash=digest,
                                created_at=now))


async def record_feedback(
    session: AsyncSession, *, lang: str, slug: str, helpful: bool,
    now: datetime.datetime | None = None,
) -> None:
    """A 👍 or 👎 under an article, counted per language and week."""
    week = iso_week((now or utcnow()).date())
    await _count(session, week=week, lang=lang, kind=HELPFUL if helpful else UNHELPFUL,
                 slug=slug)


def note_shown(member: Member, *, lang: str, slug: str,
               now: datetime.datetime | None = None) -> None:
    """The bot shows the worker an article: it waits to see whether they do anything after it."""
    member.shown_article, member.shown_article_at = f"{lang}:{slug}", now or utcnow()


async def settle_shown(
    session: AsyncSession, member: Member, *, now: datetime.datetime | None = None
) -> None:
    """The worker does something: an article shown less than LEFT_AFTER ago was not left."""
    if member.shown_article_at is None:
        return
    if (now or utcnow()) - member.shown_article_at >= LEFT_AFTER:
        await _count_left(session, member)  # they came back later: they had left it
    member.shown_article = member.shown_article_at = None


async def count_left(session: AsyncSession, *, now: datetime.datetime | None = None) -> int:
    """Counts every article shown LEFT_AFTER ago or more with nothing after it; clears them."""
    due = select(Member).where(Member.shown_article_at <= (now or utcnow()) - LEFT_AFTER)
    members = list(await session.scalars(due))
    for member in members:
        await _count_left(session, member)
        member.shown_article = member.shown_article_at = None
    return len(members)


async def _count_left(session: AsyncSession, member: Member) -> None:
    lang, _, slug = (member.shown_article or "").partition(":")
    if slug and member.shown_article_at is not None:
        await _count(session, week=iso_week(member.shown_article_at.date()), lang=lang,
                     kind=LEFT, slug=slug)


@dataclass(frozen=True)
class MissedCount:
    """One scrubbed question and how often it was asked that week."""

    lang: str
    week: str
    text: str
    count: int


async def report(
    session: AsyncSession, *, weeks: int = 8, lang: str | None = None,
    now: datetime.datetime | None = None,
) -> tuple[list[GuideGap], list[MissedCount]]:
    """The counts of the last `weeks` weeks (newest first) and the recent missed questions."""
    now = now or utcnow()
    since = iso_week((now - datetime.timedelta(weeks=weeks)).date())
    counts = select(GuideGap).where(GuideGap.week > since).order_by(
        GuideGap.week.desc(), GuideGap.lang, GuideGap.kind, GuideGap.count.desc(), GuideGap.slug
    )
    missed = select(
        MissedQuery.lang, MissedQuery.week, func.min(MissedQuery.text),
        func.count(MissedQuery.id).label("n"),
    ).where(
        MissedQuery.created_at >= now - datetime.timedelta(days=RETENTION_DAYS)
    ).group_by(MissedQuery.lang, MissedQuery.week, MissedQuery.text_hash).order_by(
        MissedQuery.week.desc(), func.count(MissedQuery.id).desc()
    ).limit(500)
    if lang is not None:
        counts = counts.where(GuideGap.lang == lang)
        missed = missed.where(MissedQuery.lang == lang)
    rows = list(await session.scalars(counts))
    found = [MissedCount(*row) for row in await session.execute(missed)]
    return rows, found
