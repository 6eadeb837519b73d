"""The case pages: the queue of my languages, one case with its thread, and every action on it.

Every rule (who sees a case, who may answer, which moves are allowed) is in sathi/services/cases.py
and deliveries.py, the same functions the API's routes call; a refused action shows the
service's reason on the case page. Like the API's case routes, nothing is shown during a
lockdown, and every opening of or action on a case is written to the access log.
"""

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from console import web
from console.web import ConsoleSession
from sathi.db import utcnow
from sathi.enums import CaseStatus, Role, Urgency
from sathi.errors import Invalid, NotAllowed, NotFound, SathiError
from sathi.models import Article, Case, Staff
from sathi.services import access, audit, canned, cases, deliveries, lockdown
from sathi.services import staff as staff_service

router = APIRouter(prefix=f"{web.PREFIX}/cases", include_in_schema=False)

PAGE = 100


class _Locked(Exception):
    pass


async def _guard(session: AsyncSession, current: ConsoleSession, case_id: int | None,
                 action: str) -> None:
    """The API's case-router rules: refused in a lockdown, every access logged."""
    access.require_case_worker(current.staff)
    if await lockdown.is_active(session):
        raise _Locked
    if case_id is not None:
        audit.record(session, staff=current.staff, case_id=case_id, action=action)


def _refusal(request: Request, current: ConsoleSession, exc: Exception) -> Response:
    translator = web.translator_for(web.runtime_of(request), current.staff.interface_lang)
    if isinstance(exc, _Locked):
        message, status = translator.gettext(
            "Cases are hidden during a lockdown, until an admin lifts it."), 423
    elif isinstance(exc, NotAllowed):
        message, status = translator.gettext("Only volunteers and admins work on cases."), 403
    else:
        message, status = translator.gettext("This case does not exist, or it is not in "
                                             "your languages."), 404
    return web.render(request, "error.html", translator=translator, current=current,
                      status=status, message=message)


def _filters(request: Request) -> tuple[dict[str, Any], dict[str, str], bool]:
    """(service arguments, form values, whether a value was refused) from the query string."""
    params = request.query_params
    shown = {name: params.get(name, "").strip()
             for name in ("status", "lang", "topic", "reference")}
    chosen: dict[str, Any] = {}
    refused = False
    if shown["status"]:
        try:
            chosen["status"] = [CaseStatus(shown["status"])]
        except ValueError:
            refused = True
    for name in ("lang", "topic", "reference"):
        if shown[name]:
            chosen[name] = shown[name]
    return chosen, shown, refused


async def _queue_context(session: AsyncSession, request: Request, current: ConsoleSession
                         ) -> dict[str, Any]:
    chosen, shown, refused = _filters(request)
    page = await cases.list_cases(session, staff=current.staff, limit=PAGE, **chosen)
    seen = await audit.last_seen(session, staff_id=current.staff.id,
                                 case_ids=[case.id for case in page.items])
    unread = {case.id for case in page.items if case.last_worker_message_at and (
        case.id not in seen or case.last_worker_message_at > seen[case.id])}
    languages = access.visible_languages(current.staff)
    return {
        "page": page, "unread": unread, "filters": shown, "refused": refused,
        "names": await _names(session), "now": utcnow(),
        "case_languages": languages if languages is not None else
        web.runtime_of(request).catalogs.available,
        "statuses": list(CaseStatus), "query": request.url.query,
    }


async def _names(session: AsyncSession) -> dict[int, str]:
    return {staff.id: staff.public_name or staff.username
            for staff in await staff_service.list_staff(session)}


@router.get("")
async def queue(request: Request) -> Response:
    """My languages' cases, urgent first, then the longest waiting."""
    async with web.signed_in(request) as (session, current):
        translator = web.translator_for(web.runtime_of(request), current.staff.interface_lang)
        try:
            await _guard(session, current, None, "list_cases")
        except (_Locked, NotAllowed) as exc:
            return _refusal(request, current, exc)
        context = await _queue_context(session, request, current)
        return web.render(request, "queue.html", translator=translator, current=current,
                          **context)


