"""Uploading and reading photos and voice notes through the API, on folder storage (tests/conftest.py)."""

import hashlib
import io
import uuid

import pytest
from PIL import Image

from tests.media.helpers import audio, pain_point_of, photo, upload


def test_a_photo_is_stored_without_metadata_upright_and_with_a_thumbnail(client, executive, manager):
    pid = pain_point_of(client, executive)
    sent = photo(size=(640, 480), orientation=6)  # "rotate 90° clockwise to show": stored 480 wide
    res = upload(client, executive, pid, sent, "image/jpeg")
    assert res.status_code == 201, res.text
    media = res.json()
    assert media["content_type"] == "image/jpeg" and (media["width"], media["height"]) == (480, 640)
    assert media["duration_s"] is None
    for reader in (executive, manager):
        for params in ({}, {"size": "thumb"}):
            got = client.get(f"/api/media/{media['id']}", params=params, headers=reader.headers)
            assert got.status_code == 200, got.text
            assert got.headers["content-type"] == "image/jpeg"
            assert got.headers["cache-control"] == "private"
            img = Image.open(io.BytesIO(got.content))
            assert not img.getexif() and "exif" not in img.info
            assert b"PhoneMaker" not in got.content and b"GPS" not in got.content
            if params:
                assert max(img.size) == 320
            else:
                assert img.size == (480, 640) and len(got.content) == media["bytes"]


@pytest.mark.parametrize("fmt,content_type", [("PNG", "image/png"), ("WEBP", "image/webp")])
def test_png_and_webp_photos_are_cleaned_too(client, executive, fmt, content_type):
    pid = pain_point_of(client, executive)
    res = upload(client, executive, pid, photo(fmt=fmt), content_type)
    assert res.status_code == 201, res.text
    got = client.get(f"/api/media/{res.json()['id']}", headers=executive.headers)
    img = Image.open(io.BytesIO(got.content))
    assert img.format == fmt and not img.getexif() and "exif" not in img.info
    assert got.headers["content-type"] == content_type


@pytest.mark.parametrize("content_type", ["audio/webm", "audio/ogg", "audio/mp4"])
def test_voice_notes_are_stored_as_sent(client, executive, content_type):
    pid = pain_point_of(client, executive)
    sent = audio(content_type)
    res = upload(client, executive, pid, sent, content_type)
    assert res.status_code == 201, res.text
    media = res.json()
    assert media["bytes"] == len(sent) and media["width"] is None
    if content_type in ("audio/ogg", "audio/mp4"):  # their headers say how long they are
        assert media["duration_s"] == pytest.approx(1.5, abs=0.1)
    got = client.get(f"/api/media/{media['id']}", headers=executive.headers)
    assert got.status_code == 200 and got.content == sent
    assert got.headers["content-type"] == content_type
    assert hashlib.sha256(got.content).hexdigest() == hashlib.sha256(sent).hexdigest()
    assert client.get(f"/api/media/{media['id']}", params={"size": "thumb"},
                      headers=executive.headers).status_code == 404


def test_a_declared_type_with_parameters_is_accepted(client, executive):
    pid = pain_point_of(client, executive)
    res = upload(client, executive, pid, audio("audio/webm"), "audio/webm;codecs=opus")
    assert res.status_code == 201 and res.json()["content_type"] == "audio/webm"


def test_the_same_bytes_again_change_nothing_and_other_bytes_conflict(client, executive):
    pid = pain_point_of(client, executive)
    media_id = uuid.uuid4()
    sent = photo()
    first = upload(client, executive, pid, sent, "image/jpeg", media_id)
    again = upload(client, executive, pid, sent, "image/jpeg", media_id)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    other = upload(client, executive, pid, photo(color=(0, 0, 255)), "image/jpeg", media_id)
    assert other.status_code == 409, other.text
    got = client.get(f"/api/media/{media_id}", headers=executive.headers)
    assert len(got.content) == first.json()["bytes"]  # the first file still, whole
    second_pid = pain_point_of(client, executive)
    assert upload(client, executive, second_pid, sent, "image/jpeg", media_id).status_code == 409


def test_range_requests(client, executive):
    pid = pain_point_of(client, executive)
    sent = audio("audio/mp4")
    media_id = upload(client, executive, pid, sent, "audio/mp4").json()["id"]
    url, size = f"/api/media/{media_id}", len(sent)

    def get(range_header):
        return client.get(url, headers={**executive.headers, "Range": range_header})

    part = get("bytes=0-99")
    assert part.status_code == 206 and part.content == sent[:100]
    assert part.headers["content-range"] == f"bytes 0-99/{size}" and part.headers["content-length"] == "100"
    assert get("bytes=100-").content == sent[100:]
    assert get("bytes=-50").content == sent[-50:]
    assert get(f"bytes=10-{size + 500}").content == sent[10:]
    for bad in (f"bytes={size}-", "bytes=50-10", "bytes=-0", "pages=1-2", "bytes=-"):
        res = get(bad)
        assert res.status_code == 416, bad
        assert res.headers["content-range"] == f"bytes */{size}"
    whole = client.get(url, headers=executive.headers)
    assert whole.status_code == 200 and whole.headers["accept-ranges"] == "bytes"
    assert "content-encoding" not in part.headers


def test_deleting_media_is_for_its_author(client, executive, manager, admin):
    pid = pain_point_of(client, executive)
    media_id = upload(client, executive, pid, photo(), "image/jpeg").json()["id"]
    for other in (manager, admin):
        assert client.delete(f"/api/media/{media_id}", headers=other.headers).status_code == 403
    assert client.delete(f"/api/media/{media_id}", headers=executive.headers).status_code == 204
    assert client.get(f"/api/media/{media_id}", headers=executive.headers).status_code == 404
    assert client.delete(f"/api/media/{media_id}", headers=executive.headers).status_code == 404


def test_files_go_to_the_configured_storage(client, executive, media_storage):
    from api.media.storage import get_storage

    storage = get_storage()
    assert storage.url == media_storage  # a folder, or the S3 bucket and prefix
    pid = pain_point_of(client, executive)
    sent = audio("audio/webm")
    media_id = upload(client, executive, pid, sent, "audio/webm").json()["id"]
    (key,) = [k for k in storage.keys() if media_id in k]
    assert b"".join(storage.read(key)) == sent and storage.size(key) == len(sent)
