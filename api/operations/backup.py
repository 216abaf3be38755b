"""`undercover backup FILE` and `undercover restore FILE`: a consistent copy of the whole database.

SQLite: the sqlite3 online backup API, which copies a consistent snapshot while the app keeps serving
(writers wait a moment, readers do not). The copy is a plain SQLite file (rollback journal, no -wal
beside it). Restoring copies it back into the database file page by page under SQLite's own locks.

PostgreSQL: `pg_dump --format=custom` (one consistent snapshot, the app keeps running) and
`pg_restore --clean --if-exists` in a single transaction, so a restore that fails changes nothing.
Both tools must be installed, of the server's major version or newer (Debian: postgresql-client).

Media (photos and voice notes, from a folder or S3) go into a folder beside FILE, FILE.media/
(api/operations/media_backup.py).
"""

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from api.operations.media_backup import backup_media, media_folder, restore_media

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
COUNTED = ("user", "visit", "pain_point", "theme")


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


def row_counts(url: str) -> dict[str, int]:
    """Rows in the main tables (0 for a table that does not exist yet, e.g. an empty database)."""
    from api.db import make_engine

    if _is_sqlite(url) and not _sqlite_path(url).exists():
        return dict.fromkeys(COUNTED, 0)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            present = set(inspect(conn).get_table_names())
            return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() if t in present else 0  # noqa: S608 - fixed names
                    for t in COUNTED}
    finally:
        engine.dispose()


def describe_counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {table.replace('_', ' ')}{'' if n == 1 else 's'}" for table, n in counts.items())


def describe_database(url: str) -> str:
    if _is_sqlite(url):
        return f"SQLite database {_sqlite_path(url)}"
    u = make_url(url)
    return f"PostgreSQL database {u.database} on {u.host or 'localhost'}:{u.port or 5432}"


def backup(*, url: str, path: Path, overwrite: bool = False) -> str:
    """Write a consistent copy of the database to `path`; returns what was done, for the operator."""
    if path.exists() and not overwrite:
        raise BackupError(f"{path} already exists; choose another name or pass --force to replace it")
    if path.parent and not path.parent.is_dir():
        raise BackupError(f"directory {path.parent} does not exist")
    pg_dump = None if _is_sqlite(url) else _pg_tool("pg_dump")
    counts = row_counts(url)
    partial = path.with_name(path.name + ".partial")  # the real name appears only once the copy is whole
    try:
        if _is_sqlite(url):
            _sqlite_backup(_sqlite_path(url), partial)
        else:
            _run(pg_dump, "--format=custom", "--no-owner", "--file", str(partial),
                 "--dbname", _conninfo(url), env=_pg_env(url), what="pg_dump")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    size = path.stat().st_size
    files, media_size = backup_media(database_url=url, path=path)
    return (f"Backed up {describe_database(url)} ({describe_counts(counts)}) to {path} "
            f"({size / 1024:,.0f} KB), and {files} media files ({media_size / 1024:,.0f} KB) to "
            f"{media_folder(path)}.")


def check_backup_file(*, url: str, path: Path) -> None:
    """Refuse, with a clear reason, a file that is missing or not a backup for this kind of database, or a
    restore the tools to do it are missing for."""
    if not _is_sqlite(url):
        _pg_tool("pg_restore")
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror}") from exc
    if _is_sqlite(url) and not head.startswith(SQLITE_MAGIC):
        kind = "a PostgreSQL (pg_dump) backup" if head.startswith(PG_DUMP_MAGIC) else "not a SQLite backup"
        raise BackupError(f"{path} is {kind}; the target is a SQLite database")
    if not _is_sqlite(url) and not head.startswith(PG_DUMP_MAGIC):
        kind = "a SQLite backup" if head.startswith(SQLITE_MAGIC) else "not a pg_dump custom-format backup"
        raise BackupError(f"{path} is {kind}; the target is a PostgreSQL database")
    if _is_sqlite(url):
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            try:
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            except sqlite3.DatabaseError as exc:
                raise BackupError(f"{path} is not a readable SQLite database: {exc}") from exc
        if "alembic_version" not in tables:
            raise BackupError(f"{path} is a SQLite database but not an Undercover backup")


def restore(*, url: str, path: Path) -> str:
    """Replace the whole database with the backup at `path`; returns what was done.

    The caller confirms first when the target already holds data (see the CLI)."""
    check_backup_file(url=url, path=path)
    if _is_sqlite(url):
        target = _sqlite_path(url)
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as source, \
                closing(sqlite3.connect(target, timeout=30)) as dest:
            source.backup(dest)
    else:
        _run(_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
             "--single-transaction", "--exit-on-error", "--dbname", _conninfo(url), str(path),
             env=_pg_env(url), what="pg_restore")
    media = restore_media(database_url=url, path=path)
    return f"Restored {path} into {describe_database(url)}: now {describe_counts(row_counts(url))}. {media}"


# -- SQLite ------------------------------------------------------------------------------------------
def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up or restore")
    return Path(database)


def _sqlite_backup(source_path: Path, dest_path: Path) -> None:
    if not source_path.exists():
        raise BackupError(f"there is no database at {source_path}")
    dest_path.unlink(missing_ok=True)
    with closing(sqlite3.connect(source_path, timeout=30)) as source, closing(sqlite3.connect(dest_path)) as dest:
        source.backup(dest)  # all pages in one step: one consistent snapshot
        # A standalone file: no -wal/-shm needed beside it.
        dest.execute("PRAGMA journal_mode=DELETE")


# -- PostgreSQL --------------------------------------------------------------------------------------
def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed or not on PATH. Install the PostgreSQL client tools of your server's "
            f"major version or newer (Debian/Ubuntu: apt-get install postgresql-client), or use your "
            f"database provider's backups.")
    return found


def _conninfo(url: str) -> str:
    """The libpq form of the URL, without the password (that goes in PGPASSWORD, never on a command line)."""
    u = make_url(url)
    return u.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _pg_env(url: str) -> dict[str, str]:
    password = make_url(url).password
    return {**os.environ, **({"PGPASSWORD": str(password)} if password else {})}


def _run(*command: str, env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}): {result.stderr.strip()[-2000:]}")
