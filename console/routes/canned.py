"""Canned replies of the volunteer's languages: list, add, change, remove.

The same service as the API's /canned-replies routes (sathi/services/canned.py): volunteers see
and change only their languages' replies, admins all; editors and reviewers have none.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from console import refusals, web
from console.web import ConsoleSession
from sathi.errors import Invalid, NotAllowed, SathiError
from sathi.services import access, canned

router = APIRouter(prefix=f"{web.PREFIX}/canned", include_in_schema=False)

MAX_TITLE = 100  # the column's length, as the API's Title


def _refused(request: Request, current: ConsoleSession) -> Response:
    translator = web.translator_for(web.runtime_of(request), current.staff.interface_lang)
    return web.render(request, "error.html", translator=translator, current=current, status=403,
                      message=translator.gettext("Only volunteers and admins work on cases."))


async def _page(request: Request, session: AsyncSession, current: ConsoleSession, *,
                error: str | None = None, failed: str = "", status: int = 200) -> Response:
    runtime = web.runtime_of(request)
    translator = web.translator_for(runtime, current.staff.interface_lang)
    lang = request.query_params.get("lang") or None
    mine = [code for code in runtime.catalogs.available
            if access.handles_language(current.staff, code)]
    replies = await canned.list_canned_replies(session, staff=current.staff,
                                               lang=lang if lang in mine else None)
    return web.render(request, "canned.html", translator=translator, current=current,
                      status=status, error=error, failed=failed, replies=replies,
                      my_languages=mine, chosen_lang=lang or "", back="/canned")


@router.get("")
async def canned_page(request: Request) -> Response:
    """The canned replies of the volunteer's languages, each editable, and a form to add one."""
    async with web.signed_in(request) as (session, current):
        try:
            access.require_case_worker(current.staff)
        except NotAllowed:
            return _refused(request, current)
        return await _page(request, session, current)


def _title(data: FormData) -> str:
    title = str(data.get("title", ""))
    if len(title.strip()) > MAX_TITLE:
        raise Invalid(f"at most {MAX_TITLE} characters", field="title")
    return title


def _body(data: FormData) -> str:
    return str(data.get("body", "")).replace("\r\n", "\n")


async def _create(session: AsyncSession, current: ConsoleSession, reply_id: int | None,
                  data: FormData) -> None:
    await canned.create_canned_reply(session, staff=current.staff,
                                     lang=str(data.get("lang", "")), title=_title(data),
                                     body=_body(data))


async def _save(session: AsyncSession, current: ConsoleSession, reply_id: int | None,
                data: FormData) -> None:
    assert reply_id is not None
    await canned.update_canned_reply(session, staff=current.staff, reply_id=reply_id,
                                     title=_title(data), body=_body(data))


async def _delete(session: AsyncSession, current: ConsoleSession, reply_id: int | None,
                  data: FormData) -> None:
    assert reply_id is not None
    await canned.delete_canned_reply(session, staff=current.staff, reply_id=reply_id)


Step = Callable[[AsyncSession, ConsoleSession, int | None, FormData], Awaitable[Any]]


async def _run(request: Request, step: Step, reply_id: int | None, failed: str) -> Response:
    try:
        async with web.signed_in(request) as (session, current):
            data = await web.form(request, current)
            await step(session, current, reply_id, data)
    except SathiError as exc:
        async with web.signed_in(request) as (session, current):
            try:
                access.require_case_worker(current.staff)
            except NotAllowed:
                return _refused(request, current)
            translator = web.translator_for(web.runtime_of(request),
                                            current.staff.interface_lang)
            return await _page(request, session, current, failed=failed,
                               status=refusals.status(exc),
                               error=refusals.message(translator, exc))
    return web.redirect("/canned")


@router.post("")
async def create(request: Request) -> Response:
    """Adds a canned reply in one of the volunteer's languages."""
    return await _run(request, _create, None, "new")


@router.post("/{reply_id:int}")
async def save(request: Request, reply_id: int) -> Response:
    """Changes a canned reply's title and text."""
    return await _run(request, _save, reply_id, str(reply_id))


@router.post("/{reply_id:int}/delete")
async def delete(request: Request, reply_id: int) -> Response:
    """Removes a canned reply (replies already sent keep their text)."""
    return await _run(request, _delete, reply_id, str(reply_id))


