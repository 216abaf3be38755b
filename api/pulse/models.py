"""The reality-check pulse: a short monthly survey executives answer about customer experience."""

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic import Field as PydanticField
from sqlalchemy import Column, ForeignKey, Index, String, Text, UniqueConstraint, Uuid
from sqlmodel import Field, SQLModel

from api.db import UTCDateTime, new_id, utcnow
from api.validation import no_nul

ACTIVE_MAX = 10
TEXT_ANSWER_MAX = 2000
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


class QuestionKind(StrEnum):
    scale = "scale"  # 0-10
    text = "text"  # free text


class PulseQuestionBase(SQLModel):
    text: str = Field(min_length=3, max_length=300)
    kind: QuestionKind = Field(default=QuestionKind.scale, sa_type=String(8))


class PulseQuestion(PulseQuestionBase, table=True):
    __tablename__ = "pulse_question"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    text: str = Field(max_length=300)
    position: int = Field(default=0, description="Order in the survey")
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    retired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PulseAnswer(SQLModel, table=True):
    """One executive's answer to one question for one month; a second submission updates it."""

    __tablename__ = "pulse_answer"
    __table_args__ = (
        UniqueConstraint("question_id", "user_id", "month"),
        Index("ix_pulse_answer_month", "month", "question_id"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    question_id: uuid.UUID = Field(sa_column=Column(Uuid, ForeignKey("pulse_question.id"), nullable=False))
    user_id: uuid.UUID = Field(foreign_key="user.id")
    month: str = Field(max_length=7, description="YYYY-MM (UTC)")
    score: int | None = None
    answer_text: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


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
