"""Logging in and out, and each staff member's own profile and password."""

import logging
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm
from starlette.exceptions import HTTPException

from admin_api.deps import CurrentStaff, RuntimeDep, SessionDep, TokenDep
from admin_api.errors import ERROR_RESPONSES
from admin_api.schemas import ErrorRead, PasswordChange, ProfileUpdate, StaffRead, TokenRead
from sathi.errors import NotAuthenticated
from sathi.models import Staff
from sathi.services import staff as staff_service
from sathi.services import throttle

log = logging.getLogger(__name__)

router = APIRouter(prefix="/auth", tags=["auth"], responses=ERROR_RESPONSES)


_TOKEN_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorRead, "description": "Bad Request: the form cannot be read"},
    429: {"model": ErrorRead, "description": "Too many failed logins: wait Retry-After seconds",
          "headers": {"Retry-After": {"schema": {"type": "integer"},
                                      "description": "seconds to wait"}}},
}


@router.post("/token", response_model=TokenRead, responses=_TOKEN_ERRORS)
async def create_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    runtime: RuntimeDep,
    request: Request,
) -> TokenRead:
    """OAuth2 password flow: a bearer token for a username and password.

    Failed logins slow down per account and per client address (429 with Retry-After).
    """
    ttl = timedelta(minutes=runtime.settings.token_ttl_minutes)
    names = throttle.keys(form.username, request.client.host if request.client else None)
    try:
        await throttle.check(session, names)
    except throttle.Throttled as exc:
        log.warning("login refused, throttled: account %r from %s, retry after %d s",
                    form.username[:32], request.client.host if request.client else "?",
                    exc.retry_after)
        raise HTTPException(429, str(exc), headers={"Retry-After": str(exc.retry_after)}) from None
    try:
        issued = await staff_service.login(
            session, username=form.username, password=form.password, ttl=ttl
        )
    except NotAuthenticated:
        async with runtime.sessionmaker.begin() as own:  # counted even though this one fails
            delay = await throttle.failed(own, names)
        log.warning("failed login: account %r from %s%s", form.username[:32],
                    request.client.host if request.client else "?",
                    f", next attempt blocked for {delay} s" if delay else "")
        raise
    await throttle.succeeded(session, names)
    return TokenRead(
        access_token=issued.token, expires_in=int(ttl.total_seconds()),
        expires_at=issued.expires_at,
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def delete_token(session: SessionDep, token: TokenDep, staff: CurrentStaff) -> None:
    """Revokes the token used for this request."""
    await staff_service.revoke_token(session, token=token)


@router.get("/me", response_model=StaffRead)
async def read_me(staff: CurrentStaff) -> Staff:
    """The caller's own account."""
    return staff


@router.patch("/me", response_model=StaffRead)
async def update_me(session: SessionDep, staff: CurrentStaff, body: ProfileUpdate) -> Staff:
    """Sets the caller's public name and Telegram chat.

    The public name is shown to workers under replies (without one: "a union volunteer"); the
    chat is where requested files are sent.
    """
    return await staff_service.update_profile(
        session, staff=staff, **body.model_dump(exclude_unset=True)
    )


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT)
async def change_password(
    session: SessionDep, staff: CurrentStaff, token: TokenDep, body: PasswordChange
) -> None:
    """Changes the caller's password; their other sessions end."""
    await staff_service.change_password(
        session, staff=staff, current_password=body.current_password,
        new_password=body.new_password, keep_token=token,
    )
