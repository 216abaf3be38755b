"""Journey insight: per journey (a site and a journey name), where customers spend minutes and effort, step by
step, with the pain points logged at each step.

A journey is identified by its site and its walkthroughs' `journey_name`, compared case- and space-insensitively;
steps are matched by their name the same way. Steps live in each visit's details (JSON): they are read from the
newest `WALKTHROUGHS_MAX` walkthroughs and combined here. The pain points (counts, severities and the examples,
ranked per step with a window function) are aggregated in SQL.
"""

import statistics
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from api.auth.models import User
from api.core.kinds import VisitKind
from api.journeys.schemas import JourneyInsight, JourneysAnswer, StepExample, StepInsight
from api.org.models import Site
from api.pain_points.models import PAIN, counted_conditions
from api.pain_points.schemas import Ref
from api.privacy.reader import masked, shown
from api.visits.models import Visit

WALKTHROUGHS_MAX = 2000
EXAMPLES = 3
RANKINGS = ("minutes", "median_minutes", "effort", "pain_points")


def normalised(name: str | None) -> str:
    """The key two spellings of one journey or step share: case, spaces and trailing punctuation ignored."""
    return " ".join((name or "").casefold().split()).rstrip(" .:;,-")


@dataclass(eq=False)  # one object per step, kept in sets by identity
class _Step:
    spellings: Counter = field(default_factory=Counter)
    positions: list[int] = field(default_factory=list)
    minutes: dict[uuid.UUID, float] = field(default_factory=dict)  # per walkthrough: the step's minutes
    efforts: list[int] = field(default_factory=list)
    visits: set[uuid.UUID] = field(default_factory=set)
    pain_points: int = 0
    severity_sum: int = 0
    examples: list = field(default_factory=list)


@dataclass
class _Journey:
    site_id: uuid.UUID | None
    spellings: Counter = field(default_factory=Counter)
    visits: set[uuid.UUID] = field(default_factory=set)
    authors: set[uuid.UUID] = field(default_factory=set)
    totals: list[float] = field(default_factory=list)
    last: datetime | None = None
    steps: dict[str, _Step] = field(default_factory=lambda: defaultdict(_Step))


def _walkthroughs(site_id: uuid.UUID | None, since: datetime | None, until: datetime | None):
    stmt = select(Visit.id).where(Visit.kind == VisitKind.journey_walkthrough.value, Visit.deleted_at.is_(None))
    if site_id is not None:
        stmt = stmt.where(Visit.site_id == site_id)
    if since is not None:
        stmt = stmt.where(Visit.started_at >= since)
    if until is not None:
        stmt = stmt.where(Visit.started_at < until)
    return stmt.order_by(Visit.started_at.desc(), Visit.id).limit(WALKTHROUGHS_MAX + 1)


def _read_steps(session: Session, wanted) -> tuple[dict, dict, int, int, bool]:
    """Journeys by (site, name) and where each (visit, step index) belongs; how many walkthroughs were read,
    how many of them had no journey name, and whether more matched than were read."""
    ids = list(session.execute(wanted).scalars())
    truncated = len(ids) > WALKTHROUGHS_MAX
    ids = ids[:WALKTHROUGHS_MAX]
    journeys: dict[tuple, _Journey] = {}
    at: dict[tuple[uuid.UUID, int], _Step] = {}
    unnamed = 0
    for start in range(0, len(ids), 500):
        rows = session.execute(select(Visit.id, Visit.site_id, Visit.author_id, Visit.started_at, Visit.details)
                               .where(Visit.id.in_(ids[start:start + 500])))
        for visit_id, site_id, author_id, started_at, details in rows:
            name = (details or {}).get("journey_name")
            if not normalised(name):
                unnamed += 1
                continue
            journey = journeys.setdefault((site_id, normalised(name)), _Journey(site_id))
            journey.spellings[" ".join(name.split())] += 1
            journey.visits.add(visit_id)
            journey.authors.add(author_id)
            journey.last = max(journey.last or started_at, started_at)
            total = None
            for index, raw in enumerate((details or {}).get("steps") or []):
                key = normalised(raw.get("name"))
                if not key:
                    continue
                step = journey.steps[key]
                step.spellings[" ".join(raw["name"].split())] += 1
                step.positions.append(index)
                step.visits.add(visit_id)
                if raw.get("minutes") is not None:
                    step.minutes[visit_id] = step.minutes.get(visit_id, 0.0) + float(raw["minutes"])
                    total = (total or 0.0) + float(raw["minutes"])
                if raw.get("effort") is not None:
                    step.efforts.append(int(raw["effort"]))
                at[(visit_id, index)] = step
            if total is not None:  # walkthroughs that gave no minutes at all do not count as 0
                journey.totals.append(total)
    return journeys, at, len(ids), unnamed, truncated


