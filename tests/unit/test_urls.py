"""`mask_url` hides every password in URLs of any scheme and in messages that carry them;
`check_url` refuses URLs that are not PostgreSQL's, naming them masked (issue 11.15)."""

from __future__ import annotations

import pytest

from etnc_db.config import check_url, mask_url, to_libpq_url, to_sqlalchemy_url
from etnc_db.db.roles import reader_url

SECRET = "s3cr3t"


@pytest.mark.parametrize("url, masked", [
    ("postgresql://u:s3cr3t@h:5432/db", "postgresql://u:***@h:5432/db"),
    ("postgres://u:s3cr3t@h/db", "postgres://u:***@h/db"),
    ("postgresql+psycopg://u:s3cr3t@h/db", "postgresql+psycopg://u:***@h/db"),
    ("postgresql+psycopg2://u:s3cr3t@h/db", "postgresql+psycopg2://u:***@h/db"),
    ("mysql://root:s3cr3t@db.example.org:3306/etnc", "mysql://root:***@db.example.org:3306/etnc"),
    ("MYSQL+PYMYSQL://root:s3cr3t@h/x", "MYSQL+PYMYSQL://root:***@h/x"),
    ("postgresql://:s3cr3t@h/db", "postgresql://:***@h/db"),
    ("postgresql://u:s3@cr3t@h/db", "postgresql://u:***@h/db"),           # an unescaped @
    ("postgresql://u:s3/cr3t@h/db", "postgresql://u:***@h/db"),           # an unescaped /
    ("postgresql://u:s3 cr3t@h/db", "postgresql://u:***@h/db"),           # an unescaped space
    ("postgresql://u:s3%40cr3t@h/db?x=a@b", "postgresql://u:***@h/db?x=a@b"),
    ("postgresql://u@h/db?password=s3cr3t&sslmode=require", "postgresql://u@h/db?password=***&sslmode=require"),
    ("host=h user=u password=s3cr3t dbname=db", "host=h user=u password=*** dbname=db"),
    ("host=h password='s3cr3t with space' dbname=db", "host=h password=*** dbname=db"),
    ("postgresql://postgres@/etnc?host=/tmp/x/run&port=5433", "postgresql://postgres@/etnc?host=/tmp/x/run&port=5433"),
    ("postgresql://h:5432/db", "postgresql://h:5432/db"),
])
def test_mask_url(url, masked):
    assert mask_url(url) == masked
    assert "s3cr3t" not in mask_url(url) and "cr3t" not in mask_url(url)


def test_mask_url_in_messages_with_several_urls():
    text = ("missing \"=\" after \"mysql://a:s3cr3t@h/db\" in connection info string; "
            "Command ['x', 'postgresql+psycopg2://b:s3cr3t@h2/db'] returned 1")
    masked = mask_url(text)
    assert SECRET not in masked
    assert "mysql://a:***@h/db" in masked and "postgresql+psycopg2://b:***@h2/db" in masked


@pytest.mark.parametrize("url", [
    "mysql://u:s3cr3t@h/db", "sqlite:///tmp/x.db", "postgresql+asyncpg://u:s3cr3t@h/db",
    "host=h password=s3cr3t", "u:s3cr3t@h/db",
])
def test_check_url_refuses_other_schemes_naming_the_masked_url(url):
    with pytest.raises(ValueError) as info:
        check_url(url)
    message = str(info.value)
    assert len(message.splitlines()) == 1 and SECRET not in message
    assert message.startswith("DATABASE_URL ") and "not a PostgreSQL URL" in message


@pytest.mark.parametrize("url, libpq, sqlalchemy", [
    ("postgresql://u@h/db", "postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgres://u@h/db", "postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql+psycopg://u@h/db", "postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql+psycopg2://u@h/db", "postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
])
def test_accepted_schemes(url, libpq, sqlalchemy):
    assert check_url(url) == libpq == to_libpq_url(url)
    assert to_sqlalchemy_url(url) == sqlalchemy


def test_reader_url_forms():
    assert reader_url("postgresql://postgres@/etnc?host=/p/.etnc/run", "bi", ("127.0.0.1", 5433)) \
        == "postgresql://bi:***@127.0.0.1:5433/etnc"
    assert reader_url("postgresql://postgres@/etnc?host=/p/.etnc/run&port=5433", "bi") \
        == "postgresql://bi:***@/etnc?host=/p/.etnc/run&port=5433"
    assert reader_url("postgresql://admin:s3cr3t@db.example.org:6543/etnc?password=s3cr3t&sslmode=require", "bi") \
        == "postgresql://bi:***@db.example.org:6543/etnc?sslmode=require"
