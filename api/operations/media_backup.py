"""Media in backups: the files of UNDERCOVER_MEDIA_URL (a folder or S3) copied into a folder beside the
database backup, FILE.media/, keyed as in storage; restoring copies them back and removes stored files
the backup does not hold, so storage again matches the restored rows."""

import shutil
from pathlib import Path

from api.config import get_settings
from api.media.storage import Storage, storage_for


def media_folder(path: Path) -> Path:
    return path.with_name(path.name + ".media")


def _storage(database_url: str) -> Storage:
    return storage_for(get_settings().media_url, database_url)


def backup_media(*, database_url: str, path: Path) -> tuple[int, int]:
    """Copy every stored file into FILE.media/ (written as FILE.media.partial/ until whole); returns the
    number of files and their bytes. Run after the database copy: a file uploaded meanwhile is copied
    too (a harmless extra), and one deleted meanwhile is gone with its row after a later backup."""
    storage = _storage(database_url)
    final, partial = media_folder(path), path.with_name(path.name + ".media.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    count = size = 0
    try:
        for key in storage.keys():
            target = partial / key
            target.parent.mkdir(parents=True, exist_ok=True)
            storage.download(key, target)
            count += 1
            size += target.stat().st_size
        shutil.rmtree(final, ignore_errors=True)
        partial.rename(final)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return count, size


def restore_media(*, database_url: str, path: Path) -> str:
    """Put the backup's media back into storage; a backup without FILE.media/ leaves storage alone."""
    folder = media_folder(path)
    if not folder.is_dir():
        return f"The backup holds no media ({folder} is missing): stored media left as they are."
    storage = _storage(database_url)
    files = {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}
    for key, file in files.items():
        if storage.size(key) != file.stat().st_size:
            storage.put_file(key, file, "application/octet-stream")
    extra = [key for key in storage.keys() if key not in files]
    storage.delete(extra)
    return f"Restored {len(files)} media files into {storage.url} ({len(extra)} not in the backup removed)."
