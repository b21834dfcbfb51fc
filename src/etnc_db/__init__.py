"""etnc-db: a PostgreSQL database of Europe–China technology relations."""

__version__ = "0.1.0"
