"""Editing the guide: revisions of one language of an article, review, publishing, history.

draft -> in_review -> approved -> published, or in_review -> sent_back (with a comment). An
editor writes drafts in any language; a reviewer approves the languages of their account;
nobody approves their own revision; admins do everything. Publishing copies the revision into
the `article` row the bot serves. Every step is an ArticleEvent with who, what and when.
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge import facts as fact_files
from knowledge.loader import MAX_BODY, parse_article
from knowledge.models import Article as ArticleFile
from knowledge.writer import article_text
from sathi.db import utcnow
from sathi.enums import ArticleEventKind, ChangeKind, RevisionState, Role
from sathi.errors import Invalid, InvalidTransition, NotAllowed, NotFound
from sathi.models import Article, ArticleEvent, ArticleRevision, Staff

SOURCE_LANG = "en"
REVIEW_INTERVAL = datetime.timedelta(days=365)
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
LANG = re.compile(r"^[a-z]{2,3}$")
WRITERS = (Role.editor, Role.reviewer, Role.admin)


# ---------------------------------------------------------------- who may do what


def require_writer(staff: Staff) -> None:
    """Editors, reviewers and admins write articles; volunteers do not."""
    if not staff.is_active or staff.role not in WRITERS:
        raise NotAllowed("only editors, reviewers and admins may change articles")


def require_reviewer(staff: Staff, revision: ArticleRevision) -> None:
    """An admin, or a reviewer of the revision's language who did not write it."""
    require_writer(staff)
    if staff.role != Role.admin and not (
        staff.role == Role.reviewer and revision.lang in staff.languages
    ):
        raise NotAllowed(f"only a reviewer of {revision.lang!r} or an admin may review this")
    if revision.author_id is not None and revision.author_id == staff.id:
        raise NotAllowed("nobody approves or sends back their own revision")


def check_slug(slug: str, field: str = "slug") -> str:
    """A safe slug (a-z, 0-9 and '-'; no dots or slashes); Invalid otherwise."""
    if not SLUG.match(slug):
        raise Invalid(
            f"{slug!r} is not a slug: use a-z, 0-9 and '-' only (no '.', '/' or '..')",
            field=field,
        )
    return slug


def check_lang(lang: str, languages: Sequence[str]) -> str:
    """A language Sathi has a catalog for."""
    if not LANG.match(lang) or lang not in languages:
        raise Invalid(f"{lang!r} is not one of the languages {', '.join(languages)}", field="lang")
    return lang


# ---------------------------------------------------------------- reading


async def revisions_of(session: AsyncSession, slug: str, lang: str) -> list[ArticleRevision]:
    """Every revision of one language of an article, oldest first."""
    query = select(ArticleRevision).where(
        ArticleRevision.slug == slug, ArticleRevision.lang == lang
    ).order_by(ArticleRevision.number)
    return list(await session.scalars(query))


async def get_revision(
    session: AsyncSession, slug: str, lang: str, number: int
) -> ArticleRevision:
    """One revision by its number within (slug, lang), or NotFound."""
    revision = await session.scalar(select(ArticleRevision).where(
        ArticleRevision.slug == slug, ArticleRevision.lang == lang,
        ArticleRevision.number == number,
    ))
    if revision is None:
        raise NotFound(f"{slug}/{lang} has no revision {number}")
    return revision


async def published_revision(
    session: AsyncSession, slug: str, lang: str
) -> ArticleRevision | None:
    """The revision the bot serves for this language, if any."""
    return await session.scalar(select(ArticleRevision).where(
        ArticleRevision.slug == slug, ArticleRevision.lang == lang,
        ArticleRevision.state == RevisionState.published,
    ))


async def history(session: AsyncSession, slug: str) -> list[ArticleEvent]:
    """Every event of an article in every language, oldest first."""
    query = select(ArticleEvent).where(ArticleEvent.slug == slug).order_by(ArticleEvent.id)
    return list(await session.scalars(query))


def revision_file(revision: ArticleRevision) -> str:
    """The revision as the article file it would be exported as."""
    return article_text(as_article(revision))


