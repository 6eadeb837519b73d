"""Puts the console on the admin API's app: its routes, its static files, its error pages."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from console import web
from console.routes import admin, auth, cases, guide

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Serves the console at /console on the app (same process and port as the API)."""
    app.include_router(auth.router)
    app.include_router(cases.router)
    app.include_router(guide.router)
    app.include_router(admin.router)
    app.mount(f"{web.PREFIX}/static", StaticFiles(directory=STATIC), name="console-static")
    web.install_error_pages(app)
