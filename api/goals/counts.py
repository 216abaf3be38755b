"""The pain-point counts goals measure, for many goals in one grouped query per target type: a theme's pain
points in a window (a calendar month), the open pain points of departments at a moment. Reads only.

Each row is put in a bucket by SQL (how many of the sorted bounds are at or before its time), the rows are
counted per bucket, and Python adds up the buckets each goal asks about: the table is read once, however
many goals and periods there are.
"""

import uuid
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import case, func, literal, null, select, text, union_all
from sqlmodel import Session

from api.pain_points.models import CLOSED_COUNTED, OPEN_COUNTED, PAIN, counted_conditions

OWNER = func.coalesce(PAIN.c.owner_department_id, PAIN.c.department_id)
Place = tuple[uuid.UUID | None, uuid.UUID | None]  # (theme or department, site: None for all of them)


def _bucket(column, bounds: list[datetime]):
    """How many of `bounds` (sorted) are at or before `column`: 0 before the first, len(bounds) after the last."""
    return case(*[(column < bound, i) for i, bound in enumerate(bounds)], else_=len(bounds))


def _site_key(sites: set[uuid.UUID]):
    """The site, for the sites some goal names; NULL for the others (only summed)."""
    return case((PAIN.c.site_id.in_(sites), PAIN.c.site_id), else_=null()) if sites else null()


def theme_windows(session: Session, theme_ids: set[uuid.UUID], sites: set[uuid.UUID],
                  windows: set[tuple[datetime, datetime]]) -> Callable[[uuid.UUID, uuid.UUID | None, tuple], int]:
    """A look-up (theme, site or None, (start, end)) → the theme's counted pain points that occurred in
    [start, end) at that site (None: at any site or none), for the themes, the sites and the windows given."""
    if not theme_ids or not windows:
        return lambda theme, site, window: 0
    bounds = sorted({t for window in windows for t in window})
    inner = (select(PAIN.c.theme_id.label("theme"), _site_key(sites).label("site"),
                    _bucket(PAIN.c.occurred_at, bounds).label("bucket"))
             .where(*counted_conditions(), PAIN.c.theme_id.in_(theme_ids), PAIN.c.occurred_at >= bounds[0],
                    PAIN.c.occurred_at < bounds[-1])
             .subquery())
    per_bucket: dict[tuple, dict[int, int]] = defaultdict(dict)
    for theme, site, bucket, n in session.execute(
            select(inner.c.theme, inner.c.site, inner.c.bucket, func.count())
            .group_by(inner.c.theme, inner.c.site, inner.c.bucket)):
        per_bucket[(theme, None)][bucket] = per_bucket[(theme, None)].get(bucket, 0) + n
        if site is not None:
            per_bucket[(theme, site)][bucket] = n

    def count(theme: uuid.UUID, site: uuid.UUID | None, window: tuple[datetime, datetime]) -> int:
        # the rows in [start, end) are those of the buckets after start's bound, up to end's
        buckets = per_bucket.get((theme, site), {})
        first, last = bisect_right(bounds, window[0]), bisect_right(bounds, window[1]) - 1
        return sum(buckets.get(b, 0) for b in range(first, last + 1))

    return count


def open_at(session: Session, department_ids: set[uuid.UUID], sites: set[uuid.UUID],
            moments: set[datetime]) -> dict[tuple, dict[datetime, int]]:
    """(department, site or None) → moment → the counted pain points owned by the department (the
    triage owner, else the reported department) at that site (None: any) that were open then: occurred before
    it and not closed, or closed at or after it."""
    if not department_ids or not moments:
        return {}
    bounds = sorted(moments)
    k = len(bounds)
    # A row is counted at moment j exactly when first <= j < until. Open ones (until: every moment) and
    # closed ones (until: their resolution) are read apart, each from its partial index (text(): the literal
    # predicate matches the index's).
    first = _bucket(PAIN.c.occurred_at, bounds).label("first")
    place = [OWNER.label("owner"), _site_key(sites).label("site"), first]
    parts = []
    # The owner is the triage owner, else the reported department: two ranges of the index, not one filter.
    for owner in ([PAIN.c.owner_department_id.in_(department_ids)],
                  [PAIN.c.owner_department_id.is_(None), PAIN.c.department_id.in_(department_ids)]):
        where = [*owner, PAIN.c.occurred_at < bounds[-1]]
        parts += [select(*place, literal(k).label("until")).where(text(OPEN_COUNTED), *where),
                  select(*place, _bucket(PAIN.c.resolved_at, bounds).label("until"))
                  .where(text(CLOSED_COUNTED), PAIN.c.resolved_at >= bounds[0], *where)]
    inner = union_all(*parts).subquery()
    steps: dict[tuple, list[int]] = defaultdict(lambda: [0] * (k + 1))
    for owner, site, start, stop, n in session.execute(
            select(inner.c.owner, inner.c.site, inner.c.first, inner.c.until, func.count())
            .group_by(inner.c.owner, inner.c.site, inner.c.first, inner.c.until)):
        if start >= stop:
            continue
        for key in ((owner, None), *([(owner, site)] if site is not None else [])):
            steps[key][start] += n
            steps[key][stop] -= n
    out = {}
    for key, diff in steps.items():
        running, counts = 0, {}
        for j, moment in enumerate(bounds):
            running += diff[j]
            counts[moment] = running
        out[key] = counts
    return out
