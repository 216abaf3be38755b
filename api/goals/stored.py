"""Goal progress for a large organisation: every live goal measured together, stored and kept fresh in the
background (the summary `goals:<day>`, api/summaries), so that reading goals costs a look-up, not a pass over
the pain points. A small organisation's goals are measured live on every read (it is quick).

Each answer is filed under a fingerprint of what was asked (the measure, its period, the series' periods and
the days), so a goal made or changed since, or whose theme was merged, is never read from an old answer: it is
measured live. Changes to the data itself show at the next refresh; `as_of` says when each was measured.
"""

import hashlib
import time
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session

from api.core.clock import utcnow
from api.goals import asks as goal_asks
from api.goals import measure as measures
from api.goals.models import Goal
from api.summaries import service as summaries

PREFIX = "goals"


@dataclass(frozen=True)
class Stored:
    """The stored answers of a day, by fingerprint, and when they were measured."""

    day: date
    answers: dict
    as_of: datetime


def fingerprint(ask: measures.Ask) -> str:
    return hashlib.sha256(repr(ask).encode()).hexdigest()[:24]


def _to_json(answer: measures.Answer) -> dict:
    return {"series": answer.series, "at": {day.isoformat(): value for day, value in answer.at.items()}}


def _from_json(data: dict) -> measures.Answer:
    return measures.Answer(series=data["series"], at={date.fromisoformat(d): v for d, v in data["at"].items()})


def compute(session: Session, key: str) -> dict:
    """The stored summary `goals:<day>` (declared in api/main.py): every live goal's answer on that day."""
    day = date.fromisoformat(key.split(":", 1)[1])
    goals = list(session.execute(select(Goal).where(Goal.archived.is_(False))).scalars())
    asked = goal_asks.asks(session, goals, goal_asks.departments_of(session, [g.id for g in goals]), day)
    return {fingerprint(a): _to_json(answer) for a, answer in zip(asked, measures.evaluate(session, asked),
                                                                      strict=True)}


def _key(day: date) -> str:
    return f"{PREFIX}:{day.isoformat()}"


def read(session: Session, day: date) -> Stored:
    """The day's stored answers (none for a small organisation: its goals are measured live). Call it before
    loading anything else from the session: it ends the transaction."""
    found = summaries.stored(session=session, key=_key(day))
    payload, as_of = found or ({}, utcnow())
    return Stored(day=day, answers=payload, as_of=as_of)


def answers(session: Session, stored: Stored,
            asked: list[measures.Ask]) -> list[tuple[measures.Answer, datetime]]:
    """Each ask's answer and when it was measured: from `stored` when it holds that very ask, else live (the
    missing ones measured together; when that is slow, the worker is asked to store the day's answers)."""
    found: list[tuple[measures.Answer, datetime] | None] = [
        (_from_json(stored.answers[f]), stored.as_of) if (f := fingerprint(a)) in stored.answers else None
        for a in asked]
    missing = [i for i, hit in enumerate(found) if hit is None]
    if missing:
        now, started = utcnow(), time.perf_counter()
        for i, answer in zip(missing, measures.evaluate(session, [asked[i] for i in missing]), strict=True):
            found[i] = (answer, now)
        if (time.perf_counter() - started) * 1000 >= summaries.BUDGET_MS:
            summaries.ask_for(_key(stored.day))
    return found  # type: ignore[return-value]
