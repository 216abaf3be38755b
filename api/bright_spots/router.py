import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from api.auth.deps import ManagerUser
from api.bright_spots import service
from api.bright_spots.schemas import FEED_LIMIT_MAX, BrightSpotPage
from api.db import SessionDep
from api.errors import error_responses
from api.validation import parse_bound

router = APIRouter(tags=["bright spots"])


@router.get(
    "/bright-spots",
    response_model=BrightSpotPage,
    responses=error_responses(401, 403, 422),
    summary="Bright spots from every visit, newest first, keyset-paginated (managers and admins)",
    description="What went well on visits, which department, which company value it lives and who to "
    "recognise. Texts and names are masked for e-mails, phone and card numbers (UNDERCOVER_REDACT). "
    "Filters combine (AND); `since`/`until` as in the pain-point feed (an ISO date, `until` included, or a "
    "datetime with a time zone); `q`: every word must occur as a whole word in the text or the name, as the "
    "reader sees them. Bright spots of withdrawn visits are gone.",
)
def read_bright_spots(
    session: SessionDep,
    user: ManagerUser,
    site_id: uuid.UUID | None = None,
    department_id: uuid.UUID | None = None,
    value_id: uuid.UUID | None = None,
    author_id: Annotated[uuid.UUID | None, Query(description="The executive who logged it")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Search", examples=["greeter"])] = None,
    since: Annotated[str | None, Query(examples=["2026-11-01"])] = None,
    until: Annotated[str | None, Query(examples=["2026-11-30"])] = None,
    cursor: Annotated[str | None, Query(max_length=300, description="`next_cursor` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=FEED_LIMIT_MAX)] = 50,
) -> BrightSpotPage:
    filters = service.Filters(site_id=site_id, department_id=department_id, value_id=value_id, author_id=author_id,
                              q=q, since=parse_bound(since, name="since", end=False),
                              until=parse_bound(until, name="until", end=True))
    return service.read_feed(session=session, viewer=user, filters=filters, cursor=cursor, limit=limit)
