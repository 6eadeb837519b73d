"""Liveness and readiness, for a process supervisor or a load balancer."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from admin_api.deps import RuntimeDep
from sathi import migrations

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    """The database answers and its schema is at the newest migration.

    The body also says whether the bot could reach the volunteers' group at start
    ("volunteer_chat": "ok", "unreachable", "not set" or "unchecked"); that does not make the
    process unready, since workers are still answered.
    """
    try:
        async with runtime.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        current = await migrations.is_current(runtime.engine)
    except Exception as exc:  # noqa: BLE001 - any database failure means "not ready"
        return JSONResponse({"status": "unavailable", "detail": type(exc).__name__}, 503)
    if not current:
        return JSONResponse({"status": "unavailable", "detail": "migrations pending"}, 503)
    return JSONResponse({"status": "ready", "volunteer_chat": runtime.volunteer_chat})
