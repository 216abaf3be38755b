"""GET /api/metrics' response body (the counters themselves are in metrics.py)."""

from pydantic import BaseModel, Field


class RouteCount(BaseModel):
    method: str
    route: str
    status: int
    count: int


class RouteTime(BaseModel):
    method: str
    route: str
    count: int
    mean_ms: float


class ProcessMetrics(BaseModel):
    id: str = Field(description="host:pid of the process that answered")
    started_at: float = Field(description="Unix time the process started")
    uptime_seconds: float
    requests_total: int
    requests_in_flight: int
    server_errors_total: int = Field(description="Responses with status 500 or more")
    requests: list[RouteCount]
    latency: list[RouteTime]


class DatabaseMetrics(BaseModel):
    users: int
    active_tokens: int
    visits: int
    pain_points: int
    failed_sign_ins_last_hour: int


class Metrics(BaseModel):
    process: ProcessMetrics
    database: DatabaseMetrics
