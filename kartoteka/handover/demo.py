"""The team demo: a manager who left (Павел Зайцев, Regions) whose clients the head handed over to two colleagues
before deactivating him, and a temporary cover in Moscow (Мария Волкова is away, Алексей Смирнов stands in).
The head can hand over, undo, set a cover and read the discipline figures on this base (idempotent)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from kartoteka.accounts.models import User
from kartoteka.accounts.services import create_user
from kartoteka.audit.choices import Source
from kartoteka.audit.context import change_context
from kartoteka.contacts import services as contacts
from kartoteka.contacts.demo import DEMO_PASSWORD
from kartoteka.contacts.demo_data import TEAM_REGIONS
from kartoteka.handover import services
from kartoteka.handover.models import Cover
from kartoteka.tasks import services as tasks

LEAVER = ("zaitsev", "Павел", "Зайцев")
CLIENTS = [("ООО «Северный ветер»", "Олег", "Гаврилов"), ("АО «Уралхимснаб»", "Ирина", "Павлова"),
           ("ООО «Томские окна»", "Виктор", "Ершов"), ("ИП Карпова", "Наталья", "Карпова"),
           ("ООО «Волга-Логистик»", "Семён", "Блинов"), ("ООО «Кубань Агро»", "Людмила", "Фомина")]


def load_team_demo(now: datetime.datetime | None = None) -> int:
    """Create the past handover and the cover unless present. Returns the number of records handed over."""
    users = {u.username: u for u in User.objects.filter(username__in=["sokolov", "morozova", "lebedev",
                                                                      "kuznetsova", "smirnov", "volkova"])}
    if len(users) < 6 or User.objects.filter(username=LEAVER[0]).exists():
        return 0
    now = now or timezone.now()
    head = users["sokolov"]
    leaver = create_user(username=LEAVER[0], role="manager", password=DEMO_PASSWORD, teams=[TEAM_REGIONS],
                         first_name=LEAVER[1], last_name=LEAVER[2], email=f"{LEAVER[0]}@example.com",
                         check_password=False)
    with change_context(actor=leaver, source=Source.CLI):
        for i, (name, first, last) in enumerate(CLIENTS):
            company = contacts.create_company(actor=leaver, data={"name": name, "status": "active"})
            contacts.create_contact(actor=leaver, data={"first_name": first, "last_name": last,
                                                        "company": company.pk})
            tasks.create_task(actor=leaver, data={"title": "Позвонить по продлению договора", "company": company.pk,
                                                  "due_at": (now + datetime.timedelta(days=i + 1)).isoformat()})
    with change_context(actor=head, source=Source.CLI):
        handover = services.create_handover(actor=head, from_user=leaver, receivers=[users["morozova"],
                                                                                       users["lebedev"]],
                                            reason="Увольнение")
        moved = services.run_handover(handover)
        services.deactivate_user(actor=head, user=leaver)
        today = timezone.localdate(now)
        if not Cover.objects.filter(user=users["volkova"]).exists():
            services.set_cover(actor=users["kuznetsova"], user=users["volkova"], substitute=users["smirnov"],
                               starts_on=today - datetime.timedelta(days=1), ends_on=today + datetime.timedelta(days=6),
                               note="Отпуск")
    return moved
