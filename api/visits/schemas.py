"""The sync API's request and response bodies (visit bodies are in models.py)."""

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.visits.models import VisitPublic

BATCH_MAX = 200


class SyncRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    visits: list[dict[str, Any]] = Field(
        default_factory=list, max_length=BATCH_MAX,
        description="Visit writes (see VisitWrite), each with its `id`; each is judged on its own",
    )
    cursor: str | None = Field(default=None, max_length=100, description="From the previous response; null = all")


class Rejected(BaseModel):
    id: str | None
    errors: list[dict[str, Any]]


class ConflictItem(BaseModel):
    id: uuid.UUID
    server: VisitPublic


class SyncResponse(BaseModel):
    accepted: list[uuid.UUID]
    rejected: list[Rejected]
    conflicts: list[ConflictItem]
    changes: list[VisitPublic]
    cursor: str
    more: bool = Field(False, description="True when more changes wait: call again with the new cursor")