async def diff(
    session: AsyncSession, slug: str, lang: str, old: int, new: int
) -> str:
    """A unified diff between two revisions' files (empty when they are the same)."""
    before = await get_revision(session, slug, lang, old)
    after = await get_revision(session, slug, lang, new)
    lines = difflib.unified_diff(
        revision_file(before).splitlines(keepends=True),
        revision_file(after).splitlines(keepends=True),
        fromfile=f"{slug}/{lang}.md@{old}", tofile=f"{slug}/{lang}.md@{new}",
    )
    return "".join(lines)


def as_article(revision: ArticleRevision | Article) -> ArticleFile:
    """A revision (or the published row) as the knowledge package's plain object."""
    return ArticleFile(
        slug=revision.slug, lang=revision.lang, category=revision.category,
        title=revision.title, keywords=tuple(revision.keywords),
        sources=tuple(revision.sources), last_reviewed=revision.last_reviewed,
        review=revision.review, body=revision.body,
    )


# ---------------------------------------------------------------- writing


@dataclass(frozen=True)
class Draft:
    """The content of a new revision, as an editor sends it."""

    title: str
    keywords: Sequence[str]
    sources: Sequence[str]
    body: str
    change: ChangeKind = ChangeKind.substantive
    last_reviewed: datetime.date | None = None
    review: str = "draft"


def validate(
    article: ArticleFile, known_facts: dict[str, fact_files.Fact] | None
) -> ArticleFile:
    """The article checked by the same rules as a file (`sathi knowledge check`)."""
    text = article_text(article)
    parsed, problems = parse_article(
        text, _path(article.slug, article.lang), article.slug, article.category
    )
    if problems or parsed is None:
        first = problems[0] if problems else None
        raise Invalid(first.message if first else "the article cannot be read back",
                      field=_field_of(first.message if first else ""))
    if known_facts is not None:
        unknown = fact_files.unknown_references(
            known_facts, [("body", parsed.body), ("title", parsed.title)]
        )
        if unknown:
            raise Invalid(unknown[0].split(": ", 1)[1], field="body")
    return parsed


def _field_of(message: str) -> str:
    for field in ("title", "keywords", "sources", "body"):
        if message.startswith(field) or f" {field}" in message[:20]:
            return field
    return "body" if "body" in message else ""


def _path(slug: str, lang: str) -> Path:
    return Path(slug) / f"{lang}.md"  # a label for messages only: nothing is read or written


async def _next_number(session: AsyncSession, slug: str, lang: str) -> int:
    query = select(func.max(ArticleRevision.number)).where(
        ArticleRevision.slug == slug, ArticleRevision.lang == lang
    )
    return int(await session.scalar(query) or 0) + 1


def add_event(
    session: AsyncSession, revision: ArticleRevision, kind: ArticleEventKind,
    actor: Staff | None, comment: str | None = None,
) -> None:
    """One step in the article's history: what happened to which revision, by whom."""
    session.add(ArticleEvent(
        slug=revision.slug, lang=revision.lang, revision=revision, kind=kind,
        actor_id=actor.id if actor else None, comment=comment,
    ))


async def add_revision(
    session: AsyncSession, *, slug: str, lang: str, category: str, draft: Draft,
    actor: Staff | None, known_facts: dict[str, fact_files.Fact] | None,
    state: RevisionState = RevisionState.draft,
    event: ArticleEventKind = ArticleEventKind.created, comment: str | None = None,
    check: bool = True, source_revision_id: int | None = None,
) -> ArticleRevision:
    """A new revision (a draft unless told otherwise), checked like a file, in the history.

    `check=False` is for files the loader has already checked (`sathi knowledge import`).
    """
    if check and len(draft.body) > MAX_BODY:
        raise Invalid(f"body has {len(draft.body)} characters (max {MAX_BODY})", field="body")
    article = draft_file(slug, lang, category, draft)
    if check:
        article = validate(article, known_facts)
    if lang != SOURCE_LANG and source_revision_id is None:
        source = await published_revision(session, slug, SOURCE_LANG)
        source_revision_id = source.id if source else None
    revision = build_revision(
        article, number=await _next_number(session, slug, lang), state=state,
        change=draft.change, source_revision_id=source_revision_id, actor=actor,
    )
    session.add(revision)
    add_event(session, revision, event, actor, comment)
    await session.flush()
    return revision


