"""Alembic environment: migrations are generated from etnc_db.db.models."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import text

from etnc_db.db.server import database_url
from etnc_db.db.models import metadata
from etnc_db.db.session import SCHEMAS, make_engine

config = context.config
if config.config_file_name is not None and not config.attributes.get("skip_logging"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def include_name(name, type_, parent_names):
    if type_ == "schema":
        return name in SCHEMAS
    return True


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        if hasattr(connectable, "begin") and not hasattr(connectable, "in_transaction"):
            with connectable.connect() as conn:  # an Engine (pytest-alembic passes one)
                _run(conn)
                conn.commit()
        else:
            _run(connectable)
        return
    url = config.attributes.get("database_url") or database_url()
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()


def _run(connection) -> None:
    for schema in SCHEMAS:
        connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_schemas=True,
        include_name=include_name,
        compare_type=True,
        version_table_schema="etl",
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
