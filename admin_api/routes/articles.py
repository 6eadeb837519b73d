"""The guide's articles: revisions per language, review, publishing, history and diffs.

Thin routes: the rules (who may approve what, which state allows which step) live in
sathi/services/editing.py.
"""

from typing import Annotated

from fastapi import APIRouter, Query

from admin_api.deps import CurrentStaff, CurrentWriter, RuntimeDep, SessionDep
from admin_api.errors import ERROR_RESPONSES
from admin_api.schemas_guide import (
    SLUG_PATTERN,
    ArticleEventRead,
    ArticleRead,
    DiffRead,
    LanguageDetailRead,
    LanguageStateRead,
    PathLang,
    PathNumber,
    PathSlug,
    ReviewNote,
    RevisionCreate,
    RevisionRead,
    SendBack,
)
from knowledge.topics import load_topics
from sathi.enums import RevisionState
from sathi.errors import NotFound
from sathi.models import ArticleEvent, ArticleRevision
from sathi.services import editing
from sathi.services import facts as fact_service
from sathi.services.articles import today_in_korea

router = APIRouter(prefix="/articles", tags=["articles"], responses=ERROR_RESPONSES)


@router.get("", response_model=list[LanguageStateRead])
async def list_articles(
    session: SessionDep, staff: CurrentStaff,
    category: Annotated[str | None, Query(pattern=SLUG_PATTERN)] = None,
    lang: Annotated[str | None, Query(pattern=r"^[a-z]{2,3}$")] = None,
    state: Annotated[RevisionState | None, Query(description="the newest revision's")] = None,
    stale: bool | None = None,
    due: Annotated[bool | None, Query(description="review-by within `within_days`")] = None,
    within_days: Annotated[int, Query(ge=0, le=3650)] = 30,
) -> list[editing.LanguageState]:
    """Every language of every article, with filters."""
    return await editing.list_articles(
        session, staff, category=category, lang=lang, state=state, stale=stale, due=due,
        today=today_in_korea(), within_days=within_days,
    )


@router.get("/{slug}", response_model=ArticleRead)
async def read_article(session: SessionDep, staff: CurrentStaff, slug: PathSlug) -> ArticleRead:
    """An article with all its languages: what the bot serves and the newest revision."""
    states = await editing.language_states(session, slug)
    if not states:
        raise NotFound(f"article {slug!r} not found")
    languages = [
        LanguageDetailRead.model_validate({
            **LanguageStateRead.model_validate(s).model_dump(),
            "published": s.published, "latest": s.latest,
        }) for s in states
    ]
    return ArticleRead(slug=slug, category=states[0].category, languages=languages)


@router.get("/{slug}/history", response_model=list[ArticleEventRead])
async def article_history(
    session: SessionDep, staff: CurrentStaff, slug: PathSlug
) -> list[ArticleEvent]:
    """Every step in every language: who did what, when, with their comment."""
    return await editing.history(session, slug)


@router.get("/{slug}/{lang}/revisions", response_model=list[RevisionRead])
async def list_revisions(
    session: SessionDep, staff: CurrentStaff, slug: PathSlug, lang: PathLang
) -> list[ArticleRevision]:
    """The revisions of one language, oldest first."""
    return await editing.revisions_of(session, slug, lang)


@router.post("/{slug}/{lang}/revisions", response_model=RevisionRead, status_code=201)
async def create_revision(
    session: SessionDep, runtime: RuntimeDep, staff: CurrentWriter, slug: PathSlug,
    lang: PathLang, body: RevisionCreate,
) -> ArticleRevision:
    """A new draft of one language (editors, reviewers, admins).

    A translation records the English revision it was made from.
    """
    settings = runtime.settings
    draft = editing.Draft(**body.model_dump())
    return await editing.create_draft(
        session, staff, slug=slug, lang=lang, draft=draft,
        topics=load_topics(settings.topics_file), languages=settings.languages,
        facts=await fact_service.load_facts(session),
    )