def draft_file(slug: str, lang: str, category: str, draft: Draft) -> ArticleFile:
    """The draft as an article file, trimmed as it is stored."""
    return ArticleFile(
        slug=slug, lang=lang, category=category, title=draft.title.strip(),
        keywords=tuple(k.strip() for k in draft.keywords),
        sources=tuple(s.strip() for s in draft.sources),
        last_reviewed=draft.last_reviewed or utcnow().date(), review=draft.review,
        body=draft.body.strip(),
    )


def build_revision(
    article: ArticleFile, *, number: int, state: RevisionState, change: ChangeKind,
    source_revision_id: int | None, actor: Staff | None,
) -> ArticleRevision:
    """The revision row of a checked article (not added to any session)."""
    now = utcnow()
    return ArticleRevision(
        slug=article.slug, lang=article.lang, number=number, state=state,
        category=article.category, title=article.title, keywords=list(article.keywords),
        sources=list(article.sources),
        last_reviewed=article.last_reviewed, review=article.review, body=article.body,
        content_hash=content_hash(article), change=change,
        source_revision_id=source_revision_id if article.lang != SOURCE_LANG else None,
        author_id=actor.id if actor else None, created_at=now, updated_at=now,
    )


def served_row(revision: ArticleRevision) -> Article:
    """A new `article` row serving a published revision (for a language not served yet)."""
    row = Article(slug=revision.slug, lang=revision.lang, stale=False)
    _copy(row, revision)
    return row


def content_hash(article: ArticleFile) -> str:
    """The article's file bytes, hashed: the same file always gives the same hash."""
    return hashlib.sha256(article_text(article).encode("utf-8")).hexdigest()


def _move(
    revision: ArticleRevision, allowed: tuple[RevisionState, ...], to: RevisionState
) -> None:
    if revision.state not in allowed:
        names = " or ".join(state.value for state in allowed)
        raise InvalidTransition(
            f"revision {revision.number} is {revision.state.value}; it must be {names} first"
        )
    revision.state = to
    revision.updated_at = utcnow()


async def submit(session: AsyncSession, revision: ArticleRevision, staff: Staff) -> None:
    """A draft (or one sent back) goes to review."""
    require_writer(staff)
    _move(revision, (RevisionState.draft, RevisionState.sent_back), RevisionState.in_review)
    add_event(session, revision, ArticleEventKind.submitted, staff)
    await session.flush()


async def approve(
    session: AsyncSession, revision: ArticleRevision, staff: Staff, *,
    facts: dict[str, fact_files.Fact], comment: str | None = None,
    today: datetime.date | None = None,
) -> None:
    """A reviewer of the language (not its author) approves; the review-by date is set."""
    require_reviewer(staff, revision)
    _move(revision, (RevisionState.in_review,), RevisionState.approved)
    today = today or utcnow().date()
    revision.approved_by_id, revision.approved_at = staff.id, utcnow()
    revision.review, revision.last_reviewed = "reviewed", today
    revision.content_hash = content_hash(as_article(revision))
    revision.review_by = review_by(revision.body, facts, today)
    add_event(session, revision, ArticleEventKind.approved, staff, comment)
    await session.flush()


def review_by(body: str, facts: dict[str, fact_files.Fact], today: datetime.date):
    """A year after approval, or earlier: when a fact the text uses stops applying."""
    dates = [today + REVIEW_INTERVAL]
    for name in fact_files.references(body):
        fact = facts.get(name)
        ends = fact.ends(today) if fact else None
        if ends is not None:
            dates.append(ends)
    return min(dates)


async def send_back(
    session: AsyncSession, revision: ArticleRevision, staff: Staff, *, comment: str
) -> None:
    """The reviewer returns the revision to its author with what to change."""
    require_reviewer(staff, revision)
    if not comment.strip():
        raise Invalid("say what must change", field="comment")
    _move(revision, (RevisionState.in_review,), RevisionState.sent_back)
    revision.comment = comment.strip()
    add_event(session, revision, ArticleEventKind.sent_back, staff, comment.strip())
    await session.flush()


