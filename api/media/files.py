"""What an uploaded file really is, and the copy that gets stored.

The type is sniffed from the first bytes and must match the declared one. Images are decoded with Pillow
(the pixel count checked from the header first: a small file can decode to gigabytes), turned upright by
their EXIF orientation and re-encoded, which drops all metadata (EXIF with GPS, XMP, comments, ICC); a
thumbnail is made at the same time. Audio is stored as sent: only its container header is checked.
"""

import io
import os
import struct
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from api.errors import Invalid, UnsupportedMediaType, field_error
from api.media.schemas import CONTENT_TYPES, IMAGE_TYPES

HEAD = 12  # bytes enough to tell every accepted type
ORIENTATION = 0x0112
THUMB_SIDE = 320
PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
SAVE_OPTIONS = {"JPEG": {"quality": 88}, "PNG": {}, "WEBP": {"quality": 85}}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "audio/webm": "webm",
              "audio/ogg": "ogg", "audio/mp4": "m4a"}


def base_type(declared: str | None) -> str:
    """"audio/webm;codecs=opus" -> "audio/webm"."""
    return (declared or "").split(";")[0].strip().lower()


def check_declared(declared: str) -> None:
    if declared not in CONTENT_TYPES:
        raise UnsupportedMediaType(f"Send one of {', '.join(CONTENT_TYPES)} (got {declared or 'no Content-Type'})")


def sniff(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: WebM
        return "audio/webm"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head[4:8] == b"ftyp":  # an MP4 file's first box (AAC from Safari)
        return "audio/mp4"
    return None


def check_head(head: bytes, declared: str) -> None:
    """415 unless the bytes are of the declared type (SVG, executables and everything else never are)."""
    found = sniff(head)
    if found != declared:
        what = f"a {found} file" if found else "not a supported photo or voice note"
        raise UnsupportedMediaType(f"The file is {what}, but was sent as {declared}")


@dataclass
class Prepared:
    """The file to store (the upload itself for audio) and what the media row says about it."""

    path: Path
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None
    thumb: bytes | None = None


def _bad(message: str) -> Invalid:
    return Invalid([field_error("body", message)])


# Decoding takes a core and ~25 MB per photo while it runs: this many at once, whatever the number of
# uploads arriving, so that syncs keep a core and memory stays bounded (bench/media.py).
IMAGE_SLOTS = threading.BoundedSemaphore(max(1, (os.cpu_count() or 2) // 2))


def prepare(source: Path, declared: str, *, max_pixels: int, workdir: Path) -> Prepared:
    if declared in IMAGE_TYPES:
        with IMAGE_SLOTS:
            return _prepare_image(source, declared, max_pixels=max_pixels, workdir=workdir)
    return Prepared(path=source, duration_s=audio_duration(source, declared))


def _prepare_image(source: Path, declared: str, *, max_pixels: int, workdir: Path) -> Prepared:
    fmt = PIL_FORMATS[declared]
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(source, formats=[fmt])
            width, height = img.size
            if width * height > max_pixels:
                img.close()
                raise _bad(f"The image is {width}×{height} pixels; at most {max_pixels:,} pixels are accepted")
            img.load()
            upright = ImageOps.exif_transpose(img) if img.getexif().get(ORIENTATION, 1) != 1 else img
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _bad(f"The image decodes to too many pixels; at most {max_pixels:,} are accepted") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            raise _bad(f"The image cannot be read (truncated or damaged): {type(exc).__name__}") from None
    try:
        # Nothing of the original's metadata is carried over; only a palette's transparency (pixels).
        upright.info = {k: v for k, v in upright.info.items() if k == "transparency"}
        if fmt == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        out = workdir / f"clean.{EXTENSIONS[declared]}"
        upright.save(out, fmt, **SAVE_OPTIONS[fmt])
        return Prepared(path=out, width=upright.width, height=upright.height, thumb=_thumbnail(upright))
    finally:
        img.close()


def _thumbnail(img: Image.Image) -> bytes:
    scale = min(1.0, THUMB_SIDE / max(img.size))
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    thumb = img.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0) if scale < 1 else img.copy()
    if thumb.mode in ("RGBA", "LA", "P", "PA"):
        rgba = thumb.convert("RGBA")
        thumb = Image.new("RGB", rgba.size, "white")
        thumb.paste(rgba, mask=rgba.getchannel("A"))
    elif thumb.mode != "RGB":
        thumb = thumb.convert("RGB")
    buffer = io.BytesIO()
    thumb.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


# -- audio: the duration only where the container states it cheaply -------------------------------------
def audio_duration(path: Path, declared: str) -> float | None:
    try:
        if declared == "audio/mp4":
            return _mp4_duration(path)
        if declared == "audio/ogg":
            return _ogg_opus_duration(path)
    except (OSError, struct.error, ValueError):
        return None
    return None  # WebM from MediaRecorder carries no duration in its header


def _mp4_duration(path: Path) -> float | None:
    """From the movie header (moov/mvhd): timescale and duration."""
    with path.open("rb") as f:
        size = f.seek(0, 2)
        offset = 0
        while offset + 8 <= size:
            f.seek(offset)
            length, kind = struct.unpack(">I4s", f.read(8))
            header = 8
            if length == 1:
                length, header = struct.unpack(">Q", f.read(8))[0], 16
            elif length == 0:
                length = size - offset
            if length < header:
                return None
            if kind == b"moov":
                offset += header  # descend into the movie box
                continue
            if kind == b"mvhd":
                version = f.read(1)[0]
                f.read(3)
                if version == 1:
                    _, _, scale, duration = struct.unpack(">QQIQ", f.read(28))
                else:
                    _, _, scale, duration = struct.unpack(">IIII", f.read(16))
                return round(duration / scale, 3) if scale else None
            offset += length
    return None


def _ogg_opus_duration(path: Path) -> float | None:
    """Opus in Ogg: the last page's granule position (48 kHz samples) less the header's pre-skip."""
    with path.open("rb") as f:
        first = f.read(64 * 1024)
        at = first.find(b"OpusHead")
        if at < 0:
            return None
        pre_skip = struct.unpack("<H", first[at + 10:at + 12])[0]
        size = f.seek(0, 2)
        f.seek(max(0, size - 64 * 1024))
        tail = f.read()
    last = tail.rfind(b"OggS")
    if last < 0 or last + 14 > len(tail):
        return None
    granule = struct.unpack("<q", tail[last + 6:last + 14])[0]
    return round(max(0, granule - pre_skip) / 48000, 3) if granule > 0 else None


@dataclass
class Received:
    """An uploaded body, streamed to a temporary file: its size, SHA-256 and first bytes."""

    path: Path
    size: int
    sha256: str
    head: bytes


def file_sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()
