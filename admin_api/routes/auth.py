"""Logging in and out, and each staff member's own profile and password."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.security import OAuth2PasswordRequestForm

from admin_api.deps import CurrentStaff, RuntimeDep, SessionDep, TokenDep
from admin_api.errors import ERROR_RESPONSES
from admin_api.schemas import PasswordChange, ProfileUpdate, StaffRead, TokenRead
from sathi.models import Staff
from sathi.services import staff as staff_service

router = APIRouter(prefix="/auth", tags=["auth"], responses=ERROR_RESPONSES)


@router.post("/token", response_model=TokenRead)
async def create_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    runtime: RuntimeDep,
) -> TokenRead:
    """OAuth2 password flow: a bearer token for a username and password."""
    ttl = timedelta(minutes=runtime.settings.token_ttl_minutes)
    issued = await staff_service.login(
        session, username=form.username, password=form.password, ttl=ttl
    )
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
