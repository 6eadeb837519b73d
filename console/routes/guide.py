"""The guide's pages: the articles with stale / due / draft marks, and one language's editor.

The rules (who writes, who approves which language, which state allows which step) are in
sathi/services/editing.py, the functions the API's article routes call. After publishing, this
process's knowledge base is refreshed at once, so the bot in the same process serves the new
text now (other instances notice within a minute, as after any publish).
"""

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from console import web
from console.web import ConsoleSession
from knowledge.topics import load_topics
from sathi.enums import ChangeKind, RevisionState, Role
from sathi.errors import NotAllowed, NotFound, SathiError
from sathi.models import ArticleRevision, Staff
from sathi.services import editing
from sathi.services import facts as fact_service
from sathi.services.articles import today_in_korea

router = APIRouter(prefix=f"{web.PREFIX}/guide", include_in_schema=False)

MARKS = ("stale", "due", "draft")


def _refused(request: Request, current: ConsoleSession, exc: Exception) -> Response:
    translator = web.translator_for(web.runtime_of(request), current.staff.interface_lang)
    message = (translator.gettext("Only editors, reviewers and admins work on the guide.")
               if isinstance(exc, NotAllowed) else
               translator.gettext("This article has no text in this language."))
    return web.render(request, "error.html", translator=translator, current=current,
                      status=403 if isinstance(exc, NotAllowed) else 404, message=message)


@router.get("")
async def articles(request: Request) -> Response:
    """Every language of every article, with what needs attention marked."""
    runtime = web.runtime_of(request)
    async with web.signed_in(request) as (session, current):
        translator = web.translator_for(runtime, current.staff.interface_lang)
        try:
            editing.require_writer(current.staff)
        except NotAllowed as exc:
            return _refused(request, current, exc)
        lang = request.query_params.get("lang") or None
        mark = request.query_params.get("mark") or None
        today = today_in_korea()
        states = await editing.list_articles(
            session, current.staff, lang=lang if lang in runtime.catalogs.available else None,
            stale=True if mark == "stale" else None, due=True if mark == "due" else None,
            today=today)
        rows = [(state, editing.is_due(state, today, 30)) for state in states]
        if mark == "draft":
            rows = [(s, due) for s, due in rows if s.latest_state != RevisionState.published]
        return web.render(request, "guide.html", translator=translator, current=current,
                          rows=rows, chosen_lang=lang or "",
                          chosen_mark=mark or "", marks=MARKS, back="/guide",
                          article_languages=runtime.catalogs.available)


async def _editor(request: Request, session: AsyncSession, current: ConsoleSession, slug: str,
                  lang: str, *, error: str | None = None, status: int = 200) -> Response:
    translator = web.translator_for(web.runtime_of(request), current.staff.interface_lang)
    revisions = await editing.revisions_of(session, slug, lang)
    if not revisions:
        raise NotFound(f"{slug}/{lang} has no revision")
    latest = revisions[-1]
    english = await editing.revisions_of(session, slug, editing.SOURCE_LANG)
    source = next((r for r in english if r.state == RevisionState.published),
                  english[-1] if english else None)
    source_diff = ""
    made_from = next((r for r in english if r.id == latest.source_revision_id), None)
    if source is not None and made_from is not None and made_from.number != source.number:
        source_diff = await editing.diff(session, slug, editing.SOURCE_LANG, made_from.number,
                                         source.number)
    return web.render(
        request, "article.html", translator=translator, current=current, status=status,
        slug=slug, article_lang=lang, latest=latest, revisions=revisions, source=source,
        made_from=made_from, source_diff=source_diff, error=error,
        back=f"/guide/{slug}/{lang}", is_source=lang == editing.SOURCE_LANG,
        may_review=current.staff.role in (Role.reviewer, Role.admin),
    )


@router.get("/{slug}/{lang}")
async def editor(request: Request, slug: str, lang: str) -> Response:
    """One language of an article: the English source beside it, its state, its steps."""
    async with web.signed_in(request) as (session, current):
        try:
            editing.require_writer(current.staff)
            editing.check_slug(slug)
            return await _editor(request, session, current, slug, lang)
        except (NotAllowed, NotFound, SathiError) as exc:
            return _refused(request, current, exc)


Step = Callable[[AsyncSession, Request, Staff, ArticleRevision, FormData], Awaitable[Any]]


async def _save(session: AsyncSession, request: Request, staff: Staff,
                latest: ArticleRevision, data: FormData) -> None:
    settings = web.runtime_of(request).settings
    draft = editing.Draft(
        title=str(data.get("title", "")), keywords=list(latest.keywords),
        sources=list(latest.sources), body=str(data.get("body", "")).replace("\r\n", "\n"),
        change=ChangeKind.minor if data.get("minor") else ChangeKind.substantive,
    )
    if latest.lang != editing.SOURCE_LANG:
        draft = replace(draft, change=ChangeKind.substantive)
    await editing.create_draft(
        session, staff, slug=latest.slug, lang=latest.lang, draft=draft,
        topics=load_topics(settings.topics_file), languages=settings.languages,
        facts=await fact_service.load_facts(session))


async def _approve(session: AsyncSession, request: Request, staff: Staff,
                   revision: ArticleRevision, data: FormData) -> None:
    await editing.approve(session, revision, staff,
                          facts=await fact_service.load_facts(session),
                          comment=str(data.get("comment", "")).strip() or None,
                          today=today_in_korea())


_STEPS: dict[str, Step] = {
    "save": _save,
    "submit": lambda s, r, staff, rev, d: editing.submit(s, rev, staff),
    "approve": _approve,
    "send-back": lambda s, r, staff, rev, d: editing.send_back(
        s, rev, staff, comment=str(d.get("comment", ""))),
    "publish": lambda s, r, staff, rev, d: editing.publish(s, rev, staff),
}


@router.post("/{slug}/{lang}/{step}")
async def act(request: Request, slug: str, lang: str, step: str) -> Response:
    """One step on the newest revision of a language; the rule's refusal shows on the page."""
    if step not in _STEPS:
        return Response(status_code=404, headers=web.HEADERS)
    runtime = web.runtime_of(request)
    try:
        async with web.signed_in(request) as (session, current):
            data = await web.form(request, current)
            editing.require_writer(current.staff)
            editing.check_slug(slug)
            number = str(data.get("number", ""))
            revisions = await editing.revisions_of(session, slug, lang)
            if not revisions:
                raise NotFound(f"{slug}/{lang} has no revision")
            revision = (await editing.get_revision(session, slug, lang, int(number))
                        if number.isdigit() else revisions[-1])
            await _STEPS[step](session, request, current.staff, revision, data)
    except SathiError as exc:  # the rule's own words, on the page it was refused on
        async with web.signed_in(request) as (session, current):
            if current.staff.role not in editing.WRITERS or isinstance(exc, NotFound):
                return _refused(request, current, exc)
            translator = web.translator_for(runtime, current.staff.interface_lang)
            return await _editor(request, session, current, slug, lang,
                                 status=403 if isinstance(exc, NotAllowed) else 409,
                                 error=translator.gettext("Not done: {reason}",
                                                          reason=str(exc)))
    if step == "publish":
        await runtime.knowledge.refresh()  # this process's bot serves it now
    return web.redirect(f"/guide/{slug}/{lang}")
