"""`undercover backup FILE` / `undercover restore FILE`: a round trip gives back exactly what was backed up,
on SQLite (online backup API) and PostgreSQL (pg_dump / pg_restore)."""

import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from api.cli import main
from api.models import metadata
from api.operations import backup as ops
from tests.cli_helpers import run_cli
from tests.conftest import require
from tests.factories import visit_body
from tests.live import live_database
from tests.themes.test_api import rebuild


def snapshot(url: str) -> dict[str, list[str]]:
    """Every row of every table, in a comparable form."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {t.name: sorted(repr(tuple(r)) for r in conn.execute(t.select()))
                    for t in metadata.sorted_tables}
    finally:
        engine.dispose()


def log_some_visits(client, executive, manager) -> list[dict]:
    visits = []
    for n in range(3):
        body = visit_body(pain_points=3, notes=f"visit {n} before the backup")
        visit_id = str(uuid.uuid4())
        assert client.put(f"/api/visits/{visit_id}", json=body, headers=executive.headers).status_code == 201
        visits.append({"id": visit_id, **body})
    point = visits[0]["pain_points"][0]["id"]
    assert client.patch(f"/api/pain-points/{point}", json={"status": "acknowledged"},
                        headers=manager.headers).status_code == 200
    assert client.post(f"/api/pain-points/{point}/comments", json={"body": "Looking into it"},
                       headers=manager.headers).status_code == 201
    rebuild(client, manager)
    return visits


def pg_tools_or_skip(url: str) -> None:
    if not url.startswith("sqlite"):
        require(all(ops.shutil.which(t) for t in ("pg_dump", "pg_restore")), "pg_dump/pg_restore not installed")


def test_backup_change_restore_gives_back_exactly_what_was_saved(client, executive, manager, database_url,
                                                                 tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("UNDERCOVER_THEMES_EMBEDDER", "tfidf")
    pg_tools_or_skip(database_url)
    visits = log_some_visits(client, executive, manager)
    saved = snapshot(database_url)
    assert len(saved["visit"]) == 3 and len(saved["pain_point"]) == 9 and saved["theme"]
    file = tmp_path / "undercover.backup"

    assert main(["backup", str(file)]) == 0
    out = capsys.readouterr().out
    assert f"to {file}" in out and "2 users, 3 visits, 9 pain points" in out
    assert main(["backup", str(file)]) == 2  # never overwrites a backup unless asked
    assert "already exists" in capsys.readouterr().err

    # Change and lose data: edit, delete (soft, through the API, and hard, straight in the database), add.
    first, second, third = visits
    point = first["pain_points"][0]["id"]
    edited = {**second, "version": 1, "notes": "edited after the backup"}
    del edited["id"]
    assert client.put(f"/api/visits/{second['id']}", json=edited, headers=executive.headers).status_code == 200
    assert client.delete(f"/api/visits/{third['id']}", headers=executive.headers).status_code == 204
    assert client.patch(f"/api/pain-points/{point}", json={"status": "in_progress"},
                        headers=manager.headers).status_code == 200
    assert client.put(f"/api/visits/{uuid.uuid4()}", json=visit_body(), headers=executive.headers).status_code == 201
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM pain_point_comment"))
    engine.dispose()
    assert snapshot(database_url) != saved

    # A database that holds data is only replaced when the operator says so.
    assert main(["restore", str(file)]) == 1
    assert "--yes" in capsys.readouterr().err
    assert client.get(f"/api/visits/{second['id']}", headers=executive.headers).json()["notes"] == edited["notes"]

    assert main(["restore", str(file), "--yes"]) == 0
    out = capsys.readouterr().out
    assert f"Restored {file}" in out and "now 2 users, 3 visits, 9 pain points" in out
    assert snapshot(database_url) == saved  # every row of every table, exactly
    # And the app reads it back: the same tokens, visits, statuses and comments.
    mine = client.get("/api/visits", headers=executive.headers)
    assert mine.status_code == 200
    assert sorted((v["id"], v["notes"], v["version"]) for v in mine.json()) == \
        sorted((v["id"], v["notes"], 1) for v in visits)
    detail = client.get(f"/api/pain-points/{point}", headers=manager.headers).json()
    assert detail["status"] == "acknowledged" and [c["body"] for c in detail["comments"]] == ["Looking into it"]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_restore_into_a_new_empty_database_needs_no_confirmation(backend, tmp_path):
    with live_database(backend, tmp_path) as source:
        pg_tools_or_skip(source)
        assert run_cli(source, "migrate").returncode == 0
        created = run_cli(source, "create-user", "ada@example.com", "--role", "admin", "--name", "Ada",
                          "--password-stdin", stdin="a long enough password\n")
        assert created.returncode == 0, created.stderr
        file = tmp_path / "backup.file"
        assert run_cli(source, "backup", str(file)).returncode == 0
        with _another_database(backend, tmp_path) as target:
            restored = run_cli(target, "restore", str(file))  # no --yes: the target is empty
            assert restored.returncode == 0, restored.stderr
            assert "now 1 user, 0 visits, 0 pain points, 0 themes" in restored.stdout
            assert snapshot(target) == snapshot(source)
            wrong = run_cli(target, "restore", str(tmp_path / "missing.file"), "--yes")
            assert wrong.returncode == 2 and "cannot read" in wrong.stderr


def _another_database(backend: str, tmp_path: Path):
    other = tmp_path / "target"
    other.mkdir()
    return live_database(backend, other)


def test_missing_postgresql_tools_and_wrong_files_are_explained(tmp_path, monkeypatch):
    monkeypatch.setattr(ops.shutil, "which", lambda _name: None)
    with pytest.raises(ops.BackupError, match="pg_dump is not installed.*postgresql-client"):
        ops.backup(url="postgresql+psycopg://postgres@127.0.0.1:1/none", path=tmp_path / "x")
    with pytest.raises(ops.BackupError, match="pg_restore is not installed"):
        ops.check_backup_file(url="postgresql+psycopg://postgres@127.0.0.1:1/none", path=tmp_path / "x")
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    with pytest.raises(ops.BackupError, match="not a SQLite backup"):
        ops.check_backup_file(url=f"sqlite:///{tmp_path / 'db.sqlite'}", path=not_a_backup)
    assert not (tmp_path / "x").exists() and not (tmp_path / "x.partial").exists()
