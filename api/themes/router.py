import uuid
from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from api.auth.deps import ManagerUser
from api.core.kinds import VisitKind
from api.db import SessionDep
from api.errors import Invalid, error_responses, field_error
from api.settings.deps import FeedReader
from api.themes import service
from api.themes.schemas import (
    MoveRequest,
    MoveResult,
    RebuildState,
    ThemeBuildPublic,
    ThemeMerge,
    ThemePublic,
    ThemeUpdate,
)
from api.themes.stats import ThemeFilters

router = APIRouter(prefix="/themes", tags=["themes"])


def _in_utc(value: datetime | None, name: str) -> datetime | None:
    """`since`/`until` in UTC; a moment with no UTC form (0001-01-01T00:00+01:00) is a field error."""
    try:
        return value.astimezone(UTC) if value is not None else None
    except OverflowError:
        raise Invalid([field_error(["query", name], "is out of range (years 1 to 9999 in UTC)")]) from None


def _filters(since: AwareDatetime | None, until: AwareDatetime | None, site_id: uuid.UUID | None,
             department_id: uuid.UUID | None, visit_kind: VisitKind | None) -> ThemeFilters:
    return ThemeFilters(since=_in_utc(since, "since"), until=_in_utc(until, "until"), site_id=site_id,
                        department_id=department_id, visit_kind=visit_kind.value if visit_kind else None)


@router.get(
    "", response_model=list[ThemePublic], responses=error_responses(401, 403, 422),
    summary="Themes ranked by impact (pinned first), with stats over the pain points matching the filters",
)
def list_themes(
    session: SessionDep, user: FeedReader,
    since: AwareDatetime | None = Query(None, description="Pain points that occurred at or after"),
    until: AwareDatetime | None = Query(None, description="Pain points that occurred before"),
    site_id: uuid.UUID | None = None, department_id: uuid.UUID | None = None, visit_kind: VisitKind | None = None,
    period: Literal["28", "84", "182", "365", "all"] | None = Query(
        None, description="The last 28, 84, 182 or 365 days (from midnight UTC) or all time; instead of since/until. "
        "Without filters the list covers all time."),
) -> list[ThemePublic]:
    filters = _filters(since, until, site_id, department_id, visit_kind)
    return service.list_themes(session=session, reader=user, filters=filters, period=period)


@router.get(
    "/rebuild", response_model=RebuildState, responses=error_responses(401, 403),
    summary="The latest rebuild's progress or outcome, and the engine in use",
)
def rebuild_state(session: SessionDep, _: FeedReader) -> RebuildState:
    return RebuildState(engine=service.engine_name(), latest=service.latest_build(session=session))


@router.post(
    "/rebuild", response_model=ThemeBuildPublic, status_code=202, responses=error_responses(401, 403, 409),
    summary="Start re-clustering every pain point in the background (managers); returns at once",
)
def start_rebuild(session: SessionDep, user: ManagerUser) -> ThemeBuildPublic:
    return service.start_rebuild(session=session, user=user)


@router.get(
    "/{theme_id}", response_model=ThemePublic, responses=error_responses(401, 403, 404, 422),
    summary="One theme with its stats, 12-week trend and representative quotes",
)
def get_theme(
    theme_id: uuid.UUID, session: SessionDep, user: FeedReader,
    since: AwareDatetime | None = None, until: AwareDatetime | None = None, site_id: uuid.UUID | None = None,
    department_id: uuid.UUID | None = None, visit_kind: VisitKind | None = None,
) -> ThemePublic:
    filters = _filters(since, until, site_id, department_id, visit_kind)
    return service.get_theme(session=session, reader=user, theme_id=theme_id, filters=filters)


@router.patch(
    "/{theme_id}", response_model=ThemePublic, responses=error_responses(401, 403, 404, 422),
    summary="Rename or pin a theme (managers)",
)
def update_theme(theme_id: uuid.UUID, body: ThemeUpdate, session: SessionDep,
                 user: ManagerUser) -> ThemePublic:
    return service.update_theme(session=session, reader=user, theme_id=theme_id, label=body.label,
                                pinned=body.pinned)


@router.post(
    "/{theme_id}/merge", response_model=ThemePublic, responses=error_responses(401, 403, 404, 409, 422),
    summary="Merge this theme into another (managers); returns the theme merged into, whose `merged_from` lists "
    "this merge (undo it with /unmerge)",
    description="Every pain point of this theme moves into `into_id` (locked there, with an audit line each) and "
    "this theme is retired. Merging again into the same theme changes nothing; a theme already merged elsewhere "
    "answers 409.",
)
def merge_theme(theme_id: uuid.UUID, body: ThemeMerge, session: SessionDep, user: ManagerUser) -> ThemePublic:
    return service.merge_themes(session=session, reader=user, theme_id=theme_id, into_id=body.into_id)


@router.post(
    "/{theme_id}/unmerge", response_model=ThemePublic, responses=error_responses(401, 403, 404, 409),
    summary="Undo the merge of this (merged-away) theme (managers); returns it, current again",
    description="The pain points the merge moved and that are still in the theme it was merged into move back "
    "(locked there, with an audit line each), also after rebuilds. 409 when this theme has no merge in effect, "
    "or the theme it was merged into was merged on since (undo that first).",
)
def unmerge_theme(theme_id: uuid.UUID, session: SessionDep, user: ManagerUser) -> ThemePublic:
    return service.unmerge_theme(session=session, actor=user, theme_id=theme_id)


@router.post(
    "/{theme_id}/pain-points", response_model=MoveResult, responses=error_responses(401, 403, 404, 422),
    summary="Move pain points into this theme (managers); rebuilds keep them there",
)
def move_into_theme(theme_id: uuid.UUID, body: MoveRequest, session: SessionDep, user: ManagerUser) -> MoveResult:
    moved = service.move_pain_points(session=session, actor=user, pain_point_ids=body.pain_point_ids,
                                     theme_id=theme_id)
    return MoveResult(moved=moved)


