"""The three kinds of visit. Pain points and themes are filtered by them, so the name lives below every
feature; the kind-specific details stay with visits."""

from enum import StrEnum


class VisitKind(StrEnum):
    shop_floor_shift = "shop_floor_shift"
    listened_call = "listened_call"
    journey_walkthrough = "journey_walkthrough"
