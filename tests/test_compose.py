"""docker-compose.yml, read as Docker Compose would (no Docker engine here): the services it promises."""

from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")  # PyYAML comes with schemathesis (the dev extra)

COMPOSE = Path(__file__).resolve().parents[1] / "docker-compose.yml"


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_the_mail_catcher_is_opt_in_and_the_api_can_point_at_it():
    services = compose()["services"]
    catcher = services["mailcatcher"]
    assert catcher["profiles"] == ["mail"]  # `docker compose up` alone never starts it
    assert "8025:8025" in catcher["ports"] and ":" in catcher["image"]
    api = services["api"]["environment"]
    for name in ("UNDERCOVER_SMTP_URL", "UNDERCOVER_PUBLIC_URL", "UNDERCOVER_MAIL_FROM"):
        assert name in api
    assert api["UNDERCOVER_SMTP_URL"] == "${UNDERCOVER_SMTP_URL:-}"  # no e-mail unless asked for
    assert "smtp://mailcatcher:1025" in COMPOSE.read_text()  # the documented way to use it


def test_the_api_waits_for_a_healthy_database():
    services = compose()["services"]
    assert services["api"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "healthcheck" in services["db"] and "healthcheck" in services["api"]


def test_minio_holds_the_media_and_the_api_points_at_its_bucket():
    services = compose()["services"]
    minio, init, api = services["minio"], services["minio-init"], services["api"]
    assert minio["image"].startswith("minio/minio:") and "healthcheck" in minio
    assert "miniodata:/data" in minio["volumes"] and "miniodata" in compose()["volumes"]
    # The bucket exists before the API starts: minio-init waits for a healthy MinIO, the API for minio-init.
    assert init["depends_on"]["minio"]["condition"] == "service_healthy"
    assert api["depends_on"]["minio-init"]["condition"] == "service_completed_successfully"
    script = " ".join(init["command"])
    assert "mc mb --ignore-existing local/undercover-media" in script
    assert "$$MINIO_ROOT_USER" in script  # for the container's shell, not interpolated by Compose
    env = api["environment"]
    assert env["UNDERCOVER_MEDIA_URL"] == "${UNDERCOVER_MEDIA_URL:-s3://undercover-media/media}"
    assert env["AWS_ENDPOINT_URL"] == "http://minio:9000"
    assert env["AWS_ACCESS_KEY_ID"] == minio["environment"]["MINIO_ROOT_USER"]
    assert env["AWS_SECRET_ACCESS_KEY"] == minio["environment"]["MINIO_ROOT_PASSWORD"]
    assert "AWS_DEFAULT_REGION" in env
