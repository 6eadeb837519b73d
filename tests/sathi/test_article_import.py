from dataclasses import replace

from sqlalchemy import func, select, text

from sathi.enums import ArticleEventKind, RevisionState
from sathi.models import Article, ArticleEvent, ArticleRevision
from sathi.services import articles as articles_service
from sathi.services import editing
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


async def test_a_draft_import_publishes_nothing_and_waits_for_review(runtime, article_files):
    async with runtime.sessionmaker.begin() as session:
        await import_articles(session, article_files)
    english = next(a for a in article_files if (a.slug, a.lang) == ("unpaid-wages", "en"))
    changed = [replace(english, title="A title to review"), *article_files[:3]]
    for _ in range(2):  # the same files again add no second draft
        async with runtime.sessionmaker.begin() as session:
            report = await import_articles(session, changed, draft=True)
        assert (report.added, report.removed) == (0, 0)
    assert (report.updated, report.unchanged) == (0, len(changed))
    async with runtime.sessionmaker() as session:
        revisions = await editing.revisions_of(session, "unpaid-wages", "en")
        events = await editing.history(session, "unpaid-wages")
        titles = {a.title for a in await load_articles(session)}
        count = await session.scalar(select(func.count(Article.id)))
    assert [r.state for r in revisions] == [RevisionState.published, RevisionState.draft]
    assert revisions[-1].title == "A title to review"
    assert events[-1].kind == ArticleEventKind.imported and events[-1].lang == "en"
    assert "A title to review" not in titles and english.title in titles
    assert count == len(article_files)  # the files left out were not unpublished


async def _written(runtime) -> dict[str, list[tuple]]:
    """What an import wrote, with rows named by (slug, lang, number) instead of their ids."""
    async with runtime.sessionmaker() as session:
        query = select(ArticleRevision).order_by(ArticleRevision.id)
        revisions = list(await session.scalars(query))
        key = {r.id: (r.slug, r.lang, r.number) for r in revisions}
        events = await session.scalars(select(ArticleEvent).order_by(ArticleEvent.id))
        rows = await session.scalars(select(Article).order_by(Article.id))
        return {
            "revisions": [(key[r.id], r.state, r.content_hash, r.change, r.review_by,
                           key.get(r.source_revision_id)) for r in revisions],
            "events": [(e.slug, e.lang, e.kind, key[e.revision_id]) for e in events],
            "served": [(a.slug, a.lang, a.stale, a.content_hash, key[a.revision_id])
                       for a in rows],
        }


async def test_a_first_import_in_batches_writes_what_one_by_one_writes(
    runtime, article_files, monkeypatch
):
    async with runtime.sessionmaker.begin() as session:
        await import_articles(session, article_files)
    batched = await _written(runtime)
    async with runtime.engine.begin() as connection:
        for table in ("article", "article_event", "article_revision"):
            await connection.execute(text(f'DELETE FROM "{table}"'))

    async def no_new_slugs(session, slugs):
        return set()

    monkeypatch.setattr(articles_service, "_new_slugs", no_new_slugs)  # every file one by one
    async with runtime.sessionmaker.begin() as session:
        await import_articles(session, article_files)
    assert await _written(runtime) == batched
    assert len(batched["revisions"]) == len(article_files)
    assert len(batched["events"]) == 2 * len(article_files)  # imported, then published