async def publish(
    session: AsyncSession, revision: ArticleRevision, staff: Staff | None, *,
    event: ArticleEventKind = ArticleEventKind.published, allow_unapproved: bool = False,
) -> None:
    """The revision goes live: the bot serves it within a minute on every instance.

    An English revision marked substantive makes every translation stale; a translation is
    stale when a substantive English revision was published after the one it came from.
    """
    if staff is not None:
        require_writer(staff)
    allowed = (RevisionState.approved,)
    if allow_unapproved:
        allowed = tuple(RevisionState)
    _move(revision, allowed, RevisionState.published)
    revision.published_at = utcnow()
    old = await session.scalars(select(ArticleRevision).where(
        ArticleRevision.slug == revision.slug, ArticleRevision.lang == revision.lang,
        ArticleRevision.state == RevisionState.published, ArticleRevision.id != revision.id,
    ))
    for previous in old:
        previous.state = RevisionState.superseded
    add_event(session, revision, event, staff)
    await session.flush()
    row = await session.scalar(select(Article).where(
        Article.slug == revision.slug, Article.lang == revision.lang
    ))
    if row is None:
        row = Article(slug=revision.slug, lang=revision.lang)
        session.add(row)
    _copy(row, revision)
    row.stale = await _is_stale(session, revision)
    if revision.lang == SOURCE_LANG and revision.change == ChangeKind.substantive:
        await _mark_translations_stale(session, revision, staff)
    await session.flush()


def _copy(row: Article, revision: ArticleRevision) -> None:
    for name in ("category", "title", "keywords", "sources", "last_reviewed", "review", "body",
                 "content_hash"):
        setattr(row, name, getattr(revision, name))
    row.alert_words = []  # unused column: emergency phrases live in knowledge/triage/
    row.revision_id = revision.id
    row.updated_at = utcnow()


async def _is_stale(session: AsyncSession, revision: ArticleRevision) -> bool:
    if revision.lang == SOURCE_LANG:
        return False
    newer = select(func.count(ArticleRevision.id)).where(
        ArticleRevision.slug == revision.slug, ArticleRevision.lang == SOURCE_LANG,
        ArticleRevision.change == ChangeKind.substantive,
        ArticleRevision.state.in_((RevisionState.published, RevisionState.superseded)),
        ArticleRevision.id > (revision.source_revision_id or 0),
    )
    return bool(await session.scalar(newer))


async def _mark_translations_stale(
    session: AsyncSession, english: ArticleRevision, staff: Staff | None
) -> None:
    rows = await session.scalars(select(Article).where(
        Article.slug == english.slug, Article.lang != SOURCE_LANG
    ))
    for row in rows:
        translation = None
        if row.revision_id is not None:
            translation = await session.get(ArticleRevision, row.revision_id)
        if translation is not None and (translation.source_revision_id or 0) >= english.id:
            continue  # translated from this very revision (an import of both at once)
        if not row.stale:
            row.stale, row.updated_at = True, utcnow()
            session.add(ArticleEvent(
                slug=row.slug, lang=row.lang, revision_id=row.revision_id,
                kind=ArticleEventKind.marked_stale, actor_id=staff.id if staff else None,
                comment=f"English revision {english.number} changed substantively",
            ))


async def unpublish(
    session: AsyncSession, slug: str, lang: str, staff: Staff | None,
    comment: str | None = None,
) -> ArticleRevision:
    """Takes a language of an article off the bot (workers get the English one, if any)."""
    if staff is not None:
        require_writer(staff)
    revision = await published_revision(session, slug, lang)
    if revision is None:
        raise InvalidTransition(f"{slug}/{lang} is not published")
    _move(revision, (RevisionState.published,), RevisionState.unpublished)
    await session.execute(delete(Article).where(Article.slug == slug, Article.lang == lang))
    add_event(session, revision, ArticleEventKind.unpublished, staff, comment)
    await session.flush()
    return revision


