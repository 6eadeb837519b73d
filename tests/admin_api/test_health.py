import httpx

from admin_api.main import create_app
from sathi import migrations


async def _get(runtime, path):
    transport = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path)


async def test_healthz_and_readyz_on_a_migrated_database(runtime):
    assert (await _get(runtime, "/healthz")).json() == {"status": "ok"}
    ready = await _get(runtime, "/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "volunteer_chat": "unchecked"}


async def test_readyz_reports_pending_migrations(runtime):
    await migrations.downgrade(runtime.engine, "base")
    try:
        response = await _get(runtime, "/readyz")
        assert response.status_code == 503
        assert response.json()["detail"] == "migrations pending"
    finally:
        await migrations.upgrade(runtime.engine)


async def test_openapi_docs_are_served(runtime):
    assert (await _get(runtime, "/docs")).status_code == 200
    assert "/healthz" in (await _get(runtime, "/openapi.json")).json()["paths"]
