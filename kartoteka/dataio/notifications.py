"""Who is told about data leaving the base. By e-mail for now: in-app notifications will extend
`notify_export_refused` (the one place that decides who is told and how)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

__all__ = ["notify_export_refused"]


def notify_export_refused(user: Any, *, entity: str, rows: int, used: int, limit: int) -> int:
    """Tell the user's heads and the administrators that `user` tried to export over the daily quota.
    Each gets the mail in their language. Returns the number of mails sent."""
    from kartoteka.accounts.choices import Role
    from kartoteka.accounts.models import User

    recipients = (User.objects.filter(Q(role=Role.ADMIN) | Q(headed_teams__members=user), is_active=True)
                  .exclude(email="").exclude(pk=user.pk).distinct().order_by("id"))
    sent = 0
    for recipient in recipients:
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            subject = _("Kartoteka: export refused for %(user)s") % {"user": user}
            body = _("%(user)s tried to export %(rows)d rows (%(entity)s) but has already exported %(used)d of "
                     "%(limit)d rows today. The export was refused and recorded in the security log.") % {
                "user": user, "rows": rows, "entity": entity, "used": used, "limit": limit}
        sent += send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.email], fail_silently=True)
    return sent
