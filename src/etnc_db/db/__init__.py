"""Database layer: SQLAlchemy models (the schema's single source), engine, migrations, locks."""
