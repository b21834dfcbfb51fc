"""Database layer: the SQLAlchemy models (the schema's single source), migrations and
the repeatable views, the embedded server, read-only roles."""
