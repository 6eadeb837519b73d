"""What every console page shares: templates, the session cookie, CSRF, headers, error pages.

A page handler opens one transaction with `signed_in(request)`, which finds the session behind
the cookie (or sends the browser to the login page) and counts the request as activity. Forms
are read with `form(request, current)`, which refuses a form without this session's CSRF token.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from console import formatting
from sathi.enums import Role
from sathi.errors import NotAuthenticated
from sathi.i18n import Translator
from sathi.runtime import Runtime
from sathi.services import console_sessions
from sathi.services.console_sessions import ConsoleSession, Timeouts

PREFIX = "/console"
COOKIE = "sathi_console"
LOGIN_COOKIE = "sathi_login_csrf"
# Pages are made here only: scripts, styles and forms come from Sathi itself.
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
                               "form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


class LoginRequired(Exception):
    """No valid session: the browser is sent to the login page."""


class CsrfRefused(Exception):
    """A form came without this session's CSRF token."""

    def __init__(self, translator: Translator) -> None:
        super().__init__("CSRF token missing or wrong")
        self.translator = translator


def runtime_of(request: Request) -> Runtime:
    """The runtime the app was created with."""
    return request.app.state.runtime


def timeouts(runtime: Runtime) -> Timeouts:
    """The console's session timeouts from the settings."""
    settings = runtime.settings
    return Timeouts(absolute=timedelta(minutes=settings.console_session_minutes),
                    idle=timedelta(minutes=settings.console_idle_minutes))


def translator_for(runtime: Runtime, lang: str | None) -> Translator:
    """The catalogs' translator for an account's interface language (or the default)."""
    return runtime.catalogs.get(lang)


def is_https(request: Request) -> bool:
    """Behind https (directly, or a proxy saying so): the cookie is then Secure."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int
               ) -> None:
    """An HttpOnly, SameSite=Strict cookie for the console's path (Secure behind https)."""
    response.set_cookie(name, value, max_age=max_age, path=PREFIX, httponly=True,
                        samesite="strict", secure=is_https(request))


@asynccontextmanager
async def signed_in(request: Request, *, touch: bool = True
                    ) -> AsyncIterator[tuple[AsyncSession, ConsoleSession]]:
    """One transaction with the signed-in staff member; LoginRequired without a live session."""
    runtime = runtime_of(request)
    token = request.cookies.get(COOKIE)
    if not token:
        raise LoginRequired
    async with runtime.sessionmaker.begin() as session:
        try:
            current = await console_sessions.resume(
                session, token=token, timeouts=timeouts(runtime), touch=touch
            )
        except NotAuthenticated:
            raise LoginRequired from None
        yield session, current


async def form(request: Request, current: ConsoleSession) -> FormData:
    """The posted form, if it carries this session's CSRF token; CsrfRefused otherwise."""
    data = await request.form()
    sent = data.get("csrf")
    if not console_sessions.csrf_matches(current.token, sent if isinstance(sent, str) else None):
        raise CsrfRefused(translator_for(runtime_of(request), current.staff.interface_lang))
    return data


def new_login_csrf() -> str:
    """The CSRF token of the login form (there is no session yet): also kept in a cookie."""
    return secrets.token_urlsafe(24)


def render(request: Request, template: str, *, translator: Translator,
           current: ConsoleSession | None = None, status: int = 200, **context: Any
           ) -> HTMLResponse:
    """A page in the reader's language, with the console's headers."""
    runtime = runtime_of(request)
    staff = current.staff if current else None
    html = _templates.get_template(template).render(
        _=translator.gettext, ngettext=translator.ngettext, lang=translator.locale,
        when=lambda moment: formatting.when(translator, moment),
        duration=lambda delta: formatting.duration(translator, delta),
        labels=formatting, prefix=PREFIX, me=staff, csrf=current.csrf if current else "",
        languages=[(code, runtime.catalogs.get(code).native_name)
                   for code in runtime.catalogs.available],
        works_on_cases=staff is not None and staff.role in (Role.volunteer, Role.admin),
        works_on_guide=staff is not None and staff.role in (Role.editor, Role.reviewer,
                                                            Role.admin),
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def redirect(path: str) -> RedirectResponse:
    """After a successful POST: see the result with a GET (no resubmission on reload)."""
    return RedirectResponse(PREFIX + path, status_code=303, headers=HEADERS)


def install_error_pages(app: FastAPI) -> None:
    """The login redirect and the CSRF refusal, as pages rather than the API's JSON."""

    async def login_required(request: Request, exc: Exception) -> Response:
        if request.headers.get("x-console-poll"):  # a fragment poll: let the script reload
            return Response(status_code=401, headers=HEADERS)
        return RedirectResponse(f"{PREFIX}/login?ended=1", status_code=303, headers=HEADERS)

    async def csrf_refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, CsrfRefused)
        return render(request, "error.html", translator=exc.translator, status=403,
                      message=exc.translator.gettext(
                          "This form did not come from your console page, or it has expired. "
                          "Go back, reload the page and try again."))

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(CsrfRefused, csrf_refused)