@router.get("/{slug}/{lang}/revisions/{number}", response_model=RevisionRead)
async def read_revision(
    session: SessionDep, staff: CurrentStaff, slug: PathSlug, lang: PathLang, number: PathNumber
) -> ArticleRevision:
    """One revision."""
    return await editing.get_revision(session, slug, lang, number)


@router.post("/{slug}/{lang}/revisions/{number}/submit", response_model=RevisionRead)
async def submit_revision(
    session: SessionDep, staff: CurrentWriter, slug: PathSlug, lang: PathLang, number: PathNumber
) -> ArticleRevision:
    """A draft (or a revision sent back) goes to review."""
    revision = await editing.get_revision(session, slug, lang, number)
    await editing.submit(session, revision, staff)
    return revision


@router.post("/{slug}/{lang}/revisions/{number}/approve", response_model=RevisionRead)
async def approve_revision(
    session: SessionDep, staff: CurrentWriter, slug: PathSlug, lang: PathLang,
    number: PathNumber, body: ReviewNote | None = None,
) -> ArticleRevision:
    """A reviewer of the language (never the author) or an admin approves; sets review-by."""
    revision = await editing.get_revision(session, slug, lang, number)
    await editing.approve(
        session, revision, staff, facts=await fact_service.load_facts(session),
        comment=body.comment if body else None, today=today_in_korea(),
    )
    return revision


@router.post("/{slug}/{lang}/revisions/{number}/send-back", response_model=RevisionRead)
async def send_back_revision(
    session: SessionDep, staff: CurrentWriter, slug: PathSlug, lang: PathLang,
    number: PathNumber, body: SendBack,
) -> ArticleRevision:
    """The reviewer returns the revision to its author with a comment."""
    revision = await editing.get_revision(session, slug, lang, number)
    await editing.send_back(session, revision, staff, comment=body.comment)
    return revision


@router.post("/{slug}/{lang}/revisions/{number}/publish", response_model=RevisionRead)
async def publish_revision(
    session: SessionDep, staff: CurrentWriter, slug: PathSlug, lang: PathLang, number: PathNumber
) -> ArticleRevision:
    """An approved revision goes live (the bot picks it up within a minute)."""
    revision = await editing.get_revision(session, slug, lang, number)
    await editing.publish(session, revision, staff)
    return revision


@router.post("/{slug}/{lang}/revisions/{number}/restore", response_model=RevisionRead,
             status_code=201)
async def restore_revision(
    session: SessionDep, staff: CurrentWriter, slug: PathSlug, lang: PathLang, number: PathNumber
) -> ArticleRevision:
    """An old revision's content as a new draft, to be reviewed like any other."""
    revision = await editing.get_revision(session, slug, lang, number)
    return await editing.restore(
        session, revision, staff, await fact_service.load_facts(session)
    )


@router.post("/{slug}/{lang}/unpublish", response_model=RevisionRead)
async def unpublish_language(
    session: SessionDep, staff: CurrentWriter, slug: PathSlug, lang: PathLang,
    body: ReviewNote | None = None,
) -> ArticleRevision:
    """Takes one language off the bot (workers then get the English text, if published)."""
    return await editing.unpublish(session, slug, lang, staff, body.comment if body else None)


@router.get("/{slug}/{lang}/diff", response_model=DiffRead)
async def diff_revisions(
    session: SessionDep, staff: CurrentStaff, slug: PathSlug, lang: PathLang,
    old: Annotated[int, Query(ge=1, le=1_000_000)], new: Annotated[int, Query(ge=1, le=1_000_000)],
) -> DiffRead:
    """A unified diff (difflib) between any two revisions of one language."""
    text = await editing.diff(session, slug, lang, old, new)
    return DiffRead(slug=slug, lang=lang, old=old, new=new, diff=text)
