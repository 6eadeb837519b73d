"""One settings object, read from SATHI_* environment variables and an optional .env file."""

import re
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from sathi import paths
from sathi.errors import ConfigError

_PLACEHOLDERS = {
    "changeme", "change-me", "your-token", "your-token-here", "token", "secret", "xxx"
}
_TOKEN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{16,256}$")


class Settings(BaseSettings):
    """Everything Sathi can be told; defaults serve a laptop trying it out."""

    model_config = SettingsConfigDict(
        env_prefix="SATHI_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    volunteer_chat_id: int | None = None

    database_url: str | None = None
    data_dir: Path = Path("var")
    data_key: SecretStr | None = None
    data_key_file: Path | None = None
    case_keys_file: Path | None = None

    api_host: str = "127.0.0.1"
    api_port: Annotated[int, Field(ge=1, le=65535)] = 8000
    token_ttl_minutes: Annotated[int, Field(ge=1, le=43200)] = 720
    console_idle_minutes: Annotated[int, Field(ge=1, le=1440)] = 30
    console_session_minutes: Annotated[int, Field(ge=1, le=43200)] = 720

    retention_case_days: Annotated[int, Field(ge=1, le=3650)] = 90
    retention_member_days: Annotated[int, Field(ge=1, le=3650)] = 180
    retention_outbox_days: Annotated[int, Field(ge=1, le=365)] = 7

    knowledge_dir: Path = paths.KNOWLEDGE_DIR
    topics_file: Path = paths.TOPICS_FILE
    facts_file: Path = paths.FACTS_FILE
    locales_dir: Path = paths.LOCALES_DIR
    default_locale: str = "en"
    volunteer_language: str = "en"
    # Telegram's overall limit for a bot is about 30 messages a second; 0 spaces nothing (only
    # for a local Bot API server or the benchmarks' fake, which have no such limit).
    telegram_messages_per_second: Annotated[float, Field(ge=0)] = 25.0
    log_level: str = "INFO"

    @field_validator("telegram_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        token = value.get_secret_value().strip()
        if token.lower() in _PLACEHOLDERS or not _TOKEN.match(token):
            raise ValueError("is not a bot token from BotFather (looks like 123456:ABC-...)")
        return SecretStr(token)

    @field_validator("telegram_api_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_driver(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        for plain, async_driver in (
            ("postgresql://", "postgresql+asyncpg://"),
            ("postgres://", "postgresql+asyncpg://"),
            ("sqlite://", "sqlite+aiosqlite://"),
        ):
            if value.startswith(plain):
                value = async_driver + value[len(plain) :]
        if not value.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
            raise ValueError("must be a postgresql:// or sqlite:// URL")
        return value

    @field_validator("volunteer_language")
    @classmethod
    def _volunteer_language(cls, value: str, info: ValidationInfo) -> str:
        from sathi.i18n import available_locales

        code = value.strip().lower()
        languages = available_locales(info.data.get("locales_dir", paths.LOCALES_DIR))
        if code not in languages:
            raise ValueError(f"must be one of {', '.join(sorted(languages))}")
        return code

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> "Settings":
        if self.webhook_url:
            if not self.webhook_url.startswith("https://"):
                raise ValueError("SATHI_WEBHOOK_URL must be https:// (Telegram refuses http)")
            secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
            if not _WEBHOOK_SECRET.match(secret):
                raise ValueError(
                    "SATHI_WEBHOOK_SECRET must be set with SATHI_WEBHOOK_URL: 16-256 characters "
                    "of A-Z, a-z, 0-9, _ and -"
                )
        return self

    @property
    def uses_embedded_database(self) -> bool:
        """True when no database URL was given and Sathi keeps its own SQLite file."""
        return self.database_url is None

    def prepare_data_dir(self) -> None:
        """Creates the embedded database's folder, readable by this user only."""
        if self.uses_embedded_database:
            self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)

    @cached_property
    def database(self) -> str:
        """The SQLAlchemy URL in use: the configured one or the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'sathi.db').resolve()}"

    @property
    def case_keys_path(self) -> Path:
        """The case-key store: SATHI_CASE_KEYS_FILE, or case-keys.db in the data folder."""
        return self.case_keys_file or (self.data_dir / "case-keys.db")

    @property
    def bot_base_url(self) -> str:
        """Bot API method root, e.g. https://api.telegram.org/bot (PTB appends the token)."""
        return f"{self.telegram_api_url}/bot"

    @property
    def bot_file_url(self) -> str:
        """Bot API file root, e.g. https://api.telegram.org/file/bot."""
        return f"{self.telegram_api_url}/file/bot"

    @property
    def languages(self) -> list[str]:
        """Languages with a catalog in locales/: the only list of languages Sathi has."""
        from sathi.i18n import available_locales

        return available_locales(self.locales_dir)


def _env_name(location: tuple) -> str:
    field = str(location[0]) if location else ""
    return f"SATHI_{field.upper()}" if field else "settings"


def get_settings(**overrides: object) -> Settings:
    """Reads the settings once for an entry point; raises ConfigError with one line per problem."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            message = str(error["msg"]).removeprefix("Value error, ")
            if error["loc"]:
                lines.append(f"{_env_name(error['loc'])}: {message}")
            else:
                lines.append(message)
        raise ConfigError("\n".join(lines)) from None
