"""Basic counters for operators: GET /api/metrics (admins).

Request counters are per process (each API process behind a load balancer counts its own requests;
`process` tells them apart). Row counts come from the database, so every process reports the same.
"""

import os
import socket
import threading
import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from api.core.clock import utcnow
from api.operations.schemas import DatabaseMetrics, ProcessMetrics, RouteCount, RouteTime

_lock = threading.Lock()
_started = time.time()
_requests: Counter = Counter()          # (method, route, status) → count
_duration_ms: Counter = Counter()       # (method, route) → total milliseconds
_in_flight = 0


def request_started() -> None:
    global _in_flight
    with _lock:
        _in_flight += 1


def request_finished(method: str, route: str, status: int, duration_ms: float) -> None:
    global _in_flight
    with _lock:
        _in_flight -= 1
        _requests[(method, route, status)] += 1
        _duration_ms[(method, route)] += duration_ms


def process_metrics() -> ProcessMetrics:
    with _lock:
        requests, durations, in_flight = dict(_requests), dict(_duration_ms), _in_flight
    per_route: Counter = Counter()
    for (method, route, _), count in requests.items():
        per_route[(method, route)] += count
    return ProcessMetrics(
        id=f"{socket.gethostname()}:{os.getpid()}",
        started_at=_started,
        uptime_seconds=round(time.time() - _started, 1),
        requests_total=sum(requests.values()),
        requests_in_flight=in_flight,
        server_errors_total=sum(c for (_, _, status), c in requests.items() if status >= 500),
        requests=[RouteCount(method=m, route=r, status=s, count=c)
                  for (m, r, s), c in sorted(requests.items())],
        latency=[RouteTime(method=m, route=r, count=c, mean_ms=round(durations.get((m, r), 0) / c, 2))
                 for (m, r), c in sorted(per_route.items())],
    )


def database_metrics(session: Session) -> DatabaseMetrics:
    from api.auth.models import AuthToken, LoginFailure, User
    from api.pain_points.models import PainPoint
    from api.visits.models import Visit

    now = utcnow()

    def count(model, *where) -> int:
        return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()

    result = DatabaseMetrics(
        users=count(User, User.is_active.is_(True)),
        active_tokens=count(AuthToken, AuthToken.revoked_at.is_(None), AuthToken.expires_at > now),
        visits=count(Visit, Visit.deleted_at.is_(None)),
        pain_points=count(PainPoint, PainPoint.deleted_at.is_(None)),
        failed_sign_ins_last_hour=count(LoginFailure, LoginFailure.created_at >= now - timedelta(hours=1)),
    )
    session.rollback()
    return result
