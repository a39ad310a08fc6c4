"""The team demo: Анна Новикова (Regions) is on long leave, and her head Игорь Соколов has handed her clients over
to Екатерина Морозова and Сергей Лебедев (one click on the handover's page gives them back); in Moscow Мария
Волкова is away for a week with Алексей Смирнов standing in. On this base a head can hand over, undo, set a
cover and read the discipline figures (idempotent)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from kartoteka.accounts.models import User
from kartoteka.audit.choices import Source
from kartoteka.audit.context import change_context
from kartoteka.handover import services
from kartoteka.handover.models import Cover, Handover

PEOPLE = ("sokolov", "novikova", "morozova", "lebedev", "kuznetsova", "volkova", "smirnov")


def load_team_demo(now: datetime.datetime | None = None) -> int:
    """Create the past handover and the cover unless present. Returns the number of records handed over."""
    users = {u.username: u for u in User.objects.filter(username__in=PEOPLE, is_active=True)}
    if len(users) < len(PEOPLE) or Handover.objects.filter(from_user=users["novikova"]).exists():
        return 0
    today = timezone.localdate(now)
    with change_context(actor=users["sokolov"], source=Source.CLI):
        handover = services.create_handover(actor=users["sokolov"], from_user=users["novikova"],
                                            receivers=[users["morozova"], users["lebedev"]],
                                            reason="Длительный отпуск")
        moved = services.run_handover(handover)
    if not Cover.objects.filter(user=users["volkova"]).exists():
        with change_context(actor=users["kuznetsova"], source=Source.CLI):
            services.set_cover(actor=users["kuznetsova"], user=users["volkova"], substitute=users["smirnov"],
                               starts_on=today - datetime.timedelta(days=1), ends_on=today + datetime.timedelta(days=6),
                               note="Отпуск")
    return moved
