"""The caller's notifications under /api/v1.

No `from __future__ import annotations` here: ninja reads the endpoint annotations.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from kartoteka.api.crud import READ_ERRORS
from kartoteka.api.errors import ErrorOut
from kartoteka.api.pagination import page_of, paginate
from kartoteka.api.schemas import Id
from kartoteka.core.errors import NotVisible
from kartoteka.notifications import schemas, services
from kartoteka.notifications.models import Notification

notifications_router = Router(tags=["Notifications"])
NotificationPage = page_of(schemas.NotificationOut, "NotificationPage")


@notifications_router.get("", response={200: NotificationPage, 401: ErrorOut, 422: ErrorOut},
                          operation_id="notification_list", summary="My notifications, newest first")
def notification_list(request: HttpRequest, filters: Query[schemas.NotificationFilters]) -> Any:
    qs = Notification.objects.filter(recipient=request.user, in_app=True)
    if filters.unread is not None:
        qs = qs.filter(read_at__isnull=filters.unread)
    page = paginate(qs, page=filters.page, page_size=filters.page_size)
    page["items"] = [schemas.notification_out(n) for n in page["items"]]
    return page


@notifications_router.post("/read-all", response={200: schemas.ReadAllOut, 401: ErrorOut, 403: ErrorOut},
                           operation_id="notification_read_all", summary="Mark all my notifications read")
def notification_read_all(request: HttpRequest) -> Any:
    return {"marked": services.mark_all_read(actor=request.user)}


@notifications_router.post("/{pk}/read", response={200: schemas.NotificationOut, 403: ErrorOut, **READ_ERRORS},
                           operation_id="notification_read", summary="Mark one notification read")
def notification_read(request: HttpRequest, pk: Id) -> Any:
    notice = Notification.objects.filter(pk=pk, recipient=request.user).first()
    if notice is None:
        raise NotVisible(Notification, pk)
    return schemas.notification_out(services.mark_read(notice, actor=request.user))
