"""Where an export writes when not told: the connection's DuckDB file beside the
configuration, and dlt's working files in the pontes data directory."""

from pathlib import Path

from pontes.export.places import data_directory, destination_text, dlt_work_dir

CONFIG_DIR = Path("/srv/pontes")


def test_no_to_or_the_word_duckdb_names_the_connections_file_beside_the_config():
    for given in (None, "duckdb", " DuckDB "):
        assert destination_text(given, "movidesk", CONFIG_DIR) == "/srv/pontes/movidesk.duckdb"
    assert destination_text("exports/x.duckdb", "movidesk", CONFIG_DIR) == "exports/x.duckdb"


def test_the_data_directory_is_beside_a_sqlite_store():
    assert data_directory("sqlite:///pontes.db", CONFIG_DIR, environ={}) == \
        CONFIG_DIR / "pontes-data"
    assert data_directory("sqlite:////var/lib/pontes/p.db", CONFIG_DIR, environ={}) == \
        Path("/var/lib/pontes/pontes-data")
    assert data_directory("postgresql+psycopg://u@h/db", CONFIG_DIR, environ={}) == \
        CONFIG_DIR / "pontes-data"


def test_the_config_key_and_then_the_environment_override_it():
    assert data_directory("sqlite:///pontes.db", CONFIG_DIR, "state", environ={}) == \
        CONFIG_DIR / "state"
    assert data_directory("sqlite:///pontes.db", CONFIG_DIR, "state",
                          environ={"PONTES_DATA_DIR": "/data"}) == Path("/data")
    assert dlt_work_dir("sqlite:///pontes.db", CONFIG_DIR, "/opt/d", environ={}) == \
        Path("/opt/d/dlt")
