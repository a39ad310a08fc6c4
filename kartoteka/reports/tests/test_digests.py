"""Scheduled report digests delivered to a real SMTP server: once per period, in the recipient's language."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from kartoteka.deals import services as deal_services
from kartoteka.notifications.tests.conftest import smtp_server  # noqa: F401 - the real SMTP server fixture
from kartoteka.reports.digests import finished_period, send_report_digests, set_frequency

pytestmark = pytest.mark.django_db(transaction=True)


def test_finished_periods():
    monday = datetime.date(2026, 11, 23)
    assert finished_period("daily", monday) == (datetime.date(2026, 11, 22),) * 2
    assert finished_period("weekly", monday) == (datetime.date(2026, 11, 16), datetime.date(2026, 11, 22))
    assert finished_period("weekly", monday + datetime.timedelta(days=1)) is None
    assert finished_period("monthly", datetime.date(2026, 12, 1)) == (datetime.date(2026, 11, 1),
                                                                      datetime.date(2026, 11, 30))
    assert finished_period("quarterly", datetime.date(2026, 10, 1)) == (datetime.date(2026, 7, 1),
                                                                        datetime.date(2026, 9, 30))


def test_a_daily_digest_goes_once_in_russian_with_yesterdays_figures(smtp_server, settings, owner, make_deal,  # noqa: F811
                                                                     pipeline):
    settings.DIGEST_HOUR = 0
    type(owner).objects.filter(pk=owner.pk).update(email="owner@example.ru", language="ru")
    owner.refresh_from_db()
    set_frequency(owner, "daily")
    deal = make_deal(owner, amount=700)
    deal_services.win_deal(deal, actor=owner)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    type(deal).objects.filter(pk=deal.pk).update(closed_at=yesterday, created_at=yesterday)

    assert send_report_digests() == 1
    assert send_report_digests() == 0  # the same period is not sent twice

    (recipients, message), = smtp_server.received
    body = message.get_payload(decode=True).decode("utf-8")
    assert recipients == ["owner@example.ru"]
    assert "Выиграно, сумма: 700 RUB" in body and "/reports/?period=custom" in body
