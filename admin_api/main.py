"""Builds the FastAPI app around a runtime that the caller opened (and closes)."""

from fastapi import Depends, FastAPI

from admin_api import errors
from admin_api.guards import log_case_access, refuse_in_lockdown
from admin_api.hardening import Hardening
from admin_api.routes import (
    admin,
    articles,
    auth,
    canned,
    cases,
    chat_proof,
    facts,
    gaps,
    health,
    users,
)
from admin_api.schemas import ErrorRead
from console import app as console
from sathi.runtime import Runtime

API_PREFIX = "/api/v1"


def create_app(runtime: Runtime) -> FastAPI:
    """The admin API for one runtime; OpenAPI at /docs and /openapi.json."""
    app = FastAPI(
        title="Sathi admin API",
        version="0.1.0",
        description="For union volunteers and staff: cases, guidance, notices.",
    )
    app.state.runtime = runtime
    app.include_router(health.router)
    # Each area straight under the app: FastAPI (0.16x) walks nested routers on every request.
    for area in (auth, chat_proof, users, canned, admin, articles, facts, gaps):
        app.include_router(area.router, prefix=API_PREFIX)
    # Cases: hidden during a lockdown, and every access to one case is logged (in the request's
    # transaction: the same scope as its session, see deps.SessionDep).
    app.include_router(cases.router, prefix=API_PREFIX,
                       dependencies=[Depends(refuse_in_lockdown),
                                     Depends(log_case_access, scope="function")],
                       responses={423: {"model": ErrorRead, "description": "Locked: a lockdown "
                                        "hides cases until an admin lifts it"}})
    console.install(app)  # the web console at /console (console/)
    errors.install(app)
    app.add_middleware(Hardening)
    return app
