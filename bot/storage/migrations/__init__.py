"""Alembic migrations shipped inside the package, applied on start and by `leenwijzer db upgrade`.

The revisions live next to this file (`versions/`), so an installed wheel can migrate its
database without an `alembic.ini` or the source tree.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from bot.storage.engine import make_engine, normalize_url

HERE = Path(__file__).resolve().parent


def alembic_config(database_url: str) -> Config:
    """An Alembic configuration pointing at the revisions in this package."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    # ConfigParser interpolation: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", normalize_url(database_url).replace("%", "%%"))
    return config


def upgrade(database_url: str | None = None, *, engine: Engine | None = None) -> None:
    """Bring the database to the newest revision (a no-op when it already is).

    Without arguments the URL comes from the settings (`DATABASE_URL` or the SQLite file).
    """
    if database_url is None:
        from bot.settings import get_settings

        database_url = get_settings().effective_database_url
    config = alembic_config(database_url)
    own_engine = engine is None
    engine = engine or make_engine(database_url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        if own_engine:
            engine.dispose()
