"""A new goal checked whole: every problem as a field error (422), before anything is stored."""

from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from api.errors import Invalid, field_error
from api.goals.models import TargetType
from api.goals.schemas import GoalCreate
from api.kpis import builtin
from api.kpis.models import Kpi
from api.org.models import Department, Site
from api.themes.models import Theme

ONLY_FOR = {"kpi_key": TargetType.kpi, "theme_id": TargetType.theme_count}


def _departments(session: Session, data: GoalCreate) -> list[dict]:
    ids = data.department_ids
    if len(set(ids)) < len(ids):
        return [field_error("department_ids", "name each department once")]
    if len(ids) < 2:
        return [field_error("department_ids", "a shared goal needs two or more departments")]
    known = set(session.execute(select(Department.id).where(Department.id.in_(ids))).scalars())
    return [field_error(["department_ids", i], "no such department") for i, d in enumerate(ids) if d not in known]


def _kpi(session: Session, data: GoalCreate) -> list[dict]:
    key, loc = data.target.kpi_key, ["target", "kpi_key"]
    if key in builtin.KEYS:
        return [field_error(["target", "site_id"], "the pulse has no per-site values")] if data.target.site_id else []
    archived = session.execute(select(Kpi.archived).where(Kpi.key == key)).scalar()
    if archived is None:
        return [field_error(loc, f"no KPI with the key {key!r}")]
    return [field_error(loc, "that KPI is archived")] if archived else []


def _theme(session: Session, data: GoalCreate) -> list[dict]:
    theme = session.get(Theme, data.target.theme_id)
    loc = ["target", "theme_id"]
    if theme is None:
        return [field_error(loc, "no such theme")]
    if theme.merged_into_id is not None:
        return [field_error(loc, f"that theme was merged into another (theme {theme.merged_into_id}): aim at it")]
    if theme.retired_at is not None:
        return [field_error(loc, "that theme is retired")]
    return []


def check_new_goal(session: Session, data: GoalCreate, today: date) -> None:
    target = data.target
    errors = _departments(session, data)
    if data.due_date < today:
        errors.append(field_error("due_date", "must not be in the past"))
    for field, kind in ONLY_FOR.items():
        given = getattr(target, field) is not None
        if target.type == kind and not given:
            errors.append(field_error(["target", field], f"required for a {kind} target"))
        elif target.type != kind and given:
            errors.append(field_error(["target", field], f"only for a {kind} target"))
    if target.site_id and session.get(Site, target.site_id) is None:
        errors.append(field_error(["target", "site_id"], "no such site"))
    if target.type != TargetType.kpi and target.value < 0:
        errors.append(field_error(["target", "value"], "a count cannot be below 0"))
    if target.type == TargetType.kpi and target.kpi_key:
        errors += _kpi(session, data)
    if target.type == TargetType.theme_count and target.theme_id:
        errors += _theme(session, data)
    if errors:
        raise Invalid(errors)
