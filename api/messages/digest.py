"""The weekly digest for managers: Monday 08:00 in the organisation's time zone, about the seven days
before. Sent once per week (a DigestRun keyed by the week; `undercover digest send --force` sends again),
and quiet (recorded, nothing sent) when there is nothing to say."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from api.auth.models import Role, User
from api.bright_spots.models import BRIGHT
from api.config import get_settings
from api.core.clock import utcnow
from api.dashboard.service import field_time
from api.messages.compose import public_url, snippet
from api.messages.models import Channel, Delivery, DigestRun, Kind, Notification, NotificationSetting
from api.pain_points.models import PAIN, Status, counted_conditions
from api.pulse.models import PulseAnswer
from api.settings.service import org_settings
from api.themes.models import Theme
from api.values.models import CompanyValue

SEND_AT = time(8, 0)
READERS = (Role.manager, Role.admin)


def org_zone(session: Session) -> ZoneInfo:
    return ZoneInfo(org_settings(session=session).time_zone)


def org_today(session: Session) -> date:
    return utcnow().astimezone(org_zone(session)).date()


def week_start(local_now: datetime) -> date:
    return local_now.date() - timedelta(days=local_now.weekday())


@dataclass
class Digest:
    week_start: date
    new: int = 0
    resolved: list[str] = field(default_factory=list)
    resolved_count: int = 0
    overdue: int = 0
    new_themes: list[str] = field(default_factory=list)
    top_themes: list[tuple[str, int]] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    field_hours: float = 0.0
    field_target: float = 0.0
    bright_spots: list[str] = field(default_factory=list)

    @property
    def quiet(self) -> bool:
        return not (self.new or self.resolved_count or self.overdue or self.new_themes or self.bright_spots)

    def title(self) -> str:
        return f"Undercover weekly digest, week of {(self.week_start - timedelta(days=7)).isoformat()}"

    def body(self) -> str:
        lines = [f"New pain points: {self.new}. Resolved: {self.resolved_count}. Overdue now: {self.overdue}."]
        if self.top_themes:
            lines.append("Most reported themes: " + "; ".join(f"{label} ({n})" for label, n in self.top_themes) + ".")
        if self.new_themes:
            lines.append("New themes: " + "; ".join(self.new_themes) + ".")
        for words in self.resolved:
            lines.append(f"Resolved: “{words}”")
        for quote in self.quotes:
            lines.append(f"Customer said: “{quote}”")
        for spot in self.bright_spots:
            lines.append(f"Bright spot: {spot}")
        if self.field_target:
            lines.append(f"Field time this month: {self.field_hours:.0f} h of the team's {self.field_target:.0f} h "
                         "target.")
        return "\n".join(lines)


def build(session: Session, monday: date, zone: ZoneInfo) -> Digest:
    """The digest about the seven days before `monday` (local midnight to midnight). Text is masked."""
    end = datetime.combine(monday, time(0), zone).astimezone(UTC)
    start = end - timedelta(days=7)
    d = Digest(week_start=monday)
    counted = select(PAIN).where(*counted_conditions()).subquery()  # the dashboards' rule
    d.new = session.execute(select(func.count()).select_from(counted)
                            .where(counted.c.created_at >= start, counted.c.created_at < end)).scalar_one()
    resolved = select(counted.c.text).where(counted.c.status == Status.resolved, counted.c.resolved_at >= start,
                                            counted.c.resolved_at < end)
    d.resolved_count = session.execute(select(func.count()).select_from(resolved.subquery())).scalar_one()
    d.resolved = [snippet(t) for t in session.execute(resolved.order_by(counted.c.severity.desc()).limit(3)).scalars()]
    d.overdue = session.execute(select(func.count()).select_from(counted).where(
        counted.c.due_date < monday, counted.c.status.in_(["new", "acknowledged", "in_progress"]))).scalar_one()
    d.new_themes = list(session.execute(select(Theme.label).where(Theme.created_at >= start, Theme.created_at < end,
                                                                   Theme.retired_at.is_(None))
                                        .order_by(Theme.label).limit(5)).scalars())
    d.top_themes = [(label, n) for label, n in session.execute(
        select(Theme.label, func.count()).join(counted, counted.c.theme_id == Theme.id)
        .where(counted.c.created_at >= start, counted.c.created_at < end)
        .group_by(Theme.label).order_by(func.count().desc(), Theme.label).limit(3))]
    d.quotes = [snippet(q) for q in session.execute(
        select(counted.c.quote).where(counted.c.quote.is_not(None), counted.c.created_at >= start,
                                      counted.c.created_at < end, counted.c.felt_by != "employee")
        .order_by(counted.c.severity.desc(), counted.c.created_at.desc()).limit(3)).scalars()]
    d.bright_spots = best_bright_spots(session, start, end)
    month = (monday - timedelta(days=1)).strftime("%Y-%m")
    ft = field_time(session=session, month=month)
    d.field_hours = ft.team.hours
    d.field_target = ft.target_hours * ft.team.executives
    return d


BRIGHT_SPOTS = 3


def best_bright_spots(session: Session, start: datetime, end: datetime) -> list[str]:
    """Up to three bright spots logged in [start, end): first those that live a company value and recognise
    someone, then either, newest first. Each as one line: the masked words, then the value and the person
    (managers read names; masked like every other free text in messages)."""
    lives = BRIGHT.c.value_id.is_not(None)
    names = func.coalesce(func.length(func.trim(BRIGHT.c.recognise)), 0) > 0
    rows = session.execute(
        select(BRIGHT.c.text, BRIGHT.c.recognise, CompanyValue.name)
        .join(CompanyValue, CompanyValue.id == BRIGHT.c.value_id, isouter=True)
        .where(BRIGHT.c.created_at >= start, BRIGHT.c.created_at < end)
        .order_by(case((lives, 0), else_=1) + case((names, 0), else_=1), BRIGHT.c.occurred_at.desc(),
                  BRIGHT.c.position, BRIGHT.c.id)
        .limit(BRIGHT_SPOTS)).all()
    out = []
    for text_, recognise, value in rows:
        about = [*([f"lives “{value}”"] if value else []),
                 *([f"thanks to {snippet(recognise.strip())}"] if recognise and recognise.strip() else [])]
        out.append(f"“{snippet(text_)}”" + (f" ({'; '.join(about)})" if about else ""))
    return out


def readers(session: Session) -> list[User]:
    return list(session.execute(select(User).where(User.role.in_(READERS), User.is_active.is_(True))
                                .order_by(User.display_name)).scalars())


def send(session: Session, *, force: bool = False, dry_run: bool = False, now: datetime | None = None
         ) -> tuple[str, Digest, list[User]]:
    """This week's digest: "sent", "already sent", "quiet" or "dry run". Commits (unless a dry run)."""
    zone = org_zone(session)
    monday = week_start((now or utcnow()).astimezone(zone))
    digest = build(session, monday, zone)
    people = readers(session)
    if dry_run:
        session.rollback()
        return "dry run", digest, people
    run_id = uuid.uuid4()
    key = f"{monday.isoformat()}:forced:{run_id}" if force else monday.isoformat()
    dialect = session.get_bind().dialect.name
    insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
    added = session.execute(insert_(DigestRun.__table__).values(
        id=run_id, key=key, week_start=monday, forced=force, recipients=0 if digest.quiet else len(people),
        sent_at=utcnow()).on_conflict_do_nothing(index_elements=["key"]).returning(DigestRun.__table__.c.id)).first()
    if added is None:
        session.rollback()
        return "already sent", digest, people
    if digest.quiet:
        session.commit()
        return "quiet", digest, []
    _notify(session, f"digest:{key}", [u.id for u in people], Kind.digest, digest.title(), digest.body(),
            public_url("/#/dashboard"))
    session.commit()
    return "sent", digest, people


