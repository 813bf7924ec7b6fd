"""Persistence: SQLAlchemy 2 models, engine and sessions, Alembic migrations (server/db/migrations)."""
