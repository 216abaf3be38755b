"""Fixtures: one migrated database per backend per run, emptied after every test.

Every test that uses `client` runs on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL too.
Under CI=true a missing PostgreSQL fails instead of skipping. Run in parallel (`make test` uses pytest-xdist),
each worker process gets a PostgreSQL database of its own beside TEST_DATABASE_URL's.
"""

import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlmodel import Session

from tests.factories import Factory

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, reason: str) -> None:
    """Skip on a developer's machine; fail under CI, where nothing may skip."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (required under CI=true)")
    pytest.skip(reason)


def pytest_configure(config) -> None:
    """An xdist worker moves TEST_DATABASE_URL to a database of its own on the same server (made afresh)."""
    worker, base = os.environ.get("PYTEST_XDIST_WORKER"), os.environ.get("TEST_DATABASE_URL", "")
    if not worker or not base or "_xdist_" in base:
        return
    server, name = base.rsplit("/", 1)
    own = f"{name}_xdist_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{own}"'))
    admin.dispose()
    os.environ["TEST_DATABASE_URL"] = f"{server}/{own}"
    config.undercover_worker_database = (base, own)


def pytest_unconfigure(config) -> None:
    made = getattr(config, "undercover_worker_database", None)
    if made is None:
        return
    base, own = made
    from api.db import reset_engine

    reset_engine()
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)'))
    admin.dispose()


def fresh_postgres_schema(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def use_database(url: str) -> None:
    """Point settings and the engine at `url` (both are cached per process)."""
    from api.config import get_settings
    from api.db import reset_engine

    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    reset_engine()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> Iterator[str]:
    os.environ.setdefault("UNDERCOVER_SECRET_KEY", "test-secret-key")
    os.environ["UNDERCOVER_ENV"] = "test"
    os.environ["UNDERCOVER_THEMES_WORKER"] = "false"  # tests call the worker's function directly
    os.environ["UNDERCOVER_MESSAGES_WORKER"] = "false"  # likewise (tests/messages call run_step)
    os.environ["UNDERCOVER_WEBHOOK_ALLOW_PRIVATE"] = "true"  # receivers in tests listen on 127.0.0.1
    os.environ["UNDERCOVER_MEDIA_URL"] = (tmp_path_factory.mktemp("media")).as_uri()  # photos: a folder per run
    # Figures computed on every request, so that a test sees its own changes whatever the machine's speed;
    # the tests of stored figures turn them on (always_stored).
    os.environ["UNDERCOVER_SUMMARY_REFRESH_SECONDS"] = "0"
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        url = os.environ.get("TEST_DATABASE_URL", "")
        require(bool(url), "PostgreSQL tests need TEST_DATABASE_URL")
        fresh_postgres_schema(url)
    from api.migrate import upgrade

    upgrade(url)
    use_database(url)
    yield url
    from api.db import reset_engine

    reset_engine()


def empty_all_tables(url: str) -> None:
    from api.db import get_engine
    from api.models import metadata

    tables = [t.name for t in reversed(metadata.sorted_tables)]
    with get_engine().begin() as conn:
        if url.startswith("postgresql"):
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture(scope="session")
def app(database_url):
    from api.main import create_app

    return create_app()


@pytest.fixture
def client(app, database_url) -> Iterator[TestClient]:
    use_database(database_url)
    with TestClient(app) as test_client:
        yield test_client
    empty_all_tables(database_url)


@pytest.fixture
def summaries_on(monkeypatch) -> Iterator[None]:
    """Stored summaries on (api/summaries), as a server runs by default: results that take BUDGET_MS or
    more to compute are stored."""
    from api.config import get_settings

    monkeypatch.setenv("UNDERCOVER_SUMMARY_REFRESH_SECONDS", "60")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def always_stored(summaries_on, monkeypatch) -> None:
    """Every result costly enough to store, as on a large organisation's database."""
    from api.summaries import service as summaries

    monkeypatch.setattr(summaries, "BUDGET_MS", 0)


@pytest.fixture
def session(client) -> Iterator[Session]:
    from api.db import get_engine

    with Session(get_engine(), expire_on_commit=False) as s:
        yield s


@pytest.fixture
def factory(session) -> Factory:
    return Factory(session)


@pytest.fixture
def executive(factory):
    return factory.user(role="executive")


@pytest.fixture
def other_executive(factory):
    return factory.user(role="executive")


@pytest.fixture
def manager(factory):
    return factory.user(role="manager")


@pytest.fixture
def admin(factory):
    return factory.user(role="admin")


def pytest_collection_modifyitems(config, items):
    # Keep one backend's tests together so the session-scoped database is set up once per backend.
    items.sort(key=lambda item: "postgresql" in item.nodeid)

