import re
import uuid
from typing import Literal

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from api.auth.deps import CurrentUser
from api.config import get_settings
from api.db import SessionDep
from api.errors import RangeNotSatisfiable, error_responses
from api.media import files, service
from api.media.receive import receive_body
from api.media.schemas import CONTENT_TYPES, MediaPublic
from api.media.storage import get_storage

router = APIRouter(tags=["media"])

# The upload route streams its body under its own limit (UNDERCOVER_MEDIA_MAX_BYTES): the app-wide body
# limit (api/middleware.py) leaves it alone.
UPLOAD_PATH = re.compile(r"/api/pain-points/[^/]+/media/[^/]+")
RANGE = re.compile(r"bytes=(\d*)-(\d*)")


@router.put(
    "/pain-points/{pain_point_id}/media/{media_id}",
    response_model=MediaPublic,
    responses={201: {"model": MediaPublic, "description": "Stored"},
               **error_responses(401, 403, 404, 409, 413, 415, 422)},
    summary="Upload a photo or voice note to one's own pain point (idempotent by media id)",
    description="The raw file as the body, with its Content-Type: " + ", ".join(CONTENT_TYPES) + ". The same "
    "bytes again answer 200 and change nothing; other bytes under the same id answer 409. The content must "
    "match the declared type (415). Images are re-encoded without any metadata (EXIF, GPS, XMP) and get a "
    "thumbnail; audio is stored as sent. At most UNDERCOVER_MEDIA_MAX_BYTES (default 10 MB; 413).",
    openapi_extra={"requestBody": {"required": True, "content": {t: {"schema": {"type": "string", "format": "binary"}}
                                                                  for t in CONTENT_TYPES}}},
)
async def put_media(pain_point_id: uuid.UUID, media_id: uuid.UUID, request: Request, session: SessionDep,
                    user: CurrentUser, response: Response) -> MediaPublic:
    declared = files.base_type(request.headers.get("content-type"))
    ids = {"session": session, "user": user, "pain_point_id": pain_point_id, "media_id": media_id,
           "content_type": declared}
    await run_in_threadpool(lambda: service.check_upload(**ids))
    received = await receive_body(request, declared=declared, max_bytes=get_settings().media_max_bytes)
    try:
        media, created = await run_in_threadpool(lambda: service.finish_upload(**ids, received=received))
    finally:
        received.path.unlink(missing_ok=True)
    response.status_code = 201 if created else 200
    return media


def _range(header: str | None, size: int) -> tuple[int, int] | None:
    """One byte range "bytes=a-b", "bytes=a-" or "bytes=-n" as (start, end inclusive); None: no Range
    header or several ranges (then the whole file is sent); 416 for a range outside the file."""
    if header is None or "," in header:
        return None
    match = RANGE.fullmatch(header.strip())
    if match is None or match.groups() == ("", ""):
        raise RangeNotSatisfiable(f"Send one range as bytes=start-end (the file has {size} bytes)",
                                  headers={"Content-Range": f"bytes */{size}"})
    first, last = match.groups()
    if first == "":
        start, end = max(0, size - int(last)), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or start > end or (first == "" and int(last) == 0):
        raise RangeNotSatisfiable(f"The file has {size} bytes", headers={"Content-Range": f"bytes */{size}"})
    return start, end


@router.get(
    "/media/{media_id}",
    response_class=StreamingResponse,
    responses={200: {"content": {t: {} for t in CONTENT_TYPES}, "description": "The file"},
               206: {"description": "The requested byte range"}, **error_responses(401, 403, 404, 416, 422)},
    summary="A photo or voice note, for whoever may read its pain point (range requests supported)",
)
def get_media(media_id: uuid.UUID, session: SessionDep, user: CurrentUser,
              size: Literal["original", "thumb"] = Query("original", description="thumb: a photo's thumbnail"),
              range_header: str | None = Header(None, alias="Range", include_in_schema=False)) -> Response:
    found = service.open_media(session=session, viewer=user, media_id=media_id, thumb=size == "thumb")
    headers = {"Accept-Ranges": "bytes", "Cache-Control": "private", "ETag": f'"{found.etag}"'}
    wanted = _range(range_header, found.size)
    start, end = wanted if wanted is not None else (0, found.size - 1)
    headers["Content-Length"] = str(end - start + 1)
    if wanted is not None:
        headers["Content-Range"] = f"bytes {start}-{end}/{found.size}"
    body = get_storage().read(found.key, start, end) if found.size else iter(())
    return StreamingResponse(body, status_code=206 if wanted else 200, media_type=found.content_type,
                             headers=headers)


@router.delete(
    "/media/{media_id}", status_code=204, responses=error_responses(401, 403, 404, 422),
    summary="Delete a photo or voice note (its author only)",
)
def delete_media(media_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Response:
    service.delete_media(session=session, user=user, media_id=media_id)
    return Response(status_code=204)
