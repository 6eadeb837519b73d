"""Dependencies shared by the routes: the runtime, a session per request, the caller's account."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession

from sathi.enums import Role
from sathi.errors import NotAllowed, NotAuthenticated
from sathi.models import Staff
from sathi.runtime import Runtime
from sathi.services import staff as staff_service
from sathi.services.staff import Caller

TOKEN_URL = "/api/v1/auth/token"


async def get_runtime(request: Request) -> Runtime:
    """The runtime the app was created with (async: a plain def would cost a thread hop)."""
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_session(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed when the route returns, rolled back on error."""
    async with runtime.sessionmaker.begin() as session:
        yield session


# scope="function": the commit happens before the response is sent, so a client never sees
# success for a change (a reply, its outbox item) that then failed to commit.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]

_bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


async def get_token(token: Annotated[str | None, Depends(_bearer)]) -> str:
    """The bearer token of the request; 401 in the API's error shape when there is none."""
    if not token:
        raise NotAuthenticated("log in first: send Authorization: Bearer <token>")
    return token


TokenDep = Annotated[str, Depends(get_token)]


async def get_caller(session: SessionDep, token: TokenDep) -> Caller:
    """The active account behind the token, and the lockdown state (one query for both)."""
    return await staff_service.caller_for_token(session, token=token)


CallerDep = Annotated[Caller, Depends(get_caller)]


async def get_current_staff(caller: CallerDep) -> Staff:
    """The active account behind the token."""
    return caller.staff


CurrentStaff = Annotated[Staff, Depends(get_current_staff)]


async def get_current_volunteer(staff: CurrentStaff) -> Staff:
    """A volunteer or an admin: who works on cases (editors get 403)."""
    if staff.role not in (Role.volunteer, Role.admin):
        raise NotAllowed("only volunteers and admins work on cases")
    return staff


CurrentVolunteer = Annotated[Staff, Depends(get_current_volunteer)]


async def get_current_admin(staff: CurrentStaff) -> Staff:
    """An admin."""
    if staff.role != Role.admin:
        raise NotAllowed("only admins may do this")
    return staff


CurrentAdmin = Annotated[Staff, Depends(get_current_admin)]


async def get_current_writer(staff: CurrentStaff) -> Staff:
    """An editor, a reviewer or an admin: who changes articles and facts (volunteers get 403)."""
    if staff.role not in (Role.editor, Role.reviewer, Role.admin):
        raise NotAllowed("only editors, reviewers and admins may change articles and facts")
    return staff


CurrentWriter = Annotated[Staff, Depends(get_current_writer)]
