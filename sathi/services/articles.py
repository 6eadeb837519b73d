"""Articles in the database: imported from knowledge/ files as revisions, served to the bot.

The `article` table holds one row per published revision (slug, language): the bot builds its
knowledge base from these rows, with the facts they name written in for the language and day.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge import facts as fact_files
from knowledge.models import Article as ArticleFile
from sathi.db import utcnow
from sathi.enums import ArticleEventKind, ChangeKind, RevisionState
from sathi.models import Article, ArticleRevision, FactValue
from sathi.services import editing
from sathi.services import facts as fact_service

KOREA = ZoneInfo("Asia/Seoul")  # laws and their dates apply in Korean time
WAITING = (RevisionState.draft, RevisionState.in_review, RevisionState.approved)


def today_in_korea(now: datetime.datetime | None = None) -> datetime.date:
    """The date in Korea (a new fact value applies from midnight there)."""
    return (now or datetime.datetime.now(datetime.UTC)).astimezone(KOREA).date()


@dataclass(frozen=True)
class ImportReport:
    """What an import changed."""

    added: int
    updated: int
    unchanged: int
    removed: int


async def import_articles(
    session: AsyncSession, articles: list[ArticleFile], *, remove_missing: bool = True,
    change: ChangeKind = ChangeKind.substantive,
    facts: dict[str, fact_files.Fact] | None = None, draft: bool = False,
) -> ImportReport:
    """Each changed file becomes a new published revision (in the history as 'imported').

    An unchanged file creates nothing; a file gone from the folder is unpublished. English
    files go first, so translations imported together with their English are not stale.

    `draft=True` (`sathi knowledge import --draft`) publishes nothing: each changed file becomes
    a draft revision for an editor to submit and a reviewer to approve, a file already waiting
    as the newest draft (or in review, or approved) is not added again, nothing is unpublished
    and no fact value is added (a new value applies on its date, so it is entered through
    `/api/v1/facts` or a publishing import).
    """
    if facts and not draft:
        await fact_service.import_facts(session, facts)
    known = await fact_service.load_facts(session)
    published = {(row.slug, row.lang): row for row in await session.scalars(select(Article))}
    waiting = await _waiting_hashes(session) if draft else set()
    fresh = set() if draft else await _new_slugs(session, {a.slug for a in articles})
    added = updated = unchanged = 0
    order = sorted(articles, key=lambda a: (a.lang != editing.SOURCE_LANG, a.slug, a.lang))
    added += await _publish_new(session, [a for a in order if a.slug in fresh], change, known)
    for article in order:
        if article.slug in fresh:
            continue
        row = published.pop((article.slug, article.lang), None)
        digest = editing.content_hash(article)
        if (row is not None and row.content_hash == digest) or (
            (article.slug, article.lang, digest) in waiting
        ):
            unchanged += 1
            continue
        content = _draft(article, change)
        revision = await editing.add_revision(
            session, slug=article.slug, lang=article.lang, category=article.category,
            draft=content, actor=None, known_facts=None, event=ArticleEventKind.imported,
            check=False,
        )
        if row is None:
            added += 1
        else:
            updated += 1
        if draft:
            continue
        # Checked on the file's last_reviewed date: a year later, or when a fact it uses ends.
        revision.review_by = editing.review_by(article.body, known, article.last_reviewed)
        await editing.publish(
            session, revision, None, event=ArticleEventKind.published, allow_unapproved=True
        )
    removed = 0
    if remove_missing and not draft:
        for slug, lang in published:
            await editing.unpublish(session, slug, lang, None, "file removed")
            removed += 1
    await session.flush()
    return ImportReport(added, updated, unchanged, removed)


def _draft(article: ArticleFile, change: ChangeKind) -> editing.Draft:
    return editing.Draft(
        title=article.title, keywords=article.keywords, sources=article.sources,
        body=article.body, change=change,
        last_reviewed=article.last_reviewed, review=article.review,
    )


async def _new_slugs(session: AsyncSession, slugs: set[str]) -> set[str]:
    """The slugs with no revision and no served row in any language yet."""
    known = select(ArticleRevision.slug).union(select(Article.slug))
    return slugs - set(await session.scalars(known))


async def _publish_new(
    session: AsyncSession, order: list[ArticleFile], change: ChangeKind,
    known: dict[str, fact_files.Fact],
) -> int:
    """Articles of slugs the database has never seen, published in three batched flushes.

    The rows and the history are those of publishing them one by one (a first import of the
    guide took seconds that way): revision 1 of each language, 'imported' then 'published',
    nothing to supersede or mark stale, each translation made from the English imported with
    it. English goes first so that the translations can name its revision.
    """
    if not order:
        return 0
    now = utcnow()
    revisions: dict[tuple[str, str], ArticleRevision] = {}
    english = [a for a in order if a.lang == editing.SOURCE_LANG]
    for wave in (english, [a for a in order if a.lang != editing.SOURCE_LANG]):
        for article in wave:
            source = revisions.get((article.slug, editing.SOURCE_LANG))
            revision = editing.build_revision(
                editing.draft_file(article.slug, article.lang, article.category,
                                   _draft(article, change)),
                number=1, state=RevisionState.published, change=change,
                source_revision_id=source.id if source else None, actor=None,
            )
            # Checked on the file's last_reviewed date: a year later, or when a fact it uses ends.
            revision.review_by = editing.review_by(article.body, known, article.last_reviewed)
            revision.published_at = revision.updated_at = now
            session.add(revision)
            editing.add_event(session, revision, ArticleEventKind.imported, None)
            editing.add_event(session, revision, ArticleEventKind.published, None)
            revisions[(article.slug, article.lang)] = revision
        await session.flush()
    session.add_all([editing.served_row(revision) for revision in revisions.values()])
    await session.flush()
    return len(revisions)


async def _waiting_hashes(session: AsyncSession) -> set[tuple[str, str, str]]:
    """(slug, lang, content hash) of each language's newest revision while it awaits review."""
    newest = select(
        ArticleRevision.slug, ArticleRevision.lang, func.max(ArticleRevision.number).label("n")
    ).group_by(ArticleRevision.slug, ArticleRevision.lang).subquery()
    rows = await session.execute(select(
        ArticleRevision.slug, ArticleRevision.lang, ArticleRevision.content_hash
    ).join(newest, (ArticleRevision.slug == newest.c.slug)
           & (ArticleRevision.lang == newest.c.lang) & (ArticleRevision.number == newest.c.n)
    ).where(ArticleRevision.state.in_(WAITING)))
    return {(slug, lang, digest) for slug, lang, digest in rows}


