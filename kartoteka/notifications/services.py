"""Every write to notifications, and the one function that decides who is told what and how: notify().

Each user chooses, per kind, in-app and/or e-mail (User.preferences["notifications"]); e-mail goes out from a
background job after the transaction commits, in the recipient's language. Other apps call the notify_* helpers;
`notify_lead_assigned` is the hook the leads app calls when a lead gets a new responsible.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kartoteka.core.errors import AccessDenied
from kartoteka.notifications.choices import DEFAULT_CHANNELS, Channel, NotificationKind
from kartoteka.notifications.models import Notification

__all__ = [
    "channels_for", "mark_all_read", "mark_read", "notify", "notify_job_failed", "notify_lead_assigned",
    "notify_record_shared", "notify_task_assigned", "reminder_minutes", "set_preferences",
]

MAX_REMINDER_MINUTES = 24 * 60


def channels_for(user: Any, kind: str) -> set[str]:
    """The channels `user` wants notices of `kind` on."""
    chosen = ((user.preferences or {}).get("notifications") or {}).get(kind)
    if isinstance(chosen, list):
        return {c for c in chosen if c in Channel.values}
    return set(DEFAULT_CHANNELS.get(kind, (Channel.APP,)))


def reminder_minutes(user: Any) -> int:
    """How long before a task's deadline the user is reminded (TASK_REMINDER_MINUTES unless they chose)."""
    value = ((user.preferences or {}).get("notifications") or {}).get("remind_minutes")
    return int(value) if isinstance(value, int) and value > 0 else settings.TASK_REMINDER_MINUTES


def set_preferences(user: Any, *, actor: Any, channels: dict[str, list[str]], remind_minutes: int | None) -> None:
    """A user's own choice of channels per kind and of the reminder lead time."""
    if actor.pk != user.pk:
        raise AccessDenied()
    errors: dict[str, list[str]] = {}
    chosen: dict[str, Any] = {}
    for kind, values in channels.items():
        if kind not in NotificationKind.values or any(v not in Channel.values for v in values):
            errors[kind] = [_("Unknown kind or channel.")]
        else:
            chosen[kind] = sorted(set(values))
    if remind_minutes is not None:
        if not 1 <= int(remind_minutes) <= MAX_REMINDER_MINUTES:
            errors["remind_minutes"] = [_("Enter a number from 1 to %(max)d.") % {"max": MAX_REMINDER_MINUTES}]
        else:
            chosen["remind_minutes"] = int(remind_minutes)
    if errors:
        raise ValidationError(errors)
    preferences = dict(user.preferences or {})
    preferences["notifications"] = {**(preferences.get("notifications") or {}), **chosen}
    user.preferences = preferences
    user.save(update_fields=["preferences"])


def notify(recipient: Any, kind: str, *, params: dict[str, Any], url: str = "", key: str = "") -> Notification | None:
    """Tell `recipient` about something, on the channels they chose. With `key`, at most once per
    (recipient, kind, key): a second call returns None. E-mail is queued after the transaction commits."""
    if recipient is None or not recipient.is_active:
        return None
    channels = channels_for(recipient, kind)
    if not channels:
        return None
    if key and Notification.objects.filter(recipient=recipient, kind=kind, key=key).exists():
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient, kind=kind, params={k: str(v) for k, v in params.items()}, url=url, key=key,
                in_app=Channel.APP in channels)
    except IntegrityError:  # a concurrent worker told them first
        return None
    if Channel.EMAIL in channels and recipient.email:
        from kartoteka.core.jobs import enqueue_on_commit
        from kartoteka.notifications.tasks import send_notification_email

        enqueue_on_commit(send_notification_email, notification.pk)
    return notification


def mark_read(notification: Notification, *, actor: Any) -> Notification:
    if notification.recipient_id != actor.pk:
        raise AccessDenied()
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(*, actor: Any) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


def format_due(task: Any) -> str:
    local = timezone.localtime(task.due_at)
    return local.strftime("%d.%m.%Y") if task.all_day else local.strftime("%d.%m.%Y %H:%M")


def notify_task_assigned(task: Any, *, actor: Any) -> Notification | None:
    return notify(task.owner, NotificationKind.TASK_ASSIGNED, url=task.get_absolute_url(),
                  params={"task": task.title, "actor": actor, "due": format_due(task)})


def notify_record_shared(record: Any, *, actor: Any, user: Any) -> Notification | None:
    return notify(user, NotificationKind.RECORD_SHARED, url=record.get_absolute_url(),
                  params={"record": record, "actor": actor})


def notify_lead_assigned(lead: Any, *, actor: Any) -> Notification | None:
    """The hook for the leads app: call it after a lead gets a new responsible (lead.owner)."""
    return notify(lead.owner, NotificationKind.LEAD_ASSIGNED, url=lead.get_absolute_url(),
                  params={"record": lead, "actor": actor})


def notify_job_failed(job: str, error: str) -> int:
    """Tell every administrator that a background job failed for good (its retries used up)."""
    from kartoteka.accounts.models import User

    admins = User.objects.filter(is_active=True).filter(role="admin") | User.objects.filter(is_active=True,
                                                                                             is_superuser=True)
    sent = 0
    for admin in admins.distinct():
        sent += notify(admin, NotificationKind.JOB_FAILED, params={"job": job, "error": error[:300]}) is not None
    return sent
