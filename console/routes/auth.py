"""Logging in and out of the console, and each account's interface language.

Login uses the API's account check and its throttling (sathi/services/throttle.py): failed
logins slow down per account and per address, whichever door they came through.
"""

import hmac
import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response

from console import web
from sathi.enums import Role
from sathi.errors import Invalid, NotAuthenticated
from sathi.services import console_sessions, throttle

log = logging.getLogger(__name__)

router = APIRouter(prefix=web.PREFIX, include_in_schema=False)


@router.get("")
async def home(request: Request) -> Response:
    """The console's front door: the case queue, or the guide for editors and reviewers."""
    async with web.signed_in(request) as (_session, current):
        writes_only = current.staff.role in (Role.editor, Role.reviewer)
    return web.redirect("/guide" if writes_only else "/cases")


def _login_page(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    runtime = web.runtime_of(request)
    translator = web.translator_for(runtime, None)
    token = web.new_login_csrf()
    if error is None and request.query_params.get("ended"):
        error = translator.gettext("Your session has ended. Please log in again.")
    response = web.render(request, "login.html", translator=translator, status=status,
                          login_csrf=token, error=error)
    web.set_cookie(response, request, web.LOGIN_COOKIE, token, max_age=3600)
    return response


@router.get("/login")
async def login_page(request: Request) -> Response:
    """The login form."""
    return _login_page(request)


@router.post("/login")
async def login(request: Request) -> Response:
    """Checks the account (throttled like the API) and starts a session in a cookie."""
    runtime = web.runtime_of(request)
    translator = web.translator_for(runtime, None)
    data = await request.form()
    sent, kept = str(data.get("csrf", "")), request.cookies.get(web.LOGIN_COOKIE, "")
    if not sent or not kept or not hmac.compare_digest(sent, kept):
        raise web.CsrfRefused(translator)
    username, password = str(data.get("username", "")), str(data.get("password", ""))
    address = request.client.host if request.client else None
    names = throttle.keys(username, address)
    try:
        async with runtime.sessionmaker.begin() as session:
            await throttle.check(session, names)
            opened = await console_sessions.open_session(
                session, username=username, password=password, timeouts=web.timeouts(runtime)
            )
            await throttle.succeeded(session, names)
    except throttle.Throttled as exc:
        log.warning("console login refused, throttled: account %r, retry after %d s",
                    username[:32], exc.retry_after)
        message = translator.gettext("Too many failed logins. Try again in {seconds} seconds.",
                                     seconds=exc.retry_after)
        return _login_page(request, error=message, status=429)
    except NotAuthenticated:
        async with runtime.sessionmaker.begin() as own:
            await throttle.failed(own, names)
        log.warning("failed console login: account %r", username[:32])
        return _login_page(request, error=translator.gettext("Wrong username or password."),
                           status=401)
    response = web.redirect("")
    web.set_cookie(response, request, web.COOKIE, opened.token,
                   max_age=runtime.settings.console_session_minutes * 60)
    response.delete_cookie(web.LOGIN_COOKIE, path=web.PREFIX)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """Ends the session: the cookie stops working at once, here and everywhere."""
    async with web.signed_in(request) as (session, current):
        await web.form(request, current)
        await console_sessions.close(session, token=current.token)
    response = web.redirect("/login")
    response.delete_cookie(web.COOKIE, path=web.PREFIX)
    return response


@router.post("/language")
async def choose_language(request: Request) -> Response:
    """Sets the interface language of the signed-in account."""
    runtime = web.runtime_of(request)
    async with web.signed_in(request) as (_session, current):
        data = await web.form(request, current)
        try:
            console_sessions.set_interface_language(
                current.staff, str(data.get("lang", "")), runtime.catalogs.available
            )
        except Invalid:
            pass  # the select offers only the catalogs' languages; anything else changes nothing
        back = str(data.get("back", "/cases"))
    return web.redirect(back if back.startswith("/") and not back.startswith("//") else "/cases")
