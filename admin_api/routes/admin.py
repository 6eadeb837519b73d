"""Admin-only safety routes: the lockdown and the case-access log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from admin_api.deps import CurrentAdmin, RuntimeDep, SessionDep
from admin_api.errors import ERROR_RESPONSES
from sathi.services import audit, lockdown

router = APIRouter(prefix="/admin", tags=["admin"], responses=ERROR_RESPONSES)


class LockdownStart(BaseModel):
    """What the lockdown may also do: destroy the data key file on this host.

    WARNING: then EVERY case becomes unreadable forever, for everyone, the union included.
    It needs confirm set to the exact phrase.
    """

    destroy_data_key: bool = False
    confirm: str | None = Field(None, max_length=64,
                                description=f'"{lockdown.CONFIRMATION}" to destroy the key')


class LockdownRead(BaseModel):
    """What the lockdown did."""

    active: bool
    tokens_revoked: int = 0
    accounts_disabled: int = 0
    key_file_destroyed: str | None = None


class CaseAccessRead(BaseModel):
    """One read of a case: who, which case, what, when; no content."""

    model_config = {"from_attributes": True}

    id: int
    case_id: int
    staff_id: int | None
    action: str
    at: datetime


@router.post("/lockdown", response_model=LockdownRead)
async def start_lockdown(session: SessionDep, admin: CurrentAdmin, runtime: RuntimeDep,
                         body: LockdownStart | None = None) -> LockdownRead:
    """Revokes every token (yours too), disables every other account, hides every case (423)."""
    body = body or LockdownStart()
    done = await lockdown.start(session, runtime.settings, keep=admin,
                                destroy_data_key=body.destroy_data_key, confirmation=body.confirm)
    return LockdownRead(active=True, tokens_revoked=done.tokens_revoked,
                        accounts_disabled=done.accounts_disabled,
                        key_file_destroyed=done.key_file_destroyed)


@router.get("/lockdown", response_model=LockdownRead)
async def read_lockdown(session: SessionDep, admin: CurrentAdmin) -> LockdownRead:
    """Whether a lockdown is in force."""
    return LockdownRead(active=await lockdown.is_active(session))


@router.delete("/lockdown", response_model=LockdownRead)
async def lift_lockdown(session: SessionDep, admin: CurrentAdmin) -> LockdownRead:
    """Shows cases again; disabled accounts stay disabled until an admin enables them."""
    await lockdown.lift(session)
    return LockdownRead(active=False)


@router.get("/case-access", response_model=list[CaseAccessRead])
async def list_case_access(
    session: SessionDep, admin: CurrentAdmin,
    case_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    staff_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**6)] = 0,
) -> list:
    """Who read which case and when, newest first (no case content)."""
    return await audit.entries(session, case_id=case_id, staff_id=staff_id, since=since,
                               limit=limit, offset=offset)
