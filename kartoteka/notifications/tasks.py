"""Background jobs of notifications: the e-mail of one notice (retried when the mail server fails)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from kartoteka.notifications.models import Notification


@db_task(retries=3, retry_delay=60)
def send_notification_email(notification_id: int) -> bool:
    """Send one notification by e-mail, in the recipient's language, once."""
    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at is not None or not notification.recipient.email:
        return False
    recipient = notification.recipient
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        text = notification.text
        subject = f"{_('Kartoteka')}: {text}"[:200]
        link = f"{settings.SITE_URL.rstrip('/')}{notification.url}" if notification.url else settings.SITE_URL
        body = "\n\n".join([text, _("Open: %(link)s") % {"link": link},
                            _("You get this e-mail because of your notification settings in Kartoteka.")])
    send_mail(subject.replace("\n", " "), body, settings.DEFAULT_FROM_EMAIL, [recipient.email])
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True
