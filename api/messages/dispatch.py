"""Fan-out: each event of the outbox becomes inbox messages, e-mail deliveries and webhook deliveries, in one
transaction that also marks it dispatched, so it is fanned out exactly once (keys make a replay a no-op).

Who hears what (each person can turn a kind off per channel, api/messages/inbox.py):
- the assignee: assigned to them (pain_point.updated with a new assignee_id), overdue (pain_point.overdue);
- the owning department's managers (members with the manager or admin role): a severity-5 pain point
  logged for their department (pain_point.created);
- the executive who logged it: status changes (resolved: "you said, we did", with the resolution note)
  and comments on their pain point;
- the owning departments' managers: a shared goal made, changed or archived, or its computed status
  changed (goal.updated; api/goals/service.py says when).
Nobody hears of their own action; deactivated people hear nothing.
"""

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from api.auth.models import Role, User, UserDepartment
from api.config import get_settings
from api.core.clock import utcnow
from api.events import outbox
from api.goals.models import Goal
from api.messages import compose
from api.messages.models import (
    Channel,
    Delivery,
    Kind,
    Notification,
    NotificationSetting,
    Webhook,
    WebhookFormat,
)
from api.pain_points.models import CLOSED, PAIN, PainPointComment
from api.privacy.reader import masked

BATCH = 200
DUE_SOON = "pain_point.due_soon"  # internal: becomes a reminder to the assignee, never a webhook call
ADVISORY_KEY = 0x756E6D73  # "unms": one dispatcher at a time keeps per-pain-point order
MANAGERS = (Role.manager, Role.admin)
GOAL = "goal.updated"


@dataclass
class Context:
    """Everything the fan-out of a batch reads, loaded with a few queries."""

    points: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    members: dict = field(default_factory=lambda: defaultdict(list))
    comments: dict = field(default_factory=dict)
    goals: dict = field(default_factory=dict)
    off: set = field(default_factory=set)  # (user_id, kind, channel) turned off
    webhooks: list = field(default_factory=list)

    @classmethod
    def load(cls, session: Session, events: list) -> "Context":
        ctx = cls()
        point_ids = {uuid.UUID(str(e.data["pain_point_id"])) for e in events if "pain_point_id" in e.data}
        if point_ids:
            ctx.points = {r.id: r for r in session.execute(select(PAIN).where(PAIN.c.id.in_(point_ids)))}
        departments = {uuid.UUID(e.data["department_id"]) for e in events if e.name == "pain_point.created"
                       and e.data.get("severity") == 5 and e.data.get("department_id")}
        goal_events = [e for e in events if e.name == GOAL]
        departments |= {uuid.UUID(d) for e in goal_events for d in e.data.get("department_ids", [])}
        goal_ids = {uuid.UUID(e.data["goal_id"]) for e in goal_events}
        if goal_ids:
            ctx.goals = {g.id: g for g in session.execute(select(Goal).where(Goal.id.in_(goal_ids))).scalars()}
        if departments:
            for user_id, department_id in session.execute(
                    select(UserDepartment.user_id, UserDepartment.department_id)
                    .where(UserDepartment.department_id.in_(departments))):
                ctx.members[department_id].append(user_id)
        comment_ids = {uuid.UUID(e.data["comment_id"]) for e in events if e.name == "pain_point.commented"}
        if comment_ids:
            ctx.comments = dict(session.execute(select(PainPointComment.id, PainPointComment.body)
                                                .where(PainPointComment.id.in_(comment_ids))).all())
        user_ids = {p.author_id for p in ctx.points.values()} | {p.assignee_id for p in ctx.points.values()}
        user_ids |= {u for ids in ctx.members.values() for u in ids} | {e.actor_id for e in events}
        user_ids |= {uuid.UUID(e.data["user_id"]) for e in events if e.data.get("user_id")}
        user_ids.discard(None)
        if user_ids:
            ctx.users = {u.id: u for u in session.execute(select(User).where(User.id.in_(user_ids))).scalars()}
            ctx.off = set(session.execute(
                select(NotificationSetting.user_id, NotificationSetting.kind, NotificationSetting.channel)
                .where(NotificationSetting.user_id.in_(user_ids), NotificationSetting.enabled.is_(False))).all())
        ctx.webhooks = list(session.execute(select(Webhook).where(Webhook.deleted_at.is_(None))).scalars())
        return ctx

    def wants(self, user_id, kind: str, channel: str) -> bool:
        return (user_id, kind, channel) not in self.off


