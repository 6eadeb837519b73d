"""Articles in the database: imported from knowledge/ files, served to the bot from here."""

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.models import Article as ArticleFile
from sathi.db import utcnow
from sathi.models import Article


@dataclass(frozen=True)
class ImportReport:
    """What an import changed."""

    added: int
    updated: int
    unchanged: int
    removed: int


def _content_hash(article: ArticleFile) -> str:
    fields = [
        article.category, article.title, list(article.keywords), list(article.sources),
        article.last_reviewed.isoformat(), article.review, article.body,
    ]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


def _copy_into(row: Article, article: ArticleFile, content_hash: str) -> None:
    row.category = article.category
    row.title = article.title
    row.keywords = list(article.keywords)
    row.sources = list(article.sources)
    row.alert_words = []  # unused column: emergency phrases live in knowledge/triage/
    row.last_reviewed = article.last_reviewed
    row.review = article.review
    row.body = article.body
    row.content_hash = content_hash
    row.updated_at = utcnow()


async def import_articles(
    session: AsyncSession, articles: list[ArticleFile], *, remove_missing: bool = True
) -> ImportReport:
    """Makes the article table match the files; a second run changes nothing."""
    existing = {(row.slug, row.lang): row for row in await session.scalars(select(Article))}
    added = updated = unchanged = 0
    for article in articles:
        content_hash = _content_hash(article)
        row = existing.pop((article.slug, article.lang), None)
        if row is None:
            row = Article(slug=article.slug, lang=article.lang)
            _copy_into(row, article, content_hash)
            session.add(row)
            added += 1
        elif row.content_hash != content_hash:
            _copy_into(row, article, content_hash)
            updated += 1
        else:
            unchanged += 1
    removed = 0
    if remove_missing:
        for row in existing.values():
            await session.delete(row)
            removed += 1
    await session.flush()
    return ImportReport(added, updated, unchanged, removed)


async def load_articles(session: AsyncSession) -> list[ArticleFile]:
    """Every article in the database, as the knowledge package's plain objects."""
    rows = await session.scalars(select(Article).order_by(Article.slug, Article.lang))
    return [
        ArticleFile(
            slug=row.slug, lang=row.lang, category=row.category, title=row.title,
            keywords=tuple(row.keywords), sources=tuple(row.sources),
            last_reviewed=row.last_reviewed, review=row.review, body=row.body,
        )
        for row in rows
    ]


async def content_stamp(session: AsyncSession) -> tuple[int, str | None]:
    """A cheap fingerprint of the article table, to notice when the knowledge base changed."""
    count, newest = (await session.execute(
        select(func.count(Article.id), func.max(Article.updated_at))
    )).one()
    return int(count), None if newest is None else str(newest)
