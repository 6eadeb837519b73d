"""The admins' pages: accounts, the lockdown, and the case-access audit.

The same services as the API's users and admin routes (sathi/services/staff.py, lockdown.py,
audit.py). Starting a lockdown ends every session, this one too; the console destroys no key
(that stays a deliberate step in the API or the server's shell).
"""

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from console import web
from console.web import ConsoleSession
from sathi.enums import Role
from sathi.errors import Invalid, NotAllowed, SathiError
from sathi.models import Staff
from sathi.services import audit, lockdown
from sathi.services import staff as staff_service

router = APIRouter(prefix=f"{web.PREFIX}/admin", include_in_schema=False)


def _require_admin(staff: Staff) -> None:
    if staff.role != Role.admin:
        raise NotAllowed("only admins may do this")


async def _page(request: Request, session: AsyncSession, current: ConsoleSession, *,
                error: str | None = None, status: int = 200) -> Response:
    translator = web.translator_for(web.runtime_of(request), current.staff.interface_lang)
    case_id = request.query_params.get("case_id", "")
    entries = await audit.entries(session, case_id=int(case_id) if case_id.isdigit() else None,
                                  limit=100)
    people = await staff_service.list_staff(session)
    return web.render(request, "admin.html", translator=translator, current=current,
                      status=status, error=error, people=people, roles=list(Role),
                      locked=await lockdown.is_active(session), entries=entries,
                      names={p.id: p.username for p in people}, audit_case=case_id,
                      back="/admin")


@router.get("")
async def admin_page(request: Request) -> Response:
    """Accounts, the lockdown and the newest case accesses."""
    async with web.signed_in(request) as (session, current):
        try:
            _require_admin(current.staff)
        except NotAllowed:
            translator = web.translator_for(web.runtime_of(request),
                                            current.staff.interface_lang)
            return web.render(request, "error.html", translator=translator, current=current,
                              status=403, message=translator.gettext("Only admins see this page."))
        return await _page(request, session, current)


def _languages(data: FormData) -> list[str]:
    return [code for code in str(data.get("languages", "")).replace(",", " ").split() if code]


def _role(data: FormData) -> Role:
    try:
        return Role(str(data.get("role", "")))
    except ValueError:
        raise Invalid("choose a role", field="role") from None


def _id(data: FormData) -> int:
    value = str(data.get("staff_id", ""))
    if not value.isdigit():
        raise Invalid("choose an account", field="staff_id")
    return int(value)


Step = Callable[[AsyncSession, Request, ConsoleSession, FormData], Awaitable[Any]]

_STEPS: dict[str, Step] = {
    "create": lambda s, r, c, d: staff_service.create_staff(
        s, username=str(d.get("username", "")), password=str(d.get("password", "")),
        role=_role(d), languages=_languages(d)),
    "update": lambda s, r, c, d: staff_service.update_staff(
        s, staff_id=_id(d), role=_role(d), languages=_languages(d),
        is_active=bool(d.get("is_active"))),
    "password": lambda s, r, c, d: staff_service.reset_password(
        s, staff_id=_id(d), password=str(d.get("password", ""))),
    "lockdown": lambda s, r, c, d: lockdown.start(s, web.runtime_of(r).settings,
                                                  keep=c.staff),
    "lift": lambda s, r, c, d: lockdown.lift(s),
}


@router.post("/{step}")
async def act(request: Request, step: str) -> Response:
    """One admin step; a refusal (a weak password, the last admin...) shows on the page."""
    if step not in _STEPS:
        return Response(status_code=404, headers=web.HEADERS)
    try:
        async with web.signed_in(request) as (session, current):
            data = await web.form(request, current)
            _require_admin(current.staff)
            await _STEPS[step](session, request, current, data)
    except SathiError as exc:
        async with web.signed_in(request) as (session, current):
            translator = web.translator_for(web.runtime_of(request),
                                            current.staff.interface_lang)
            if current.staff.role != Role.admin:
                return web.render(request, "error.html", translator=translator,
                                  current=current, status=403,
                                  message=translator.gettext("Only admins see this page."))
            return await _page(request, session, current, status=422 if isinstance(
                exc, Invalid) else 409, error=translator.gettext("Not done: {reason}",
                                                                 reason=str(exc)))
    if step == "lockdown":  # every session ended, this one too
        return web.redirect("/login")
    return web.redirect("/admin")