def _managers_of(ctx: Context, department_ids: list) -> list[uuid.UUID]:
    """The members of these departments who are managers or admins."""
    return [user_id for d in department_ids for user_id in ctx.members.get(uuid.UUID(str(d)), [])
            if (user := ctx.users.get(user_id)) is not None and user.role in MANAGERS]


def recipients(event, ctx: Context) -> list[tuple[uuid.UUID, str]]:
    """(person, kind) for one event, before anyone's choices: the table in this module's docstring."""
    data = event.data
    point = ctx.points.get(uuid.UUID(data["pain_point_id"])) if "pain_point_id" in data else None
    out: list[tuple[uuid.UUID, str]] = []
    if event.name == GOAL and uuid.UUID(data["goal_id"]) in ctx.goals:
        out += [(u, Kind.goal_updated) for u in _managers_of(ctx, data.get("department_ids", []))]
    elif point is None:
        return out
    elif event.name == "pain_point.created" and data.get("severity") == 5 and data.get("department_id"):
        out += [(u, Kind.severity5) for u in _managers_of(ctx, [data["department_id"]])]
    elif event.name == "pain_point.updated":
        values = data.get("values", {})
        if values.get("assignee_id"):
            out.append((uuid.UUID(values["assignee_id"]), Kind.assigned))
        if "status" in values:
            kind = Kind.resolved if values["status"] == "resolved" else Kind.status_changed
            out.append((point.author_id, kind))
    elif event.name == "pain_point.commented":
        out.append((point.author_id, Kind.commented))
    elif event.name == "pain_point.overdue" and point.assignee_id and point.status not in CLOSED:
        out.append((point.assignee_id, Kind.overdue))
    elif event.name == DUE_SOON and point.assignee_id and point.status not in CLOSED:
        out.append((point.assignee_id, Kind.due_tomorrow))
    seen, kept = set(), []
    for user_id, kind in out:
        user = ctx.users.get(user_id)
        if user is None or not user.is_active or user_id == event.actor_id or (user_id, kind) in seen:
            continue
        seen.add((user_id, kind))
        kept.append((user_id, kind))
    return kept


def webhook_data(event, ctx: Context) -> dict:
    """The event's data for receivers: ids and fields as recorded, with the pain point's masked words."""
    data = dict(event.data)
    point = ctx.points.get(uuid.UUID(data["pain_point_id"])) if "pain_point_id" in data else None
    if point is not None:
        data["pain_point"] = {"id": str(point.id), "text": masked(point.text), "severity": point.severity,
                              "status": str(point.status), "url": compose.pain_point_link(point.id)}
    if event.name == "pain_point.commented":
        data["comment_body"] = masked(ctx.comments.get(uuid.UUID(data["comment_id"])))
    goal = ctx.goals.get(uuid.UUID(data["goal_id"])) if event.name == GOAL else None
    if goal is not None:
        data["goal"] = {"id": str(goal.id), "title": masked(goal.title), "due_date": goal.due_date.isoformat(),
                        "archived": goal.archived}
    return data


def webhook_body(event, hook: Webhook, data: dict) -> str:
    if hook.format == WebhookFormat.slack:
        body = {"text": compose.webhook_text(event.name, data)}
    else:
        body = {"id": str(event.id), "event": event.name, "occurred_at": event.occurred_at.isoformat(), "data": data}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def _insert_ignoring_duplicates(session: Session, model, rows: list[dict]) -> None:
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert_(model.__table__).on_conflict_do_nothing(index_elements=["key"]), rows)


