"""What the review API sends and accepts: feed items, details, triage changes, comments."""

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator

from api.media.schemas import MediaPublic
from api.pain_points.models import COMMENT_MAX, TEXT_MAX, FeltBy, Status
from api.pain_points.schemas import Ref, ThemeRef
from api.validation import has_nul, no_nul

FEED_LIMIT_MAX = 200
BULK_MAX = 200


class FeedItem(BaseModel):
    """A pain point as a card in the feed. Never carries the visit's notes or private notes."""

    id: uuid.UUID
    visit_id: uuid.UUID = Field(description="The visit it came from (GET /api/visits/{id})")
    text: str = Field(description="Masked for e-mails, phones and card numbers unless the caller wrote it")
    quote: str | None
    severity: int
    felt_by: FeltBy
    visit_kind: str
    occurred_at: datetime = Field(description="When the visit started")
    site: Ref | None
    department: Ref | None = Field(description="The department the executive reported")
    owner_department: Ref | None = Field(description="The department that owns the fix (set in triage)")
    executive: Ref = Field(description="Who reported it")
    theme: ThemeRef | None
    theme_locked: bool = Field(description="Placed in its theme by a manager: rebuilds keep it there")
    status: Status
    assignee: Ref | None
    due_date: date | None
    resolved_at: datetime | None = Field(description="When it was closed (resolved or wont_fix)")
    resolution_note: str | None
    duplicate_of_id: uuid.UUID | None = Field(description="The original this one duplicates")
    comment_count: int
    withdrawn_at: datetime | None = Field(
        default=None, description="When its author dropped it (or deleted its visit) after it was triaged"
    )
    media: list[MediaPublic] = Field(default_factory=list, description="Photos and voice notes, oldest first")

    @computed_field(description="Withdrawn by its author: kept for managers, left out of every count")
    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class SimilarPainPoint(FeedItem):
    similarity: float = Field(description="Cosine similarity, 0-1, by `method`")


class SimilarPainPoints(BaseModel):
    method: str = Field(description='"embeddings" (the stored sentence vectors) or "words" (TF-IDF over the '
                        "candidates' words: used when a vector is missing)")
    items: list[SimilarPainPoint] = Field(description="Up to 5, most similar first")


class SimilarCountRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=TEXT_MAX, description="What the executive is typing")
    site_id: uuid.UUID = Field(description="The visit's site")
    exclude_id: uuid.UUID | None = Field(None, description="The pain point being typed, if already synced: "
                                         "it does not count itself")

    _no_nul = field_validator("text")(no_nul)


class SimilarCount(BaseModel):
    count: int = Field(description="Open pain points of the site, reported in the period, that read alike")
    site_id: uuid.UUID
    since: datetime
    until: datetime
    days: int


class FeedPage(BaseModel):
    items: list[FeedItem]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


class EventPublic(BaseModel):
    id: uuid.UUID
    actor: Ref | None
    field: str = Field(
        description="status, resolution_note, owner_department_id, assignee_id, due_date, "
        "theme_id or duplicate_of_id; after triage also the author's edits (text, quote, severity, felt_by, "
        "department_id, journey_step, site_id, visit_kind, occurred_at) and withdrawn_at"
    )
    old_value: str | None
    new_value: str | None
    old_label: str | None = Field(description="A readable form of old_value (a name or label for ids)")
    new_label: str | None
    created_at: datetime


class CommentPublic(BaseModel):
    id: uuid.UUID
    author: Ref
    body: str
    created_at: datetime


class PainPointDetail(FeedItem):
    journey_step: int | None
    duplicates: list[uuid.UUID] = Field(description="Pain points marked as duplicates of this one")
    history: list[EventPublic] = Field(description="Audit history, oldest first")
    comments: list[CommentPublic] = Field(description="Oldest first")


class TriageUpdate(BaseModel):
    """Only the fields sent change; send null to clear owner, assignee, due date, theme or duplicate link."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "status": "in_progress",
                    "owner_department_id": "9a0c6f0e-7a53-4d9e-a7a8-0e4bb7c5a001",
                    "assignee_id": "2f1e8b7c-1d2a-4c3b-9e8f-7a6b5c4d3e21",
                    "due_date": "2026-12-15",
                },
                {
                    "status": "resolved",
                    "resolution_note": "Two more tills staffed at lunchtime from 1 December",
                },
            ]
        },
    )

    status: Status | None = Field(
        default=None,
        description="new → acknowledged → in_progress → resolved | wont_fix; closed ones reopen "
        "to acknowledged or in_progress; nothing goes back to new",
    )
    resolution_note: str | None = Field(
        default=None, max_length=TEXT_MAX, description="Required when the status becomes resolved or wont_fix"
    )
    owner_department_id: uuid.UUID | None = None
    assignee_id: uuid.UUID | None = Field(default=None, description="An active user")
    due_date: date | None = None
    theme_id: uuid.UUID | None = Field(
        default=None,
        description="Move to this theme (null: unthemed); the placement is locked so theme rebuilds keep it",
    )
    duplicate_of_id: uuid.UUID | None = Field(
        default=None,
        description="Mark as a duplicate of another pain point (linked to that one's original); null unmarks",
    )

    @field_validator("resolution_note")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        return no_nul(value)


class BulkTriage(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "ids": ["5c1d8c55-0d0e-4a43-8f0e-0c1f7f1ad001", "5c1d8c55-0d0e-4a43-8f0e-0c1f7f1ad002"],
                    "changes": {
                        "status": "acknowledged",
                        "owner_department_id": "9a0c6f0e-7a53-4d9e-a7a8-0e4bb7c5a001",
                    },
                }
            ]
        },
    )

    ids: list[uuid.UUID] = Field(min_length=1, max_length=BULK_MAX)
    changes: TriageUpdate

    @field_validator("ids")
    @classmethod
    def _unique(cls, value: list[uuid.UUID]) -> list[uuid.UUID]:
        return list(dict.fromkeys(value))


class BulkResult(BaseModel):
    updated: int = Field(description="How many pain points changed (the others already had these values)")
    items: list[FeedItem]


class CommentCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "body": "Store ops are trialling a floating cashier at lunchtime; we will review "
                    "in two weeks."
                }
            ]
        },
    )

    body: str = Field(min_length=1, max_length=COMMENT_MAX)

    @field_validator("body")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip() or has_nul(value):
            raise ValueError("must not be blank or contain NUL characters")
        return value.strip()
