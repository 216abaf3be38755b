"""Define KPIs, take their values (checked all together: all stored or none) and read them back."""

import uuid
from collections.abc import Callable, Sequence
from datetime import date

from sqlalchemy import func, or_
from sqlmodel import Session, select

from api.auth.models import User
from api.auth.users import department_ids
from api.errors import Conflict, Forbidden, Invalid, NotFound, field_error
from api.kpis import builtin
from api.kpis.models import Kpi, KpiPeriod, KpiValue
from api.kpis.schemas import KpiCreate, KpiPublic, KpiUpdate, KpiValuePublic, KpiValueWrite, UpsertReport
from api.kpis.store import CheckedValue, add_kpi, change_kpi, upsert_values
from api.org.models import Department, Site
from api.settings.service import reads_all_kpis


def _public(kpi: Kpi) -> KpiPublic:
    return KpiPublic.model_validate(kpi, from_attributes=True)


def list_kpis(*, session: Session, include_archived: bool = False) -> list[KpiPublic]:
    stmt = select(Kpi).order_by(Kpi.kind, Kpi.name)
    if not include_archived:
        stmt = stmt.where(Kpi.archived == False)  # noqa: E712 - SQL, not Python
    return [*(_public(k) for k in session.exec(stmt)), builtin.PULSE]


def get_kpi(session: Session, key: str) -> Kpi:
    kpi = session.exec(select(Kpi).where(Kpi.key == key)).first()
    if kpi is None:
        raise NotFound(f"No KPI with the key {key!r}")
    return kpi


def create_kpi(*, session: Session, author: User, data: KpiCreate) -> KpiPublic:
    if data.key in builtin.KEYS or session.exec(select(Kpi.id).where(Kpi.key == data.key)).first():
        raise Conflict(f"A KPI with the key {data.key!r} already exists")
    kpi = add_kpi(session, Kpi.model_validate(data, update={"created_by_id": author.id}))
    session.commit()
    return _public(kpi)


def update_kpi(*, session: Session, key: str, data: KpiUpdate) -> KpiPublic:
    if key in builtin.KEYS:
        raise Conflict(f"The {key!r} KPI is built in and cannot be changed")
    kpi = get_kpi(session, key)
    changes = data.model_dump(exclude_unset=True)
    nulls = [n for n, v in changes.items() if v is None and n not in ("scale_min", "scale_max")]
    if nulls:
        raise Invalid([field_error(n, "must not be null") for n in nulls])
    low, high = changes.get("scale_min", kpi.scale_min), changes.get("scale_max", kpi.scale_max)
    if low is not None and high is not None and low > high:
        raise Invalid([field_error("scale_min", "must not be above scale_max")])
    bounds = [*([KpiValue.value < low] if low is not None else []),
              *([KpiValue.value > high] if high is not None else [])]
    if bounds and ("scale_min" in changes or "scale_max" in changes):
        outside = session.exec(
            select(func.count()).select_from(KpiValue).where(KpiValue.kpi_id == kpi.id, or_(*bounds))).one()
        if outside:
            raise Conflict(f"{outside} stored values fall outside the new scale; correct them first")
    change_kpi(session, kpi, changes)
    session.commit()
    return _public(kpi)


def _by_name(session: Session, model: type[Site] | type[Department], names: set[str]) -> dict[str, uuid.UUID]:
    if not names:
        return {}
    rows = session.exec(select(model.name, model.id).where(func.lower(model.name).in_(names)))
    return {name.lower(): id_ for name, id_ in rows}


def _known(session: Session, model: type[Site] | type[Department], ids: set[uuid.UUID]) -> set[uuid.UUID]:
    return set(session.exec(select(model.id).where(model.id.in_(ids)))) if ids else set()


def _off_grid(kpi: Kpi, day: date) -> str | None:
    if kpi.period == KpiPeriod.week and day.weekday() != 0:
        return "must be a Monday: the KPI's values are per ISO week"
    if kpi.period == KpiPeriod.month and day.day != 1:
        return "must be the 1st of a month: the KPI's values are per month"
    return None


def _out_of_scale(kpi: Kpi, value: float) -> str | None:
    if kpi.scale_min is not None and value < kpi.scale_min:
        return f"must be at least {kpi.scale_min:g} (the KPI's scale)"
    if kpi.scale_max is not None and value > kpi.scale_max:
        return f"must be at most {kpi.scale_max:g} (the KPI's scale)"
    return None


