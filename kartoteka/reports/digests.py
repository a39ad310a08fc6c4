"""Scheduled report digests: each user who asked for one gets, by e-mail, the dashboard figures of the period
that just ended (daily, weekly, monthly or quarterly) — their own, a head their teams' — in their language, with
a link to the live report. The hourly job sends each digest once (the period sent is remembered)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kartoteka.accounts.models import User
from kartoteka.reports import dashboard
from kartoteka.reports.scope import Scope

FREQUENCIES = {"": gettext_lazy("Never"), "daily": gettext_lazy("Every day"), "weekly": gettext_lazy("Every week"),
               "monthly": gettext_lazy("Every month"), "quarterly": gettext_lazy("Every quarter")}
PREFERENCE, SENT = "report_digest", "report_digest_sent"


def finished_period(frequency: str, today: datetime.date) -> tuple[datetime.date, datetime.date] | None:
    """The period of this frequency that ended yesterday, or None if none ended (e.g. weekly, not a Monday)."""
    yesterday = today - datetime.timedelta(days=1)
    if frequency == "daily":
        return yesterday, yesterday
    if frequency == "weekly" and today.weekday() == 0:
        return today - datetime.timedelta(days=7), yesterday
    if frequency == "monthly" and today.day == 1:
        return yesterday.replace(day=1), yesterday
    if frequency == "quarterly" and today.day == 1 and today.month in (1, 4, 7, 10):
        return (yesterday.replace(day=1) - datetime.timedelta(days=62)).replace(day=1), yesterday
    return None


def set_frequency(user: User, frequency: str) -> None:
    if frequency not in FREQUENCIES:
        from django.core.exceptions import ValidationError

        raise ValidationError({"frequency": _("Choose how often.")})
    preferences = dict(user.preferences or {})
    preferences[PREFERENCE] = frequency
    User.objects.filter(pk=user.pk).update(preferences=preferences)
    user.preferences = preferences


def send_report_digests(now: datetime.datetime | None = None) -> int:
    """From DIGEST_HOUR on: send every digest whose period ended yesterday and has not been sent. Returns the count."""
    local = timezone.localtime(now or timezone.now())
    if local.hour < settings.DIGEST_HOUR:
        return 0
    sent = 0
    for user in User.objects.filter(is_active=True).exclude(email="").filter(preferences__has_key=PREFERENCE):
        frequency = (user.preferences or {}).get(PREFERENCE) or ""
        period = finished_period(frequency, local.date()) if frequency else None
        if period is None:
            continue
        key = f"{frequency}:{period[0].isoformat()}"
        if (user.preferences or {}).get(SENT) == key:
            continue
        _send(user, *period)
        preferences = {**(user.preferences or {}), SENT: key}
        User.objects.filter(pk=user.pk).update(preferences=preferences)
        sent += 1
    return sent


def _send(user: User, start: datetime.date, end: datetime.date) -> None:
    scope = Scope(user=user, start=start, end=end, period="custom")
    rows = dashboard.people(scope, by_team=user.is_admin)
    totals = {key: sum(r[key] for r in rows) for key in ("received", "created", "won_n", "won_sum", "weighted")}
    link = f"{settings.SITE_URL.rstrip('/')}/reports/?{scope.query()}"
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context: dict[str, Any] = {"user": user, "start": start, "end": end, "rows": rows, "totals": totals,
                                   "link": link, "currency": settings.DEFAULT_CURRENCY}
        subject = _("Kartoteka: your figures for %(start)s – %(end)s") % {
            "start": start.strftime("%d.%m.%Y"), "end": end.strftime("%d.%m.%Y")}
        body = render_to_string("reports/digest.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
