"""What a message says: titles, bodies and links, masked (api/privacy) before they are stored or sent."""

from dataclasses import dataclass

from api.config import get_settings
from api.privacy.reader import masked

SNIPPET = 200


@dataclass
class Text:
    title: str
    body: str
    link: str | None


def public_url(path: str = "") -> str:
    return get_settings().public_url.rstrip("/") + path


def pain_point_link(pain_point_id) -> str:
    return public_url(f"/#/pain-points/{pain_point_id}")


def snippet(text: str | None) -> str:
    """A pain point's words, masked and cut short."""
    words = masked(text) or ""
    return words if len(words) <= SNIPPET else words[: SNIPPET - 1].rstrip() + "…"


STATUS_WORDS = {"new": "new", "acknowledged": "acknowledged", "in_progress": "in progress",
                "resolved": "resolved", "wont_fix": "won't fix"}


def for_kind(kind: str, *, point, event_data: dict, actor_name: str | None) -> Text:
    """The inbox and e-mail text of a pain-point message of `kind` (point: the pain point's row)."""
    words = snippet(point.text)
    link = pain_point_link(point.id)
    by = f" by {actor_name}" if actor_name else ""
    if kind == "assigned":
        due = f" Due {point.due_date.isoformat()}." if point.due_date else ""
        return Text("A pain point was assigned to you", f"Assigned to you{by}: “{words}”.{due}", link)
    if kind == "due_tomorrow":
        return Text("A pain point assigned to you is due tomorrow",
                    f"Due {event_data.get('due_date')}: “{words}”.", link)
    if kind == "overdue":
        return Text("A pain point assigned to you is overdue",
                    f"Due {event_data.get('due_date')} and still open: “{words}”.", link)
    if kind == "severity5":
        return Text("Severity 5 pain point for your department", f"Logged just now: “{words}”.", link)
    if kind == "resolved":
        note = masked(point.resolution_note)
        said = f" What was done: {note}" if note else ""
        return Text("You said, we did: your pain point was resolved", f"“{words}” was resolved{by}.{said}", link)
    if kind == "status_changed":
        status = STATUS_WORDS.get(str(point.status), str(point.status))
        return Text(f"Your pain point is now {status}", f"“{words}” is now {status}{by}.", link)
    if kind == "commented":
        comment = masked(event_data.get("comment_body")) or ""
        return Text(f"New comment on your pain point{by}", f"On “{words}”: {comment}", link)
    raise ValueError(f"no text for {kind}")


GOAL_STATUS_WORDS = {"on_track": "on track", "at_risk": "at risk", "met": "met", "missed": "missed"}
GOAL_FIELD_WORDS = {"title": "title", "due_date": "due date", "archived": "archived", "status": "status"}


def for_goal(goal, *, event_data: dict, actor_name: str | None) -> Text:
    """The inbox and e-mail text of goal.updated (goal: the goal's row; its title masked like any free text)."""
    title = snippet(goal.title)
    by = f" by {actor_name}" if actor_name else ""
    status = GOAL_STATUS_WORDS.get(str(event_data.get("status")), str(event_data.get("status")))
    changes = event_data.get("changes", [])
    if changes == ["created"]:
        return Text("A shared goal for your department", f"“{title}”, due {goal.due_date.isoformat()}, was "
                    f"made{by}. It is {status}.", None)
    if changes == ["archived"]:
        return Text("A shared goal was archived", f"“{title}” was archived{by}.", None)
    if changes == ["status"]:
        before = GOAL_STATUS_WORDS.get(str(event_data.get("previous_status")), "")
        was = f" (it was {before})" if before else ""
        return Text(f"A shared goal is now {status}", f"“{title}” is now {status}{was}.", None)
    fields = ", ".join(GOAL_FIELD_WORDS.get(c, c) for c in changes)
    return Text("A shared goal changed", f"“{title}” changed{by} ({fields}). It is {status}.", None)


def webhook_text(event_name: str, data: dict) -> str:
    """The one-line `text` of a Slack-format webhook body (masked like everything else)."""
    point = data.get("pain_point") or {}
    words = point.get("text")
    url = point.get("url") or ""
    if event_name == "pain_point.created":
        return f"New pain point (severity {point.get('severity')}): {words} {url}".strip()
    if event_name == "pain_point.updated":
        return f"Pain point updated ({', '.join(data.get('changes', []))}): {words} {url}".strip()
    if event_name == "pain_point.commented":
        return f"New comment on: {words} {url}".strip()
    if event_name == "pain_point.overdue":
        return f"Overdue since {data.get('due_date')}: {words} {url}".strip()
    if event_name == "visit.finished":
        return f"A {str(data.get('kind', 'visit')).replace('_', ' ')} visit finished"
    if event_name == "goal.updated":
        goal = data.get("goal") or {}
        return f"Shared goal {goal.get('title')!r} ({', '.join(data.get('changes', []))}): {data.get('status')}"
    if event_name == "themes.rebuilt":
        return f"Themes rebuilt: {data.get('themes')} themes over {data.get('pain_points')} pain points"
    return event_name
