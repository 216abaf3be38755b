"""Bad uploads from the issue's list: each gets a clear 4xx, and nothing is stored (no row, no file)."""

import uuid

import pytest

from api.config import get_settings
from api.media.models import Media
from api.media.storage import get_storage
from tests.factories import count_rows
from tests.media.helpers import ELF, MZ, SVG, audio, pain_point_of, photo, png_bomb, upload


def nothing_stored(session) -> bool:
    return count_rows(session, Media) == 0 and list(get_storage().keys()) == []


def refused(res, status: int) -> None:
    assert res.status_code == status, res.text
    body = res.json()
    assert body["error"] and body["detail"]


@pytest.mark.parametrize(("data", "content_type", "status"), [
    (b"", "image/jpeg", 422),                                 # 0 bytes
    (photo()[:2000], "image/jpeg", 422),                      # truncated JPEG: Pillow cannot load it
    (photo(size=(64, 64))[:-300], "image/jpeg", 422),         # cut short near the end
    (png_bomb(), "image/png", 422),                           # 400 million pixels from a small file
    (photo(fmt="PNG"), "image/jpeg", 415),                    # a PNG declared as JPEG
    (photo(), "audio/webm", 415),                             # a JPEG declared as audio
    (audio("audio/ogg"), "audio/webm", 415),                  # Ogg declared as WebM
    (SVG, "image/svg+xml", 415),                              # SVG: scriptable, never accepted
    (SVG, "image/png", 415),                                  # ... nor under an image type
    (ELF, "image/jpeg", 415),                                 # executables
    (MZ, "audio/mp4", 415),
    (ELF, "application/octet-stream", 415),
    (b"hello", "text/plain", 415),
], ids=["empty", "truncated", "cut-short", "bomb", "png-as-jpeg", "jpeg-as-audio", "ogg-as-webm", "svg",
        "svg-as-png", "elf", "mz", "octet-stream", "text"])
def test_refused_and_nothing_stored(client, session, executive, data, content_type, status):
    pid = pain_point_of(client, executive)
    res = upload(client, executive, pid, data, content_type)
    refused(res, status)
    if status == 422:
        assert res.json()["detail"][0]["loc"] == ["body"]
    assert nothing_stored(session)


def test_a_bomb_names_the_pixel_limit(client, session, executive):
    res = upload(client, executive, pain_point_of(client, executive), png_bomb(), "image/png")
    assert f"at most {get_settings().media_max_pixels:,}" in res.json()["detail"][0]["msg"]
    # Under Pillow's own bomb limit, the header's size is checked before decoding.
    res = upload(client, executive, pain_point_of(client, executive), png_bomb(6000), "image/png")
    assert "6000×6000" in res.json()["detail"][0]["msg"]
    assert nothing_stored(session)


def test_no_content_type_is_refused(client, session, executive):
    pid = pain_point_of(client, executive)
    res = client.put(f"/api/pain-points/{pid}/media/{uuid.uuid4()}", content=photo(), headers=executive.headers)
    refused(res, 415)
    assert nothing_stored(session)


def test_fifty_megabytes_answer_413_and_store_nothing(client, session, executive):
    pid = pain_point_of(client, executive)
    limit = get_settings().media_max_bytes
    assert limit == 10 * 1024 * 1024  # the documented default
    big = photo() + b"\0" * (50 * 1024 * 1024)

    def chunks():  # no Content-Length: the limit is enforced while reading
        for i in range(0, len(big), 1024 * 1024):
            yield big[i:i + 1024 * 1024]

    refused(client.put(f"/api/pain-points/{pid}/media/{uuid.uuid4()}", content=chunks(),
                       headers={**executive.headers, "Content-Type": "image/jpeg"}), 413)
    refused(upload(client, executive, pid, big, "image/jpeg"), 413)  # Content-Length says so at once
    assert nothing_stored(session)


def test_the_global_body_limit_does_not_apply_to_uploads(client, executive):
    """A photo above the 2 MB JSON limit but under the media limit is accepted."""
    pid = pain_point_of(client, executive)
    big = photo(size=(2400, 1800), noise=True, gps=False)
    assert get_settings().max_body_bytes < len(big) < get_settings().media_max_bytes
    assert upload(client, executive, pid, big, "image/jpeg").status_code == 201


def test_only_the_author_uploads_to_a_pain_point(client, session, executive, other_executive, manager, admin):
    pid = pain_point_of(client, executive)
    for someone in (other_executive, manager, admin):
        refused(upload(client, someone, pid, photo(), "image/jpeg"), 403)
    refused(upload(client, executive, uuid.uuid4(), photo(), "image/jpeg"), 404)
    assert nothing_stored(session)


def test_no_uploads_to_a_deleted_pain_point(client, session, executive):
    from tests.factories import visit_body

    visit_id, body = uuid.uuid4(), visit_body(pain_points=1)
    assert client.put(f"/api/visits/{visit_id}", json=body, headers=executive.headers).status_code == 201
    assert client.delete(f"/api/visits/{visit_id}", headers=executive.headers).status_code == 204
    refused(upload(client, executive, body["pain_points"][0]["id"], photo(), "image/jpeg"), 404)
    assert nothing_stored(session)
