"""In-app and e-mail notifications of one user."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kartoteka.notifications.choices import NotificationKind

__all__ = ["Notification"]


class Notification(models.Model):
    """Something a user should know about. The text is composed when shown, in the reader's language, from
    `kind` and `params`; `key` makes a notice about the same thing go out once (e.g. one escalation per task
    and deadline)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("recipient"),
                                  on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(gettext_lazy("kind"), max_length=32, choices=NotificationKind.choices)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=500, blank=True)
    key = models.CharField(max_length=200, blank=True)
    in_app = models.BooleanField(default=True)
    created_at = models.DateTimeField(gettext_lazy("created"), auto_now_add=True)
    read_at = models.DateTimeField(gettext_lazy("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = gettext_lazy("notification")
        verbose_name_plural = gettext_lazy("notifications")
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notif_recipient_unread")]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "kind", "key"], condition=~models.Q(key=""),
                                    name="notifications_notification_once_per_key"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The notice in the active language."""
        p = {k: str(v) for k, v in (self.params or {}).items()}
        p.setdefault("task", "")
        p.setdefault("record", "")
        p.setdefault("actor", "")
        p.setdefault("user", "")
        if self.kind == NotificationKind.TASK_ASSIGNED:
            return _("%(actor)s assigned you the task “%(task)s” due %(due)s") % {"due": p.get("due", ""), **p}
        if self.kind == NotificationKind.TASK_DUE:
            return _("The task “%(task)s” is due at %(due)s") % {"due": p.get("due", ""), **p} + self._standing_in(p)
        if self.kind == NotificationKind.TASK_OVERDUE:
            return (_("The task “%(task)s” is overdue (it was due %(due)s)") % {"due": p.get("due", ""), **p}
                    + self._standing_in(p))
        if self.kind == NotificationKind.TASK_ESCALATED:
            return _("%(user)s has not done the task “%(task)s” due %(due)s") % {"due": p.get("due", ""), **p}
        if self.kind == NotificationKind.RECORD_SHARED:
            return _("%(actor)s shared “%(record)s” with you") % p
        if self.kind == NotificationKind.LEAD_ASSIGNED:
            return _("%(actor)s assigned you the lead “%(record)s”") % p
        if self.kind == NotificationKind.DAILY_DIGEST:
            return _("Your day: %(overdue)s overdue, %(today)s due today") % {"overdue": p.get("overdue", "0"),
                                                                               "today": p.get("today", "0")}
        if self.kind == NotificationKind.JOB_FAILED:
            return _("The background job %(job)s failed: %(error)s") % {"job": p.get("job", ""),
                                                                           "error": p.get("error", "")}
        if self.kind == NotificationKind.HANDOVER_RECEIVED:
            return _("%(actor)s handed you records of %(user)s: %(counts)s") % {**p, "counts": self._counts(p)}
        return str(self.get_kind_display())

    @staticmethod
    def _standing_in(p: dict[str, str]) -> str:
        """A reminder sent to a substitute says whose task it is."""
        return " (" + _("you stand in for %(user)s") % {"user": p["for_user"]} + ")" if p.get("for_user") else ""

    @staticmethod
    def _counts(p: dict[str, str]) -> str:
        """"Companies: 3, Contacts: 5" from `counts` ("contacts.company=3;contacts.contact=5"), named in the
        reader's language."""
        from django.apps import apps

        parts = []
        for pair in filter(None, p.get("counts", "").split(";")):
            label, _sep, n = pair.partition("=")
            try:
                name = str(apps.get_model(label)._meta.verbose_name_plural)
            except (LookupError, ValueError):
                name = label
            parts.append(f"{name.capitalize()}: {n}")
        return ", ".join(parts) or "—"
