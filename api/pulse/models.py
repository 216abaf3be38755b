"""The reality-check pulse: a short monthly survey executives answer about customer experience."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, String, Text, UniqueConstraint, Uuid
from sqlmodel import Field, SQLModel

from api.core.clock import utcnow
from api.core.ids import new_id
from api.core.types import UTCDateTime

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
