"""HTTP for the inbox (/api/notifications), people's choices (/api/me/notification-settings), webhooks and the
admins' view of failed deliveries."""

import html
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import HTMLResponse

from api.auth.deps import AdminUser, CurrentUser
from api.db import SessionDep
from api.errors import error_responses
from api.messages import inbox, webhooks
from api.messages.models import Delivery, Kind
from api.messages.schemas import (
    DeliveryPublic,
    MarkRead,
    NotificationPage,
    NotificationPublic,
    NotificationSettings,
    NotificationSettingsChange,
    UnreadCount,
    WebhookCreate,
    WebhookPublic,
)

router = APIRouter(tags=["messages"])


@router.get("/notifications", response_model=NotificationPage, responses=error_responses(401, 422),
            summary="The caller's inbox, newest first, with the unread count")
def list_notifications(session: SessionDep, user: CurrentUser, cursor: str | None = None,
                       limit: Annotated[int, Query(ge=1, le=200)] = 50) -> NotificationPage:
    rows, unread, next_cursor = inbox.page(session=session, user=user, cursor=cursor, limit=limit)
    return NotificationPage(items=[NotificationPublic.model_validate(r, from_attributes=True) for r in rows],
                            unread=unread, next_cursor=next_cursor)


@router.post("/notifications/read", response_model=UnreadCount, responses=error_responses(401, 422),
             summary="Mark some of the caller's messages read (ids) or all of them (all: true)")
def mark_read(session: SessionDep, user: CurrentUser, body: MarkRead) -> UnreadCount:
    return UnreadCount(unread=inbox.mark_read(session=session, user=user, ids=body.ids, everything=body.all))


@router.post("/notifications/unsubscribe", status_code=204, responses=error_responses(403, 422),
             summary="One-click unsubscribe from one kind of e-mail (the List-Unsubscribe link; no sign-in)")
def unsubscribe(session: SessionDep, user: uuid.UUID, kind: str, token: Annotated[str, Query(max_length=100)]
                ) -> Response:
    inbox.unsubscribe(session=session, user_id=user, kind=kind, token=token)
    return Response(status_code=204)


@router.get("/notifications/unsubscribe", response_class=HTMLResponse,
            summary="A page with one button that unsubscribes (opening a link never changes anything)")
def unsubscribe_page(user: uuid.UUID, kind: Kind, token: Annotated[str, Query(max_length=100)]) -> HTMLResponse:
    e = html.escape
    action = f"/api/notifications/unsubscribe?user={e(str(user))}&amp;kind={e(kind.value)}&amp;token={e(token)}"
    return HTMLResponse(f"<!doctype html><title>Unsubscribe</title><form method=post action=\"{action}\">"
                        f"<p>Stop e-mails about “{e(kind.value.replace('_', ' '))}”?</p>"
                        "<button>Unsubscribe</button></form>")


@router.get("/me/notification-settings", response_model=NotificationSettings, responses=error_responses(401),
            summary="Which kinds of message reach the caller on which channel")
def get_settings(session: SessionDep, user: CurrentUser) -> dict:
    return inbox.choices(session=session, user=user)


@router.put("/me/notification-settings", response_model=NotificationSettings, responses=error_responses(401, 422),
            summary="Change the caller's choices (the kinds and channels sent change; the rest stay)")
def put_settings(session: SessionDep, user: CurrentUser, body: NotificationSettingsChange) -> dict:
    changes = {kind.value: c.model_dump(exclude_none=True) for kind, c in body.items()}
    return inbox.change_choices(session=session, user=user, changes=changes)


@router.post("/webhooks", response_model=WebhookPublic, status_code=201, responses=error_responses(401, 403, 422),
             summary="Subscribe a URL to events (admin); bodies are signed with the secret")
def create_webhook(session: SessionDep, admin: AdminUser, body: WebhookCreate) -> WebhookPublic:
    hook = webhooks.create_webhook(session=session, admin=admin, url=body.url, events=body.events,
                                   secret=body.secret, format=body.format)
    return WebhookPublic.model_validate(hook, from_attributes=True)


@router.get("/webhooks", response_model=list[WebhookPublic], responses=error_responses(401, 403),
            summary="Webhooks (admin); secrets are never shown again")
def list_webhooks(session: SessionDep, _: AdminUser) -> list[WebhookPublic]:
    return [WebhookPublic.model_validate(h, from_attributes=True) for h in webhooks.list_webhooks(session=session)]


@router.delete("/webhooks/{webhook_id}", status_code=204, responses=error_responses(401, 403, 404),
               summary="Delete a webhook (admin): nothing more is sent to it, from this moment")
def delete_webhook(session: SessionDep, _: AdminUser, webhook_id: uuid.UUID) -> Response:
    webhooks.delete_webhook(session=session, webhook_id=webhook_id)
    return Response(status_code=204)


def _delivery_public(d: Delivery, log: list) -> DeliveryPublic:
    return DeliveryPublic(id=d.id, channel=d.channel, event=d.event_name, status=d.status, attempts=d.attempts,
                          created_at=d.created_at, next_attempt_at=d.next_attempt_at if d.status == "pending" else None,
                          sent_at=d.sent_at, last_status_code=d.last_status_code, last_error=d.last_error,
                          log=[a.model_dump() for a in log])


@router.get("/webhooks/{webhook_id}/deliveries", response_model=list[DeliveryPublic],
            responses=error_responses(401, 403, 404),
            summary="A webhook's latest deliveries with every attempt's status code and time (admin)")
def list_deliveries(session: SessionDep, _: AdminUser, webhook_id: uuid.UUID) -> list[DeliveryPublic]:
    return [_delivery_public(d, log) for d, log in webhooks.deliveries(session=session, webhook_id=webhook_id)]


@router.post("/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", response_model=DeliveryPublic,
             status_code=202, responses=error_responses(401, 403, 404, 409),
             summary="Send a delivery again, with the same delivery id (admin)")
def redeliver(session: SessionDep, _: AdminUser, webhook_id: uuid.UUID, delivery_id: uuid.UUID) -> DeliveryPublic:
    return _delivery_public(webhooks.redeliver(session=session, webhook_id=webhook_id, delivery_id=delivery_id), [])


@router.get("/deliveries", response_model=list[DeliveryPublic], responses=error_responses(401, 403),
            summary="E-mail and webhook deliveries by status, newest first (admin): failed ones by default")
def failed_deliveries(session: SessionDep, _: AdminUser, status: str = "failed",
                      limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[DeliveryPublic]:
    return [_delivery_public(d, []) for d in webhooks.by_status(session=session, status=status, limit=limit)]
