"""The demo organisation's leadership data: company values, who belongs to which department, a year of
metrics (weekly NPS and CSAT per site, monthly eNPS per department) and two shared goals. Idempotent: what
exists already (by name, key or title) is left alone, and metric values are upserts."""

import random
import uuid
from datetime import date, timedelta

from sqlmodel import Session, select

from api.auth.links import set_departments
from api.auth.models import User
from api.auth.users import department_ids as memberships
from api.goals.models import Goal
from api.goals.schemas import GoalCreate
from api.goals.service import create_goal
from api.kpis.models import Kpi
from api.kpis.schemas import KpiCreate, KpiValueWrite
from api.kpis.service import create_kpi, put_values
from api.values.models import CompanyValue
from api.values.schemas import CompanyValueCreate
from api.values.service import create_value

VALUES = [
    ("Own it", "Whoever hears a problem sees it through, whichever department it belongs to"),
    ("Make it easy", "Every step a customer takes should be one they would choose to take"),
    ("Tell it straight", "Say what is true, to customers and to each other, early"),
    ("Every customer, every time", "The tenth customer in the queue gets what the first one got"),
]

# Who belongs where: how "my departments' goals" and "the owning department's managers" are found.
MEMBERSHIPS = {
    "exec@demo.undercover.example": ["stores", "logistics"],
    "cco@demo.undercover.example": ["contact_centre", "returns"],
    "cfo@demo.undercover.example": ["billing"],
    "manager@demo.undercover.example": ["contact_centre", "digital", "returns"],
    "ops.manager@demo.undercover.example": ["stores", "logistics"],
}

KPIS = [
    KpiCreate(key="nps", name="Net Promoter Score", kind="voc", unit="points", higher_is_better=True,
              period="week", scale_min=-100, scale_max=100),
    KpiCreate(key="csat", name="Customer satisfaction", kind="voc", unit="%", higher_is_better=True,
              period="week", scale_min=0, scale_max=100),
    KpiCreate(key="enps", name="Employee Net Promoter Score", kind="voe", unit="points", higher_is_better=True,
              period="month", scale_min=-100, scale_max=100),
]

WEEKS = 52
MONTHS = 12


def _mondays(today: date) -> list[date]:
    """The last WEEKS complete ISO weeks, oldest first."""
    this_monday = today - timedelta(days=today.weekday())
    return [this_monday - timedelta(weeks=n) for n in range(WEEKS, 0, -1)]


def _firsts(today: date) -> list[date]:
    """The 1st of the last MONTHS complete months, oldest first."""
    firsts, day = [], today.replace(day=1)
    for _ in range(MONTHS):
        day = (day - timedelta(days=1)).replace(day=1)
        firsts.append(day)
    return firsts[::-1]


def _series(rng: random.Random, start: float, drift: float, noise: float, n: int, low: float,
            high: float) -> list[float]:
    """A wandering line: start, drifting per step, with noise, kept inside the scale."""
    return [round(min(high, max(low, start + drift * i + rng.gauss(0, noise))), 1) for i in range(n)]


def ensure_values(session: Session) -> dict[str, uuid.UUID]:
    """The demo's company values (made once), by name: visits tag their bright spots with them."""
    have = set(session.exec(select(CompanyValue.name)).all())
    for name, meaning in VALUES:
        if name not in have:
            create_value(session=session, data=CompanyValueCreate(name=name, meaning=meaning))
    return dict(session.exec(select(CompanyValue.name, CompanyValue.id)).all())


def _memberships(session: Session, users: dict[str, User], department_ids: dict) -> None:
    current = memberships(session, [u.id for u in users.values()])
    for email, keys in MEMBERSHIPS.items():
        user = users[email]
        if not current[user.id]:
            set_departments(session, user.id, [department_ids[k] for k in keys])
    session.commit()


def _metrics(session: Session, author: User, site_ids: dict, department_ids: dict, today: date) -> None:
    have = set(session.exec(select(Kpi.key)).all())
    for kpi in KPIS:
        if kpi.key not in have:
            create_kpi(session=session, author=author, data=kpi)
    rng = random.Random(7)  # noqa: S311 - demo figures, the same on every machine
    mondays, firsts = _mondays(today), _firsts(today)
    nps, csat = [], []
    for i, site_id in enumerate(site_ids.values()):
        # Leeds starts lowest and climbs: the goal below has something to track.
        start, drift = (24.0, 0.25) if i == 0 else (28.0 + 3 * i, rng.uniform(-0.1, 0.15))
        for day, value in zip(mondays, _series(rng, start, drift, 3.0, WEEKS, -100, 100), strict=True):
            nps.append(KpiValueWrite(period_start=day, site_id=site_id, value=value, responses=rng.randint(60, 400)))
        for day, value in zip(mondays, _series(rng, 74.0 + i, drift / 3, 2.0, WEEKS, 0, 100), strict=True):
            csat.append(KpiValueWrite(period_start=day, site_id=site_id, value=value, responses=rng.randint(60, 400)))
    enps = [
        KpiValueWrite(period_start=day, department_id=department_id, value=value, responses=rng.randint(15, 120))
        for department_id in department_ids.values()
        for day, value in zip(firsts, _series(rng, rng.uniform(5, 30), rng.uniform(-0.5, 0.8), 4.0, MONTHS,
                                              -100, 100), strict=True)
    ]
    for key, items in (("nps", nps), ("csat", csat), ("enps", enps)):
        put_values(session=session, key=key, items=items)


def _goals(session: Session, author: User, site_ids: dict, department_ids: dict, today: date) -> None:
    have = set(session.exec(select(Goal.title)).all())
    next_march = date(today.year + (today.month > 3), 3, 31)
    goals = [
        GoalCreate(title="NPS at Leeds at least 40 by 31 March",
                   department_ids=[department_ids["stores"], department_ids["contact_centre"]],
                   target={"type": "kpi", "kpi_key": "nps", "site_id": site_ids["leeds-briggate"],
                           "comparison": "at_least", "value": 40},
                   due_date=next_march),
        GoalCreate(title="Returns and billing: at most 5 open pain points",
                   department_ids=[department_ids["returns"], department_ids["billing"]],
                   target={"type": "open_pain_points", "comparison": "at_most", "value": 5},
                   due_date=today + timedelta(days=90)),
    ]
    for goal in goals:
        if goal.title not in have:
            create_goal(session=session, author=author, data=goal)


def load_leadership(*, session: Session, users: dict[str, User], site_ids: dict, department_ids: dict,
                    today: date) -> None:
    manager = users["manager@demo.undercover.example"]
    ensure_values(session)
    _memberships(session, users, department_ids)
    _metrics(session, manager, site_ids, department_ids, today)
    _goals(session, manager, site_ids, department_ids, today)
