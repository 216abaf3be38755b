"""The journeys API's response bodies."""

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from api.pain_points.schemas import Ref


class StepExample(BaseModel):
    pain_point_id: uuid.UUID
    text: str = Field(description="Masked for e-mails, phones and card numbers unless the caller wrote it")
    severity: int


class StepInsight(BaseModel):
    name: str = Field(description="The step's most common spelling (masked: it is read by everyone)")
    position: float = Field(description="Where the step usually comes in the journey (median 0-based index)")
    walkthroughs: int = Field(description="Walkthroughs that went through this step")
    total_minutes: float = Field(description="Minutes spent at this step, summed over the walkthroughs")
    median_minutes: float | None = Field(description="Per walkthrough; null when no walkthrough gave minutes")
    minutes_reported: int = Field(description="Walkthroughs that gave minutes for this step")
    mean_effort: float | None = Field(description="1 = effortless … 7 = very hard; null when none was given")
    effort_reported: int
    pain_points: int = Field(description="Pain points logged at this step (not deleted, not duplicates)")
    mean_severity: float | None
    examples: list[StepExample] = Field(description="Up to 3, most severe first, then newest")


class JourneyInsight(BaseModel):
    site: Ref | None = Field(description="Null for walkthroughs logged without a site")
    name: str = Field(description="The journey's most common spelling (masked: it is read by everyone)")
    walkthroughs: int
    executives: int = Field(description="Distinct executives who walked it")
    median_minutes: float | None = Field(description="Median over walkthroughs of the minutes of all steps")
    pain_points: int
    last_walked_at: datetime
    steps: list[StepInsight] = Field(description="Ranked by `rank_by`, the heaviest first")


class JourneysAnswer(BaseModel):
    journeys: list[JourneyInsight] = Field(description="Most walked first")
    walkthroughs: int = Field(description="Walkthroughs read (named ones, within the filters)")
    unnamed: int = Field(description="Walkthroughs left out because they have no journey name")
    truncated: bool = Field(description="More walkthroughs matched than one answer reads (the newest are used); "
                            "narrow by site or dates")
