"""Each case's words under its own key, wrapped by the data key; destroying it shreds copies."""

from __future__ import annotations

import base64
import os
import threading

import pytest
from sqlalchemy import text

from sathi.cli import main
from sathi.crypto import KeyDestroyed, Sealed, Vault, _derive, load_master_key, new_key
from sathi.enums import MessageKind
from sathi.errors import ConfigError
from sathi.sealing import case_key_name, member_key_name
from sathi.services import volunteer_cases, worker_cases
from tests.sathi.conftest import cheap_passwords, factory  # noqa: F401 - fixtures


async def _raw(runtime, sql: str) -> list[tuple]:
    async with runtime.engine.connect() as connection:
        return [tuple(row) for row in await connection.execute(text(sql))]


async def _open(runtime, factory):  # noqa: F811
    volunteer = await factory.staff()
    member = await factory.member()
    case = await factory.case(member=member, text="Keyed-Canary-1 my wages")
    async with runtime.sessionmaker.begin() as session:
        await volunteer_cases.add_note(
            session, staff=volunteer, case_id=case.id, text="Note-Canary-2"
        )
        await volunteer_cases.reply_to_case(
            session, staff=volunteer, case_id=case.id, text="Reply-Canary-3"
        )
    return case, member


async def test_case_words_use_the_case_key_and_chat_ids_the_worker_key(runtime, factory):  # noqa: F811
    case, member = await _open(runtime, factory)
    prefix = f"k1:{case_key_name(case.id)}:"
    texts = [row[0] for row in await _raw(runtime, "SELECT text FROM case_message")]
    notes = [row[0] for row in await _raw(runtime, "SELECT text FROM case_note")]
    outbox = await _raw(runtime, "SELECT payload, chat_id, case_id FROM outbox")
    assert texts and all(t.startswith(prefix) for t in texts)
    assert notes and all(t.startswith(prefix) for t in notes)
    assert all(p.startswith(prefix) and c.startswith(prefix) for p, c, cid in outbox if cid)
    [(chat,)] = await _raw(runtime, "SELECT chat_id FROM member")
    assert chat.startswith(f"k1:{member_key_name(member.telegram_key)}:")


async def test_destroying_the_case_key_makes_an_old_copy_unreadable(runtime, factory):  # noqa: F811
    case, _member = await _open(runtime, factory)
    backup = [row[0] for row in await _raw(runtime, "SELECT text FROM case_message")]
    vault = runtime.vault
    assert vault.decrypt(backup[0]) == "Keyed-Canary-1 my wages"
    assert vault.forget_keys([case_key_name(case.id)]) == 1
    with pytest.raises(KeyDestroyed):
        vault.decrypt(backup[0])
    # A fresh process (no cache) with the same data key and store cannot read it either.
    fresh = Vault(load_master_key(runtime.settings), runtime.settings.case_keys_path)
    with pytest.raises(KeyDestroyed):
        fresh.decrypt(backup[0])


async def test_a_new_case_never_reuses_an_erased_case_key(runtime, factory):  # noqa: F811
    member = await factory.member()
    async with runtime.sessionmaker.begin() as session:
        case = await worker_cases.open_case(session, member=member, lang="ne", consent=True,
                                     kind=MessageKind.text, text="first")
    # A key left behind under the name the next case will get (as after an erased case whose
    # id SQLite hands out again):
    stale = runtime.vault.encrypt(Sealed("left behind", case_key_name(case.id + 1)))
    async with runtime.sessionmaker.begin() as session:
        newer = await worker_cases.open_case(session, member=member, lang="ne", consent=True,
                                      kind=MessageKind.text, text="newer")
    assert newer.id == case.id + 1
    with pytest.raises(KeyDestroyed):
        runtime.vault.decrypt(stale)


def test_rows_written_before_the_key_store_still_read(tmp_path):
    from cryptography.fernet import Fernet

    master = os.urandom(32)
    legacy = Fernet(base64.urlsafe_b64encode(_derive(master, b"sathi encryption")))
    token = legacy.encrypt(b"written at revision 0003").decode()
    vault = Vault(master, tmp_path / "case-keys.db")
    assert vault.decrypt(token) == "written at revision 0003"


async def test_keys_rotate_rewraps_without_touching_the_database(runtime, factory, tmp_path,  # noqa: F811
                                                                 monkeypatch, capsys):
    case, _member = await _open(runtime, factory)
    before = await _raw(runtime, "SELECT id, text FROM case_message")
    settings = runtime.settings
    old_key = settings.data_key.get_secret_value()
    new_file = tmp_path / "new.key"
    new_file.write_text(new_key() + "\n", encoding="ascii")
    os.chmod(new_file, 0o600)
    monkeypatch.setenv("SATHI_DATA_KEY", old_key)
    monkeypatch.setenv("SATHI_DATA_DIR", str(settings.data_dir))
    monkeypatch.chdir(tmp_path)
    root = __import__("logging").getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    assert main(["keys", "rotate", "--new-key-file", str(new_file)]) == 0
    assert "re-wrapped" in capsys.readouterr().out
    assert await _raw(runtime, "SELECT id, text FROM case_message") == before
    new_master = base64.urlsafe_b64decode(new_file.read_text().strip())
    rotated = Vault(new_master, settings.case_keys_path)
    assert rotated.decrypt(before[0][1]) == "Keyed-Canary-1 my wages"
    with pytest.raises(ConfigError, match="sathi keys rotate"):
        Vault(base64.urlsafe_b64decode(old_key), settings.case_keys_path)


async def test_a_new_cases_key_is_made_in_one_commit_off_the_event_loop(runtime, factory):  # noqa: F811
    member = await factory.member()
    statements: list[str] = []
    runtime.vault.keys._db.set_trace_callback(lambda sql: statements.append(
        f"{threading.current_thread() is threading.main_thread()} {sql}"))
    async with runtime.sessionmaker.begin() as session:
        case = await worker_cases.open_case(session, member=member, lang="ne", consent=True,
                                            kind=MessageKind.text, text="first")
    runtime.vault.keys._db.set_trace_callback(None)
    writes = [s for s in statements
              if s.split(" ", 1)[1].startswith(("BEGIN", "COMMIT", "DELETE", "INSERT"))]
    assert writes and all(s.startswith("False ") for s in writes), "never on the event loop"
    assert sum(s.endswith("COMMIT") for s in writes) == 1
    [message] = case.messages
    assert message.text == "first"
