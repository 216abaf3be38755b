"""The rules of issue 15, as pure functions: periods, whether a value holds the target, and the status.

- met: the target holds (on or before the due date; after it, judged on the value as of the due date);
- missed: the due date has passed without it;
- otherwise on track when the current value is at or beyond the straight line from the baseline (at
  creation) to the target (at the due date), else at risk. No baseline or no current value: at risk.
"""

from datetime import date, timedelta

from api.goals.models import Comparison, GoalStatus

EPSILON = 1e-9  # exactly on the line is on track, whatever the floating point says
WINDOW = 4  # periods shown before the goal was made, for context


def holds(value: float | None, comparison: Comparison, target: float) -> bool:
    if value is None:
        return False
    if comparison == Comparison.at_least:
        return value >= target - EPSILON
    return value <= target + EPSILON


def line(baseline: float, target: float, created: date, due: date, today: date) -> float:
    """The value expected today on the straight line from (created, baseline) to (due, target)."""
    span = (due - created).days
    done = 1.0 if span <= 0 else min(max((today - created).days / span, 0.0), 1.0)
    return baseline + (target - baseline) * done


def status(*, baseline: float | None, current: float | None, at_due: float | None, target: float,
           comparison: Comparison, created: date, due: date, today: date) -> GoalStatus:
    """`at_due`: the value as of the due date (used once it has passed)."""
    if today > due:
        return GoalStatus.met if holds(at_due, comparison, target) else GoalStatus.missed
    if holds(current, comparison, target):
        return GoalStatus.met
    if baseline is None or current is None:
        return GoalStatus.at_risk
    expected = line(baseline, target, created, due, today)
    return GoalStatus.on_track if holds(current, comparison, expected) else GoalStatus.at_risk


def period_start(day: date, period: str) -> date:
    return day - timedelta(days=day.weekday()) if period == "week" else day.replace(day=1)


def next_period(start: date, period: str) -> date:
    if period == "week":
        return start + timedelta(weeks=1)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def periods(created: date, today: date, period: str, limit: int = 120) -> list[date]:
    """The starts of the periods from WINDOW before the goal was made up to today's (the last `limit`)."""
    start = period_start(created, period)
    for _ in range(WINDOW):
        start = period_start(start - timedelta(days=1), period)
    out, end = [], period_start(max(today, created), period)
    while start <= end:
        out.append(start)
        start = next_period(start, period)
    return out[-limit:]
