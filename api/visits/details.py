"""Kind-specific visit details, validated per kind."""

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from api.core.kinds import VisitKind
from api.validation import no_nul

Short = Annotated[str, StringConstraints(max_length=200), AfterValidator(no_nul)]


class _Details(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ShopFloorShiftDetails(_Details):
    role_worked: Short | None = Field(None, examples=["cashier"])
    team_lead: Short | None = Field(None, examples=["Dave, Saturday shift lead"])


class CallChannel(StrEnum):
    phone = "phone"
    chat = "chat"
    email = "email"
    social = "social"


class CallOutcome(StrEnum):
    resolved_first_contact = "resolved_first_contact"
    transferred = "transferred"
    unresolved = "unresolved"


class ListenedCallDetails(_Details):
    channel: CallChannel | None = None
    queue: Short | None = Field(None, examples=["Deliveries"])
    call_reason: Short | None = Field(None, examples=["Where is my order"])
    outcome: CallOutcome | None = None
    handle_time_minutes: float | None = Field(None, ge=0, le=1440)


class StepChannel(StrEnum):
    in_store = "in_store"
    web = "web"
    app = "app"
    phone = "phone"
    chat = "chat"
    email = "email"
    social = "social"
    post = "post"
    other = "other"


class JourneyStep(_Details):
    name: Short = Field(min_length=1, examples=["Find the returns policy"])
    channel: StepChannel | None = None
    minutes: float | None = Field(None, ge=0, le=1440)
    effort: int | None = Field(None, ge=1, le=7, description="1 = effortless, 7 = very hard")


class JourneyWalkthroughDetails(_Details):
    journey_name: Short | None = Field(None, examples=["Return an online order in store"])
    steps: list[JourneyStep] = Field(default_factory=list, max_length=100)


DETAILS_BY_KIND: dict[VisitKind, type[_Details]] = {
    VisitKind.shop_floor_shift: ShopFloorShiftDetails,
    VisitKind.listened_call: ListenedCallDetails,
    VisitKind.journey_walkthrough: JourneyWalkthroughDetails,
}
