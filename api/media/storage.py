"""Where media bytes live, behind one small interface: a folder (file://) or S3-compatible storage (s3://).

Writes are whole or absent: the folder writes a temporary file and renames it into place; an S3 PUT is
atomic per object. Keys are relative paths ("<pain point>/<media>-<digest>.jpg").
"""

import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from sqlalchemy.engine import make_url

from api.config import get_settings

CHUNK = 64 * 1024


class Storage(Protocol):
    url: str

    def put_file(self, key: str, path: Path, content_type: str) -> None: ...
    def put_bytes(self, key: str, data: bytes, content_type: str) -> None: ...
    def size(self, key: str) -> int | None: ...
    def read(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]: ...
    def delete(self, keys: Iterable[str]) -> None: ...
    def keys(self) -> Iterator[str]: ...
    def download(self, key: str, path: Path) -> None: ...


class FolderStorage:
    def __init__(self, root: Path):
        self.root = root
        self.url = root.as_uri()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"key outside the media folder: {key!r}")
        return path

    def _place(self, key: str, write) -> None:
        dest = self._path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.partial")
        try:
            with partial.open("wb") as f:
                write(f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(partial, dest)
        finally:
            partial.unlink(missing_ok=True)

    def put_file(self, key: str, path: Path, content_type: str) -> None:
        def copy(f):
            with path.open("rb") as src:
                shutil.copyfileobj(src, f, CHUNK)
        self._place(key, copy)

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        self._place(key, lambda f: f.write(data))

    def size(self, key: str) -> int | None:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None

    def read(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Bytes start..end (inclusive; None: to the end of the file)."""
        with self._path(key).open("rb") as f:
            f.seek(start)
            left = None if end is None else end - start + 1
            while left is None or left > 0:
                data = f.read(CHUNK if left is None else min(CHUNK, left))
                if not data:
                    return
                if left is not None:
                    left -= len(data)
                yield data

    def delete(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._path(key).unlink(missing_ok=True)

    def keys(self) -> Iterator[str]:
        if self.root.is_dir():
            for path in sorted(self.root.rglob("*")):
                if path.is_file() and not path.name.endswith(".partial"):
                    yield path.relative_to(self.root).as_posix()

    def download(self, key: str, path: Path) -> None:
        shutil.copyfile(self._path(key), path)


class S3Storage:
    """S3 or any S3-compatible server (MinIO): credentials, region and AWS_ENDPOINT_URL from the standard
    AWS_* variables, as boto3 reads them."""

    def __init__(self, bucket: str, prefix: str):
        import boto3  # only installations that store in S3 pay for importing it

        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.url = f"s3://{bucket}/{self.prefix}".rstrip("/")
        self.client = boto3.client("s3")

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def put_file(self, key: str, path: Path, content_type: str) -> None:
        self.client.upload_file(str(path), self.bucket, self._key(key), ExtraArgs={"ContentType": content_type})

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type)

    def size(self, key: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._key(key))["ContentLength"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def read(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        extra = {"Range": f"bytes={start}-{'' if end is None else end}"} if start or end is not None else {}
        body = self.client.get_object(Bucket=self.bucket, Key=self._key(key), **extra)["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()

    def delete(self, keys: Iterable[str]) -> None:
        keys = [self._key(k) for k in keys]
        for i in range(0, len(keys), 1000):
            self.client.delete_objects(Bucket=self.bucket, Delete={
                "Objects": [{"Key": k} for k in keys[i:i + 1000]], "Quiet": True})

    def keys(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, **({"Prefix": self.prefix + "/"} if self.prefix else {}))
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix) + 1:] if self.prefix else item["Key"]

    def download(self, key: str, path: Path) -> None:
        self.client.download_file(self.bucket, self._key(key), str(path))


def folder_for(url: str, database_url: str) -> Path:
    """file://PATH as a folder: a relative PATH is taken beside the SQLite database (so `make run` keeps
    media next to undercover.db), or from the working directory for other databases."""
    path = Path(url.removeprefix("file://"))
    if path.is_absolute():
        return path
    if database_url.startswith("sqlite"):
        database = make_url(database_url).database
        if database and database != ":memory:":
            return Path(database).resolve().parent / path
    return path.resolve()


@lru_cache(maxsize=8)
def _open(url: str, database_url: str, endpoint: str | None) -> Storage:
    if url.startswith("file://"):
        return FolderStorage(folder_for(url, database_url))
    if url.startswith("s3://"):
        bucket, _, prefix = url.removeprefix("s3://").partition("/")
        if not bucket:
            raise ValueError("UNDERCOVER_MEDIA_URL s3://bucket/prefix needs a bucket")
        return S3Storage(bucket, prefix)
    raise ValueError(f"UNDERCOVER_MEDIA_URL must start with file:// or s3:// (got {url!r})")


def storage_for(url: str, database_url: str) -> Storage:
    return _open(url, database_url, os.environ.get("AWS_ENDPOINT_URL"))


def get_storage() -> Storage:
    """The configured storage (one per setting, reused)."""
    settings = get_settings()
    return storage_for(settings.media_url, settings.database_url)
