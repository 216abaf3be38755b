"""Test files made in code (photos with EXIF GPS, bombs, truncated JPEGs) and small upload helpers."""

import io
import os
import uuid
from pathlib import Path

from PIL import Image

from tests.factories import visit_body

SAMPLES = Path(__file__).resolve().parent / "samples"
AUDIO = {"audio/webm": "voice.webm", "audio/ogg": "voice.ogg", "audio/mp4": "voice.m4a"}


def audio(content_type: str) -> bytes:
    return (SAMPLES / AUDIO[content_type]).read_bytes()


def photo(*, size=(640, 480), fmt="JPEG", gps: bool = True, orientation: int | None = None, noise: bool = False,
          color=(200, 40, 40), description: str | None = None) -> bytes:
    """A photo; with `gps`, EXIF that names a camera and a place (what must never reach a reader)."""
    img = Image.new("RGB", size, color)
    if noise:
        img = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))  # hardly compresses
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    if description:
        exif[0x010E] = description  # ImageDescription
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)}  # GPSInfo: London
    buffer = io.BytesIO()
    options = {"quality": 85} if fmt in ("JPEG", "WEBP") else {}
    img.save(buffer, fmt, exif=exif.tobytes(), **options)
    return buffer.getvalue()


def png_bomb(side: int = 20000) -> bytes:
    """A small PNG that decodes to side×side pixels (400 million for the default)."""
    img = Image.new("1", (side, side), 0)
    buffer = io.BytesIO()
    img.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
MZ = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


def pain_point_of(client, actor) -> str:
    """A visit with one pain point by `actor`; returns the pain point's id."""
    body = visit_body(pain_points=1)
    res = client.put(f"/api/visits/{uuid.uuid4()}", json=body, headers=actor.headers)
    assert res.status_code == 201, res.text
    return body["pain_points"][0]["id"]


def upload(client, actor, pain_point_id, data: bytes, content_type: str, media_id=None):
    media_id = media_id or uuid.uuid4()
    return client.put(f"/api/pain-points/{pain_point_id}/media/{media_id}", content=data,
                      headers={**actor.headers, "Content-Type": content_type})
