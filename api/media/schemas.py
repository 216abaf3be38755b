"""What the media API sends: one file's description, also carried in every pain point's `media` list."""

import uuid

from pydantic import BaseModel, Field

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
AUDIO_TYPES = ("audio/webm", "audio/ogg", "audio/mp4")
CONTENT_TYPES = (*IMAGE_TYPES, *AUDIO_TYPES)
THUMB_TYPE = "image/jpeg"
PUBLIC_FIELDS = ("id", "content_type", "bytes", "width", "height", "duration_s")


class MediaPublic(BaseModel):
    """A photo or voice note; its bytes are at GET /api/media/{id} (thumbnail: ?size=thumb)."""

    id: uuid.UUID
    content_type: str = Field(description="One of " + ", ".join(CONTENT_TYPES))
    bytes: int = Field(description="Size of the stored file")
    width: int | None = Field(description="Images: pixels, after EXIF orientation")
    height: int | None
    duration_s: float | None = Field(description="Voice notes: seconds, when the container says; else null")
