"""What the visits and sync APIs send and accept (the visit table is in models.py)."""

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from api.bright_spots.schemas import BrightSpotPublic, BrightSpotWrite
from api.core.clock import utcnow
from api.core.kinds import VisitKind
from api.media.schemas import MediaPublic
from api.pain_points.schemas import PainPointPublic, PainPointWrite
from api.validation import no_nul
from api.visits.details import DETAILS_BY_KIND
from api.visits.models import BRIGHT_SPOTS_MAX, MAX_AHEAD, MAX_LENGTH, PAIN_POINTS_MAX, VisitBase


def _validation_error(loc: tuple, message: str) -> InitErrorDetails:
    """A field error raised inside validation, so pydantic reports it with the others (then `field_errors`
    in api/errors.py shapes it like every 422 entry)."""
    return {"type": PydanticCustomError("value_error", message), "loc": loc, "input": None}


class VisitWrite(VisitBase):
    """A visit as the phone sends it: creates or replaces the visit and its pain points."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "0b9f7c1e-3f7a-4c55-9a43-6f1f8f5b2a10",
                    "kind": "shop_floor_shift",
                    "site_id": None,
                    "started_at": "2026-11-21T09:00:00+00:00",
                    "ended_at": "2026-11-21T13:00:00+00:00",
                    "incognito": False,
                    "notes": "Worked the tills through the Saturday rush.",
                    "private_notes": "",
                    "details": {"role_worked": "cashier", "team_lead": "Dave"},
                    "version": 0,
                    "pain_points": [
                        {
                            "id": "5c1d8c55-0d0e-4a43-8f0e-0c1f7f1ad001",
                            "text": "Only 2 of 6 tills open at noon; queue to the back of the store",
                            "severity": 4,
                            "felt_by": "both",
                            "department_id": None,
                            "journey_step": None,
                            "quote": "I'll just leave it then",
                        }
                    ],
                    "bright_spots": [
                        {
                            "id": "7d2e9a10-4b1f-4c3a-9e2d-1a2b3c4d5e01",
                            "text": "The greeter walked a lost customer to the right aisle",
                            "department_id": None,
                            "recognise": "Priya on the door",
                            "value_id": None,
                        }
                    ],
                }
            ]
        },
    )

    id: uuid.UUID | None = Field(default=None, description="Client-made UUID; the path's id when omitted")
    started_at: AwareDatetime
    ended_at: AwareDatetime | None = None
    version: int = Field(default=0, ge=0, le=2**31 - 1, description="The server version this write is based on")
    pain_points: list[PainPointWrite] = Field(default_factory=list, max_length=PAIN_POINTS_MAX)
    bright_spots: list[BrightSpotWrite] = Field(
        default_factory=list, max_length=BRIGHT_SPOTS_MAX,
        description="What went well, and who to recognise; replaced as a whole like pain_points",
    )

    _no_nul = field_validator("notes", "private_notes")(no_nul)

    @model_validator(mode="after")
    def _check_consistency(self) -> "VisitWrite":
        errors = self._time_errors()
        details_model = DETAILS_BY_KIND[self.kind]
        try:
            self.details = details_model.model_validate(self.details).model_dump(mode="json", exclude_none=True)
        except ValidationError as exc:
            for err in exc.errors():
                errors.append(_validation_error(("details", *err["loc"]), err["msg"]))
        steps = len(self.details.get("steps", []))
        seen: set[uuid.UUID] = set()
        for i, pp in enumerate(self.pain_points):
            if pp.id in seen:
                errors.append(_validation_error(("pain_points", i, "id"), "duplicate pain point id"))
            seen.add(pp.id)
            if pp.journey_step is not None and pp.journey_step >= steps:
                errors.append(
                    _validation_error(("pain_points", i, "journey_step"), f"no such step (the visit has {steps} steps)")
                )
        spots: set[uuid.UUID] = set()
        for i, spot in enumerate(self.bright_spots):
            if spot.id in spots:
                errors.append(_validation_error(("bright_spots", i, "id"), "duplicate bright spot id"))
            spots.add(spot.id)
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self


    def _time_errors(self) -> list[InitErrorDetails]:
        """Times in UTC (a moment that has none, such as 0001-01-01T00:00+01:00, is refused), starting at most
        MAX_AHEAD from now, ending after the start and at most MAX_LENGTH later."""
        errors = []
        for name in ("started_at", "ended_at"):
            value = getattr(self, name)
            try:
                setattr(self, name, value.astimezone(UTC) if value is not None else None)
            except OverflowError:
                errors.append(_validation_error((name,), "is out of range (years 1 to 9999 in UTC)"))
        if errors:
            return errors
        # The same words the phone says before Finish (mobile_pwa/js/views/visit-parts.js).
        if self.started_at > utcnow() + MAX_AHEAD:
            errors.append(_validation_error(("started_at",), "A visit may not start more than a day in the future."))
        if self.ended_at is not None and self.ended_at < self.started_at:
            errors.append(_validation_error(("ended_at",), "A visit may not end before it starts."))
        elif self.ended_at is not None and self.ended_at - self.started_at > MAX_LENGTH:
            errors.append(_validation_error(("ended_at",), "A visit may not last longer than 24 hours."))
        return errors


class VisitPainPoint(PainPointPublic):
    media: list[MediaPublic] = Field(default_factory=list, description="Photos and voice notes, oldest first "
                                     "(uploaded with PUT /api/pain-points/{id}/media/{media_id})")


class VisitPublic(BaseModel):
    """A visit as the API shows it. Plain pydantic, like PainPointPublic, for cheap responses."""

    id: uuid.UUID
    author_id: uuid.UUID
    kind: VisitKind
    site_id: uuid.UUID | None
    started_at: datetime
    ended_at: datetime | None
    incognito: bool
    notes: str
    private_notes: str | None = Field(default=None, description="Only ever returned to the author")
    details: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    pain_points: list[VisitPainPoint]
    bright_spots: list[BrightSpotPublic] = Field(
        default_factory=list, description="`recognise` is null for executives reading another's visit")


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
