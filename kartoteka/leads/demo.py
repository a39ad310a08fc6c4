"""Demo web forms, team distribution, an absence and ~60 leads in every status (idempotent).

Leads arrive through the same intake path as a real web form (distribution included); some are then taken,
converted or disqualified through the services, so the inbox, the lead list and the timelines look lived-in.
"""

from __future__ import annotations

import datetime
import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kartoteka.accounts.choices import Role
from kartoteka.accounts.models import Team, User
from kartoteka.activities.models import Activity
from kartoteka.audit.choices import Source as ChangeSource
from kartoteka.audit.context import change_context
from kartoteka.contacts.models import Company, Contact
from kartoteka.deals.models import Deal, Pipeline, StageChange
from kartoteka.leads import services
from kartoteka.leads.choices import AssignmentRule, LeadSource
from kartoteka.leads.models import Absence, Lead, TeamDistribution, WebForm

FORM_FIELDS = [
    {"name": "name", "label": "Имя", "target": "name", "required": True},
    {"name": "phone", "label": "Телефон", "target": "phone", "required": True},
    {"name": "email", "label": "E-mail", "target": "email", "required": False},
    {"name": "company", "label": "Компания", "target": "company_name", "required": False},
    {"name": "message", "label": "Сообщение", "target": "message", "required": False},
]
FIRST_NAMES = ["Алексей", "Марина", "Дмитрий", "Ольга", "Игорь", "Светлана", "Павел", "Екатерина", "Роман", "Юлия"]
COMPANIES = ["ООО «Северный ветер»", "АО «Техностиль»", "ИП Кузнецов", "ООО «Агромир»", "ООО «Бетон-Сервис»",
             "ООО «Лаборатория вкуса»", "", "", ""]
MESSAGES = ["Нужен расчёт стоимости поставки", "Перезвоните, пожалуйста, после обеда", "Интересует обслуживание",
            "Хотим обучение для 10 сотрудников", "Пришлите коммерческое предложение", "Сколько стоит внедрение?"]
CAMPAIGNS = [("yandex", "cpc", "spring_sale"), ("google", "cpc", "brand"), ("vk", "social", "retarget"),
             ("", "", "")]
DISQUALIFY = ["Спам", "Ошибся номером", "Нет бюджета"]


def leads_present() -> bool:
    return WebForm.objects.filter(name="Заявка с сайта").exists()


def load_leads_demo(*, leads: int = 60, seed: int = 2026, now: datetime.datetime | None = None) -> int:
    """Create the demo forms and leads unless present. Returns the number of leads created."""
    teams = list(Team.objects.order_by("id"))
    if leads_present() or not teams:
        return 0
    rng = random.Random(seed)
    now = now or timezone.now()
    with transaction.atomic():
        pipeline = Pipeline.objects.order_by("position", "id").first()
        site = WebForm.objects.create(name="Заявка с сайта", fields=FORM_FIELDS, team=teams[0], pipeline=pipeline,
                                      success_message="Спасибо! Менеджер перезвонит в течение часа.")
        forms = [site]
        if len(teams) > 1:
            forms.append(WebForm.objects.create(
                name="Форма «Регионы»", fields=FORM_FIELDS[:3] + FORM_FIELDS[4:], team=teams[1], pipeline=pipeline))
            TeamDistribution.objects.create(team=teams[1], rule=AssignmentRule.POOL)
        TeamDistribution.objects.get_or_create(team=teams[0], defaults={"capacity": 15})
        managers = list(User.objects.filter(role=Role.MANAGER, team=teams[0]).order_by("id"))
        if managers:
            Absence.objects.create(user=managers[-1], starts_on=now.date() - datetime.timedelta(days=2),
                                   ends_on=now.date() + datetime.timedelta(days=5), note="Отпуск")
        known = list(Contact.objects.alive().exclude(phones=[]).order_by("id")[:200])
        created = 0
        for index in range(leads):
            form = rng.choice(forms)
            source_utm = rng.choice(CAMPAIGNS)
            if known and rng.random() < 0.15:  # a returning client writes again
                client = rng.choice(known)
                values = {"name": client.first_name, "phone": client.phones[0], "message": rng.choice(MESSAGES)}
            else:
                values = {"name": f"{rng.choice(FIRST_NAMES)}", "company_name": rng.choice(COMPANIES),
                          "phone": f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-"
                                   f"{rng.randint(10, 99)}",
                          "email": f"client{index}@example.ru" if rng.random() < 0.5 else "",
                          "message": rng.choice(MESSAGES)}
            received = now - datetime.timedelta(days=rng.randint(0, 60), hours=rng.randint(0, 23))
            with change_context(actor=None, source=ChangeSource.CLI, at=received):
                lead = services.intake_lead(
                    values=values, source=LeadSource.WEB_FORM, web_form=form,
                    channel={"utm_source": source_utm[0], "utm_medium": source_utm[1],
                             "utm_campaign": source_utm[2], "landing_page": "https://example.ru/catalog",
                             "referrer": "https://yandex.ru/"},
                    payload={"fields": values, "demo": True})
                _work_on(lead, rng)
            _backdate(lead, received)
            created += 1
    return created


def _backdate(lead: Lead, received: datetime.datetime) -> None:
    """The services stamp rows with 'now': move the lead and what its conversion created to when it arrived."""
    Lead.objects.filter(pk=lead.pk).update(created_at=received)
    Activity.objects.filter(lead=lead).update(occurred_at=received)
    later = received + datetime.timedelta(minutes=1)
    for model in (Contact, Company):
        model.objects.filter(leads=lead, created_at__gt=later).update(created_at=received)
    Deal.objects.filter(leads=lead, created_at__gt=later).update(created_at=received, stage_entered_at=received)
    StageChange.objects.filter(deal__leads=lead, at__gt=later).update(at=received)


def _work_on(lead: Lead, rng: random.Random) -> None:
    """Leave most leads new (the inbox), take some, convert or disqualify others."""
    fate = rng.random()
    actor = lead.owner or User.objects.filter(team_id=lead.team_id, role=Role.MANAGER, is_active=True).first()
    if actor is None or fate < 0.45:
        return
    if fate < 0.65:
        services.take_lead(lead, actor=actor)
    elif fate < 0.9 and lead.phone:
        try:
            services.convert_lead(lead, actor=actor)
        except ValidationError:  # a known client of a colleague stays in the inbox, as in real life
            return
    else:
        services.disqualify_lead(lead, actor=actor, reason=rng.choice(DISQUALIFY))
