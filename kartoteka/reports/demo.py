"""Demo data for the segment and demand reports (idempotent), on top of the demo base, deals and catalog:

- regular clients: a dozen companies buying every month for a year — steady (XYZ class X), wavering (Y) and
  seasonal (Z) — so the ABC×XYZ matrix is not all "Z" (the random demo deals give most clients one purchase);
- sales plans: a target for the current and the previous month for every active manager, set by an
  administrator, so the dashboard shows "won X of plan Y";
- unmet demand: managers logging what clients asked for and could not get, mostly the out-of-stock catalog items
  and, as the seeds have it, green vices when the supplier only has brown ones.

Everything goes through the services as the managers would do it; only the dates are moved into the past.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kartoteka.contacts.models import Company
from kartoteka.deals import services as deal_services
from kartoteka.deals.choices import StageKind
from kartoteka.deals.models import Deal, Pipeline, StageChange
from kartoteka.products.demand import record_demand
from kartoteka.products.models import Product, UnmetDemand

__all__ = ["REGULAR_TITLE", "load_plans", "load_reports_demo"]

REGULAR_TITLE = "Ежемесячная поставка"
REPEAT_PIPELINE = "Повторные продажи"  # deals/demo.py
# (profile, how many companies, base monthly amount, relative swing, share of months skipped)
PROFILES = (("steady", 4, 400_000, 0.04, 0.0), ("wavering", 4, 150_000, 0.25, 0.0), ("seasonal", 4, 90_000, 0.3, 0.5))
ASKED = ("Тиски слесарные зелёные 125 мм", "Краска молотковая зелёная", "Перчатки нитриловые, размер XL")


def _month_ago(now: datetime.datetime, months: int, day: int) -> datetime.datetime:
    index = now.year * 12 + now.month - 1 - months
    at = now.replace(year=index // 12, month=index % 12 + 1, day=day, hour=11, minute=0, second=0, microsecond=0)
    return min(at, now)


def load_regular_clients(*, seed: int, now: datetime.datetime) -> int:
    """Monthly won deals for twelve companies. Returns the number of deals created (0 when already there)."""
    if Deal.objects.filter(title__startswith=REGULAR_TITLE).exists():
        return 0
    with_won = Pipeline.objects.filter(active=True, stages__kind=StageKind.WON).order_by("position", "pk")
    pipeline = with_won.filter(name=REPEAT_PIPELINE).first() or with_won.first()
    companies = list(Company.objects.alive().select_related("owner").filter(owner__is_active=True).order_by("pk"))
    if pipeline is None or len(companies) < 12:
        return 0
    rng = random.Random(seed)
    first_stage = pipeline.stages.filter(kind=StageKind.OPEN).order_by("position", "pk").first()
    chosen = iter(rng.sample(companies, 12))
    created = 0
    for _profile, count, base, swing, skip in PROFILES:
        for _ in range(count):
            company = next(chosen)
            for months in range(11, -1, -1):
                if skip and rng.random() < skip:
                    continue
                amount = Decimal(round(base * (1 + rng.uniform(-swing, swing)), -3))
                deal = deal_services.create_deal(actor=company.owner, data={
                    "title": f"{REGULAR_TITLE} — {company.name}"[:255], "pipeline": pipeline.pk,
                    "stage": first_stage.pk, "company": company.pk, "amount": amount, "source": "other"})
                deal_services.win_deal(deal, actor=company.owner)
                at = _month_ago(now, months, rng.randint(2, 26))
                Deal.objects.filter(pk=deal.pk).update(created_at=at - datetime.timedelta(days=3), closed_at=at,
                                                       stage_entered_at=at)
                StageChange.objects.filter(deal=deal).update(at=at)
                created += 1
    return created


def load_unmet_demand(*, seed: int, now: datetime.datetime, entries: int = 40) -> int:
    """Requests that could not be met, logged by the companies' managers over the last four months."""
    if UnmetDemand.objects.exists():
        return 0
    companies = list(Company.objects.alive().select_related("owner").filter(owner__is_active=True).order_by("pk"))
    out_of_stock = list(Product.objects.filter(stock=0, active=True).order_by("sku"))
    if not companies:
        return 0
    rng = random.Random(seed)
    created = 0
    for _ in range(entries):
        company = rng.choice(companies)
        if out_of_stock and rng.random() < 0.55:
            data = {"product": rng.choice(out_of_stock).pk, "quantity": rng.choice([1, 2, 5, 10, 20])}
        else:
            data = {"product_name": rng.choice(ASKED), "quantity": rng.choice([1, 3, 10, 50]),
                    "note": rng.choice(["", "", "Поставщик привозит только коричневые", "Просили к концу месяца"])}
        entry = record_demand(company, actor=company.owner, data=data)
        UnmetDemand.objects.filter(pk=entry.pk).update(
            created_at=now - datetime.timedelta(days=rng.randint(0, 120), hours=rng.randint(0, 8)))
        created += 1
    return created


def load_plans(*, seed: int, now: datetime.datetime) -> int:
    """Plans for the current and the previous month for every active manager who has none yet for that month,
    set by the first administrator through the service. Returns the number of plans created."""
    from kartoteka.accounts.choices import Role
    from kartoteka.accounts.models import User
    from kartoteka.reports.models import SalesPlan
    from kartoteka.reports.plans import set_plan

    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    if admin is None:
        return 0
    this_month = timezone.localtime(now).date().replace(day=1)
    months = ((this_month - datetime.timedelta(days=1)).replace(day=1), this_month)
    rng = random.Random(seed)
    created = 0
    for manager in User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk"):
        have = set(SalesPlan.objects.filter(user=manager, month__in=months).values_list("month", flat=True))
        for month in months:
            amount = Decimal(rng.randrange(8, 41) * 50_000)  # 400 000 – 2 000 000
            if month not in have:
                set_plan(admin, manager, month, amount)
                created += 1
    return created


def load_reports_demo(*, seed: int = 2026, now: datetime.datetime | None = None) -> tuple[int, int, int]:
    """(regular deals, unmet-demand entries, sales plans) created."""
    now = now or timezone.now()
    with transaction.atomic():
        return (load_regular_clients(seed=seed, now=now), load_unmet_demand(seed=seed, now=now),
                load_plans(seed=seed, now=now))
