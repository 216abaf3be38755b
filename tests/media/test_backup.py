"""Backups include media: `undercover backup FILE` copies the stored files (folder or S3) into FILE.media/,
`undercover restore FILE` puts them back and removes what the backup does not hold."""

import json

from api.cli import main
from api.media.storage import get_storage
from tests.cli_helpers import run_cli
from tests.media.helpers import audio, pain_point_of, photo, upload
from tests.operations.test_backup_restore import pg_tools_or_skip


def test_backup_and_restore_bring_back_the_media(client, executive, manager, database_url, tmp_path, capsys):
    pg_tools_or_skip(database_url)
    pid = pain_point_of(client, executive)
    kept = {upload(client, executive, pid, data, kind).json()["id"]: kind
            for data, kind in ((photo(), "image/jpeg"), (audio("audio/mp4"), "audio/mp4"))}
    before = {media_id: client.get(f"/api/media/{media_id}", headers=manager.headers).content for media_id in kept}
    file = tmp_path / "undercover.backup"
    assert main(["backup", str(file)]) == 0
    out = capsys.readouterr().out
    assert "3 media files" in out and f"{file}.media" in out  # a photo, its thumbnail and a voice note
    assert len([p for p in (tmp_path / "undercover.backup.media").rglob("*") if p.is_file()]) == 3

    # After the backup: one photo deleted, another added.
    photo_id = next(m for m, kind in kept.items() if kind == "image/jpeg")
    assert client.delete(f"/api/media/{photo_id}", headers=executive.headers).status_code == 204
    later = upload(client, executive, pid, photo(color=(0, 90, 0)), "image/jpeg").json()["id"]
    assert main(["restore", str(file), "--yes"]) == 0
    assert "Restored 3 media files" in capsys.readouterr().out
    for media_id, content in before.items():
        got = client.get(f"/api/media/{media_id}", headers=manager.headers)
        assert got.status_code == 200 and got.content == content
    assert client.get(f"/api/media/{later}", headers=manager.headers).status_code == 404
    assert not [key for key in get_storage().keys() if later in key]  # its files went with its row
    detail = client.get(f"/api/pain-points/{pid}", headers=manager.headers).json()
    assert sorted(m["id"] for m in detail["media"]) == sorted(kept)


def test_export_lists_media_ids_and_types(client, executive, database_url):
    pid = pain_point_of(client, executive)
    media_id = upload(client, executive, pid, audio("audio/webm"), "audio/webm").json()["id"]
    res = run_cli(database_url, "export", "--format", "jsonl")
    assert res.returncode == 0, res.stderr
    rows = {row["id"]: row for row in map(json.loads, res.stdout.splitlines())}
    assert rows[pid]["media"] == [{"id": media_id, "content_type": "audio/webm"}]
    assert all(row["media"] == [] for key, row in rows.items() if key != pid)
    csv_out = run_cli(database_url, "export", "--format", "csv").stdout
    assert "media" not in csv_out.splitlines()[0] and media_id not in csv_out  # the CSV columns stay as they are
