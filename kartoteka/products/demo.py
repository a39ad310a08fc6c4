"""The demo catalog behind `kartoteka demo`: about twenty products of an equipment supplier, some out of stock with
a lead time, and product lines on some open demo deals whose amounts then follow their lines (idempotent).

Everything is written through the services, as a head of sales would do it, so the audit trail is the real one.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from django.db import transaction

from kartoteka.accounts import permissions
from kartoteka.accounts.choices import Role
from kartoteka.accounts.models import User
from kartoteka.deals import lines
from kartoteka.deals import services as deal_services
from kartoteka.deals.choices import StageKind
from kartoteka.deals.models import Deal, DealLine
from kartoteka.products import services
from kartoteka.products.choices import Unit
from kartoteka.products.models import Product

__all__ = ["CATALOG", "load_catalog_demo", "load_lines_demo"]

# sku, name, unit, price, VAT % (None: not subject to VAT), stock, lead time in days, description
CATALOG: tuple[tuple[Any, ...], ...] = (
    ("ST-16K", "Станок токарный СТ-16К", Unit.PIECE, "1850000", 22, "2", 45,
     "Наибольший диаметр обработки 400 мм, расстояние между центрами 1000 мм."),
    ("FS-450", "Станок фрезерный консольный ФС-450", Unit.PIECE, "2340000", 22, "0", 60,
     "Рабочий стол 1250 × 320 мм, ЧПУ по запросу."),
    ("KMP-7.5", "Компрессор винтовой КМП-7,5", Unit.PIECE, "412000", 22, "5", 21, "7,5 кВт, 1,2 м³/мин, 10 бар."),
    ("GD-10", "Генератор дизельный 10 кВт", Unit.PIECE, "689000", 22, "0", 30, "Кожух, автозапуск, 380 В."),
    ("PE-2000", "Погрузчик электрический 2 т", Unit.PIECE, "2950000", 22, "1", 90, "Высота подъёма 4,5 м."),
    ("NI-108", "Набор инструмента, 108 предметов", Unit.SET, "12700", 22, "6", 14, ""),
    ("SH-18V", "Шуруповёрт аккумуляторный 18 В", Unit.PIECE, "8900", 22, "14", 7, "Два аккумулятора и зарядное устройство."),
    ("USHM-125", "Угловая шлифмашина 125 мм", Unit.PIECE, "6400", 22, "3", 7, ""),
    ("6205-2RS", "Подшипник шариковый 6205-2RS", Unit.PIECE, "420", 22, "1200", 7, ""),
    ("A-1250", "Ремень клиновой А-1250", Unit.PIECE, "380", 22, "0", 14, ""),
    ("FV-KMP", "Фильтр воздушный для компрессора КМП", Unit.PIECE, "2300", 22, "0", None,
     "Поставщик уточняет срок поставки."),
    ("I-40A", "Масло индустриальное И-40А", Unit.LITRE, "185", 22, "600", 10, "Канистры по 20 л."),
    ("OK-46-3", "Электроды сварочные ОК-46, 3 мм", Unit.KILOGRAM, "290", 22, "250", 5, ""),
    ("VVG-3X2.5", "Кабель ВВГнг-LS 3×2,5", Unit.METRE, "96.50", 22, "3500", 10, ""),
    ("LG-2", "Лист стальной горячекатаный 2 мм", Unit.TONNE, "78000", 22, "12.5", 20, "Сталь Ст3сп, лист 1250 × 2500 мм."),
    ("PR-10", "Перчатки рабочие х/б с ПВХ, упаковка 10 пар", Unit.PACK, "650", 22, "0", 3, ""),
    ("KRT-1Y", "Лицензия «Картотека», рабочее место на год", Unit.LICENCE, "14400", None, "1000", None,
     "Программа в реестре российского ПО: НДС не облагается."),
    ("SRV-MONT", "Монтаж оборудования", Unit.HOUR, "3200", 22, "10000", None, "Выезд бригады из двух человек."),
    ("SRV-PNR", "Пусконаладочные работы", Unit.SERVICE, "45000", 22, "10000", None, ""),
    ("SRV-EDU", "Обучение персонала, группа до 10 человек", Unit.SERVICE, "60000", 22, "10000", None, ""),
    ("SRV-TO", "Техническое обслуживание, годовой договор", Unit.SERVICE, "180000", 22, "10000", None, ""),
    ("1K62", "Станок токарно-винторезный 1К62 (снят с производства)", Unit.PIECE, "1200000", 22, "0", None,
     "Больше не поставляется: остаётся в старых сделках."),
)
INACTIVE = {"1K62"}
LINED_DEALS = 40


def catalog_actor() -> User | None:
    """Who enters the catalog: an administrator, else a head of sales (when heads may edit the catalog)."""
    candidates = User.objects.filter(is_active=True, role__in=[Role.ADMIN, Role.HEAD]).order_by("role", "pk")
    return next((u for u in candidates if permissions.can_manage_catalog(u)), None)


def load_catalog_demo() -> int:
    """Create the demo products whose SKU is not in the catalog yet. Returns the number created."""
    actor = catalog_actor()
    if actor is None:
        return 0
    existing = set(Product.objects.filter(sku__in=[row[0] for row in CATALOG]).values_list("sku", flat=True))
    created = 0
    with transaction.atomic():
        for sku, name, unit, price, vat, stock, lead, description in CATALOG:
            if sku in existing:
                continue
            services.create_product(actor=actor, data={
                "sku": sku, "name": name, "unit": unit, "price": price, "vat_rate": vat, "stock": stock,
                "lead_time_days": lead, "description": description, "active": sku not in INACTIVE,
            })
            created += 1
    return created


def load_lines_demo(*, seed: int = 2026, deals: int = LINED_DEALS) -> int:
    """Put one to four products on some open demo deals and let most of those amounts follow the lines.
    Does nothing once any deal has lines. Returns the number of deals given lines."""
    if DealLine.objects.exists():
        return 0
    products = list(Product.objects.active().filter(sku__in=[row[0] for row in CATALOG]).order_by("sku"))
    candidates = list(Deal.objects.alive().filter(stage__kind=StageKind.OPEN).select_related("owner").order_by("pk"))
    if not products or not candidates:
        return 0
    rng = random.Random(seed)
    chosen = rng.sample(candidates, min(deals, len(candidates)))
    with transaction.atomic():
        for deal in chosen:
            for product in rng.sample(products, rng.randint(1, 4)):
                big = product.price >= 100_000
                lines.add_line(deal, actor=deal.owner, data={
                    "product": product.pk,
                    "quantity": rng.randint(1, 3) if big else rng.choice([5, 10, 20, 50, 100]),
                    "discount": rng.choice([Decimal(0), Decimal(0), Decimal(5), Decimal("7.5"), Decimal(10)]),
                })
            if rng.random() < 0.75:
                deal_services.update_deal(Deal.objects.get(pk=deal.pk), actor=deal.owner,
                                          data={"amount_from_lines": True})
    return len(chosen)
