from fastapi import APIRouter

from api.auth.deps import AdminUser
from api.db import SessionDep
from api.errors import error_responses
from api.operations.metrics import database_metrics, process_metrics
from api.operations.schemas import Metrics

router = APIRouter(tags=["operations"])


@router.get(
    "/metrics", response_model=Metrics, responses=error_responses(401, 403),
    summary="Basic counters for operators (admin): this process's requests, and row counts",
    description="Request counters and latencies are kept per process since it started: behind a load "
    "balancer each process reports its own (see `process.id`). Database counts are the same "
    "from every process.",
)
def get_metrics(session: SessionDep, _: AdminUser) -> Metrics:
    return Metrics(process=process_metrics(), database=database_metrics(session))