def check_values(session: Session, kpi: Kpi, items: Sequence[KpiValueWrite],
                 label: Callable[[int], str] = "item {}".format,
                 ) -> tuple[list[CheckedValue | None], list[list[dict]]]:
    """Each item checked against its KPI and the sites and departments: per item either a CheckedValue or
    its field errors (loc [field]). Names are matched without regard to case; ids must exist. `label` names
    an earlier item in the message about a repeated period and place."""
    sites = _by_name(session, Site, {i.site.strip().lower() for i in items if i.site})
    departments = _by_name(session, Department, {i.department.strip().lower() for i in items if i.department})
    site_ids = _known(session, Site, {i.site_id for i in items if i.site_id})
    department_ids_ = _known(session, Department, {i.department_id for i in items if i.department_id})
    checked: list[CheckedValue | None] = []
    errors: list[list[dict]] = []
    first_at: dict[tuple, int] = {}
    for index, item in enumerate(items):
        problems = []
        if (grid := _off_grid(kpi, item.period_start)):
            problems.append(field_error("period_start", grid))
        if (scale := _out_of_scale(kpi, item.value)):
            problems.append(field_error("value", scale))
        places = []
        for field, name, given_id, by_name, known in (
            ("site", item.site, item.site_id, sites, site_ids),
            ("department", item.department, item.department_id, departments, department_ids_),
        ):
            place = given_id
            if name and given_id:
                problems.append(field_error(f"{field}_id", f"give {field} or {field}_id, not both"))
            elif name:
                place = by_name.get(name.strip().lower())
                if place is None:
                    problems.append(field_error(field, f"no {field} named {name.strip()!r}"))
            elif given_id and given_id not in known:
                problems.append(field_error(f"{field}_id", f"no such {field}"))
            places.append(place)
        value = CheckedValue(item.period_start, *places, value=item.value, responses=item.responses)
        if not problems:
            if value.key in first_at:
                earlier = label(first_at[value.key])
                problems.append(field_error("period_start", f"the same period and place as {earlier}"))
            first_at.setdefault(value.key, index)
        checked.append(None if problems else value)
        errors.append(problems)
    return checked, errors


def writable_kpi(session: Session, key: str) -> Kpi:
    if key in builtin.KEYS:
        raise Conflict(f"The {key!r} KPI is computed by Undercover; its values cannot be sent")
    kpi = get_kpi(session, key)
    if kpi.archived:
        raise Conflict(f"The KPI {key!r} is archived; restore it before sending values")
    return kpi


def put_values(*, session: Session, key: str, items: list[KpiValueWrite]) -> UpsertReport:
    """All or nothing: any bad item answers 422 with every item's errors (loc [index, field])."""
    kpi = writable_kpi(session, key)
    checked, errors = check_values(session, kpi, items)
    flat = [{**e, "loc": [index, *e["loc"]]} for index, problems in enumerate(errors) for e in problems]
    if flat:
        raise Invalid(flat)
    report = upsert_values(session, kpi, checked)
    session.commit()
    return report


def import_values(*, session: Session,
                  rows: list[tuple[int, str, KpiValueWrite]]) -> tuple[UpsertReport, list[tuple[int, str]]]:
    """Rows (number, KPI key, value) from a file: every good one stored, every bad one returned with its
    reasons ("field: message; ..."), in one commit."""
    report, rejected = UpsertReport(), []
    by_key: dict[str, list[tuple[int, KpiValueWrite]]] = {}
    for number, key, item in rows:
        by_key.setdefault(key, []).append((number, item))
    for key, numbered in by_key.items():
        try:
            kpi = writable_kpi(session, key)
        except (NotFound, Conflict) as exc:
            rejected += [(number, f"kpi: {exc.detail}") for number, _ in numbered]
            continue
        checked, errors = check_values(session, kpi, [item for _, item in numbered],
                                       label=lambda i: f"row {numbered[i][0]}")  # noqa: B023 - called right here
        for (number, _), problems in zip(numbered, errors, strict=True):
            if problems:
                rejected.append((number, "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in problems)))
        done = upsert_values(session, kpi, [value for value in checked if value is not None])
        report.created, report.updated = report.created + done.created, report.updated + done.updated
        report.unchanged += done.unchanged
    session.commit()
    return report, sorted(rejected)


def readable_departments(session: Session, user: User) -> list[uuid.UUID] | None:
    """None: the caller reads every value; else the departments whose values they read (and no department's)."""
    return None if reads_all_kpis(session, user) else department_ids(session, [user.id])[user.id]


def list_values(*, session: Session, user: User, key: str, site_id: uuid.UUID | None = None,
                department_id: uuid.UUID | None = None, since: date | None = None,
                until: date | None = None) -> list[KpiValuePublic]:
    if since and until and since > until:
        raise Invalid([field_error(["query", "since"], "must not be after until")])
    readable = readable_departments(session, user)
    if department_id and readable is not None and department_id not in readable:
        raise Forbidden("Executives read their own departments' KPI values (an admin can open all of them)")
    if key in builtin.KEYS:
        return [] if site_id or department_id else builtin.pulse_values(session=session, since=since, until=until)
    kpi = get_kpi(session, key)
    stmt = (
        select(KpiValue, Site.name, Department.name)
        .join(Site, Site.id == KpiValue.site_id, isouter=True)
        .join(Department, Department.id == KpiValue.department_id, isouter=True)
        .where(KpiValue.kpi_id == kpi.id)
        .order_by(KpiValue.period_start,
                  Site.name.asc().nulls_first(), Department.name.asc().nulls_first())
    )
    if site_id:
        stmt = stmt.where(KpiValue.site_id == site_id)
    if department_id:
        stmt = stmt.where(KpiValue.department_id == department_id)
    if since:
        stmt = stmt.where(KpiValue.period_start >= since)
    if until:
        stmt = stmt.where(KpiValue.period_start <= until)
    if readable is not None:
        stmt = stmt.where(or_(KpiValue.department_id.is_(None), KpiValue.department_id.in_(readable)))
    return [
        KpiValuePublic(period_start=row.period_start, site_id=row.site_id, site=site, department_id=row.department_id,
                       department=department, value=row.value, responses=row.responses, updated_at=row.updated_at)
        for row, site, department in session.exec(stmt)
    ]
