"""Streaming an upload's body to a temporary file, never holding it in memory, with its own size limit."""

import hashlib
import os
import tempfile
from pathlib import Path

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from api.errors import PayloadTooLarge
from api.media import files


def _too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"A photo or voice note must be at most {max_bytes / 1024 / 1024:g} MB")


async def receive_body(request: Request, *, declared: str, max_bytes: int) -> files.Received:
    """Read the body chunk by chunk into a temporary file, counting and hashing it: 413 as soon as it
    passes `max_bytes` (or at once when Content-Length says so), 415 as soon as its first bytes show
    another type than `declared`. The caller deletes the file."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > max_bytes:
        raise _too_large(max_bytes)
    fd, name = tempfile.mkstemp(prefix="undercover-upload-")
    path = Path(name)
    digest, size, head = hashlib.sha256(), 0, b""
    try:
        with os.fdopen(fd, "wb") as out:
            async for chunk in request.stream():
                if not chunk:
                    continue
                size += len(chunk)
                if size > max_bytes:
                    raise _too_large(max_bytes)
                if len(head) < files.HEAD:
                    head = (head + chunk)[:files.HEAD]
                    if len(head) == files.HEAD:
                        files.check_head(head, declared)
                digest.update(chunk)
                await run_in_threadpool(out.write, chunk)
        if size and len(head) < files.HEAD:
            files.check_head(head, declared)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return files.Received(path=path, size=size, sha256=digest.hexdigest(), head=head)
