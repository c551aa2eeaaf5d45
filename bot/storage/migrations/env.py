"""Alembic environment: runs the revisions on the connection `upgrade()` hands over.

Concurrent starts are serialised, so N workers booting at once do not race each other
creating the same tables: on PostgreSQL by an advisory lock, on SQLite by taking the
database's write lock (BEGIN IMMEDIATE) before Alembic looks at what is there. Without it
the Python driver runs DDL outside any transaction and two processes both see an empty
database.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text
from sqlmodel import SQLModel

from bot.storage import models  # noqa: F401  (registers the tables on the metadata)

MIGRATION_LOCK_ID = 4_711_2024


def run_on(connection: Connection) -> None:
    """Run the pending revisions inside the caller's transaction."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
    elif connection.dialect.name == "sqlite" and not connection.connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # waits up to the busy timeout
    context.configure(connection=connection, target_metadata=SQLModel.metadata)
    context.run_migrations()


def main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    from bot.storage.engine import make_engine

    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as own_connection:
        run_on(own_connection)
    engine.dispose()


main()