def _add_pain_points(session: Session, wanted, at: dict, reader: User) -> None:
    """Counts and severities per (visit, step), and each one's most severe (then newest) pain points, in SQL."""
    visits = wanted.subquery()
    where = [PAIN.c.visit_id.in_(select(visits.c.id)), PAIN.c.journey_step.is_not(None), *counted_conditions()]
    for visit_id, index, n, severities in session.execute(
        select(PAIN.c.visit_id, PAIN.c.journey_step, func.count(), func.sum(PAIN.c.severity))
        .where(*where).group_by(PAIN.c.visit_id, PAIN.c.journey_step)
    ):
        step = at.get((visit_id, index))
        if step is not None:  # an index past the visit's steps belongs to no step
            step.pain_points += n
            step.severity_sum += int(severities)
    order = (PAIN.c.severity.desc(), PAIN.c.occurred_at.desc(), PAIN.c.id)
    ranked = select(
        PAIN.c.id, PAIN.c.visit_id, PAIN.c.journey_step, PAIN.c.text, PAIN.c.author_id, PAIN.c.severity,
        PAIN.c.occurred_at,
        func.row_number().over(partition_by=(PAIN.c.visit_id, PAIN.c.journey_step), order_by=order).label("rank"),
    ).where(*where).subquery()
    for row in session.execute(select(ranked).where(ranked.c.rank <= EXAMPLES)):
        step = at.get((row.visit_id, row.journey_step))
        if step is not None:
            step.examples.append(row)
    for step in set(at.values()):
        step.examples.sort(key=lambda r: (-r.severity, -r.occurred_at.timestamp(), str(r.id)))
        step.examples = [
            StepExample(pain_point_id=r.id, text=shown(r.text, author_id=r.author_id, reader_id=reader.id),
                        severity=r.severity)
            for r in step.examples[:EXAMPLES]
        ]


def _spelling(spellings: Counter) -> str:
    """The most common spelling (ties: the first in code-point order, so capitals first), masked: a name made
    by several executives is read by everyone."""
    return masked(min(spellings, key=lambda name: (-spellings[name], name)))


def _step_insight(step: _Step) -> StepInsight:
    minutes = list(step.minutes.values())
    return StepInsight(
        name=_spelling(step.spellings),
        position=statistics.median(step.positions),
        walkthroughs=len(step.visits),
        total_minutes=round(sum(minutes), 1),
        median_minutes=round(statistics.median(minutes), 1) if minutes else None,
        minutes_reported=len(minutes),
        mean_effort=round(statistics.fmean(step.efforts), 2) if step.efforts else None,
        effort_reported=len(step.efforts),
        pain_points=step.pain_points,
        mean_severity=round(step.severity_sum / step.pain_points, 2) if step.pain_points else None,
        examples=step.examples,
    )


def _rank_key(rank_by: str):
    primary = {
        "minutes": lambda s: s.total_minutes,
        "median_minutes": lambda s: s.median_minutes or 0,
        "effort": lambda s: s.mean_effort or 0,
        "pain_points": lambda s: s.pain_points,
    }[rank_by]
    return lambda s: (-primary(s), -(s.mean_effort or 0), -s.total_minutes, -s.pain_points, s.position)


def journey_insight(*, session: Session, reader: User, site_id: uuid.UUID | None, since: datetime | None,
                    until: datetime | None, rank_by: str = "minutes") -> JourneysAnswer:
    wanted = _walkthroughs(site_id, since, until)
    journeys, at, read, unnamed, truncated = _read_steps(session, wanted)
    if truncated:  # the pain points of exactly the walkthroughs read
        wanted = wanted.limit(WALKTHROUGHS_MAX)
    _add_pain_points(session, wanted, at, reader)
    sites = dict(session.execute(select(Site.id, Site.name).where(
        Site.id.in_({j.site_id for j in journeys.values() if j.site_id}))).all())
    out = []
    for journey in journeys.values():
        steps = sorted((_step_insight(s) for s in journey.steps.values()), key=_rank_key(rank_by))
        out.append(JourneyInsight(
            site=Ref(id=journey.site_id, name=sites.get(journey.site_id, "")) if journey.site_id else None,
            name=_spelling(journey.spellings),
            walkthroughs=len(journey.visits),
            executives=len(journey.authors),
            median_minutes=round(statistics.median(journey.totals), 1) if journey.totals else None,
            pain_points=sum(s.pain_points for s in steps),
            last_walked_at=journey.last,
            steps=steps,
        ))
    out.sort(key=lambda j: (-j.walkthroughs, -j.pain_points, j.name.casefold()))
    return JourneysAnswer(journeys=out, walkthroughs=read - unnamed, unnamed=unnamed, truncated=truncated)
