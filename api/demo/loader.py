"""Load the demo organisation (idempotent: ids are derived from the data's own keys)."""

import uuid
from datetime import UTC, datetime, time, timedelta

from sqlmodel import Session

from api.auth.models import User
from api.auth.security import hash_password
from api.auth.users import get_user_by_email
from api.demo import data
from api.demo.leadership import ensure_values, load_leadership
from api.org.models import Department, Site
from api.org.service import get_or_create_by_name
from api.visits.models import Visit
from api.visits.schemas import VisitWrite
from api.visits.writes import write_visits

NAMESPACE = uuid.UUID("0d3c59a2-8d7e-4f0b-b6a4-51a0f3e7c2d9")
ADVERTISED = ("exec@demo.undercover.example", "manager@demo.undercover.example", "admin@demo.undercover.example")


def _users(session: Session) -> dict[str, User]:
    users, password_hash = {}, None
    for spec in data.USERS:
        user = get_user_by_email(session=session, email=spec["email"])
        if user is None:
            password_hash = password_hash or hash_password(data.DEMO_PASSWORD)
            user = User(email=spec["email"], display_name=spec["name"], role=spec["role"],
                        password_hash=password_hash)
            session.add(user)
            session.flush()
        users[spec["email"]] = user
    return users


def _visit_write(spec: dict, site_ids: dict, department_ids: dict, today: datetime,
                 value_ids: dict | None = None) -> VisitWrite:
    day = today.date() - timedelta(days=spec["days_ago"])
    hour = spec.get("start_hour", 10)
    started = datetime.combine(day, time(int(hour), int(hour % 1 * 60)), tzinfo=UTC)
    return VisitWrite.model_validate({
        "id": uuid.uuid5(NAMESPACE, f"visit|{spec['key']}"),
        "kind": spec["kind"],
        "site_id": site_ids.get(spec.get("site")),
        "started_at": started,
        "ended_at": started + timedelta(minutes=spec["duration_minutes"]),
        "incognito": spec.get("incognito", False),
        "notes": spec.get("notes") or "",
        "private_notes": spec.get("private_notes") or "",
        "details": {k: v for k, v in (spec.get("details") or {}).items() if v is not None},
        "pain_points": [
            {
                "id": uuid.uuid5(NAMESPACE, f"pain|{spec['key']}|{i}"),
                "text": pp["text"],
                "severity": pp.get("severity", 3),
                "felt_by": pp.get("felt_by", "customer"),
                "department_id": department_ids.get(pp.get("department")),
                "journey_step": pp.get("journey_step"),
                "quote": pp.get("quote"),
            }
            for i, pp in enumerate(spec["pain_points"])
        ],
        "bright_spots": [
            {
                "id": uuid.uuid5(NAMESPACE, f"bright|{spec['key']}|{i}"),
                "text": spot["text"],
                "department_id": department_ids.get(spot.get("department")),
                "recognise": spot.get("recognise"),
                "value_id": (value_ids or {}).get(spot.get("value")),
            }
            for i, spot in enumerate(data.BRIGHT_SPOTS.get(spec["key"], []))
        ],
    })


def load_demo(*, session: Session) -> tuple[int, str]:
    """Returns how many visits were added and a summary with the demo logins."""
    department_ids = {
        d["key"]: get_or_create_by_name(session=session, model=Department, name=d["name"]).id
        for d in data.DEPARTMENTS
    }
    site_ids = {
        s["key"]: get_or_create_by_name(session=session, model=Site, name=s["name"], kind=s["kind"],
                                        region=s.get("region")).id
        for s in data.SITES
    }
    users = _users(session)
    today = datetime.now(UTC)
    by_author: dict[str, list[VisitWrite]] = {}
    value_ids = ensure_values(session)
    for spec in data.VISITS:
        write = _visit_write(spec, site_ids, department_ids, today, value_ids)
        if session.get(Visit, write.id) is None:
            by_author.setdefault(spec["author"], []).append(write)
    added = 0
    for email, writes in by_author.items():
        added += len(write_visits(session=session, author=users[email], writes=writes, source="demo").created)
    session.commit()
    load_leadership(session=session, users=users, site_ids=site_ids, department_ids=department_ids, today=today.date())
    logins = "\n".join(f"  {email}  /  {data.DEMO_PASSWORD}" for email in ADVERTISED)
    state = f"added {added} visits" if added else "already loaded"
    return added, f"Demo organisation {data.ORG_NAME}: {state}.\nDemo logins:\n{logins}"
