import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Path

from api.auth.deps import CurrentUser, ManagerUser
from api.core.clock import utcnow
from api.db import SessionDep
from api.errors import ErrorBody, error_responses
from api.kpis import latest, linked, service
from api.kpis.models import KEY_PATTERN
from api.kpis.rank import MIN_PERIODS
from api.kpis.schemas import (
    MAX_VALUES,
    KpiCreate,
    KpiLatest,
    KpiPublic,
    KpiUpdate,
    KpiValuePublic,
    KpiValuesWrite,
    ThemeKpis,
    UpsertReport,
)
from api.settings.deps import FeedReader

router = APIRouter(prefix="/kpis", tags=["KPIs"])
themes_router = APIRouter(prefix="/themes", tags=["themes", "KPIs"])
Key = Annotated[str, Path(max_length=40, pattern=KEY_PATTERN, description="The KPI's key, e.g. nps")]
_BUILTIN = {409: {"model": ErrorBody, "description": "The key is taken, or the KPI is built in or archived"}}


@router.get("", response_model=list[KpiPublic], responses=error_responses(401),
            summary="The organisation's KPIs, with the built-in ones (archived only with include_archived=true)")
def list_kpis(session: SessionDep, _: CurrentUser, include_archived: bool = False) -> list[KpiPublic]:
    return service.list_kpis(session=session, include_archived=include_archived)


@router.get("/latest", response_model=list[KpiLatest], responses=error_responses(401, 403),
            summary="Each KPI's latest period and value over every site and department (managers and admins)",
            description="For the list of metrics: the latest period with a value up to today, its rows averaged "
            "(weighted by `responses` when every row has them), and how many rows it has. KPIs without values "
            "are left out; the pulse is included when a month has enough respondents.")
def latest_kpi_values(session: SessionDep, _: ManagerUser) -> list[KpiLatest]:
    return latest.latest_values(session=session, today=utcnow().date())


@router.post("", response_model=KpiPublic, status_code=201, responses={**error_responses(401, 403, 422), **_BUILTIN},
             summary="Define a KPI (managers and admins)")
def create_kpi(session: SessionDep, user: ManagerUser, body: KpiCreate) -> KpiPublic:
    return service.create_kpi(session=session, author=user, data=body)


@router.patch("/{key}", response_model=KpiPublic, responses={**error_responses(401, 403, 404, 422), **_BUILTIN},
              summary="Rename, re-scale or archive a KPI (managers and admins)",
              description="A new scale must hold every stored value (409 otherwise). Key, kind and period stay.")
def update_kpi(session: SessionDep, _: ManagerUser, key: Key, body: KpiUpdate) -> KpiPublic:
    return service.update_kpi(session=session, key=key, data=body)


@router.put(
    "/{key}/values", response_model=UpsertReport,
    responses={**error_responses(401, 403, 404, 422), **_BUILTIN},
    summary="Send a KPI's values (managers and admins): an upsert by period, site and department",
    description=f"At most {MAX_VALUES:,} values a request. Sending the same list again changes nothing "
    "(`unchanged`). `period_start` is a Monday (weekly KPIs) or a 1st (monthly); `site` and `department` are "
    "names (or `site_id`, `department_id`); both absent: organisation-wide. Any bad item refuses the whole list "
    "(422, `loc` `[index, field]`): nothing is stored.",
)
def put_values(session: SessionDep, _: ManagerUser, key: Key, body: Annotated[KpiValuesWrite, Body()]) -> UpsertReport:
    return service.put_values(session=session, key=key, items=body)


@router.get(
    "/{key}/values", response_model=list[KpiValuePublic], responses=error_responses(401, 403, 404, 422),
    summary="A KPI's values, oldest first, filtered by site, department and period",
    description="Executives read the values of their own departments and of no department (a site's or the "
    "organisation's) unless the organisation's `executives_see_all_kpis` is on. `since` and `until` bound "
    "`period_start` (inclusive).",
)
def list_values(session: SessionDep, user: CurrentUser, key: Key, site_id: uuid.UUID | None = None,
                department_id: uuid.UUID | None = None, since: date | None = None,
                until: date | None = None) -> list[KpiValuePublic]:
    return service.list_values(session=session, user=user, key=key, site_id=site_id, department_id=department_id,
                               since=since, until=until)


@themes_router.get(
    "/{theme_id}/kpis", response_model=ThemeKpis, responses=error_responses(401, 403, 404, 422),
    summary="A theme's metrics: the KPIs of the sites and departments it touches, linked week by week",
    description="For each KPI with values at the sites or departments of the theme's pain points: its value per "
    "week (monthly KPIs: per month) over the last 52 whole weeks (24 whole months), the theme's pain points in "
    "each, and Spearman's rank correlation between the two with its sample size (the periods with a value) and "
    f"a sentence in plain words. Below {MIN_PERIODS} periods `rho` is null and the sentence says there are too "
    "few to say anything. Readers as for themes; executives see only the KPI rows the values API shows them.",
)
def theme_kpis(session: SessionDep, user: FeedReader, theme_id: uuid.UUID) -> ThemeKpis:
    return linked.theme_kpis(session=session, reader=user, theme_id=theme_id)
