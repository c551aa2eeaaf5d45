"""Persistence: conversations, the durable inbox of processed updates, and result receipts.

`models` holds the tables, `engine` turns a database URL into an engine (SQLite with WAL
or PostgreSQL through psycopg), `migrations` applies the Alembic revisions shipped in this
package, `turns` runs one conversation turn as a single transaction.
"""
