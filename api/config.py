"""One Settings object, read from the environment and `.env`."""

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_FILE = Path(".undercover-secret")


def _development_secret() -> str:
    """A random secret generated on first run and kept beside the database."""
    if DEV_SECRET_FILE.exists():
        return DEV_SECRET_FILE.read_text().strip()
    value = secrets.token_urlsafe(32)
    DEV_SECRET_FILE.write_text(value)
    DEV_SECRET_FILE.chmod(0o600)
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./undercover.db"
    environment: str = Field("development", alias="UNDERCOVER_ENV")
    secret_key: str = Field("", alias="UNDERCOVER_SECRET_KEY")
    token_days: int = Field(30, alias="UNDERCOVER_TOKEN_DAYS")
    max_body_bytes: int = Field(2 * 1024 * 1024, alias="UNDERCOVER_MAX_BODY_BYTES")
    # Sign-in rate limit (api/auth/throttle.py): failures of one account from one address before growing
    # delays start (15 s, doubling, up to the window); failures from one address over all accounts per
    # window before that address waits for the window to end.
    login_max_failures: int = Field(10, ge=1, alias="UNDERCOVER_LOGIN_MAX_FAILURES")
    login_window_seconds: int = Field(600, ge=1, alias="UNDERCOVER_LOGIN_WINDOW_SECONDS")
    login_address_max_failures: int = Field(100, ge=1, alias="UNDERCOVER_LOGIN_ADDRESS_MAX_FAILURES")
    cors_origins: list[str] = Field(default_factory=list, alias="UNDERCOVER_CORS_ORIGINS")
    pwa_dir: Path = Field(Path(__file__).resolve().parent.parent / "mobile_pwa", alias="UNDERCOVER_PWA_DIR")
    log_level: str = Field("INFO", alias="UNDERCOVER_LOG_LEVEL")
    themes_worker: bool = Field(True, alias="UNDERCOVER_THEMES_WORKER")
    # Costly figures (themes list, flow dashboard) are served from a stored result refreshed this often
    # while people read them (api/summaries); 0 computes them on every request.
    summary_refresh_seconds: int = Field(60, ge=0, alias="UNDERCOVER_SUMMARY_REFRESH_SECONDS")
    # Mask e-mail addresses, phone numbers and card numbers in pain-point text shown to managers and in
    # exports (api/privacy/redaction.py). On unless an installation turns it off.
    redact: bool = Field(True, alias="UNDERCOVER_REDACT")
    # People and messages (api/messages). Links in e-mails start with public_url; an empty smtp_url sends
    # no e-mail (the in-app inbox still gets every message, and admins are shown invitation links).
    public_url: str = Field("http://127.0.0.1:8000", alias="UNDERCOVER_PUBLIC_URL")
    smtp_url: str = Field("", alias="UNDERCOVER_SMTP_URL")
    mail_from: str = Field("Undercover <undercover@localhost>", alias="UNDERCOVER_MAIL_FROM")
    webhook_allow_private: bool = Field(False, alias="UNDERCOVER_WEBHOOK_ALLOW_PRIVATE")
    messages_worker: bool = Field(True, alias="UNDERCOVER_MESSAGES_WORKER")
    messages_interval: float = Field(2.0, gt=0, alias="UNDERCOVER_MESSAGES_INTERVAL")
    # How long a worker holds a delivery it is sending; one whose process died is sent again after this.
    # Keep it well above the longest send (webhooks time out in 10 s, SMTP commands in 30 s).
    messages_lease_seconds: int = Field(120, ge=1, alias="UNDERCOVER_MESSAGES_LEASE_SECONDS")
    # Delivered events, and finished deliveries with their log (what admins see per webhook and at
    # /api/deliveries), are deleted by the worker once this many days old; waiting deliveries never are.
    messages_keep_days: int = Field(30, ge=1, alias="UNDERCOVER_MESSAGES_KEEP_DAYS")
    # Invitation and password-reset e-mails: at most this many per hour per address and per requester.
    mail_per_address_hour: int = Field(5, ge=1, alias="UNDERCOVER_MAIL_PER_ADDRESS_HOUR")
    mail_per_requester_hour: int = Field(30, ge=1, alias="UNDERCOVER_MAIL_PER_REQUESTER_HOUR")
    # Photos and voice notes (api/media). file://PATH (a relative path is taken beside the SQLite database,
    # or the working directory for PostgreSQL) or s3://bucket/prefix (the standard AWS_* variables and
    # AWS_ENDPOINT_URL). The upload route's own body limit replaces max_body_bytes there; images that
    # decode to more pixels than media_max_pixels (decompression bombs) are refused before decoding.
    media_url: str = Field("file://./media", alias="UNDERCOVER_MEDIA_URL")
    media_max_bytes: int = Field(10 * 1024 * 1024, ge=1, alias="UNDERCOVER_MEDIA_MAX_BYTES")
    media_max_pixels: int = Field(25_000_000, ge=1, alias="UNDERCOVER_MEDIA_MAX_PIXELS")

    @model_validator(mode="after")
    def _secret_required_outside_development(self) -> "Settings":
        if not self.secret_key:
            if self.environment != "development":
                raise ValueError("UNDERCOVER_SECRET_KEY must be set when UNDERCOVER_ENV is not 'development'")
            self.secret_key = _development_secret()
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
