import uuid

from fastapi import APIRouter, Query, Response

from api.auth.deps import CurrentUser
from api.db import SessionDep
from api.errors import error_responses
from api.visits import service, sync
from api.visits.schemas import BATCH_MAX, SyncRequest, SyncResponse, VisitPublic, VisitWrite

router = APIRouter(tags=["visits"])


@router.put(
    "/visits/{visit_id}",
    response_model=VisitPublic,
    responses={201: {"model": VisitPublic, "description": "Created"}, **error_responses(401, 403, 409, 413, 422)},
    summary="Create or replace a visit with its pain points (idempotent)",
    description="Send `version` = the server version the edit is based on (0 for a new visit). The same body "
    "twice leaves one visit. A write based on an older version with different content answers 409 with "
    "the server copy in `server`.",
)
def put_visit(
    visit_id: uuid.UUID, body: VisitWrite, session: SessionDep, user: CurrentUser, response: Response
) -> VisitPublic:
    visit, created = service.put_visit(session=session, author=user, visit_id=visit_id, data=body)
    response.status_code = 201 if created else 200
    return visit


@router.get(
    "/visits/{visit_id}", response_model=VisitPublic, responses=error_responses(401, 403, 404),
    summary="One visit with its pain points (private notes only for the author)",
)
def get_visit(visit_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> VisitPublic:
    return service.get_visit(session=session, viewer=user, visit_id=visit_id)


@router.get(
    "/visits", response_model=list[VisitPublic], responses=error_responses(401, 403, 422),
    summary="The caller's visits, newest first; managers and admins may ask for another author's",
)
def list_visits(
    session: SessionDep,
    user: CurrentUser,
    author_id: uuid.UUID | None = None,
    include_deleted: bool = False,
    limit: int = Query(200, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> list[VisitPublic]:
    return service.list_visits(
        session=session, viewer=user, author_id=author_id, include_deleted=include_deleted,
        limit=limit, offset=offset,
    )


@router.delete(
    "/visits/{visit_id}", status_code=204, responses=error_responses(401, 403, 404),
    summary="Delete a visit (soft: the deletion syncs to the author's other devices)",
)
def delete_visit(visit_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Response:
    service.delete_visit(session=session, user=user, visit_id=visit_id)
    return Response(status_code=204)


@router.post(
    "/sync", response_model=SyncResponse, responses=error_responses(401, 413, 422),
    summary="Push a batch of visit writes and pull the caller's changes since a cursor",
    description=f"At most {BATCH_MAX} visits a batch. Each visit is accepted, rejected (with field "
    "errors) or reported as a conflict (with the server copy) on its own; replaying a batch changes nothing.",
)
def post_sync(body: SyncRequest, session: SessionDep, user: CurrentUser) -> Response:
    result = sync.sync(session=session, user=user, request=body)
    # Built and checked by our own models already: skip FastAPI's second validation pass.
    return Response(result.model_dump_json(), media_type="application/json")
