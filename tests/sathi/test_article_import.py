from dataclasses import replace

from sqlalchemy import func, select

from sathi.models import Article
from sathi.services.articles import import_articles, load_articles


async def test_import_is_idempotent_and_tracks_changes(runtime, article_files):
    async with runtime.sessionmaker.begin() as session:
        first = await import_articles(session, article_files)
    assert first.added == len(article_files) and first.updated == first.removed == 0
    async with runtime.sessionmaker.begin() as session:
        second = await import_articles(session, article_files)
    assert (second.added, second.updated, second.unchanged) == (0, 0, len(article_files))

    changed = [replace(article_files[0], title="A new title"), *article_files[1:-1]]
    async with runtime.sessionmaker.begin() as session:
        third = await import_articles(session, changed)
    assert (third.added, third.updated, third.removed) == (0, 1, 1)
    async with runtime.sessionmaker() as session:
        count = await session.scalar(select(func.count(Article.id)))
        titles = {a.title for a in await load_articles(session)}
    assert count == len(article_files) - 1 and "A new title" in titles


async def test_the_bot_serves_what_is_in_the_database(runtime, article_files):
    assert runtime.knowledge.current.get("unpaid-wages", "en") is None
    async with runtime.sessionmaker.begin() as session:
        await import_articles(session, article_files)
    assert await runtime.knowledge.refresh() is True
    assert runtime.knowledge.current.get("unpaid-wages", "en") is not None
    assert await runtime.knowledge.refresh() is False