@router.get("/list")
async def queue_list(request: Request) -> Response:
    """The queue's list alone, which the page polls to show new cases without a reload."""
    async with web.signed_in(request, touch=False) as (session, current):
        translator = web.translator_for(web.runtime_of(request), current.staff.interface_lang)
        try:
            await _guard(session, current, None, "list_cases")
        except (_Locked, NotAllowed):
            return Response(status_code=204, headers=web.HEADERS)
        context = await _queue_context(session, request, current)
        return web.render(request, "_queue_list.html", translator=translator, current=current,
                          **context)


def _fingerprint(case: Case) -> str:
    """Changes when the thread does: a message comes, or a reply's delivery state moves."""
    parts = [f"{m.id}:{m.delivery.status if m.delivery else ''}" for m in case.messages]
    parts += [f"n{note.id}" for note in case.notes]
    parts.append(f"{case.status}:{case.assignee_id}:{case.urgency}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


async def _articles(session: AsyncSession, request: Request, case: Case, query: str
                    ) -> list[Article]:
    """The guide's best answers to the volunteer's search, in the case's language."""
    if not query.strip():
        return []
    hits = web.runtime_of(request).knowledge.current.search(query, lang=case.lang, limit=5)
    rows = {row.slug: row for row in await session.scalars(
        select(Article).where(Article.lang == case.lang,
                              Article.slug.in_([hit.slug for hit in hits])))}
    return [rows[hit.slug] for hit in hits if hit.slug in rows]


async def _case_context(session: AsyncSession, current: ConsoleSession, case: Case
                        ) -> dict[str, Any]:
    """What the case page and its live part show: the case, who may take it, names."""
    people = await staff_service.list_staff(session)
    assignable = [person for person in people if person.is_active
                  and person.role in (Role.volunteer, Role.admin)
                  and access.handles_language(person, case.lang)]
    return {
        "case": case, "assignable": assignable, "now": utcnow(),
        "names": {person.id: person.public_name or person.username for person in people},
        "fingerprint": _fingerprint(case),
    }


async def _case_page(request: Request, session: AsyncSession, current: ConsoleSession,
                     case_id: int, *, error: str | None = None, status: int = 200) -> Response:
    translator = web.translator_for(web.runtime_of(request), current.staff.interface_lang)
    case = await cases.get_case(session, staff=current.staff, case_id=case_id)
    query = request.query_params.get("q", "")
    return web.render(
        request, "case.html", translator=translator, current=current, status=status,
        error=error, article_query=query, **await _case_context(session, current, case),
        canned=await canned.list_canned_replies(session, staff=current.staff, lang=case.lang),
        articles=await _articles(session, request, case, query),
    )


@router.get("/{case_id:int}")
async def case_page(request: Request, case_id: int) -> Response:
    """One case: the thread, its notes, the reply box and the actions."""
    async with web.signed_in(request) as (session, current):
        try:
            await _guard(session, current, case_id, "read_case")
            return await _case_page(request, session, current, case_id)
        except (_Locked, NotAllowed, NotFound) as exc:
            return _refusal(request, current, exc)


@router.get("/{case_id:int}/live")
async def live(request: Request, case_id: int) -> Response:
    """The case's state and thread when they changed since `seen` (204 otherwise).

    The page polls this every few seconds, so new worker messages and delivery states show
    without a reload; an unchanged answer shows nothing and is not logged as an access.
    """
    async with web.signed_in(request, touch=False) as (session, current):
        try:
            access.require_case_worker(current.staff)
            if await lockdown.is_active(session):
                raise _Locked
            case = await cases.get_case(session, staff=current.staff, case_id=case_id)
        except (_Locked, NotAllowed, NotFound):
            return Response(status_code=404, headers=web.HEADERS)
        if request.query_params.get("seen") == _fingerprint(case):
            return Response(status_code=204, headers=web.HEADERS)
        audit.record(session, staff=current.staff, case_id=case_id, action="read_case")
        translator = web.translator_for(web.runtime_of(request), current.staff.interface_lang)
        return web.render(request, "_live.html", translator=translator, current=current,
                          **await _case_context(session, current, case))


Action = Callable[[AsyncSession, Staff, int, FormData], Awaitable[object]]


def _number(data: FormData, name: str) -> int:
    value = str(data.get(name, "")).strip()
    if not value.isdigit():
        raise Invalid("choose one", field=name)
    return int(value)


def _reply(session: AsyncSession, staff: Staff, case_id: int, data: FormData) -> Awaitable[Case]:
    text = str(data.get("text", ""))
    chosen = str(data.get("canned_reply_id", "")).strip()
    if not text.strip() and chosen:  # a canned reply sent as it is
        return cases.reply_to_case(session, staff=staff, case_id=case_id,
                                   canned_reply_id=_number(data, "canned_reply_id"))
    return cases.reply_to_case(session, staff=staff, case_id=case_id, text=text)


_ACTIONS: dict[str, tuple[str, Action]] = {
    "claim": ("claim_case", lambda s, staff, c, d: cases.claim_case(s, staff=staff, case_id=c)),
    "unassign": ("unassign_case",
                 lambda s, staff, c, d: cases.unassign_case(s, staff=staff, case_id=c)),
    "assign": ("assign_case", lambda s, staff, c, d: cases.assign_case(
        s, staff=staff, case_id=c, assignee_id=_number(d, "assignee_id"))),
    "reply": ("create_reply", _reply),
    "article": ("send_article", lambda s, staff, c, d: cases.send_article(
        s, staff=staff, case_id=c, slug=str(d.get("slug", "")))),
    "note": ("create_note", lambda s, staff, c, d: cases.add_note(
        s, staff=staff, case_id=c, text=str(d.get("text", "")))),
    "status": ("change_status", lambda s, staff, c, d: cases.change_status(
        s, staff=staff, case_id=c, status=_choice(CaseStatus, d, "status"))),
    "reopen": ("reopen_case", lambda s, staff, c, d: cases.reopen_case(s, staff=staff, case_id=c)),
    "urgency": ("set_urgency", lambda s, staff, c, d: cases.set_urgency(
        s, staff=staff, case_id=c, urgency=_choice(Urgency, d, "urgency"))),
    "resend": ("resend_message", lambda s, staff, c, d: deliveries.resend_message(
        s, staff=staff, case_id=c, message_id=_number(d, "message_id"))),
    "dismiss": ("dismiss_message", lambda s, staff, c, d: deliveries.dismiss_message(
        s, staff=staff, case_id=c, message_id=_number(d, "message_id"))),
    "file": ("request_file", lambda s, staff, c, d: deliveries.request_file(
        s, staff=staff, case_id=c, message_id=_number(d, "message_id"))),
}


def _choice(kind: Any, data: FormData, name: str) -> Any:
    try:
        return kind(str(data.get(name, "")))
    except ValueError:
        raise Invalid("choose one", field=name) from None


@router.post("/{case_id:int}/{action}")
async def act(request: Request, case_id: int, action: str) -> Response:
    """One action on a case; the service's refusal is shown on the case page."""
    if action not in _ACTIONS:
        return Response(status_code=404, headers=web.HEADERS)
    name, run = _ACTIONS[action]
    runtime = web.runtime_of(request)
    try:  # a refusal rolls the whole transaction back, the access log entry included
        async with web.signed_in(request) as (session, current):
            data = await web.form(request, current)  # refused without the CSRF token
            await _guard(session, current, case_id, name)
            await run(session, current.staff, case_id, data)
    except (_Locked, NotAllowed, NotFound) as exc:
        async with web.signed_in(request) as (session, current):
            return _refusal(request, current, exc)
    except SathiError as exc:  # the rule's own words, on the page it was refused on
        async with web.signed_in(request) as (session, current):
            translator = web.translator_for(runtime, current.staff.interface_lang)
            message = translator.gettext("Not done: {reason}", reason=str(exc))
            await _guard(session, current, case_id, "read_case")
            status = 409 if not isinstance(exc, Invalid) else 422
            return await _case_page(request, session, current, case_id, error=message,
                                    status=status)
    anchor = "#reply" if action in ("reply", "article") else ""
    return web.redirect(f"/cases/{case_id}{anchor}")
