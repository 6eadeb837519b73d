"""Router-wide dependencies of the case routes: the lockdown guard and the access log."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import Request
from starlette.exceptions import HTTPException

from admin_api.deps import CallerDep, CurrentStaff, SessionDep
from sathi.services import audit


async def refuse_in_lockdown(caller: CallerDep) -> None:
    """423 for every case route while a lockdown is in force (after the token check: 401 first).

    The state comes with the caller's token query, fresh from the database on every request.
    """
    if caller.lockdown:
        raise HTTPException(423, "lockdown: case data is not shown until an admin lifts it")


async def log_case_access(
    request: Request, session: SessionDep, staff: CurrentStaff
) -> AsyncIterator[None]:
    """Notes who opened or acted on which case (the route's name, never any content).

    Written after the route succeeded, in its transaction (main.py gives this dependency the
    request's session scope), so on SQLite a read holds the write lock only for this one
    insert. The case is the one the route found (`request.state.case_id`, set when it was
    looked up by reference), else the path's id.
    """
    yield
    case_id = getattr(request.state, "case_id", None)
    path_id = str(request.path_params.get("case_id", ""))
    if case_id is None and path_id.isdigit():
        case_id = int(path_id)
    if case_id is not None:
        route = request.scope.get("route")
        action = getattr(route, "name", None) or request.method
        audit.record(session, staff=staff, case_id=case_id, action=action)
