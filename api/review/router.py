import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from api.auth.deps import CurrentUser, ManagerUser
from api.core.kinds import VisitKind
from api.db import SessionDep
from api.errors import ErrorBody, error_responses
from api.pain_points.models import Status
from api.review import export, feed, service
from api.review.schemas import (
    FEED_LIMIT_MAX,
    BulkResult,
    BulkTriage,
    CommentCreate,
    CommentPublic,
    FeedPage,
    PainPointDetail,
    SimilarCount,
    SimilarCountRequest,
    SimilarPainPoints,
    TriageUpdate,
)
from api.settings.deps import FeedReader
from api.validation import parse_bound

router = APIRouter(tags=["pain points"])

FILTERS_DOC = """Filters combine (AND). `status` may repeat (`status=new&status=acknowledged`: any of them).
`department_id` matches the owner department set in triage, else the department the executive reported.
`since`/`until`: an ISO date (a whole UTC day, `until` included) or a datetime with a time zone
(`since` ≤ occurred_at < `until`). `q`: full-text search — every word (a run of letters and digits) must
occur as a whole word in the text or quote; case-insensitive, no stemming, punctuation ignored, at most
8 words; the same on PostgreSQL and SQLite."""


def feed_filters(
    status: Annotated[list[Status] | None, Query(description="Any of these statuses")] = None,
    severity_min: Annotated[int | None, Query(ge=1, le=5)] = None,
    theme_id: uuid.UUID | None = None,
    department_id: uuid.UUID | None = None,
    site_id: uuid.UUID | None = None,
    visit_kind: VisitKind | None = None,
    author_id: Annotated[uuid.UUID | None, Query(description="The executive who reported it")] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Full-text search", examples=["till queue"])
    ] = None,
    since: Annotated[str | None, Query(examples=["2026-11-01"])] = None,
    until: Annotated[str | None, Query(examples=["2026-11-30"])] = None,
) -> feed.FeedFilters:
    return feed.FeedFilters(
        status=status or [],
        severity_min=severity_min,
        theme_id=theme_id,
        department_id=department_id,
        site_id=site_id,
        visit_kind=visit_kind.value if visit_kind else None,
        author_id=author_id,
        q=q,
        since=parse_bound(since, name="since", end=False),
        until=parse_bound(until, name="until", end=True),
    )


Filters = Annotated[feed.FeedFilters, Depends(feed_filters)]
Cursor = Annotated[str | None, Query(max_length=300, description="`next_cursor` of the previous page")]
Limit = Annotated[int, Query(ge=1, le=FEED_LIMIT_MAX)]


@router.get(
    "/pain-points",
    response_model=FeedPage,
    responses=error_responses(401, 403, 422),
    summary="The pain-point feed, newest first, keyset-paginated (managers and admins)",
    description="Executives get 403 unless an admin turned on `executives_see_feed` (see `/api/settings`); "
    "their own pain points are at `/api/my/pain-points`. Items never carry visit notes or private notes; "
    "texts and quotes are masked for e-mails, phone and card numbers (UNDERCOVER_REDACT).\n\n" + FILTERS_DOC,
)
def read_feed(
    session: SessionDep, user: CurrentUser, filters: Filters, cursor: Cursor = None, limit: Limit = 50
) -> FeedPage:
    return service.read_feed(session=session, viewer=user, filters=filters, cursor=cursor, limit=limit)


@router.get(
    "/my/pain-points",
    response_model=FeedPage,
    responses=error_responses(401, 422),
    summary="The caller's own pain points with their status, owner and comment count (any signed-in user)",
    description="The feed restricted to pain points the caller reported; same filters and pagination.\n\n"
    + FILTERS_DOC,
)
def read_my_feed(
    session: SessionDep, user: CurrentUser, filters: Filters, cursor: Cursor = None, limit: Limit = 50
) -> FeedPage:
    return service.read_my_feed(session=session, viewer=user, filters=filters, cursor=cursor, limit=limit)


@router.get(
    "/pain-points/export.csv",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {
                "text/csv": {
                    "example": "ref,text,severity,felt_by,visit_kind,site,department,"
                    "occurred_at,theme_id,theme_label,status,owner,assignee\n"
                }
            },
            "description": "CSV, newest first",
        },
        **error_responses(401, 403, 422),
    },
    summary="Export the filtered feed as CSV (managers and admins)",
    description="The contract's pain-point columns plus `status`, `owner` (the owner department) and "
    "`assignee` (a display name). Same filters as the feed; every matching row, no pagination.\n\n"
    + FILTERS_DOC,
)
def export_feed(session: SessionDep, user: CurrentUser, filters: Filters) -> StreamingResponse:
    service.check_export(session=session, viewer=user)
    handle, count = export.feed_csv(session=session, viewer=user, filters=filters)
    return StreamingResponse(
        export.iter_file(handle),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="pain-points.csv"', "X-Row-Count": str(count)},
    )


