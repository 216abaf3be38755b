"""Small keyword-only factories that write straight to the database."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from sqlmodel import Session

from api.auth.models import AuthToken, User
from api.auth.security import hash_password, new_token, token_digest
from api.core.clock import utcnow
from api.org.models import Department, Site
from api.themes.models import Theme

PASSWORD = "correct horse battery"


@lru_cache
def _password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per run


@dataclass
class Actor:
    user: User
    token: str

    @property
    def id(self) -> uuid.UUID:
        return self.user.id

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


DAY = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
QUOTE = "I'm not waiting this long again"


def visit_body(*, kind: str = "shop_floor_shift", start: datetime = DAY, hours: float | None = 3, site_id=None,
               details: dict | None = None, pain_points: int | Iterable[str | dict] = 2, severity: int = 4,
               felt_by: str = "customer", department_id=None, quote: str | None = QUOTE, version: int = 0,
               **fields) -> dict:
    """A visit as the phone sends it (PUT /api/visits/{id}, or one item of /api/sync with an `id`).

    `start` and `hours` give the times (hours=None: not finished). `pain_points` is a count (numbered
    texts), or each one's text, or a dict of its fields; severity, felt_by, department_id and quote are
    every pain point's defaults. Other `fields` (notes, private_notes, id, a raw `started_at` string…) go
    in last, as given.
    """
    if isinstance(pain_points, int):
        pain_points = [{} for _ in range(pain_points)]
    points = []
    for i, point in enumerate(pain_points):
        point = {"text": point} if isinstance(point, str) else point
        item = {
            "id": str(uuid.uuid4()),
            "text": f"Queue reached the back of the store, only two tills open ({i})",
            "severity": severity,
            "felt_by": felt_by,
            "department_id": department_id,
            "journey_step": None,
            "quote": quote,
            **point,
        }
        if item["department_id"] is not None:
            item["department_id"] = str(item["department_id"])
        points.append(item)
    body = {
        "kind": kind,
        "site_id": str(site_id) if site_id else None,
        "started_at": start.isoformat(),
        "ended_at": (start + timedelta(hours=hours)).isoformat() if hours is not None else None,
        "incognito": False,
        "notes": "Worked the tills through the lunchtime rush.",
        "private_notes": "The store manager looked exhausted.",
        "details": ({"role_worked": "cashier"} if kind == "shop_floor_shift" else {}) if details is None else details,
        "version": version,
        "pain_points": points,
    }
    body.update(fields)
    return body


class Factory:
    def __init__(self, session: Session):
        self.session = session

    def user(self, *, role: str = "executive", email: str | None = None, name: str | None = None) -> Actor:
        user = User(
            email=email or f"{role}-{uuid.uuid4().hex[:8]}@example.com",
            display_name=name or role.title(),
            role=role,
            password_hash=_password_hash(),
        )
        self.session.add(user)
        self.session.commit()
        return Actor(user=user, token=self.token(user=user))

    def token(self, *, user: User, expires_in: timedelta = timedelta(days=30), revoked: bool = False) -> str:
        token = new_token()
        self.session.add(
            AuthToken(
                user_id=user.id,
                token_hash=token_digest(token),
                expires_at=utcnow() + expires_in,
                revoked_at=utcnow() if revoked else None,
            )
        )
        self.session.commit()
        return token

    def site(self, *, name: str | None = None, kind: str = "store") -> Site:
        site = Site(name=name or f"Store {uuid.uuid4().hex[:6]}", kind=kind, region="North")
        self.session.add(site)
        self.session.commit()
        return site

    def theme(self, *, label: str | None = None) -> Theme:
        theme = Theme(label=label or f"Theme {uuid.uuid4().hex[:6]}", keywords=[], embedder="minilm")
        self.session.add(theme)
        self.session.commit()
        return theme

    def department(self, *, name: str | None = None) -> Department:
        dept = Department(name=name or f"Dept {uuid.uuid4().hex[:6]}")
        self.session.add(dept)
        self.session.commit()
        return dept



def count_rows(_session: Session, model) -> int:
    """Count rows in a short transaction of its own: on SQLite an open one would hold the write lock."""
    from sqlmodel import func, select

    from api.db import get_engine

    with Session(get_engine()) as fresh:
        return fresh.exec(select(func.count()).select_from(model)).one()


def fetch(stmt) -> list:
    """Run a query in a short transaction of its own (see count_rows)."""
    from api.db import get_engine

    with Session(get_engine(), expire_on_commit=False) as fresh:
        return list(fresh.exec(stmt).all())
