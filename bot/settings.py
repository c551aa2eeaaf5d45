"""Runtime settings, read from the environment (and a `.env` file when present)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator can set. Names are the environment variables."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    data_dir: Path = Field(default=Path("."), alias="LEENWIJZER_DATA_DIR")

    telegram_bot_token: str | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_library: Literal["ptb", "aiogram"] = Field(default="ptb", alias="TELEGRAM_LIBRARY")
    telegram_api_url: str = Field(default="https://api.telegram.org", alias="TELEGRAM_API_URL")
    telegram_webhook_url: str | None = Field(default=None, alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: str | None = Field(default=None, alias="TELEGRAM_WEBHOOK_SECRET")
    #: where `leenwijzer telegram` listens in webhook mode (behind a TLS proxy)
    telegram_webhook_host: str = Field(default="127.0.0.1", alias="TELEGRAM_WEBHOOK_HOST")
    telegram_webhook_port: int = Field(default=8443, ge=1, le=65535, alias="TELEGRAM_WEBHOOK_PORT")

    allowed_origins: str = Field(default="", alias="LEENWIJZER_ALLOWED_ORIGINS")

    #: days after which idle conversations, receipts, processed update ids, delivered
    #: outbox rows and stored web turns are purged (`leenwijzer db purge`, and daily by serve)
    retention_days: int = Field(default=180, ge=1, alias="LEENWIJZER_RETENTION_DAYS")

    @property
    def effective_database_url(self) -> str:
        """`DATABASE_URL`, or a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'leenwijzer.sqlite3').resolve()}"

    @property
    def allowed_origin_list(self) -> list[str]:
        return [o.strip() for o in self.allowed_origins.split(",") if o.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
