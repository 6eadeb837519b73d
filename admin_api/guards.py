"""Router-wide dependencies of the case routes: the lockdown guard and the access log."""

from __future__ import annotations

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


async def log_case_access(request: Request, session: SessionDep, staff: CurrentStaff) -> None:
    """Notes who opened or acted on which case (the route's name, never any content)."""
    case_id = request.path_params.get("case_id")
    if case_id is not None and str(case_id).isdigit():
        route = request.scope.get("route")
        action = getattr(route, "name", None) or request.method
        audit.record(session, staff=staff, case_id=int(case_id), action=action)
