"""Demo pipelines, lost reasons and ~300 deals with stage histories spread over months (idempotent)."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kartoteka.activities.models import Activity
from kartoteka.contacts.models import Company
from kartoteka.deals import services
from kartoteka.deals.choices import StageKind
from kartoteka.deals.models import Deal, LostReason, Pipeline, Stage, StageChange

OPEN, WON, LOST = StageKind.OPEN, StageKind.WON, StageKind.LOST
PIPELINES = [
    ("Новые продажи", [("Квалификация", 10, OPEN, []), ("Встреча", 30, OPEN, []),
                       ("Предложение", 50, OPEN, ["amount"]), ("Переговоры", 70, OPEN, ["amount"]),
                       ("Счёт выставлен", 90, OPEN, ["amount", "expected_close_date"]),
                       ("Успешно", 100, WON, []), ("Закрыто и не реализовано", 0, LOST, [])]),
    ("Повторные продажи", [("Потребность", 40, OPEN, []), ("Коммерческое предложение", 70, OPEN, ["amount"]),
                           ("Счёт выставлен", 90, OPEN, ["amount"]), ("Успешно", 100, WON, []),
                           ("Закрыто и не реализовано", 0, LOST, [])]),
    ("Тендеры", [("Изучение документации", 10, OPEN, []), ("Заявка подана", 30, OPEN, ["amount"]),
                 ("Торги", 50, OPEN, ["amount"]), ("Контракт", 90, OPEN, ["amount"]), ("Выигран", 100, WON, []),
                 ("Проигран", 0, LOST, [])]),
]
LOST_REASONS = ["Дорого", "Выбрали конкурента", "Нет бюджета", "Не отвечает"]
PRODUCTS = ["Поставка оборудования", "Внедрение CRM", "Обслуживание", "Лицензии", "Поставка расходников",
            "Монтаж", "Консалтинг", "Обучение персонала", "Аренда техники", "Запчасти"]


def deals_present() -> bool:
    return Pipeline.objects.filter(name=PIPELINES[0][0]).exists()


def load_deals_demo(*, deals: int = 300, seed: int = 2026, now: datetime.datetime | None = None) -> int:
    """Create the demo pipelines and deals unless present. Returns the number of deals created."""
    if deals_present():
        return 0
    rng = random.Random(seed)
    now = now or timezone.now()
    with transaction.atomic():
        pipelines = []
        for p_pos, (name, stages) in enumerate(PIPELINES, start=1):
            pipeline = Pipeline.objects.create(name=name, position=p_pos * 10)
            for s_pos, (s_name, probability, kind, required) in enumerate(stages, start=1):
                Stage.objects.create(pipeline=pipeline, name=s_name, position=s_pos * 10, probability=probability,
                                     kind=kind, required_fields=required, rotting_days=14 if kind == OPEN else None,
                                     checklist="Позвонить клиенту\nОтправить материалы" if s_pos == 2 else "")
            pipelines.append(pipeline)
        reasons = [LostReason.objects.get_or_create(name=n, defaults={"position": i * 10})[0]
                   for i, n in enumerate(LOST_REASONS, start=1)]
        companies = list(Company.objects.alive().select_related("owner").order_by("pk"))
        if not companies:
            return 0
        created = 0
        for _ in range(deals):
            company = rng.choice(companies)
            pipeline = rng.choices(pipelines, weights=[6, 3, 1])[0]
            stages = list(pipeline.stages.all())
            open_stages = [s for s in stages if s.kind == OPEN]
            actor = company.owner
            start = now - datetime.timedelta(days=rng.randint(5, 330))
            deal = services.create_deal(actor=actor, data={
                "title": f"{rng.choice(PRODUCTS)} — {company.name}"[:255], "stage": open_stages[0].pk,
                "company": company.pk, "amount": Decimal(rng.randrange(20, 3000) * 1000),
                "expected_close_date": (start + datetime.timedelta(days=rng.randint(20, 120))).date(),
                "source": rng.choice(["website", "phone", "referral", "event", "cold", "email"]),
            })
            outcome = rng.random()
            target_index = rng.randrange(len(open_stages))
            path = open_stages[1:target_index + 1]
            at = start
            times = [at]
            for stage in path:
                services.move_deal(deal, actor=actor, stage=stage)
                at += datetime.timedelta(days=rng.randint(2, 25), hours=rng.randint(0, 12))
                times.append(at)
            if outcome < 0.25:
                services.win_deal(deal, actor=actor)
                at += datetime.timedelta(days=rng.randint(1, 15))
                times.append(at)
            elif outcome < 0.45:
                services.lose_deal(deal, actor=actor, reason=rng.choice(reasons))
                at += datetime.timedelta(days=rng.randint(1, 15))
                times.append(at)
            _backdate(deal, [min(t, now) for t in times])
            created += 1
    return created


def _backdate(deal: Deal, times: list[datetime.datetime]) -> None:
    """Spread the deal's history over the drawn times (services stamp everything with 'now')."""
    entries = list(StageChange.objects.filter(deal=deal).order_by("at", "id"))
    previous = None
    for entry, at in zip(entries, times, strict=False):
        seconds = int((at - previous).total_seconds()) if previous else None
        StageChange.objects.filter(pk=entry.pk).update(at=at, seconds_in_previous=seconds)
        Activity.objects.filter(deal=deal, occurred_at=entry.at).update(occurred_at=at)
        previous = at
    last = times[len(entries) - 1] if entries else times[0]
    closed = Deal.objects.filter(pk=deal.pk).values_list("closed_at", flat=True).first()
    Deal.objects.filter(pk=deal.pk).update(created_at=times[0], stage_entered_at=last,
                                           closed_at=last if closed else None)