def _notify(session: Session, key: str, user_ids: list, kind: Kind, title: str, body: str, link: str) -> None:
    """One message of `kind` to each person, in the inbox and by e-mail, as each one chose; the caller commits."""
    off = set(session.execute(select(NotificationSetting.user_id, NotificationSetting.channel)
                              .where(NotificationSetting.kind == kind,
                                     NotificationSetting.enabled.is_(False))).all())
    stamp, email_on = utcnow(), bool(get_settings().smtp_url)
    for user_id in user_ids:
        if (user_id, Channel.inbox) not in off:
            session.add(Notification(key=f"{key}:{user_id}", user_id=user_id, kind=kind, title=title, body=body,
                                     link=link, created_at=stamp))
        if email_on and (user_id, Channel.email) not in off:
            session.add(Delivery(key=f"{key}:email:{user_id}", channel=Channel.email, event_name=f"reminder.{kind}",
                                 kind=kind, user_id=user_id, occurred_at=stamp,
                                 payload={"title": title, "body": body, "link": link}))


REMINDER_DAY = 20


def send_monthly_reminders(session: Session, now: datetime | None = None) -> int | None:
    """From the 20th (organisation time), once a month: executives not yet out in the field this month, and
    those who have not answered this month's pulse, get a reminder. Returns how many were sent (None: not
    due, or done already)."""
    zone = org_zone(session)
    local = (now or utcnow()).astimezone(zone)
    if local.day < REMINDER_DAY:
        session.rollback()
        return None
    month = local.strftime("%Y-%m")
    dialect = session.get_bind().dialect.name
    insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
    first = local.date().replace(day=1)
    added = session.execute(insert_(DigestRun.__table__).values(
        id=uuid.uuid4(), key=f"reminders:{month}", week_start=first, forced=False, recipients=0, sent_at=utcnow())
        .on_conflict_do_nothing(index_elements=["key"]).returning(DigestRun.__table__.c.id)).first()
    if added is None:
        session.rollback()
        return None
    executives = set(session.execute(select(User.id).where(User.role == Role.executive,
                                                           User.is_active.is_(True))).scalars())
    not_out = [r.id for r in field_time(session=session, month=month).not_out_this_month if r.id in executives]
    answered = set(session.execute(select(PulseAnswer.user_id).where(PulseAnswer.month == month)).scalars())
    no_pulse = sorted(executives - answered)
    _notify(session, f"reminders:{month}:field", not_out, Kind.field_reminder, "You have not been out this month",
            "There is still time this month for a shift, a listened call or a journey walkthrough.",
            public_url("/#/visits"))
    _notify(session, f"reminders:{month}:pulse", no_pulse, Kind.pulse_reminder, "This month's pulse is waiting",
            "Ten questions, two minutes: how did customers fare this month?", public_url("/#/pulse"))
    session.execute(DigestRun.__table__.update().where(DigestRun.__table__.c.id == added[0])
                    .values(recipients=len(not_out) + len(no_pulse)))
    session.commit()
    return len(not_out) + len(no_pulse)


def send_if_due(session: Session) -> str | None:
    """The worker's weekly check: from Monday 08:00 local time, this week's digest unless sent."""
    zone = org_zone(session)
    local = utcnow().astimezone(zone)
    monday = week_start(local)
    if local < datetime.combine(monday, SEND_AT, zone):
        session.rollback()
        return None
    if session.execute(select(DigestRun.id).where(DigestRun.key == monday.isoformat())).first():
        session.rollback()
        return None
    return send(session)[0]
