"""Alembic migrations (reviewed by hand; run on SQLite and PostgreSQL)."""
