"""Builds the FastAPI app around a runtime that the caller opened (and closes)."""

from fastapi import APIRouter, FastAPI

from admin_api import errors
from admin_api.routes import articles, auth, canned, cases, facts, gaps, health, users
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
    api = APIRouter(prefix=API_PREFIX)
    for area in (auth, users, cases, canned, articles, facts, gaps):
        api.include_router(area.router)
    app.include_router(api)
    errors.install(app)
    return app
