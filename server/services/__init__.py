"""Server-side operations on the database, as keyword-only functions taking a SQLAlchemy `Session`."""