async def restore(
    session: AsyncSession, revision: ArticleRevision, staff: Staff,
    known_facts: dict[str, fact_files.Fact],
) -> ArticleRevision:
    """An old revision's content as a new draft (it goes through review like any other)."""
    require_writer(staff)
    draft = Draft(
        title=revision.title, keywords=revision.keywords, sources=revision.sources,
        body=revision.body, change=revision.change,
    )
    return await add_revision(
        session, slug=revision.slug, lang=revision.lang, category=revision.category,
        draft=draft, actor=staff, known_facts=known_facts, event=ArticleEventKind.restored,
        comment=f"restored from revision {revision.number}",
        source_revision_id=revision.source_revision_id,  # still translated from the same English
    )


# ---------------------------------------------------------------- for the admin API


@dataclass(frozen=True)
class LanguageState:
    """Where one language of an article stands."""

    slug: str
    lang: str
    category: str
    title: str
    published: ArticleRevision | None
    latest: ArticleRevision
    stale: bool

    @property
    def published_number(self) -> int | None:
        """The number of the revision the bot serves (None when it serves none)."""
        return self.published.number if self.published else None

    @property
    def latest_number(self) -> int:
        """The newest revision's number."""
        return self.latest.number

    @property
    def latest_state(self) -> RevisionState:
        """The newest revision's state."""
        return self.latest.state

    @property
    def review_by(self) -> datetime.date | None:
        """When the published text must be checked again."""
        return self.published.review_by if self.published else None


async def language_states(session: AsyncSession, slug: str | None = None) -> list[LanguageState]:
    """Every (slug, language) with a revision, sorted (the guide has hundreds, not millions)."""
    query = select(ArticleRevision).order_by(
        ArticleRevision.slug, ArticleRevision.lang, ArticleRevision.number
    )
    if slug is not None:
        query = query.where(ArticleRevision.slug == slug)
    grouped: dict[tuple[str, str], list[ArticleRevision]] = {}
    for revision in await session.scalars(query):
        grouped.setdefault((revision.slug, revision.lang), []).append(revision)
    rows = select(Article.slug, Article.lang, Article.stale)
    stale = {(s, lang): flag for s, lang, flag in await session.execute(rows)}
    states = []
    for (s, lang), revisions in grouped.items():
        published = next((r for r in revisions if r.state == RevisionState.published), None)
        shown = published or revisions[-1]
        states.append(LanguageState(
            s, lang, shown.category, shown.title, published, revisions[-1],
            stale.get((s, lang), False),
        ))
    return states


def is_due(state: LanguageState, today: datetime.date, within_days: int) -> bool:
    """A published text whose review-by date falls within the window (or has passed)."""
    review = state.review_by
    return review is not None and review <= today + datetime.timedelta(days=within_days)


async def list_articles(
    session: AsyncSession, staff: Staff, *, category: str | None = None,
    lang: str | None = None, state: RevisionState | None = None, stale: bool | None = None,
    due: bool | None = None, today: datetime.date | None = None, within_days: int = 30,
) -> list[LanguageState]:
    """The languages of every article, filtered."""
    today = today or utcnow().date()
    found = []
    for item in await language_states(session):
        if category is not None and item.category != category:
            continue
        if lang is not None and item.lang != lang:
            continue
        if state is not None and item.latest_state != state:
            continue
        if stale is not None and item.stale != stale:
            continue
        if due is not None and is_due(item, today, within_days) != due:
            continue
        found.append(item)
    return found


async def create_draft(
    session: AsyncSession, staff: Staff, *, slug: str, lang: str, draft: Draft,
    topics: dict[str, str], languages: Sequence[str], facts: dict[str, fact_files.Fact],
) -> ArticleRevision:
    """A new draft of one language, by an editor, reviewer or admin."""
    require_writer(staff)
    check_slug(slug)
    check_lang(lang, languages)
    if slug not in topics:
        raise NotFound(f"no topic {slug!r} in topics.tsv")
    if lang != SOURCE_LANG and draft.change == ChangeKind.minor:
        draft = replace(draft, change=ChangeKind.substantive)  # only English changes are minor
    return await add_revision(
        session, slug=slug, lang=lang, category=topics[slug], draft=draft, actor=staff,
        known_facts=facts,
    )
