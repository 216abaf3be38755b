"""Upgrade from empty, downgrade to nothing, upgrade again; the models and migrations agree."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from api.db import make_engine
from api.migrate import downgrade, upgrade
from api.models import metadata
from api.pain_points.search import include_object, is_search_object
from tests.conftest import require


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    import os

    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = os.environ.get("TEST_DATABASE_URL", "")
    require(bool(url), "PostgreSQL tests need TEST_DATABASE_URL")
    # A schema of its own, so the suite's migrated database is left alone.
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS migration_test CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA migration_test")
    engine.dispose()
    sep = "&" if "?" in url else "?"
    yield f"{url}{sep}options=-csearch_path%3Dmigration_test"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS migration_test CASCADE")
    engine.dispose()


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    names = {n for n in inspect(engine).get_table_names() if not is_search_object(n)} - {"alembic_version"}
    engine.dispose()
    return names


def test_upgrade_downgrade_upgrade(empty_database):
    upgrade(empty_database)
    assert tables(empty_database) == {t.name for t in metadata.sorted_tables}
    downgrade(empty_database)
    assert tables(empty_database) == set()
    upgrade(empty_database)
    assert tables(empty_database) == {t.name for t in metadata.sorted_tables}


def test_models_match_migrations(empty_database):
    upgrade(empty_database)
    engine = make_engine(empty_database)
    with engine.connect() as conn:
        opts = {"compare_type": True, "include_object": include_object}
        diff = compare_metadata(MigrationContext.configure(conn, opts=opts), metadata)
    engine.dispose()
    assert diff == []