def plan(event, ctx: Context, now: datetime) -> tuple[list[dict], list[dict]]:
    """The inbox rows and delivery rows for one event."""
    notes, deliveries = [], []
    email_on = bool(get_settings().smtp_url)
    base = {"event_id": event.id, "event_name": event.name, "subject_id": event.subject_id,
            "occurred_at": event.occurred_at, "status": "pending", "attempts": 0, "next_attempt_at": now,
            "claimed_until": None, "last_status_code": None, "last_error": None, "created_at": now,
            "sent_at": None, "user_id": None, "webhook_id": None, "kind": None}
    if event.name in (outbox.INVITATION, outbox.PASSWORD_RESET):
        if email_on:
            deliveries.append({**base, "id": uuid.uuid4(), "key": f"{event.id}:email", "channel": Channel.email,
                               "user_id": uuid.UUID(event.data["user_id"]) if "user_id" in event.data else None,
                               "payload": dict(event.data)})
        return notes, deliveries
    data = dict(event.data)
    if event.name == "pain_point.commented":
        data["comment_body"] = ctx.comments.get(uuid.UUID(data["comment_id"]))
    actor = ctx.users.get(event.actor_id)
    actor_name = actor.display_name if actor else None
    for user_id, kind in recipients(event, ctx):
        if event.name == GOAL:
            words = compose.for_goal(ctx.goals[uuid.UUID(data["goal_id"])], event_data=data, actor_name=actor_name)
        else:
            words = compose.for_kind(kind, point=ctx.points[uuid.UUID(data["pain_point_id"])], event_data=data,
                                     actor_name=actor_name)
        if ctx.wants(user_id, kind, Channel.inbox):
            notes.append({"id": uuid.uuid4(), "key": f"{event.id}:{user_id}:{kind}", "user_id": user_id,
                          "kind": kind, "event_id": event.id, "subject_id": event.subject_id, "title": words.title,
                          "body": words.body, "link": words.link, "created_at": now, "read_at": None})
        if email_on and ctx.wants(user_id, kind, Channel.email):
            deliveries.append({**base, "id": uuid.uuid4(), "key": f"{event.id}:email:{user_id}:{kind}",
                               "channel": Channel.email, "user_id": user_id, "kind": kind,
                               "payload": {"title": words.title, "body": words.body, "link": words.link}})
    if event.name in outbox.PUBLIC:
        hooks = [h for h in ctx.webhooks if event.name in h.events]
        shared = webhook_data(event, ctx) if hooks else {}
        for hook in hooks:
            deliveries.append({**base, "id": uuid.uuid4(), "key": f"{event.id}:webhook:{hook.id}",
                               "channel": "webhook", "webhook_id": hook.id,
                               "payload": {"body": webhook_body(event, hook, shared)}})
    return notes, deliveries


def dispatch_pending(session: Session) -> int:
    """Fan out a batch of events; returns how many. One dispatcher at a time across processes (an advisory
    lock on PostgreSQL; SQLite transactions take the write lock up front)."""
    if session.get_bind().dialect.name == "postgresql":
        if not session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": ADVISORY_KEY}).scalar_one():
            session.rollback()
            return 0
    events = outbox.pending(session, limit=BATCH)
    if not events:
        session.rollback()
        return 0
    now = utcnow()
    ctx = Context.load(session, events)
    notes, deliveries = [], []
    for event in events:
        n, d = plan(event, ctx, now)
        notes += n
        deliveries += d
    _insert_ignoring_duplicates(session, Notification, notes)
    _insert_ignoring_duplicates(session, Delivery, deliveries)
    outbox.mark_dispatched(session, [e.id for e in events], at=now)
    session.commit()
    return len(events)


def scan_overdue(session: Session, today: date, limit: int = 500) -> int:
    """Record pain_point.overdue once per pain point and due date (assigned, open, due before today), and a
    due-tomorrow reminder once per pain point and due date."""
    open_assigned = (PAIN.c.assignee_id.is_not(None), PAIN.c.deleted_at.is_(None),
                     PAIN.c.status.not_in([str(s) for s in CLOSED]))
    added = 0
    for name, prefix, when in (("pain_point.overdue", "overdue", PAIN.c.due_date < today),
                               (DUE_SOON, "due", PAIN.c.due_date == today + timedelta(days=1))):
        rows = session.execute(select(PAIN.c.id, PAIN.c.due_date, PAIN.c.assignee_id)
                               .where(*open_assigned, when).order_by(PAIN.c.due_date).limit(limit)).all()
        for pid, due, assignee in rows:
            added += outbox.record_once(session, name, {"pain_point_id": pid, "due_date": due, "assignee_id": assignee},
                                        key=f"{prefix}:{pid}:{due.isoformat()}", subject_id=pid)
    session.commit()
    return added