@router.post(
    "/pain-points/bulk",
    response_model=BulkResult,
    responses={
        **error_responses(401, 403, 422),
        409: {
            "model": ErrorBody,
            "description": "Some pain points cannot take the changes (nothing changed); `errors` lists "
            "`{id, error}` for each"
        },
    },
    summary="Triage up to 200 pain points at once, all or nothing (managers and admins)",
)
def bulk_triage(body: BulkTriage, session: SessionDep, user: ManagerUser) -> BulkResult:
    return service.triage_many(session=session, actor=user, data=body)


@router.post(
    "/pain-points/similar-count",
    response_model=SimilarCount,
    responses=error_responses(401, 422),
    summary="How many open pain points of a site from the last 30 days read like this text (any signed-in user); "
    "a count only, never their texts",
    description="For the phone's quiet hint while an executive types a pain point (\"3 similar reported this "
    "month\"). Compares words (TF-IDF), not the sentence model: the typed text has no stored vector. A POST so "
    "that what is typed never lands in a URL or a proxy's log; it changes nothing.",
)
def count_similar(body: SimilarCountRequest, session: SessionDep, user: CurrentUser) -> SimilarCount:
    return service.count_similar(session=session, viewer=user, data=body)


@router.get(
    "/pain-points/{pain_point_id}/similar",
    response_model=SimilarPainPoints,
    responses=error_responses(401, 403, 404),
    summary="Possible duplicates: up to 5 open pain points most like this one, same site, within 30 days of it "
    "(managers and admins)",
    description="Executives get 403 unless an admin turned on `executives_see_feed`. Open (new, acknowledged, "
    "in progress), not deleted, not already a duplicate; the newest 2,000 such candidates are compared. `method` "
    "says how: `embeddings` (cosine of the stored sentence vectors) when this pain point and every candidate have "
    "one, else `words` (TF-IDF). Items are feed cards (texts masked unless the caller wrote them) with "
    "`similarity`.",
)
def similar_pain_points(pain_point_id: uuid.UUID, session: SessionDep, user: FeedReader) -> SimilarPainPoints:
    return service.similar_pain_points(session=session, viewer=user, pain_point_id=pain_point_id)


@router.get(
    "/pain-points/{pain_point_id}",
    response_model=PainPointDetail,
    responses=error_responses(401, 403, 404),
    summary="One pain point with its audit history and comments",
    description="Managers and admins: any. Executives: their own (any when `executives_see_feed` is on).",
)
def get_pain_point(pain_point_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> PainPointDetail:
    return service.get_detail(session=session, viewer=user, pain_point_id=pain_point_id)


@router.patch(
    "/pain-points/{pain_point_id}",
    response_model=PainPointDetail,
    responses={
        **error_responses(401, 403, 404, 422),
        409: {"model": ErrorBody,
              "description": "Not allowed from the current status, or a duplicate link that would loop"},
    },
    summary="Triage: status, resolution note, owner department, assignee, due date, theme, duplicate "
    "(managers)",
    description="Status workflow: `new` → `acknowledged` → `in_progress` → `resolved` | `wont_fix` "
    "(steps may "
    "be skipped forward; `in_progress` may go back to `acknowledged`). `resolved` and `wont_fix` need a "
    "`resolution_note` and set `resolved_at`; they reopen to `acknowledged` or `in_progress`, which clears "
    "`resolved_at` and the note. Nothing goes back to `new`. Setting `theme_id` locks the placement. A "
    "duplicate is linked to the original of its target and is left out of theme and flow counts. Every "
    "changed field adds a line to the audit history.",
)
def triage_pain_point(
    pain_point_id: uuid.UUID, body: TriageUpdate, session: SessionDep, user: ManagerUser
) -> PainPointDetail:
    return service.triage_one(session=session, actor=user, pain_point_id=pain_point_id, data=body)


@router.get(
    "/pain-points/{pain_point_id}/comments",
    response_model=list[CommentPublic],
    responses=error_responses(401, 403, 404),
    summary="A pain point's comments, oldest first",
)
def list_comments(pain_point_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> list[CommentPublic]:
    return service.list_comments(session=session, viewer=user, pain_point_id=pain_point_id)


@router.post(
    "/pain-points/{pain_point_id}/comments",
    response_model=CommentPublic,
    status_code=201,
    responses=error_responses(401, 403, 404, 422),
    summary="Comment on a pain point (managers and admins: any; executives: their own)",
)
def add_comment(
    pain_point_id: uuid.UUID, body: CommentCreate, session: SessionDep, user: CurrentUser
) -> CommentPublic:
    return service.add_comment(session=session, author=user, pain_point_id=pain_point_id, data=body)
