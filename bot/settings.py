"""Runtime settings, read from the environment (and a `.env` file when present)."""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from dialogs.handoff import OfficeHours


class SettingsError(RuntimeError):
    """A setting the process cannot work with; the message names it and says why."""


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

    #: the desk's Telegram supergroup with topics (the bot an admin that manages topics);
    #: unset: no desk, and /advisor shows the agencies' contacts
    desk_chat_id: int | None = Field(default=None, alias="LEENWIJZER_DESK_CHAT_ID")
    #: what the consent question calls the desk ("an advisor of …")
    desk_name: str = Field(default="our desk", alias="LEENWIJZER_DESK_NAME")
    desk_hours: str = Field(default="Mon-Fri 09:00-17:00", alias="LEENWIJZER_DESK_HOURS")
    desk_timezone: str = Field(default="Europe/Brussels", alias="LEENWIJZER_DESK_TIMEZONE")
    #: the language of the case cards and the desk's notices
    desk_lang: Literal["nl", "fr", "en"] = Field(default="nl", alias="LEENWIJZER_DESK_LANG")
    #: minutes within which a case should be claimed (the user is told; the desk reminded)
    desk_response_minutes: int = Field(
        default=240, ge=1, le=10080, alias="LEENWIJZER_DESK_RESPONSE_MINUTES"
    )

    @property
    def desk_office_hours(self) -> OfficeHours:
        """LEENWIJZER_DESK_HOURS parsed; `SettingsError` naming the setting when it is wrong."""
        from dialogs.handoff import OfficeHours  # late: the dialogs load only when needed

        try:
            return OfficeHours.parse(self.desk_hours, self.desk_timezone)
        except (ValueError, KeyError) as error:
            raise SettingsError(f"LEENWIJZER_DESK_HOURS/TIMEZONE: {error}") from None

    @property
    def effective_database_url(self) -> str:
        """`DATABASE_URL`, or a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'leenwijzer.sqlite3').resolve()}"

    def prepare_data_dir(self) -> None:
        """Make sure the SQLite default can be written: LEENWIJZER_DATA_DIR is created,
        parents too, when it does not exist yet (nothing to do with a DATABASE_URL).

        Raises `SettingsError` naming the folder when it cannot be created or written (a
        file in the way, no permission, a read-only file system), instead of the database
        driver's "unable to open database file" much later.
        """
        if self.database_url:
            return
        folder = self.data_dir
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # Writing is the only sure test (permission bits say nothing to root, or on a
            # read-only mount); SQLite writes its -wal and -shm files next to the database.
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as error:
            reason = error.strerror or type(error).__name__
            existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
            if existing is not None and not existing.is_dir():
                reason = f"{os.fspath(existing)} is a file, not a folder"
            raise SettingsError(
                f"LEENWIJZER_DATA_DIR={os.fspath(folder)}: cannot use this folder for the "
                f"database ({reason})"
            ) from None

    @property
    def allowed_origin_list(self) -> list[str]:
        return [o.strip() for o in self.allowed_origins.split(",") if o.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
