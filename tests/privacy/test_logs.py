"""At DEBUG, with every library talking, the log holds no worker, no token, no password."""

from __future__ import annotations

import logging

from sathi.logging_filter import scrub
from tests.privacy.conftest import SECRETS, escalate, volunteer_answers


async def test_debug_log_holds_no_canary(debug_log, workers, canaries, client, volunteer,
                                         delivery):
    stream, raw = debug_log
    for worker in workers:
        await escalate(worker)
    await volunteer_answers(client, volunteer, delivery)
    await client.post("/api/v1/auth/token", data={"username": "sita", "password": "wrong-Pw-7"})

    logged, unfiltered = stream.getvalue(), raw.getvalue()
    assert "sathi.runtime" in logged  # Sathi's own lines go through
    assert len(unfiltered) > 10_000  # the libraries did talk at DEBUG
    strings = {**SECRETS}
    for canary in canaries:
        strings.update({f"{what} {canary.user_id}": value
                        for what, value in canary.strings().items()})
    leaked = [what for what, value in strings.items() if value in logged]
    assert leaked == []
    # The control: without the handler's redaction the same run does leak (so the test can fail).
    assert any(value in unfiltered for value in strings.values())


def test_scrub_removes_tokens_and_bearer_values():
    line = ("POST https://api.telegram.org/bot123456:AAE-abcdefghijklmnopqrstuvwxyz0123/getMe "
            "headers={'Authorization': 'Bearer s3cr3t-token-value'} pw=hunter2-Canary")
    cleaned = scrub(line, ["hunter2-Canary"])
    assert "AAE-abc" not in cleaned and "s3cr3t" not in cleaned and "hunter2" not in cleaned
    assert cleaned.count("[redacted]") == 3


def test_library_warning_keeps_template_not_arguments(debug_log):
    stream, _ = debug_log
    logging.getLogger("telegram.ext.Updater").warning("bad update %s", {"text": "Secret-Canary"})
    logging.getLogger("sathi.test").info("Sathi's own line stays")
    logged = stream.getvalue()
    assert "Secret-Canary" not in logged and "bad update %s [arguments withheld]" in logged
    assert "Sathi's own line stays" in logged


def test_sathi_commands_log_through_the_redacting_handler():
    from sathi.logging_filter import RedactingFilter, RedactingFormatter, setup_logging

    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        handler = setup_logging("DEBUG", ["token-Canary"])
        assert root.handlers == [handler]
        assert any(isinstance(f, RedactingFilter) for f in handler.filters)
        assert isinstance(handler.formatter, RedactingFormatter)
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
