"""--to: DuckDB paths and PostgreSQL URLs, with the password never shown."""

import pytest
from pontes.export import ExportError, parse_destination


@pytest.mark.parametrize(("text", "path"), [
    ("exports/desk.duckdb", "exports/desk.duckdb"),
    ("duckdb:///exports/desk.duckdb", "exports/desk.duckdb"),
    ("duckdb:////var/data/desk.duckdb", "/var/data/desk.duckdb"),
])
def test_duckdb_files_by_path_or_url(text, path):
    destination = parse_destination(text)
    assert (destination.kind, destination.location) == ("duckdb", path)


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+psycopg"])
def test_postgres_urls_hide_their_password(scheme):
    destination = parse_destination(f"{scheme}://etl:s3cr3t-pw@db.example.com:6543/warehouse")
    assert destination.kind == "postgres"
    assert "s3cr3t-pw" not in destination.describe()
    assert destination.describe().endswith("etl:***@db.example.com:6543/warehouse")


def test_the_fingerprint_ignores_credentials_but_not_the_place():
    one = parse_destination("postgresql://a:x@db:5432/w")
    assert one.fingerprint() == parse_destination("postgresql://b:y@db:5432/w").fingerprint()
    assert one.fingerprint() != parse_destination("postgresql://a:x@db:5432/other").fingerprint()


@pytest.mark.parametrize(("text", "message"), [
    ("", "give a DuckDB file path"),
    ("mysql://u:p@h/db", "unsupported destination scheme 'mysql'"),
    ("duckdb:///", "needs a file path"),
    ("postgresql://etl:hunter22@/", "needs a host and a database"),
])
def test_bad_destinations_say_what_is_expected(text, message):
    with pytest.raises(ExportError, match=message) as error:
        parse_destination(text)
    assert "hunter22" not in str(error.value)
