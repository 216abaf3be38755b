"""The pulse API's request and response bodies (the tables are in models.py)."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from api.pulse.models import ACTIVE_MAX, TEXT_ANSWER_MAX, PulseQuestionBase, QuestionKind
from api.validation import no_nul


class PulseQuestionPublic(BaseModel):
    id: uuid.UUID
    text: str
    kind: QuestionKind
    position: int
    is_active: bool
    retired_at: datetime | None


class PulseQuestionCreate(PulseQuestionBase):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"text": "How easy is it for a customer to reach us?", "kind": "scale"}]
        },
    )

    position: int | None = Field(default=None, ge=0, le=1000, description="Defaults to the end of the survey")

    _text_ok = field_validator("text")(no_nul)


class PulseQuestionUpdate(SQLModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"is_active": False}]})

    text: str | None = Field(default=None, min_length=3, max_length=300)
    position: int | None = Field(default=None, ge=0, le=1000)
    is_active: bool | None = Field(default=None, description="false retires the question; its answers stay")

    _text_ok = field_validator("text")(no_nul)


class AnswerWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question_id: uuid.UUID
    score: int | None = PydanticField(default=None, ge=0, le=10, description="For a scale question: 0-10")
    text: str | None = PydanticField(
        default=None, max_length=TEXT_ANSWER_MAX, description="For a text question"
    )

    @field_validator("text")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        value = no_nul(value)
        return value.strip() if value is not None else None


class PulseSubmission(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "answers": [
                        {"question_id": "5d3b0a52-9a8e-5b0e-8d0c-6a9e2a1c0b01", "score": 7},
                        {
                            "question_id": "5d3b0a52-9a8e-5b0e-8d0c-6a9e2a1c0b02",
                            "text": "Repeat-contact rates by product",
                        },
                    ]
                }
            ]
        },
    )

    answers: list[AnswerWrite] = PydanticField(min_length=1, max_length=ACTIVE_MAX)


class MyAnswer(BaseModel):
    question_id: uuid.UUID
    score: int | None
    text: str | None
    updated_at: datetime


class MyPulse(BaseModel):
    month: str = PydanticField(description="YYYY-MM (UTC)")
    questions: list[PulseQuestionPublic] = PydanticField(description="The active questions, in order")
    answers: list[MyAnswer]


class MonthResult(BaseModel):
    month: str
    responses: int
    average: float | None = PydanticField(description="Scale questions: mean score, 2 decimals")
    distribution: list[int] | None = PydanticField(description="Scale questions: counts of scores 0..10")
    texts: list[str] | None = PydanticField(description="Text questions: the answers (anonymous, masked)")
    withheld: bool = PydanticField(False, description="Fewer executives answered that month than the "
                                   "organisation's `pulse_min_responses`: only the counts are given")


class QuestionResult(BaseModel):
    question: PulseQuestionPublic
    months: list[MonthResult]


class PulseResults(BaseModel):
    since: str
    until: str
    questions: list[QuestionResult]
