import os
import subprocess
import sys

import pytest

from sathi.errors import ConfigError
from sathi.settings import get_settings


def test_defaults_serve_a_laptop(tmp_path):
    settings = get_settings(_env_file=None, data_dir=tmp_path)
    assert settings.uses_embedded_database
    assert settings.database == f"sqlite+aiosqlite:///{(tmp_path / 'sathi.db').resolve()}"
    assert (settings.api_host, settings.api_port) == ("127.0.0.1", 8000)
    assert settings.telegram_token is None
    assert settings.bot_base_url == "https://api.telegram.org/bot"
    assert settings.bot_file_url == "https://api.telegram.org/file/bot"
    assert set(settings.languages) >= {"en", "ne", "bn", "tl", "ko"}


def test_api_url_derives_method_and_file_urls():
    settings = get_settings(_env_file=None, telegram_api_url="http://127.0.0.1:8081/")
    assert settings.bot_base_url == "http://127.0.0.1:8081/bot"
    assert settings.bot_file_url == "http://127.0.0.1:8081/file/bot"


def test_plain_database_urls_get_async_drivers():
    settings = get_settings(_env_file=None, database_url="postgresql://u@db/sathi")
    assert settings.database == "postgresql+asyncpg://u@db/sathi"


@pytest.mark.parametrize(
    ("field", "value", "variable"),
    [
        ("telegram_token", "changeme", "SATHI_TELEGRAM_TOKEN"),
        ("telegram_token", "12345", "SATHI_TELEGRAM_TOKEN"),
        ("telegram_api_url", "ftp://example.org", "SATHI_TELEGRAM_API_URL"),
        ("database_url", "mysql://x/y", "SATHI_DATABASE_URL"),
        ("api_port", "99999", "SATHI_API_PORT"),
        ("api_port", "eighty", "SATHI_API_PORT"),
        ("log_level", "LOUD", "SATHI_LOG_LEVEL"),
        ("telegram_messages_per_second", "-1", "SATHI_TELEGRAM_MESSAGES_PER_SECOND"),
    ],
)
def test_bad_setting_names_the_variable(field, value, variable):
    with pytest.raises(ConfigError) as info:
        get_settings(_env_file=None, **{field: value})
    lines = str(info.value).splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{variable}: ")


def test_webhook_needs_https_and_a_secret():
    with pytest.raises(ConfigError, match="SATHI_WEBHOOK_SECRET"):
        get_settings(_env_file=None, webhook_url="https://bot.example.org/telegram/webhook")
    with pytest.raises(ConfigError, match="https"):
        get_settings(
            _env_file=None, webhook_url="http://bot.example.org/x", webhook_secret="s" * 20
        )


def test_cli_reports_a_bad_setting_in_one_line_with_exit_2(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SATHI_")}
    env["SATHI_API_PORT"] = "not-a-port"
    result = subprocess.run(
        [sys.executable, "-m", "sathi.cli", "db", "current"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "sathi: SATHI_API_PORT: Input should be a valid integer, unable to parse string as an "
        "integer"
    ]
    assert "Traceback" not in result.stderr


def test_settings_come_from_a_dotenv_file(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("SATHI_API_PORT=8123\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert get_settings().api_port == 8123


def test_embedded_data_dir_is_private(tmp_path):
    settings = get_settings(_env_file=None, data_dir=tmp_path / "var")
    settings.prepare_data_dir()
    assert (tmp_path / "var").stat().st_mode & 0o777 == 0o700
