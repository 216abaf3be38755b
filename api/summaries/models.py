"""Stored figures: aggregates too costly to compute on every request, kept fresh in the background."""

from datetime import datetime

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from api.core.clock import utcnow
from api.core.types import UTCDateTime


class Summary(SQLModel, table=True):
    """One stored result, e.g. the themes list for the last 12 weeks (`themes:84`) or the 12-week flow."""

    __tablename__ = "summary"

    key: str = Field(primary_key=True, max_length=60)
    payload: dict = Field(default_factory=dict, sa_type=JSON)
    computed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    took_ms: int = Field(default=0, description="How long computing it took: cheap ones are never stored")
