"""Each account's own page: the name workers see, the Telegram chat and its proof, the password.

The same services as the API's /auth/me routes (sathi/services/staff.py, chat_proof.py): setting
a new chat id sends a 6-digit code there through the bot; once it is entered back, files a
volunteer asks for ("send this file to my Telegram") may go to that chat. A password change
follows the API's rules (zxcvbn strength, argon2) and ends the account's other sessions.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from console import refusals, web
from console.web import ConsoleSession
from sathi.errors import Invalid, SathiError
from sathi.services import chat_proof
from sathi.services import staff as staff_service

router = APIRouter(prefix=f"{web.PREFIX}/profile", include_in_schema=False)

CHAT_ID_LIMIT = 10**15  # as the API's ChatId


async def _page(request: Request, session: AsyncSession, current: ConsoleSession, *,
                error: str | None = None, failed: str = "", status: int = 200) -> Response:
    translator = web.translator_for(web.runtime_of(request), current.staff.interface_lang)
    return web.render(request, "profile.html", translator=translator, current=current,
                      status=status, error=error, failed=failed,
                      proof=await chat_proof.state(session, current.staff),
                      done=request.query_params.get("done", ""), back="/profile")


@router.get("")
async def profile(request: Request) -> Response:
    """The account's own settings."""
    async with web.signed_in(request) as (session, current):
        return await _page(request, session, current)


def _chat_id(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        raise Invalid("the chat id is a number (Telegram's, e.g. from @userinfobot)",
                      field="telegram_chat_id") from None
    if abs(value) > CHAT_ID_LIMIT:
        raise Invalid("this is not a Telegram chat id", field="telegram_chat_id")
    return value


async def _details(session: AsyncSession, current: ConsoleSession, data: FormData) -> None:
    name = str(data.get("public_name", "")).strip()
    if len(name) > 64:
        raise Invalid("at most 64 characters", field="public_name")
    await staff_service.update_profile(
        session, staff=current.staff, public_name=name or None,
        telegram_chat_id=_chat_id(str(data.get("telegram_chat_id", ""))))


async def _verify(session: AsyncSession, current: ConsoleSession, data: FormData) -> None:
    code = str(data.get("code", "")).strip()
    if not (len(code) == 6 and code.isdigit()):
        raise Invalid("the code has 6 digits", field="code")
    await chat_proof.verify(session, current.staff, code)


async def _new_code(session: AsyncSession, current: ConsoleSession, data: FormData) -> None:
    await chat_proof.send_code(session, current.staff)


async def _password(session: AsyncSession, current: ConsoleSession, data: FormData) -> None:
    new = str(data.get("new_password", ""))
    if new != str(data.get("repeat_password", "")):
        raise Invalid("the two new passwords differ", field="new_password")
    await staff_service.change_password(
        session, staff=current.staff, current_password=str(data.get("current_password", "")),
        new_password=new, keep_token=current.token)


Step = Callable[[AsyncSession, ConsoleSession, FormData], Awaitable[Any]]
_STEPS: dict[str, Step] = {
    "details": _details, "verify": _verify, "new-code": _new_code, "password": _password,
}


@router.post("/{step}")
async def act(request: Request, step: str) -> Response:
    """One change to the own account (CSRF-checked); a refusal shows beside its form."""
    if step not in _STEPS:
        return Response(status_code=404, headers=web.HEADERS)
    try:
        async with web.signed_in(request) as (session, current):
            data = await web.form(request, current)
            await _STEPS[step](session, current, data)
    except SathiError as exc:
        async with web.signed_in(request) as (session, current):
            translator = web.translator_for(web.runtime_of(request),
                                            current.staff.interface_lang)
            return await _page(request, session, current, failed=step,
                               status=refusals.status(exc),
                               error=refusals.message(translator, exc))
    return web.redirect(f"/profile?done={step}")
