"""The seizure drill: what a raid on the server, a backup or a laptop would find.

Canary workers go through the real bot (fake Bot API over HTTP) and a volunteer answers them on
the admin API, with every library logging at DEBUG. Then, WITHOUT the data key: the database
files (with -wal and -shm), an SQL dump (SQLite's iterdump; on PostgreSQL every row of every
table), the log and every file under the data folder hold no canary, no token, no password.
After the first worker's /forget, WITH the data key (every encrypted cell decrypted): nothing of
that worker is left, and an old backup copy taken before the erase no longer decrypts their case.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import text

from sathi.crypto import KeyDestroyed
from sathi.db import Base
from tests.privacy.conftest import SECRETS, escalate, volunteer_answers

REPORT = Path(__file__).with_name("drill-figures.json")


async def _rows(runtime) -> list[tuple]:
    """Every row of every table, as stored (no decryption)."""
    found = []
    async with runtime.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            result = await connection.execute(text(f'SELECT * FROM "{table.name}"'))
            found.extend(tuple(row) for row in result)
    return found


def _database_file(settings) -> Path | None:
    if not settings.uses_embedded_database:
        return None
    return Path(settings.database.split("///", 1)[1])


def _sql_dump(settings, rows: list[tuple]) -> bytes:
    database = _database_file(settings)
    if database is None:  # PostgreSQL: every row of every table
        return "\n".join(map(repr, rows)).encode()
    connection = sqlite3.connect(database)
    try:
        return "\n".join(connection.iterdump()).encode()
    finally:
        connection.close()


def _decrypt_all(vault, rows: list[tuple]) -> tuple[str, int, int]:
    """Every cell, with encrypted ones decrypted where a key still exists; (text, ok, lost)."""
    out, ok, lost = [], 0, 0
    for row in rows:
        for cell in row:
            if isinstance(cell, str) and (cell.startswith("k1:") or cell.startswith("gAAAA")):
                try:
                    out.append(vault.decrypt(cell))
                    ok += 1
                except KeyDestroyed:
                    lost += 1
            else:
                out.append(str(cell))
    return "\n".join(out), ok, lost


async def test_seizure_drill(debug_log, runtime, settings, workers, canaries, client, volunteer,
                             delivery, tmp_path):
    stream, unfiltered = debug_log
    for worker in workers:
        await escalate(worker)
    await volunteer_answers(client, volunteer, delivery)
    for worker in workers:
        await worker.say(worker.canary.follow_up + " again")

    strings: dict[str, str] = {**SECRETS}
    for canary in canaries:
        strings.update({f"{what} of {canary.user_id}": v for what, v in canary.strings().items()})
    figures: dict[str, object] = {"canaries": len(strings), "workers": len(canaries)}

    # 1. Without the data key: files, dump, log, data folder.
    await runtime.engine.dispose()  # as a seized disk: whatever SQLite had not written yet too
    rows = await _rows(runtime)
    blobs: dict[str, bytes] = {"sql dump": _sql_dump(settings, rows),
                               "debug log": stream.getvalue().encode()}
    for path in sorted(p for p in settings.data_dir.rglob("*") if p.is_file()):
        blobs[str(path.relative_to(settings.data_dir))] = path.read_bytes()
    database = _database_file(settings)
    if database is not None:
        assert {database.name, database.name + "-wal"} <= set(blobs) or database.name in blobs
    hits = [(what, where) for what, value in strings.items() for where, blob in blobs.items()
            if value.encode() in blob]
    figures.update(files=len(blobs), bytes=sum(map(len, blobs.values())), hits=len(hits),
                   scanned=sorted(blobs))
    assert hits == []
    assert b"sathi.runtime" in blobs["debug log"] and b"k1:case-" in blobs["sql dump"]
    assert any(value in unfiltered.getvalue() for value in strings.values())  # a real test

    # 2. A backup copy taken now, before the erase.
    backup_rows = list(rows)
    if database is not None:
        for path in database.parent.glob(database.name + "*"):
            shutil.copy(path, tmp_path / path.name)

    # 3. The first worker erases everything.
    first, second = workers
    await first.say("/forget")
    await first.press("forget:yes")
    await runtime.engine.dispose()

    # 4. WITH the data key: nothing of the first worker; the second is still all readable.
    live, ok, lost = _decrypt_all(runtime.vault, await _rows(runtime))
    pseudonym = runtime.vault.pseudonym("telegram-user", first.canary.user_id)
    gone = {**first.canary.strings(), "pseudonym": pseudonym}
    left = [what for what, value in gone.items() if value in live]
    assert left == []
    assert second.canary.text in live and second.canary.reply in live
    figures.update(after_erase_decrypted=ok, after_erase_undecryptable=lost,
                   after_erase_hits=len(left))

    # 5. The old backup, read with the data key: the erased worker's case no longer decrypts.
    old, ok, lost = _decrypt_all(runtime.vault, backup_rows)
    still = [what for what, value in first.canary.strings().items() if value in old]
    assert still == [] and lost > 0
    assert second.canary.text in old  # the backup itself is fine: only the erased are gone
    figures.update(backup_cells_decrypted=ok, backup_cells_shredded=lost,
                   backup_hits=len(still))
    REPORT.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    print("seizure drill:", json.dumps(figures))
