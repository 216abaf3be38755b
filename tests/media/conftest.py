"""Every media test runs on both storages, each test in its own empty place (so "nothing stored" can be
checked as it says): a real folder, and S3 as served by moto's standalone server on loopback."""

import uuid

import pytest

from api.config import get_settings
from tests.server_process import free_port


@pytest.fixture(scope="session")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(params=["folder", "s3"], autouse=True)
def media_storage(request, tmp_path, monkeypatch) -> str:
    if request.param == "folder":
        url = (tmp_path / "media").as_uri()
    else:
        import boto3

        endpoint = request.getfixturevalue("s3_endpoint")
        for name, value in {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing",
                            "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
            monkeypatch.setenv(name, value)
        bucket = f"media-{uuid.uuid4().hex[:12]}"
        boto3.client("s3").create_bucket(Bucket=bucket)
        url = f"s3://{bucket}/undercover"
    monkeypatch.setenv("UNDERCOVER_MEDIA_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()
