"""Generated requests from /openapi.json against the ASGI app: no input may cause a 5xx.

Schemathesis runs the app on its own event loop thread, so the runtime is opened inside the app's
lifespan, on that loop, rather than by the async `runtime` fixture.
"""

from collections import Counter
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import text

from admin_api.main import create_app
from sathi.db import Base
from sathi.enums import MessageKind, Role
from sathi.runtime import open_runtime
from sathi.services import canned, members, volunteer_cases, worker_cases
from sathi.services import staff as staff_service

EXAMPLES_PER_OPERATION = 7  # per generation mode and path-parameter choice: a few hundred in all
# Would end the session the run uses; each has its own tests.
SKIPPED = {
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/auth/password"),
    ("POST", "/api/v1/users/{user_id}/password"),
    ("POST", "/api/v1/admin/lockdown"),  # revokes every token (tests/privacy)
}


async def _empty(runtime) -> None:
    async with runtime.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(text(f'DELETE FROM "{table.name}"'))


async def _seed(runtime, known: dict) -> None:
    """An admin to call as, and real ids so that some requests reach the services."""
    async with runtime.sessionmaker.begin() as session:
        admin = await staff_service.create_staff(
            session, username="fuzz-admin", password="fuzz admin password", role=Role.admin,
            telegram_chat_id=1,
        )
        volunteer = await staff_service.create_staff(
            session, username="fuzz-volunteer", password="fuzz volunteer pw", role=Role.volunteer,
            languages=["ne"],
        )
        member = await members.get_or_create_member(session, telegram_user_id=1, chat_id=1)
        case = await worker_cases.open_case(
            session, member=member, lang="ne", consent=True, kind=MessageKind.photo,
            file_id="AgAC", text="payslip",
        )
        case = await volunteer_cases.reply_to_case(
            session, staff=admin, case_id=case.id, text="Thanks"
        )
        reply = await canned.create_canned_reply(
            session, staff=admin, lang="ne", title="Hello", body="Namaste"
        )
        issued = await staff_service.login(
            session, username="fuzz-admin", password="fuzz admin password",
            ttl=timedelta(hours=1),
        )
    known.update(
        token=issued.token, case_id=case.id, message_id=case.messages[0].id,
        user_id=volunteer.id, reply_id=reply.id,
    )


@pytest.fixture
def fuzz_app(make_settings):
    settings = make_settings()
    known: dict = {}
    app = create_app(None)  # type: ignore[arg-type]  # the lifespan below supplies the runtime

    @asynccontextmanager
    async def lifespan(_app):
        runtime = await open_runtime(settings)
        if not settings.uses_embedded_database:
            await _empty(runtime)
        await _seed(runtime, known)
        app.state.runtime = runtime
        try:
            yield
        finally:
            if not settings.uses_embedded_database:
                await _empty(runtime)
            await runtime.close()

    app.router.lifespan_context = lifespan
    try:
        yield app, known
    finally:
        shutdown_lifespans()


def _run(strategy, checks, headers, statuses: Counter[int]) -> None:
    """Sends the strategy's requests as the admin and applies the checks to each response."""

    @given(case=strategy)
    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
        phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
    )
    def check(case):
        response = case.call(headers=headers)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=checks)

    check()


def test_generated_requests_never_cause_a_server_error(fuzz_app):
    app, known = fuzz_app
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {known['token']}"}
    statuses: Counter[int] = Counter()
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        operations += 1
        names = {parameter.name for parameter in operation.path_parameters}
        fixed = {name: known[name] for name in names if name in known}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            # Bodies of invalid requests are only checked for "no 5xx"; valid ones must also
            # match the documented response schemas (including the error shape).
            checks = [not_a_server_error]
            if mode == GenerationMode.POSITIVE:
                checks.append(response_schema_conformance)
            for path_parameters in ([None, fixed] if names else [None]):
                strategy = operation.as_strategy(
                    generation_mode=mode, path_parameters=path_parameters or None
                )

                try:
                    _run(strategy, checks, headers, statuses)
                except Unsatisfiable:
                    assert mode == GenerationMode.NEGATIVE  # nothing in it can be made invalid
    total = sum(statuses.values())
    summary = dict(sorted(statuses.items()))
    print(f"schemathesis: {operations} operations, {total} requests, statuses {summary}")
    assert total >= 200
    assert not [status for status in statuses if status >= 500]
    assert statuses[200] + statuses[201] + statuses[204] > 0
