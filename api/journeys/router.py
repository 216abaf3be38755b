import uuid
from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from api.db import SessionDep
from api.errors import Invalid, error_responses, field_error
from api.journeys import service
from api.journeys.schemas import JourneysAnswer
from api.settings.deps import FeedReader

router = APIRouter(tags=["journeys"])


def _in_utc(value: datetime | None, name: str) -> datetime | None:
    try:
        return value.astimezone(UTC) if value is not None else None
    except OverflowError:
        raise Invalid([field_error(["query", name], "is out of range (years 1 to 9999 in UTC)")]) from None


@router.get(
    "/journeys", response_model=JourneysAnswer, responses=error_responses(401, 403, 422),
    summary="Where customers spend effort: per journey (site + journey name), the steps ranked by minutes and "
    "effort over all walkthroughs, with the pain points logged at each step (managers and admins)",
    description="Executives get 403 unless an admin turned on `executives_see_feed`. A journey is a site and the "
    "walkthroughs' `details.journey_name`; steps are matched by `details.steps[].name`; both compared ignoring "
    "case, spaces and trailing punctuation. Walkthroughs without a journey name are left out (`unnamed`). "
    f"The newest {service.WALKTHROUGHS_MAX} walkthroughs within the filters are read (`truncated` says when more "
    "matched). Pain points count at a step by their `journey_step`; deleted ones and duplicates do not count. "
    "Names are masked for everyone (they come from several executives); example texts as the feed shows them.",
)
def list_journeys(
    session: SessionDep, user: FeedReader,
    site_id: uuid.UUID | None = None,
    since: AwareDatetime | None = Query(None, description="Walkthroughs started at or after"),
    until: AwareDatetime | None = Query(None, description="Walkthroughs started before"),
    rank_by: Literal["minutes", "median_minutes", "effort", "pain_points"] = Query(
        "minutes", description="Order of the steps: total minutes (default), median minutes per walkthrough, "
        "mean effort, or pain points; ties go to effort, then minutes"),
) -> JourneysAnswer:
    return service.journey_insight(session=session, reader=user, site_id=site_id, since=_in_utc(since, "since"),
                                   until=_in_utc(until, "until"), rank_by=rank_by)
