"""The themes API's request and response bodies (the tables are in models.py)."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from api.themes.models import BuildStatus


class Quote(BaseModel):
    pain_point_id: uuid.UUID
    text: str
    quote: str | None
    severity: int
    visit_kind: str
    site: str | None
    occurred_at: datetime


class MergedFrom(BaseModel):
    """A theme merged into this one, as the web app shows it to confirm or undo the merge."""

    merge_id: uuid.UUID
    theme_id: uuid.UUID = Field(description="The merged-away theme: POST /api/themes/{theme_id}/unmerge undoes it")
    label: str
    count: int = Field(description="How many pain points the merge moved")
    merged_at: datetime
    merged_by_id: uuid.UUID | None


class ThemePublic(BaseModel):
    id: uuid.UUID
    label: str
    keywords: list[str]
    pinned: bool
    label_locked: bool
    embedder: str
    count: int
    visits: int
    executives: int
    sites: int
    departments: int
    mean_severity: float
    max_severity: int
    customer_share: float
    employee_share: float
    visit_kinds: dict[str, int]
    first_seen: datetime | None
    last_seen: datetime | None
    weekly: list[int]
    open: int
    cross_silo: bool
    recurring: bool
    impact: float
    quotes: list[Quote] = []
    merged_from: list[MergedFrom] = Field(default=[], description="Merges into this theme that can be undone, "
                                          "newest first")
    as_of: datetime = Field(description="When these figures were computed: large organisations get the themes "
                            "list from a result refreshed every minute or so")


class ThemeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(None, min_length=2, max_length=120, description="Rename; rebuilds keep it")
    pinned: bool | None = Field(None, description="Pinned themes stay listed first and are never retired")


class ThemeMerge(BaseModel):
    model_config = ConfigDict(extra="forbid")

    into_id: uuid.UUID = Field(description="The theme that absorbs this one")


class MoveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pain_point_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)


class MoveResult(BaseModel):
    moved: int


class ThemeBuildPublic(BaseModel):
    id: uuid.UUID
    status: BuildStatus
    stage: str
    progress: float
    embedder: str
    pain_points: int
    themes: int
    unthemed: int
    error: str | None
    started_at: datetime
    finished_at: datetime | None


class RebuildState(BaseModel):
    engine: str = Field(description="The embedder the next rebuild will use: minilm or tfidf")
    latest: ThemeBuildPublic | None
