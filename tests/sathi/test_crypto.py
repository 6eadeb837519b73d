import stat

import pytest

from sathi.crypto import Vault, load_master_key, new_key
from sathi.errors import ConfigError
from sathi.settings import get_settings


def test_encryption_round_trips_and_hides_the_text():
    vault = Vault(load_master_key(get_settings(_env_file=None, data_key=new_key())))
    token = vault.encrypt("मेरो तलब आएन")
    assert "तलब" not in token
    assert vault.decrypt(token) == "मेरो तलब आएन"


def test_pseudonyms_are_stable_and_keyed():
    key_a, key_b = new_key(), new_key()
    vault_a = Vault(load_master_key(get_settings(_env_file=None, data_key=key_a)))
    vault_b = Vault(load_master_key(get_settings(_env_file=None, data_key=key_b)))
    assert vault_a.pseudonym("telegram-user", 42) == vault_a.pseudonym("telegram-user", 42)
    assert vault_a.pseudonym("telegram-user", 42) != vault_b.pseudonym("telegram-user", 42)
    assert "987654321" not in vault_a.pseudonym("telegram-user", 987654321)


def test_a_wrong_key_is_a_configuration_error_not_garbage():
    token = Vault(load_master_key(get_settings(_env_file=None, data_key=new_key()))).encrypt("x")
    other = Vault(load_master_key(get_settings(_env_file=None, data_key=new_key())))
    with pytest.raises(ConfigError, match="SATHI_DATA_KEY"):
        other.decrypt(token)


def test_embedded_default_creates_an_owner_only_key_file_once(tmp_path):
    settings = get_settings(_env_file=None, data_dir=tmp_path / "var")
    first = load_master_key(settings)
    key_file = tmp_path / "var" / "sathi.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert load_master_key(settings) == first


def test_external_database_without_a_key_is_refused(tmp_path):
    settings = get_settings(
        _env_file=None, data_dir=tmp_path, database_url="postgresql://db.example/sathi"
    )
    with pytest.raises(ConfigError, match="SATHI_DATA_KEY"):
        load_master_key(settings)
    assert not (tmp_path / "sathi.key").exists()


def test_malformed_key_names_the_variable():
    with pytest.raises(ConfigError, match="SATHI_DATA_KEY"):
        load_master_key(get_settings(_env_file=None, data_key="short"))


def test_a_key_file_readable_by_others_stops_sathi_with_one_line(tmp_path, monkeypatch, capsys):
    import os

    from sathi.cli import main
    from sathi.crypto import new_key

    key_file = tmp_path / "sathi.key"
    key_file.write_text(new_key() + "\n", encoding="ascii")
    os.chmod(key_file, 0o644)
    monkeypatch.setenv("SATHI_DATA_KEY_FILE", str(key_file))
    monkeypatch.setenv("SATHI_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)
    import logging

    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    monkeypatch.setattr(root, "level", root.level)
    assert main(["run"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert str(key_file) in line and "chmod 600" in line
    os.chmod(key_file, 0o600)
    from sathi.crypto import load_master_key
    from sathi.settings import get_settings

    assert len(load_master_key(get_settings(_env_file=None))) == 32


def test_new_keys_are_made_together_in_one_commit_and_last(tmp_path):
    path = tmp_path / "case-keys.db"
    master = load_master_key(get_settings(_env_file=None, data_key=new_key()))
    vault = Vault(master, path)
    statements: list[str] = []
    vault.keys._db.set_trace_callback(statements.append)
    assert vault.keys.missing(["member-a", "member-b", "member-a"]) == ["member-a", "member-b"]
    vault.keys.create(["member-a", "member-b"])
    assert [s for s in statements if s in ("BEGIN IMMEDIATE", "COMMIT")] == [
        "BEGIN IMMEDIATE", "COMMIT"]
    assert vault.keys.missing(["member-a", "member-b", "member-c"]) == ["member-c"]
    reopened = Vault(master, path)  # another process: the keys are on disk
    assert reopened.keys.get("member-a") == vault.keys.get("member-a")
    assert reopened.keys.get("member-a") != reopened.keys.get("member-b")
