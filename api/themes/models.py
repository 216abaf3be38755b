"""Themes: clusters of pain points with a stable identity, and the rebuilds that make them."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, ForeignKey, LargeBinary, String, Uuid
from sqlmodel import Field, SQLModel

from api.core.clock import utcnow
from api.core.ids import new_id
from api.core.types import UTCDateTime


class Theme(SQLModel, table=True):
    __tablename__ = "theme"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    label: str = Field(max_length=120)
    label_locked: bool = Field(default=False, description="Renamed by a manager: rebuilds keep the label")
    keywords: list[str] = Field(default_factory=list, sa_type=JSON)
    pinned: bool = Field(default=False, description="Pinned by a manager: never retired by a rebuild")
    representative_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    centroid: bytes | None = Field(default=None, sa_type=LargeBinary, description="float32 unit vector")
    embedder: str = Field(default="", max_length=16)
    merged_into_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(Uuid, ForeignKey("theme.id", ondelete="SET NULL"), nullable=True)
    )
    retired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    successor_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(Uuid, ForeignKey("theme.id", ondelete="SET NULL"), nullable=True),
        description="Set when a rebuild retires the theme: the theme most of its pain points went to (none: "
        "they all left the themes)",
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BuildStatus(StrEnum):
    running = "running"
    done = "done"
    failed = "failed"


class ThemeBuild(SQLModel, table=True):
    """One rebuild: its progress is visible while it runs, its outcome afterwards."""

    __tablename__ = "theme_build"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    status: BuildStatus = Field(default=BuildStatus.running, sa_type=String(10), index=True)
    stage: str = Field(default="queued", max_length=40)
    progress: float = 0.0
    embedder: str = Field(default="", max_length=16)
    pain_points: int = 0
    themes: int = 0
    unthemed: int = 0
    error: str | None = Field(default=None, max_length=500)
    requested_by_id: uuid.UUID | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    heartbeat_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ThemeMerge(SQLModel, table=True):
    """One manager's merge of a theme into another: what moved, so that it can be undone (also after rebuilds,
    which keep merged pain points where the merge put them)."""

    __tablename__ = "theme_merge"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    source_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("theme.id", ondelete="CASCADE"), nullable=False, index=True),
        description="The theme merged away (retired into the target until undone)",
    )
    target_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("theme.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    pain_point_ids: list[str] = Field(default_factory=list, sa_type=JSON,
                                      description="The pain points the merge moved")
    target_label: str = Field(default="", max_length=120,
                              description="The target's label when merged: an undo gives it back if a rebuild "
                              "relabelled the target after what it absorbed")
    merged_by_id: uuid.UUID | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    merged_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    undone_by_id: uuid.UUID | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    undone_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PainPointEmbedding(SQLModel, table=True):
    """A stored vector per pain point, recomputed only when its text (or the embedder) changes."""

    __tablename__ = "pain_point_embedding"

    pain_point_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("pain_point.id", ondelete="CASCADE"), primary_key=True)
    )
    embedder: str = Field(max_length=16)
    text_hash: str = Field(max_length=64)
    vector: bytes = Field(sa_type=LargeBinary)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

