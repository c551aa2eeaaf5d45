"""Alembic revisions, oldest first (a change of schema is a new file, never an edit)."""