async def published_files(session: AsyncSession) -> list[ArticleFile]:
    """The published articles exactly as stored (fact references not filled in): for export."""
    rows = await session.scalars(select(Article).order_by(Article.slug, Article.lang))
    return [editing.as_article(row) for row in rows]


Notes = Callable[[str], tuple[Callable[..., str] | None, Callable[[str], str] | None]]
"""lang -> (expired(value, year, hotline), stale(hotline)): the bot's translated lines."""


async def load_articles(
    session: AsyncSession, *, today: datetime.date | None = None, notes: Notes | None = None,
) -> list[ArticleFile]:
    """Every published article, with its facts filled in for its language and the day."""
    today = today or today_in_korea()
    facts = await fact_service.load_facts(session)
    rows = await session.scalars(select(Article).order_by(Article.slug, Article.lang))
    loaded = []
    for row in rows:
        expired_line, stale_line = notes(row.lang) if notes else (None, None)
        labour = fact_files.render("{{fact:hotline_labour}}", facts, row.lang, today)
        expired = None
        if expired_line is not None:
            def expired(value: str, year: int, line=expired_line, hotline=labour) -> str:
                return line(value, year, hotline)

        def fill(text: str, lang: str = row.lang, expired=expired) -> str:
            return fact_files.render(text, facts, lang, today, expired)

        article = editing.as_article(row)
        notice = None
        if row.stale and stale_line is not None:
            notice = stale_line(fill("{{fact:hotline_interpreter}}"))
        loaded.append(replace(
            article, title=fill(article.title), body=fill(article.body), stale=row.stale,
            notice=notice,
        ))
    return loaded


async def content_stamp(session: AsyncSession) -> tuple[object, ...]:
    """A cheap fingerprint of the articles and facts (one query), to notice any change."""
    row = (await session.execute(select(
        func.count(Article.id), func.max(Article.updated_at),
        select(func.count(FactValue.id)).scalar_subquery(),
        select(func.max(FactValue.id)).scalar_subquery(),
        select(func.max(FactValue.created_at)).scalar_subquery(),
    ))).one()
    return tuple(None if value is None else str(value) for value in row)
