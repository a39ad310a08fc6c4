"""Gate 1 (issue 3): the route inventory is the access matrix.

Every URL pattern of the site (the Django admin's own pages and static files aside) and every operation of the
OpenAPI schema has an entry here saying what each role gets for each method. A route or an operation without
an entry fails the inventory tests: adding a page means deciding who may use it, here.

The company, contact and deal under test belong to `owner` (the deal has a product line), a manager in Team A. The roles: anonymous, viewer (Team A, reads the
team's records), owner, colleague (a manager in Team A who does not own them), head_a (heads Team A), head_b
(heads Team B) and admin. Each role's request runs in a savepoint that is rolled back, so every role meets the
same records. A write checks its effect too: it happened for exactly the roles listed in `changed_by`.

Also here: lists, counts, searches, the board and its totals, autocomplete, the recycle bin, a card's related
records and re-rendered forms never show a record the user may not see; no `next` parameter leads off the site;
no role can set a protected field (mass assignment).
"""

from __future__ import annotations

import datetime
import functools
import json
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from kartoteka.accounts.models import ApiToken, RecordShare, SecurityPolicy, User
from kartoteka.accounts.services import issue_token
from kartoteka.activities.models import Activity, CallResult
from kartoteka.activities.services import add_note
from kartoteka.api.api import api
from kartoteka.conftest import PASSWORD, api_client_for, client_for
from kartoteka.contacts import services
from kartoteka.contacts.models import Company, Contact
from kartoteka.customfields.models import CustomField
from kartoteka.dataio.tests import route_matrix as dataio_matrix
from kartoteka.deals import lines as deal_lines
from kartoteka.deals import services as deal_services
from kartoteka.deals.models import Deal, DealContact, DealLine, LostReason, Pipeline, Stage
from kartoteka.dedupe.tests import route_matrix as dedupe_matrix
from kartoteka.handover.tests import route_matrix as handover_matrix
from kartoteka.leads import services as lead_services
from kartoteka.leads.distribution import add_absence
from kartoteka.leads.models import Absence, Lead, WebForm
from kartoteka.leads.tests import route_matrix as lead_matrix
from kartoteka.leads.webforms import save_web_form
from kartoteka.notifications.choices import NotificationKind
from kartoteka.notifications.models import Notification
from kartoteka.notifications.services import notify
from kartoteka.products import services as product_services
from kartoteka.products.models import Product
from kartoteka.products.tests import route_matrix as products_matrix
from kartoteka.reports.tests import route_matrix as reports_matrix
from kartoteka.savedviews.tests import route_matrix as savedviews_matrix
from kartoteka.search.tests import route_matrix as search_matrix
from kartoteka.tasks import services as task_services
from kartoteka.tasks.models import Task

LOGIN = "login"  # the expectation "redirected to the login page"
ROLES = ("anonymous", "viewer", "owner", "colleague", "head_a", "head_b", "admin")
AUTHED = ROLES[1:]
SEERS = frozenset({"viewer", "owner", "head_a", "admin"})
CHANGERS = frozenset({"owner", "head_a", "admin"})
RESTORERS = frozenset({"head_a", "admin"})
CREATORS = frozenset(AUTHED) - {"viewer"}
ADMINS = frozenset({"admin"})
CATALOG = frozenset({"head_a", "head_b", "admin"})  # who edits the shared product catalog (docs/products.md)
EVERYONE = frozenset(AUTHED)
NOBODY: frozenset[str] = frozenset()

# Names that must never show in an answer that refuses the record.
SECRET_COMPANY = "ООО Матрица-Секрет"
SECRET_CONTACT = "Секретова"
SECRET_DEAL = "Сделка-Секрет"
SECRET_LEAD = "Лид-Секрет"


def html(ok: int, allowed: Iterable[str] = EVERYONE, *, denied: int = 404, anonymous: int | str = LOGIN) -> dict:
    """Expected statuses of an HTML route: `ok` for the allowed roles, `denied` (404) for the others."""
    allowed = set(allowed)
    return {"anonymous": anonymous, **{role: ok if role in allowed else denied for role in AUTHED}}


def everyone(status: int) -> dict:
    return dict.fromkeys(ROLES, status)


def api_expect(ok: int, allowed: Iterable[str] = EVERYONE, *, forbidden: Iterable[str] = ()) -> dict:
    """API statuses: 401 anonymous, 403 for who sees the record but may not do this, 404 for who cannot see it."""
    allowed, forbidden = set(allowed), set(forbidden)
    return {"anonymous": 401,
            **{role: ok if role in allowed else 403 if role in forbidden else 404 for role in AUTHED}}


# --- the records every role meets --------------------------------------------------------------------------


@dataclass
class World:
    """The records every role meets: all owned by `owner`, plus the settings objects the routes name."""

    users: dict[str, User | None]
    company: Company
    contact: Contact
    field: CustomField
    token_id: int
    deal: Deal
    pipeline: Pipeline
    next_stage: Stage  # an open stage the deal is not in
    lost_reason: LostReason
    lead: Lead
    web_form: WebForm
    absence: Absence
    product: Product
    line: DealLine
    task: Task  # the owner's, about the company
    notification: Notification  # the owner's
    call_result: CallResult

    def company_now(self) -> Company:
        return Company.objects.get(pk=self.company.pk)

    def contact_now(self) -> Contact:
        return Contact.objects.get(pk=self.contact.pk)


def build_world(users: dict[str, Any], make_company: Any, make_contact: Any, make_custom_field: Any) -> World:
    owner = users["owner"]
    company = make_company(owner, name=SECRET_COMPANY, tags=["VIP"])
    contact = make_contact(owner, last_name=SECRET_CONTACT, first_name="Анна", company=company.pk)
    add_note(company, actor=owner, body="Первая заметка")
    field_ = make_custom_field("segment", label="Сегмент")
    issue_token(owner)
    admin = users["admin"]
    pipeline = deal_services.create_pipeline(actor=admin, data={"name": "Матрица"})
    next_stage = deal_services.create_stage(pipeline, actor=admin, data={"name": "Встреча", "probability": 30})
    lost_reason = deal_services.create_lost_reason(actor=admin, data={"name": "Дорого"})
    deal = deal_services.create_deal(actor=owner, data={"title": SECRET_DEAL, "pipeline": pipeline.pk,
                                                        "company": company.pk})
    lead = lead_services.create_lead(actor=owner, data={"name": SECRET_LEAD, "phone": "+7 916 555-00-11"})
    web_form = save_web_form(None, actor=admin, data={"name": "Сайт", "team": owner.team, "fields": [
        {"name": "phone", "target": "phone", "required": True}, {"name": "name", "target": "name"}]})
    absence = add_absence(actor=admin, data={"user": owner, "starts_on": datetime.date(2026, 1, 1),
                                             "ends_on": datetime.date(2026, 1, 10)})
    product = product_services.create_product(actor=admin, data={"sku": "MX-1", "name": "Станок", "price": "1000"})
    line = deal_lines.add_line(deal, actor=owner, data={"product": product.pk, "quantity": 2})
    task = task_services.create_task(actor=owner, data={"title": "Задача-Секрет", "company": company.pk,
                                                        "due_at": "2026-12-01T10:00:00+03:00"})
    notification = notify(owner, NotificationKind.RECORD_SHARED, params={"record": "x", "actor": "y"}, url="/")
    call_result = CallResult.objects.create(name="Перезвонить", follow_up=True)
    return World(users=users, company=company, contact=contact, field=field_,
                 token_id=ApiToken.objects.get(user=owner).pk, deal=Deal.objects.get(pk=deal.pk), pipeline=pipeline,
                 next_stage=next_stage, lost_reason=lost_reason, lead=lead, web_form=web_form, absence=absence,
                 product=product, line=line, task=task, notification=notification, call_result=call_result)


@pytest.fixture
def world(users: dict[str, Any], make_company: Any, make_contact: Any, make_custom_field: Any) -> World:
    return build_world(users, make_company, make_contact, make_custom_field)


def delete_records(world: World) -> None:
    """The company, the contact and the deal go to the recycle bin (their owner deletes them)."""
    services.delete_company(world.company, actor=world.users["owner"])
    services.delete_contact(world.contact, actor=world.users["owner"])
    deal_services.delete_deal(world.deal, actor=world.users["owner"])
    lead_services.delete_lead(world.lead, actor=world.users["owner"])
    task_services.delete_task(world.task, actor=world.users["owner"])


def complete_task(world: World) -> None:
    task_services.complete_task(world.task, actor=world.users["owner"], result="Готово")


# --- what a route is and how it is probed ------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """One method of one route: the status per role, the request body, and which roles' requests change the
    `state` (None for a read, whose state is not checked)."""

    expect: dict[str, int | str]
    data: Callable[[World, str], dict[str, Any]] | None = None  # (world, role) → the request body
    state: Callable[[World], Any] | None = None
    changed_by: frozenset[str] = NOBODY
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    methods: dict[str, Probe]
    args: Callable[[World], list[Any]] = lambda w: []
    setup: Callable[[World], None] | None = None
    path: str | None = None  # for a pattern without a name (a catch-all): the address to request

    def url(self, name: str, world: World) -> str:
        return self.path or reverse(name, args=self.args(world))


def company_pk(w: World) -> list[Any]:
    return [w.company.pk]


def contact_pk(w: World) -> list[Any]:
    return [w.contact.pk]


def deal_pk(w: World) -> list[Any]:
    return [w.deal.pk]


def deal_form(w: World) -> dict[str, Any]:
    d = Deal.objects.get(pk=w.deal.pk)
    return {"title": "Сделка-Переименованная", "stage": d.stage_id, "company": d.company_id or "",
            "currency": d.currency, "owner": d.owner_id, "version": d.version, "tags": ""}


def company_form(w: World) -> dict[str, Any]:
    c = w.company_now()
    return {"name": "ООО Матрица-Переименованная", "status": c.status, "owner": c.owner_id, "version": c.version,
            "tags": "VIP"}


def contact_form(w: World) -> dict[str, Any]:
    c = w.contact_now()
    return {"first_name": "Анна-Мария", "last_name": c.last_name, "company": c.company_id, "owner": c.owner_id,
            "version": c.version, "tags": ""}


def record_state(model: type, pk_of: Callable[[World], int]) -> Callable[[World], Any]:
    def state(w: World) -> Any:
        obj = model.objects.get(pk=pk_of(w))
        return {**obj.audit_snapshot(), "version": obj.version, "tags": sorted(t.name for t in obj.tags.all())}

    return state


COMPANY_STATE = record_state(Company, lambda w: w.company.pk)
CONTACT_STATE = record_state(Contact, lambda w: w.contact.pk)
DEAL_STATE = record_state(Deal, lambda w: w.deal.pk)
PRODUCT_STATE = lambda w: {**Product.objects.get(pk=w.product.pk).audit_snapshot(),  # noqa: E731
                           "version": Product.objects.get(pk=w.product.pk).version}


def product_pk(w: World) -> list[Any]:
    return [w.product.pk]


def line_pk(w: World) -> list[Any]:
    return [w.deal.pk, w.line.pk]


def lines_state(w: World) -> Any:
    return list(DealLine.objects.filter(deal=w.deal.pk).values_list("product_id", "quantity", "price", "discount")
                .order_by("pk"))


def product_form(w: World) -> dict[str, Any]:
    p = Product.objects.get(pk=w.product.pk)
    return {"sku": p.sku, "name": "Станок-Переименованный", "unit": p.unit, "price": "1200", "currency": p.currency,
            "vat_rate": p.vat_rate, "stock": "0", "active": "on", "version": p.version}
TASK_STATE = record_state(Task, lambda w: w.task.pk)


def task_pk(w: World) -> list[Any]:
    return [w.task.pk]


def task_form(w: World) -> dict[str, Any]:
    t = Task.objects.get(pk=w.task.pk)
    return {"title": "Задача-Переименованная", "kind": t.kind, "due_at": "2026-12-02T11:00", "priority": t.priority,
            "company": t.company_id, "owner": t.owner_id, "version": t.version, "tags": ""}


def preferences(w: World) -> Any:
    return {u: (p or {}).get("notifications") for u, p in User.objects.values_list("username", "preferences")}


def daily_limits(w: World) -> Any:
    return {u: (p or {}).get("daily_task_limit") for u, p in User.objects.values_list("username", "preferences")}


def owner_notice_read(w: World) -> Any:
    return Notification.objects.get(pk=w.notification.pk).read_at is not None


HEADS = frozenset({"head_a", "head_b", "admin"})
# Tasks, activities and notifications (issue 5): a task is seen by whoever sees its record or its responsible.
WORK_ROUTES: dict[str, Route] = {
    "tasks:my_day": Route({"GET": Probe(html(200)), "POST": Probe(html(405))}),
    "tasks:nav_counts": Route({"GET": Probe(html(200)), "POST": Probe(html(405))}),
    "tasks:no_next_step": Route({"GET": Probe(html(200)), "POST": Probe(html(405))}),
    "tasks:task_list": Route({"GET": Probe(html(200)), "POST": Probe(html(405))}),
    "tasks:calendar": Route({"GET": Probe(html(200)), "POST": Probe(html(405))}),
    "tasks:task_reschedule": Route({
        "GET": Probe(html(405)),
        "POST": Probe(html(200, CHANGERS), data=lambda w, role: {"date": "2026-12-05"}, state=TASK_STATE,
                      changed_by=CHANGERS),
    }, args=task_pk),
    "tasks:task_create": Route({
        "GET": Probe(html(200, CREATORS)),
        "POST": Probe(html(302, CREATORS), data=lambda w, role: {
            "title": "Новая задача", "kind": "call", "due_at": "2026-12-03T09:00", "priority": "normal",
            "owner": w.users[role].pk if w.users[role] else ""}, state=lambda w: Task.objects.count(),
            changed_by=CREATORS),
    }),
    "tasks:task_bulk": Route({
        "GET": Probe(html(405)),
        "POST": Probe(html(302), data=lambda w, role: {"pk": w.task.pk, "action": "delete"}, state=TASK_STATE,
                      changed_by=CHANGERS),
    }),
    "tasks:task_detail": Route({"GET": Probe(html(200, SEERS)), "POST": Probe(html(405))}, args=task_pk),
    "tasks:task_timeline": Route({"GET": Probe(html(200, SEERS)), "POST": Probe(html(405))}, args=task_pk),
    "tasks:task_edit": Route({
        "GET": Probe(html(200, CHANGERS)),
        "POST": Probe(html(302, CHANGERS), data=lambda w, role: task_form(w), state=TASK_STATE, changed_by=CHANGERS),
    }, args=task_pk),
    "tasks:task_delete": Route({
        "GET": Probe(html(200, CHANGERS)),
        "POST": Probe(html(302, CHANGERS), state=TASK_STATE, changed_by=CHANGERS),
    }, args=task_pk),
    "tasks:task_restore": Route({
        "GET": Probe(html(405)),
        "POST": Probe(html(302, RESTORERS), state=TASK_STATE, changed_by=RESTORERS),
    }, args=task_pk, setup=delete_records),
    "tasks:task_complete": Route({
        "GET": Probe(html(405)),
        "POST": Probe(html(302, CHANGERS), data=lambda w, role: {"result": "Дозвонились"}, state=TASK_STATE,
                      changed_by=CHANGERS),
    }, args=task_pk),
    "tasks:task_cancel": Route({
        "GET": Probe(html(405)),
        "POST": Probe(html(302, CHANGERS), state=TASK_STATE, changed_by=CHANGERS),
    }, args=task_pk),
    "tasks:task_reopen": Route({
        "GET": Probe(html(405)),
        "POST": Probe(html(302, CHANGERS), state=TASK_STATE, changed_by=CHANGERS),
    }, args=task_pk, setup=complete_task),
    "tasks:workload": Route({
        "GET": Probe(html(200, HEADS)),
        # head_b may open the page but does not head the owner: refused like a record they cannot see.
        "POST": Probe(html(302, {"head_a", "admin"}), data=lambda w, role: {"user": w.users["owner"].pk, "limit": 5},
                      state=daily_limits, changed_by=frozenset({"head_a", "admin"})),
    }),
    "activities:log": Route({
        "GET": Probe(html(200, CHANGERS)),
        "POST": Probe(html(302, CHANGERS), data=lambda w, role: {"kind": "call", "direction": "out",
                                                                 "result": w.call_result.pk, "body": "Звонок"},
                      state=lambda w: Activity.objects.filter(company=w.company).count(), changed_by=CHANGERS),
    }, args=lambda w: ["company", w.company.pk]),
    "activities:neglected": Route({"GET": Probe(html(200)), "POST": Probe(html(405))}),
    "activities:call_results": Route({
        "GET": Probe(html(200, ADMINS)),
        "POST": Probe(html(302, ADMINS), data=lambda w, role: {"new-name": "Занято", "new-position": 50,
                                                               "new-active": "on"},
                      state=lambda w: sorted(CallResult.objects.values_list("name", flat=True)), changed_by=ADMINS),
    }),
    "notifications:notification_list": Route({"GET": Probe(html(200)), "POST": Probe(html(405))}),
    "notifications:notification_read": Route({
        "GET": Probe(html(405)),
        "POST": Probe(html(302, {"owner"}), state=owner_notice_read, changed_by=frozenset({"owner"})),
    }, args=lambda w: [w.notification.pk]),
    "notifications:notification_read_all": Route({
        "GET": Probe(html(405)),
        "POST": Probe(html(302), state=owner_notice_read, changed_by=frozenset({"owner"})),
    }),
    "notifications:notification_settings": Route({
        "GET": Probe(html(200)),
        "POST": Probe(html(302), data=lambda w, role: {"task_due": ["app", "email"], "remind_minutes": 30},
                      state=preferences, changed_by=EVERYONE),
    }),
}


def shares_of(model: type, pk_of: Callable[[World], int]) -> Callable[[World], Any]:
    return lambda w: sorted(RecordShare.objects.filter(object_id=pk_of(w), content_type__model=model._meta.model_name)
                            .values_list("user__username", flat=True))


def entity_routes(entity: str, model: type, pk: Callable[[World], list[Any]], form: Callable[[World], dict[str, Any]],
                  state: Callable[[World], Any], cell: tuple[str, str], app: str = "contacts") -> dict[str, Route]:
    """The HTML routes every client-base entity has, with the same rules."""
    ns = f"{app}:{entity}"
    pk_of = lambda w: pk(w)[0]  # noqa: E731
    no_post = html(405)
    no_get = html(405)
    return {
        f"{ns}_list": Route({"GET": Probe(html(200)), "POST": Probe(no_post)}),
        f"{ns}_create": Route({
            "GET": Probe(html(200, CREATORS)),
            "POST": Probe(html(302, CREATORS), data=lambda w, role: new_record_form(entity, w, role),
                          state=lambda w: model.objects.count(), changed_by=CREATORS),
        }),
        f"{ns}_bulk": Route({
            "GET": Probe(no_get),
            # Everyone is sent back to the list; only who may change the record has it deleted.
            "POST": Probe(html(302), data=lambda w, role: {"pk": pk(w)[0], "action": "delete"}, state=state,
                          changed_by=CHANGERS),
        }),
        f"{ns}_detail": Route({"GET": Probe(html(200, SEERS)), "POST": Probe(no_post)}, args=pk),
        f"{ns}_edit": Route({
            "GET": Probe(html(200, CHANGERS)),
            "POST": Probe(html(302, CHANGERS), data=lambda w, role: form(w), state=state, changed_by=CHANGERS),
        }, args=pk),
        f"{ns}_cell": Route({
            "GET": Probe(html(200, CHANGERS)),
            "POST": Probe(html(200, CHANGERS), data=lambda w, role: {cell[0]: cell[1], "version": state(w)["version"]},
                          state=state, changed_by=CHANGERS),
        }, args=lambda w: [*pk(w), cell[0]]),
        f"{ns}_delete": Route({
            "GET": Probe(html(200, CHANGERS)),
            "POST": Probe(html(302, CHANGERS), state=state, changed_by=CHANGERS),
        }, args=pk),
        f"{ns}_restore": Route({
            "GET": Probe(no_get),
            "POST": Probe(html(302, RESTORERS), state=state, changed_by=RESTORERS),
        }, args=pk, setup=delete_records),
        f"{ns}_timeline": Route({"GET": Probe(html(200, SEERS)), "POST": Probe(no_post)}, args=pk),
        f"{ns}_note": Route({
            "GET": Probe(no_get),
            "POST": Probe(html(302, CHANGERS), data=lambda w, role: {"body": "Заметка из матрицы"},
                          state=lambda w: Activity.objects.filter(**{entity: pk_of(w)}).count(), changed_by=CHANGERS),
        }, args=pk),
        f"{ns}_share": Route({
            "GET": Probe(no_get),
            "POST": Probe(html(302, CHANGERS), data=lambda w, role: {"user": w.users["manager_b"].pk, "shared": "1"},
                          state=shares_of(model, pk_of), changed_by=CHANGERS),
        }, args=pk),
    }


def new_record_form(entity: str, w: World, role: str) -> dict[str, Any]:
    """A valid create form for `role`: heads and admins must name the responsible, so they name themselves."""
    me = w.users[role].pk if w.users[role] else ""
    if entity == "company":
        return {"name": "ООО Новая", "status": "potential", "owner": me}
    if entity == "deal":
        return {"title": "Новая сделка", "stage": w.deal.stage_id, "currency": w.deal.currency, "owner": me}
    if entity == "lead":
        return {"name": "Олег", "phone": "+7 916 555-00-12", "source": "manual", "owner": me}
    return {"first_name": "Олег", "owner": me}


def token_revoked(w: World) -> Any:
    return ApiToken.objects.get(pk=w.token_id).revoked_at is not None


def languages(w: World) -> Any:
    return dict(User.objects.values_list("username", "language"))


def field_state(w: World) -> Any:
    return list(CustomField.objects.values_list("key", "label").order_by("key"))


def field_form(w: World) -> dict[str, Any]:
    return {"entity": "company", "key": "segment", "label": "Сегмент клиента", "field_type": "text", "position": 100,
            "choices_text": ""}


HTML_ROUTES: dict[str, Route] = {
    "home": Route({"GET": Probe(everyone(302)), "POST": Probe(everyone(302))}),
    "set_language": Route({  # Django's i18n view: a cookie, nothing stored
        "GET": Probe(everyone(302)), "POST": Probe(everyone(302), data=lambda w, role: {"language": "ru"})}),
    **entity_routes("company", Company, company_pk, company_form, COMPANY_STATE, ("name", "ООО Ячейка")),
    "contacts:company_autocomplete": Route({"GET": Probe(html(200)), "POST": Probe(html(200))}),
    **entity_routes("contact", Contact, contact_pk, contact_form, CONTACT_STATE, ("position", "Бухгалтер")),
    "contacts:recycle_bin": Route({"GET": Probe(html(200)), "POST": Probe(html(200))}, setup=delete_records),
    **entity_routes("deal", Deal, deal_pk, deal_form, DEAL_STATE, ("title", "Сделка-Ячейка"), app="deals"),
    "deals:deal_move": Route({
        "GET": Probe(html(405)),
        "POST": Probe(html(302, CHANGERS), data=lambda w, role: {"stage": w.next_stage.pk}, state=DEAL_STATE,
                      changed_by=CHANGERS),
    }, args=deal_pk),
    "deals:deal_win": Route({
        "GET": Probe(html(405)),
        "POST": Probe(html(302, CHANGERS), state=DEAL_STATE, changed_by=CHANGERS),
    }, args=deal_pk),
    "deals:deal_assign": Route({  # heads and admins; who sees the deal but may not assign gets a 404
        "GET": Probe(html(405)),
        "POST": Probe(html(302, RESTORERS), data=lambda w, role: {"owner": w.users["colleague"].pk, "reason": "отпуск"},
                      state=DEAL_STATE, changed_by=RESTORERS),
    }, args=deal_pk),
    "deals:deal_participant": Route({
        "GET": Probe(html(405)),
        "POST": Probe(html(302, CHANGERS), data=lambda w, role: {"contact": w.contact.pk, "role": "buyer"},
                      state=lambda w: list(DealContact.objects.filter(deal=w.deal.pk).values_list("contact", "role")),
                      changed_by=CHANGERS),
    }, args=deal_pk),
    "deals:deal_lose": Route({
        "GET": Probe(html(405)),
        "POST": Probe(html(302, CHANGERS), data=lambda w, role: {"lost_reason": w.lost_reason.pk}, state=DEAL_STATE,
                      changed_by=CHANGERS),
    }, args=deal_pk),
    # Pipelines are the company's configuration: everyone signed in sees the board (with the deals they may see).
    "deals:board_default": Route({"GET": Probe(html(302)), "POST": Probe(html(302))}),
    "deals:board": Route({"GET": Probe(html(200)), "POST": Probe(html(200))}, args=lambda w: [w.pipeline.pk]),
    "deals:pipeline_settings": Route({
        "GET": Probe(html(200, ADMINS)),
        "POST": Probe(html(302, ADMINS), data=lambda w, role: {"action": "create_reason", "nr-name": "Пропал",
                                                                   "nr-position": 20, "nr-active": "on"},
                      state=lambda w: sorted(LostReason.objects.values_list("name", flat=True)), changed_by=ADMINS),
    }),
    "deals:pipeline_settings_one": Route({
        "GET": Probe(html(200, ADMINS)),
        "POST": Probe(html(302, ADMINS), data=lambda w, role: {"action": "update_pipeline", "p-name": "Продажи",
                                                                   "p-position": 10, "p-active": "on"},
                      state=lambda w: Pipeline.objects.get(pk=w.pipeline.pk).name, changed_by=ADMINS),
    }, args=lambda w: [w.pipeline.pk]),
    "deals:stage_delete": Route({
        "GET": Probe(html(200, ADMINS)),
        "POST": Probe(html(302, ADMINS), data=lambda w, role: {"move_to": w.deal.stage_id},
                      state=lambda w: Stage.objects.filter(pk=w.next_stage.pk).exists(), changed_by=ADMINS),
    }, args=lambda w: [w.pipeline.pk, w.next_stage.pk]),
    "accounts:login": Route({
        "GET": Probe(html(302, anonymous=200)),
        "POST": Probe(html(302, anonymous=200), data=lambda w, role: {"username": "owner", "password": "wrong"}),
    }),
    "accounts:logout": Route({"GET": Probe(everyone(405)), "POST": Probe(everyone(302))}),
    "accounts:profile": Route({"GET": Probe(html(200)), "POST": Probe(html(200))}),
    "accounts:set_language": Route({
        "GET": Probe(html(405)),
        "POST": Probe(html(302), data=lambda w, role: {"language": "ru"}, state=languages, changed_by=EVERYONE),
    }),
    "accounts:token_create": Route({
        "GET": Probe(html(405)),
        "POST": Probe(html(302), state=lambda w: ApiToken.objects.count(), changed_by=EVERYONE),
    }),
    "accounts:token_revoke": Route({  # anyone may post; only the token's holder revokes it
        "GET": Probe(html(405)),
        "POST": Probe(html(302), state=token_revoked, changed_by=frozenset({"owner"})),
    }, args=lambda w: [w.token_id]),
    # Two-factor login (the matrix's sessions count as verified where the policy asks for it, see conftest).
    "accounts:two_factor_verify": Route({  # the code step: only a session that owes a code stays here
        "GET": Probe(html(302)), "POST": Probe(html(302), data=lambda w, role: {"code": "000000"})}),
    "accounts:two_factor": Route({"GET": Probe(html(200)), "POST": Probe(html(200))}),
    "accounts:two_factor_enrol": Route({  # the admin's (verified) session already has an app: sent to the settings
        "GET": Probe({**html(200), "admin": 302}),
        "POST": Probe({**html(422), "admin": 302}, data=lambda w, role: {"code": "000000"},
                      state=lambda w: TOTPDevice.objects.filter(confirmed=True).count()),
    }),
    "accounts:two_factor_recovery_codes": Route({
        "GET": Probe(html(405)),
        "POST": Probe(html(422), data=lambda w, role: {"code": "000000"},
                      state=lambda w: StaticDevice.objects.count()),
    }),
    "accounts:two_factor_disable": Route({
        "GET": Probe(html(405)),
        "POST": Probe(html(422), data=lambda w, role: {"code": "000000"},
                      state=lambda w: TOTPDevice.objects.filter(confirmed=True).count()),
    }),
    "security:policy": Route({
        "GET": Probe(html(200, ADMINS)),
        "POST": Probe(html(302, ADMINS), data=lambda w, role: {"two_factor_roles": ["admin", "head"]},
                      state=lambda w: SecurityPolicy.load().two_factor_roles, changed_by=ADMINS),
    }),
    "audit:security_log": Route({"GET": Probe(html(200, ADMINS)), "POST": Probe(html(405))}),
    "customfields:field_list": Route({"GET": Probe(html(200, ADMINS)), "POST": Probe(html(200, ADMINS))}),
    "customfields:field_create": Route({
        "GET": Probe(html(200, ADMINS)),
        "POST": Probe(html(302, ADMINS), data=lambda w, role: {**field_form(w), "key": "region", "label": "Регион"},
                      state=field_state, changed_by=ADMINS),
    }),
    "customfields:field_edit": Route({
        "GET": Probe(html(200, ADMINS)),
        "POST": Probe(html(302, ADMINS), data=lambda w, role: field_form(w), state=field_state, changed_by=ADMINS),
    }, args=lambda w: [w.field.pk]),
    "customfields:field_delete": Route({
        "GET": Probe(html(405)),
        "POST": Probe(html(302, ADMINS), state=field_state, changed_by=ADMINS),
    }, args=lambda w: [w.field.pk]),
    # The product catalog: shared reference data, read by everyone signed in, edited by CATALOG.
    "products:product_list": Route({"GET": Probe(html(200)), "POST": Probe(html(405))}),
    "products:product_create": Route({
        "GET": Probe(html(200, CATALOG)),
        "POST": Probe(html(302, CATALOG), data=lambda w, role: {**product_form(w), "sku": "MX-NEW", "version": ""},
                      state=lambda w: Product.objects.count(), changed_by=CATALOG),
    }),
    "products:product_autocomplete": Route({"GET": Probe(html(200)), "POST": Probe(html(200))}),
    "products:product_detail": Route({"GET": Probe(html(200)), "POST": Probe(html(405))}, args=product_pk),
    "products:product_edit": Route({
        "GET": Probe(html(200, CATALOG)),
        "POST": Probe(html(302, CATALOG), data=lambda w, role: product_form(w), state=PRODUCT_STATE,
                      changed_by=CATALOG),
    }, args=product_pk),
    "products:product_cell": Route({
        "GET": Probe(html(200, CATALOG)),
        "POST": Probe(html(200, CATALOG), data=lambda w, role: {"price": "1500", "version": PRODUCT_STATE(w)["version"]},
                      state=PRODUCT_STATE, changed_by=CATALOG),
    }, args=lambda w: [w.product.pk, "price"]),
    "products:product_timeline": Route({"GET": Probe(html(200)), "POST": Probe(html(405))}, args=product_pk),
    "products:product_active": Route({
        "GET": Probe(html(405)),
        "POST": Probe(html(302, CATALOG), data=lambda w, role: {"active": "0"}, state=PRODUCT_STATE,
                      changed_by=CATALOG),
    }, args=product_pk),
    # A deal's lines: seen with the deal, changed by who may change the deal.
    "deals:deal_lines": Route({
        "GET": Probe(html(200, SEERS)),
        "POST": Probe(html(302, CHANGERS), data=lambda w, role: {"product": w.product.pk, "quantity": "3"},
                      state=lines_state, changed_by=CHANGERS),
    }, args=deal_pk),
    "deals:deal_lines_amount": Route({
        "GET": Probe(html(405)),
        "POST": Probe(html(302, CHANGERS), data=lambda w, role: {"amount_from_lines": "1"}, state=DEAL_STATE,
                      changed_by=CHANGERS),
    }, args=deal_pk),
    "deals:deal_line": Route({
        "GET": Probe(html(200, CHANGERS)),
        "POST": Probe(html(302, CHANGERS), data=lambda w, role: {"product": w.product.pk, "quantity": "5"},
                      state=lines_state, changed_by=CHANGERS),
    }, args=line_pk),
    "deals:deal_line_delete": Route({
        "GET": Probe(html(405)),
        "POST": Probe(html(302, CHANGERS), state=lines_state, changed_by=CHANGERS),
    }, args=line_pk),
    # The API's own pages: the schema and its viewer are public (no records in them); the root is a 404.
    "api:openapi-json": Route({"GET": Probe(everyone(200)), "POST": Probe(everyone(200))}),
    "api:openapi-view": Route({"GET": Probe(everyone(200)), "POST": Probe(everyone(200))}),
    "api:api-root": Route({"GET": Probe(everyone(404)), "POST": Probe(everyone(404))}),
    # Any other address under the API answers a JSON 404, whoever asks.
    "api/v1/^.*$": Route({"GET": Probe(everyone(404)), "POST": Probe(everyone(404))}, path="/api/v1/no/such/endpoint"),
    **WORK_ROUTES,
}


API_OPERATIONS: dict[str, Route] = {}
for _entity, _model, _state, _create, _change in (
    ("company", Company, COMPANY_STATE, {"name": "ООО Новая"}, {"name": "ООО Матрица-Переименованная"}),
    ("contact", Contact, CONTACT_STATE, {"first_name": "Олег"}, {"position": "Главный бухгалтер"}),
    ("task", Task, TASK_STATE, {"title": "Новая задача", "due_at": "2026-12-03T09:00:00+03:00"},
     {"title": "Задача-Переименованная"}),
):
    _pk = {"company": company_pk, "contact": contact_pk, "task": task_pk}[_entity]
    API_OPERATIONS.update({
        f"{_entity}_list": Route({"GET": Probe(api_expect(200))}),
        f"{_entity}_create": Route({"POST": Probe(
            api_expect(201, CREATORS, forbidden={"viewer"}), data=lambda w, role, body=_create: body,
            state=lambda w, m=_model: m.objects.count(), changed_by=CREATORS)}),
        f"{_entity}_read": Route({"GET": Probe(api_expect(200, SEERS))}, args=_pk),
        f"{_entity}_update": Route({"PATCH": Probe(
            api_expect(200, CHANGERS, forbidden={"viewer"}), data=lambda w, role, body=_change: body, state=_state,
            changed_by=CHANGERS)}, args=_pk),
        f"{_entity}_delete": Route({"DELETE": Probe(
            api_expect(204, CHANGERS, forbidden={"viewer"}), state=_state, changed_by=CHANGERS)}, args=_pk),
        f"{_entity}_restore": Route({"POST": Probe(
            api_expect(200, RESTORERS, forbidden={"viewer", "owner"}), state=_state, changed_by=RESTORERS)},
            args=_pk, setup=delete_records),
        f"{_entity}_history": Route({"GET": Probe(api_expect(200, SEERS))}, args=_pk),
    })
API_OPERATIONS.update({
    "deal_list": Route({"GET": Probe(api_expect(200))}),
    "deal_create": Route({"POST": Probe(
        api_expect(201, CREATORS, forbidden={"viewer"}), data=lambda w, role: {"title": "Новая сделка"},
        state=lambda w: Deal.objects.count(), changed_by=CREATORS)}),
    "deal_read": Route({"GET": Probe(api_expect(200, SEERS))}, args=deal_pk),
    "deal_update": Route({"PATCH": Probe(
        api_expect(200, CHANGERS, forbidden={"viewer"}), data=lambda w, role: {"title": "Сделка-Переименованная"},
        state=DEAL_STATE, changed_by=CHANGERS)}, args=deal_pk),
    "deal_delete": Route({"DELETE": Probe(
        api_expect(204, CHANGERS, forbidden={"viewer"}), state=DEAL_STATE, changed_by=CHANGERS)}, args=deal_pk),
    "deal_restore": Route({"POST": Probe(
        api_expect(200, RESTORERS, forbidden={"viewer", "owner"}), state=DEAL_STATE, changed_by=RESTORERS)},
        args=deal_pk, setup=delete_records),
    "deal_history": Route({"GET": Probe(api_expect(200, SEERS))}, args=deal_pk),
    "deal_move": Route({"POST": Probe(
        api_expect(200, CHANGERS, forbidden={"viewer"}), data=lambda w, role: {"stage": w.next_stage.pk},
        state=DEAL_STATE, changed_by=CHANGERS)}, args=deal_pk),
    "deal_win": Route({"POST": Probe(
        api_expect(200, CHANGERS, forbidden={"viewer"}), state=DEAL_STATE, changed_by=CHANGERS)}, args=deal_pk),
    "deal_lose": Route({"POST": Probe(
        api_expect(200, CHANGERS, forbidden={"viewer"}), data=lambda w, role: {"lost_reason": w.lost_reason.pk},
        state=DEAL_STATE, changed_by=CHANGERS)}, args=deal_pk),
    "pipeline_list": Route({"GET": Probe(api_expect(200))}),
    "deal_line_list": Route({"GET": Probe(api_expect(200, SEERS))}, args=deal_pk),
    "deal_line_create": Route({"POST": Probe(
        api_expect(201, CHANGERS, forbidden={"viewer"}), data=lambda w, role: {"product": w.product.pk, "quantity": 3},
        state=lines_state, changed_by=CHANGERS)}, args=deal_pk),
    "deal_line_update": Route({"PATCH": Probe(
        api_expect(200, CHANGERS, forbidden={"viewer"}), data=lambda w, role: {"quantity": 5}, state=lines_state,
        changed_by=CHANGERS)}, args=line_pk),
    "deal_line_delete": Route({"DELETE": Probe(
        api_expect(204, CHANGERS, forbidden={"viewer"}), state=lines_state, changed_by=CHANGERS)}, args=line_pk),
    "product_list": Route({"GET": Probe(api_expect(200))}),
    "product_create": Route({"POST": Probe(
        api_expect(201, CATALOG, forbidden=set(AUTHED) - CATALOG),
        data=lambda w, role: {"sku": "MX-NEW", "name": "Новый товар", "price": "10"},
        state=lambda w: Product.objects.count(), changed_by=CATALOG)}),
    "product_read": Route({"GET": Probe(api_expect(200))}, args=product_pk),
    "product_update": Route({"PATCH": Probe(
        api_expect(200, CATALOG, forbidden=set(AUTHED) - CATALOG), data=lambda w, role: {"price": "99.90"},
        state=PRODUCT_STATE, changed_by=CATALOG)}, args=product_pk),
    "product_history": Route({"GET": Probe(api_expect(200))}, args=product_pk),
    # Tasks, activities, notifications (issue 5).
    "task_complete": Route({"POST": Probe(
        api_expect(200, CHANGERS, forbidden={"viewer"}), data=lambda w, role: {"result": "Дозвонились"},
        state=TASK_STATE, changed_by=CHANGERS)}, args=task_pk),
    "task_cancel": Route({"POST": Probe(
        api_expect(200, CHANGERS, forbidden={"viewer"}), data=lambda w, role: {}, state=TASK_STATE,
        changed_by=CHANGERS)}, args=task_pk),
    "task_reopen": Route({"POST": Probe(
        api_expect(200, CHANGERS, forbidden={"viewer"}), state=TASK_STATE, changed_by=CHANGERS)},
        args=task_pk, setup=complete_task),
    "my_day": Route({"GET": Probe(api_expect(200))}),
    "activity_list": Route({"GET": Probe(api_expect(200))}),
    # Linking to a record one cannot see is a field error (422), as for a contact's company.
    "activity_create": Route({"POST": Probe(
        {**api_expect(201, CHANGERS, forbidden={"viewer"}), "colleague": 422, "head_b": 422},
        data=lambda w, role: {"kind": "call", "company": w.company.pk, "body": "Звонок"},
        state=lambda w: Activity.objects.count(), changed_by=CHANGERS)}),
    "activity_read": Route({"GET": Probe(api_expect(200, SEERS))},
                           args=lambda w: [Activity.objects.filter(company=w.company).first().pk]),
    "call_result_list": Route({"GET": Probe(api_expect(200))}),
    "notification_list": Route({"GET": Probe(api_expect(200))}),
    "notification_read": Route({"POST": Probe(api_expect(200, {"owner"}), state=owner_notice_read,
                                              changed_by=frozenset({"owner"}))},
                               args=lambda w: [w.notification.pk]),
    "notification_read_all": Route({"POST": Probe(api_expect(200), state=owner_notice_read,
                                                  changed_by=frozenset({"owner"}))}),
})
HTML_ROUTES.update(lead_matrix.html_routes(sys.modules[__name__]))
HTML_ROUTES.update(handover_matrix.html_routes(sys.modules[__name__]))
HTML_ROUTES.update({  # Reports: everyone signed in, on the records they may see (reports/tests checks the figures)
    "reports:home": Route({"GET": Probe(html(200)), "POST": Probe(html(405))}),
    "reports:report": Route({"GET": Probe(html(200)), "POST": Probe(html(405))}, args=lambda w: ["funnel"]),
    "reports:digest": Route({"GET": Probe(html(405)), "POST": Probe(
        html(302), data=lambda w, role: {"frequency": "weekly"}, changed_by=EVERYONE,
        state=lambda w: {u: (p or {}).get("report_digest") for u, p in User.objects.values_list("username", "preferences")})}),
})
API_OPERATIONS.update(lead_matrix.api_operations(sys.modules[__name__]))
HTML_ROUTES.update(search_matrix.html_routes(sys.modules[__name__]))
HTML_ROUTES.update(dedupe_matrix.html_routes(sys.modules[__name__]))
API_OPERATIONS.update(dedupe_matrix.api_operations(sys.modules[__name__]))
HTML_ROUTES.update(dataio_matrix.html_routes(sys.modules[__name__]))
HTML_ROUTES.update(savedviews_matrix.html_routes(sys.modules[__name__]))
HTML_ROUTES.update(products_matrix.html_routes(sys.modules[__name__]))
HTML_ROUTES.update(reports_matrix.html_routes(sys.modules[__name__]))
API_OPERATIONS.update(search_matrix.api_operations(sys.modules[__name__]))


# --- the inventory -----------------------------------------------------------------------------------------


def url_patterns(patterns: list[Any] | None = None, prefix: str = "", namespace: str = "") -> Iterable[tuple[str, str]]:
    """(route, name) of every URL pattern, recursively; the name is namespaced, or the route when unnamed."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            ns = ":".join(p for p in (namespace, entry.namespace or "") if p)
            yield from url_patterns(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            name = ":".join(p for p in (namespace, entry.name or "") if p) if entry.name else route
            yield route, name


@functools.cache
def schema_operations() -> dict[str, tuple[str, str]]:
    """operationId → (method, path) for every operation of the API schema (built once: it takes a while)."""
    schema = api.get_openapi_schema()
    return {op["operationId"]: (method.upper(), path)
            for path, ops in schema["paths"].items() for method, op in ops.items()}


def api_path(route: str) -> str:
    """The URLconf's `api/v1/companies/<int:pk>` as the schema writes it: `/api/v1/companies/{pk}`."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def site_routes() -> dict[str, str]:
    """name → route of every pattern the HTML matrix must cover: all but the admin's and the API operations'."""
    schema_paths = {path for _method, path in schema_operations().values()}
    routes = {}
    for route, name in url_patterns():
        if route.startswith("admin/") or api_path(route) in schema_paths:
            continue
        routes[name] = route
    return routes


def test_every_route_has_a_matrix_entry():
    routes = site_routes()

    missing = sorted(set(routes) - set(HTML_ROUTES))
    stale = sorted(set(HTML_ROUTES) - set(routes))

    assert missing == [], f"routes without an access matrix entry (add them to HTML_ROUTES): {missing}"
    assert stale == [], f"matrix entries for routes that no longer exist: {stale}"
    checks = sum(len(r.methods) for r in HTML_ROUTES.values()) * len(ROLES)
    print(f"\nroute matrix: {len(routes)} site routes, {checks} role×method checks")
    assert len(routes) >= 66


def test_every_api_operation_has_a_matrix_entry():
    operations = schema_operations()

    missing = sorted(set(operations) - set(API_OPERATIONS))
    stale = sorted(set(API_OPERATIONS) - set(operations))
    wrong_method = sorted(op for op, (method, _path) in operations.items()
                          if op in API_OPERATIONS and set(API_OPERATIONS[op].methods) != {method})

    assert missing == [], f"API operations without an access matrix entry (add them to API_OPERATIONS): {missing}"
    assert stale == [], f"matrix entries for operations that no longer exist: {stale}"
    assert wrong_method == []
    print(f"\nAPI matrix: {len(operations)} operations, {len(operations) * len(ROLES)} role checks")
    assert len(operations) >= 25


def test_every_api_url_is_in_the_schema():
    """Route inventory = schema inventory: the API serves nothing its schema does not describe."""
    schema_paths = {path for _method, path in schema_operations().values()}
    api_routes = {api_path(route) for route, name in url_patterns() if route.startswith("api/")}

    in_html_matrix = {api_path(route) for name, route in site_routes().items() if name in HTML_ROUTES}

    undocumented = sorted(api_routes - schema_paths - in_html_matrix)

    assert undocumented == []


# --- the matrix --------------------------------------------------------------------------------------------


def outcome(response: Any) -> int | str:
    if response.status_code == 302 and response.url.startswith(reverse("accounts:login") + "?"):
        return LOGIN
    return response.status_code


def is_allowed(status: int | str) -> bool:
    return status != LOGIN and int(status) < 400


def describe(role: str, method: str, expected: int | str, actual: int | str) -> str:
    if is_allowed(actual) and not is_allowed(expected):
        kind = "unexpected allow"
    elif is_allowed(expected) and not is_allowed(actual):
        kind = "unexpected deny"
    else:
        kind = "wrong status"
    return f"{role} {method}: expected {expected}, got {actual} ({kind})"


def run_matrix(world: World, route: Route, url_for: Callable[[World], str], client_for_role: Callable[[str], Client],
               *, is_api: bool) -> list[str]:
    """Probe every method as every role, each in a rolled-back savepoint; returns the mismatches."""
    if route.setup:
        route.setup(world)
    clients = {role: client_for_role(role) for role in ROLES}  # signed in outside the savepoints
    problems = []
    for method, probe in route.methods.items():
        for role in ROLES:
            with transaction.atomic():
                url = url_for(world)
                before = probe.state(world) if probe.state else None
                body = probe.data(world, role) if probe.data else None
                call = getattr(clients[role], method.lower())
                if is_api:
                    response = call(url, json.dumps(body), content_type="application/json") if body is not None \
                        else call(url)
                else:
                    response = call(url, body or {}, **probe.headers) if method == "POST" else call(url, **probe.headers)
                actual = outcome(response)
                after = probe.state(world) if probe.state else None
                transaction.set_rollback(True)
            expected = probe.expect[role]
            if actual != expected:
                problems.append(describe(role, method, expected, actual))
            if probe.state and (before != after) != (role in probe.changed_by):
                problems.append(f"{role} {method}: the request {'changed' if before != after else 'did not change'} "
                                f"the state ({before!r} → {after!r})")
            if not is_allowed(actual):
                text = response.content.decode(errors="replace")
                if any(secret in text for secret in (SECRET_COMPANY, SECRET_CONTACT, SECRET_DEAL, SECRET_LEAD)):
                    problems.append(f"{role} {method}: the refusal ({actual}) shows the record")
                if not is_api and actual == 403:
                    problems.append(f"{role} {method}: an HTML page answered 403 instead of 404")
    return problems


def html_client(role: str, users: dict[str, Any]) -> Client:
    return client_for(users[role])


@pytest.mark.parametrize("name", list(HTML_ROUTES))
def test_html_route_matrix(name, world):
    route = HTML_ROUTES[name]

    problems = run_matrix(world, route, lambda w: route.url(name, w),
                          lambda role: html_client(role, world.users), is_api=False)

    assert not problems, "\n".join(["", *problems])


@pytest.mark.parametrize("operation_id", list(API_OPERATIONS))
def test_api_operation_matrix(operation_id, world):
    route = API_OPERATIONS[operation_id]
    _method, path = schema_operations()[operation_id]

    def url_for(w: World) -> str:
        if route.path:  # a query string the operation needs
            return route.path
        url = path
        for placeholder, value in zip(re.findall(r"\{\w+\}", path), route.args(w), strict=True):
            url = url.replace(placeholder, str(value), 1)
        return url

    problems = run_matrix(world, route, url_for, lambda role: api_client_for(world.users[role]), is_api=True)

    assert not problems, "\n".join(["", *problems])


# --- lists, counts, search, autocomplete and the recycle bin never show an invisible record ---------------

RECORD_OWNERS = ("owner", "colleague", "manager_b")
DEAL_AMOUNTS = {"owner": 1000, "colleague": 2000, "manager_b": 4000}
# Whose records each role sees (declared, not computed from the permission code under test).
SEES_RECORDS_OF = {
    "viewer": {"owner", "colleague"}, "owner": {"owner"}, "colleague": {"colleague"},
    "head_a": {"owner", "colleague"}, "head_b": {"manager_b"}, "manager_b": {"manager_b"},
    "admin": {"owner", "colleague", "manager_b"},
}


@pytest.fixture
def marked(users: dict[str, Any], make_company: Any, make_contact: Any) -> dict[str, Any]:
    """One live and one deleted company, contact and deal per record owner, with names that say whose they are.
    The deals' amounts (1000, 2000, 4000) tell from a board column's total which deals it added up."""
    pipeline = deal_services.create_pipeline(actor=users["admin"], data={"name": "Продажи"})
    for username in RECORD_OWNERS:
        user = users[username]
        make_company(user, name=f"Невидимка {username}")
        make_contact(user, last_name="Невидимка", first_name=username)
        deal_services.create_deal(actor=user, data={"title": f"Невидимка {username}", "pipeline": pipeline.pk,
                                                    "amount": DEAL_AMOUNTS[username]})
        services.delete_company(make_company(user, name=f"Удалёнка {username}"), actor=user)
        services.delete_contact(make_contact(user, last_name="Удалёнка", first_name=username), actor=user)
        deal_services.delete_deal(deal_services.create_deal(actor=user, data={
            "title": f"Удалёнка {username}", "pipeline": pipeline.pk}), actor=user)
    # A contact and a deal of Team B hung (by an admin) on a Team A company: its card must not list them.
    team_a_company = Company.objects.get(name="Невидимка owner")
    services.create_contact(actor=users["admin"], data={
        "last_name": "Чужой", "first_name": "Сотрудник", "owner": users["manager_b"].pk, "company": team_a_company.pk})
    deal_services.create_deal(actor=users["admin"], data={
        "title": "Чужая сделка", "owner": users["manager_b"].pk, "company": team_a_company.pk, "pipeline": pipeline.pk})
    return {"team_a_company": team_a_company, "pipeline": pipeline}


def names(prefix: str, owners: Iterable[str]) -> set[str]:
    return {f"{prefix} {o}" for o in owners}


def count_text(html_text: str) -> str:
    return html_text.split('data-testid="count">', 1)[1].split("</span>", 1)[0]


def plural(n: int) -> str:
    return f"{n} record" if n == 1 else f"{n} records"


@pytest.mark.parametrize("role", list(SEES_RECORDS_OF))
def test_lists_and_searches_hold_and_count_only_visible_records(role, users, marked):
    visible = SEES_RECORDS_OF[role]
    hidden = set(RECORD_OWNERS) - visible
    client, api_client = client_for(users[role]), api_client_for(users[role])
    problems = []

    def check(where: str, text: str, prefix: str, owners_shown: set[str], owners_hidden: set[str]) -> None:
        leaked = sorted(n for n in names(prefix, owners_hidden) if n in text)
        lost = sorted(n for n in names(prefix, owners_shown) if n not in text)
        if leaked:
            problems.append(f"{where} shows {leaked}")
        if lost:
            problems.append(f"{where} lacks {lost}")

    for entity, path in (("company", "/companies/"), ("contact", "/contacts/")):
        for query in ("", "?q=невидимк", "?q=НЕВИДИМКА"):
            for partial in (False, True):
                response = client.get(path + query, **({"HTTP_HX_REQUEST": "true"} if partial else {}))
                text = response.content.decode()
                where = f"{path}{query}{' (htmx)' if partial else ''}"
                check(where, text, "Невидимка", visible, hidden)
                check(where, text, "Удалёнка", set(), set(RECORD_OWNERS))
                expected = len(visible) + (1 if entity == "contact" and role in {"head_b", "manager_b", "admin"} else 0)
                if query and count_text(text) != plural(len(visible)):
                    problems.append(f"{where} counts {count_text(text)!r}, expected {plural(len(visible))!r}")
                if not query and count_text(text) != plural(expected):
                    problems.append(f"{where} counts {count_text(text)!r}, expected {plural(expected)!r}")
        body = api_client.get(f"/api/v1/{'companies' if entity == 'company' else 'contacts'}?q=невидимк").json()
        shown = {item["name"] if entity == "company" else item["full_name"] for item in body["items"]}
        if shown != names("Невидимка", visible) or body["count"] != len(visible):
            problems.append(f"API {entity} list shows {sorted(shown)} counted {body['count']}")

    for query in ("", "?q=невидимк"):
        for partial in (False, True):
            text = client.get("/deals/" + query, **({"HTTP_HX_REQUEST": "true"} if partial else {})).content.decode()
            where = f"/deals/{query}{' (htmx)' if partial else ''}"
            check(where, text, "Невидимка", visible, hidden)
            check(where, text, "Удалёнка", set(), set(RECORD_OWNERS))
            expected = len(visible) + (1 if not query and "manager_b" in visible else 0)
            if count_text(text) != plural(expected):
                problems.append(f"{where} counts {count_text(text)!r}, expected {plural(expected)!r}")
    body = api_client.get("/api/v1/deals?q=невидимк").json()
    shown = {item["title"] for item in body["items"]}
    if shown != names("Невидимка", visible) or body["count"] != len(visible):
        problems.append(f"API deal list shows {sorted(shown)} counted {body['count']}")
    board = client.get(f"/deals/board/{marked['pipeline'].pk}/").content.decode()
    check("the board", board, "Невидимка", visible, hidden)
    first_column_total = board.split("data-raw=\"", 1)[1].split("\"", 1)[0]
    expected_total = sum(DEAL_AMOUNTS[o] for o in visible)
    if Decimal(first_column_total) != expected_total:
        problems.append(f"the board's first column adds up {first_column_total}, expected {expected_total}")

    options = client.get("/companies/autocomplete/?q=невидимк").content.decode()
    check("autocomplete", options, "Невидимка", visible, hidden)
    check("autocomplete", options, "Удалёнка", set(), set(RECORD_OWNERS))

    trash = client.get("/trash/").content.decode()
    check("recycle bin", trash, "Удалёнка", visible, hidden)
    check("recycle bin", trash, "Невидимка", set(), set(RECORD_OWNERS))

    card = client.get(marked["team_a_company"].get_absolute_url())
    if "owner" in visible:
        side = card.content.decode().split('class="card-side"', 1)[1]
        sees_b = "manager_b" in visible
        if ("Чужой Сотрудник" in side) != sees_b:
            problems.append(f"the card's contacts {'lack' if sees_b else 'show'} Team B's contact")
        if f'<span class="muted">{1 if sees_b else 0}</span>' not in side:
            problems.append("the card's contact count includes an invisible contact")
        if ("Чужая сделка" in side) != sees_b:
            problems.append(f"the card's deals {'lack' if sees_b else 'show'} Team B's deal")
    else:
        assert card.status_code == 404

    assert not problems, "\n".join(["", *problems])


@pytest.mark.parametrize("posted", ["secret", "abc", "999999"])
@pytest.mark.parametrize("page", ["create", "edit"])
def test_contact_form_never_names_a_company_the_user_cannot_see(page, posted, owner, manager_b, make_company,
                                                                 make_contact):
    secret = make_company(manager_b, name="ООО Чужая Тайна")
    contact = make_contact(owner, last_name="Иванов")
    url = reverse("contacts:contact_create") if page == "create" else reverse("contacts:contact_edit", args=[contact.pk])
    before = record_state(Contact, lambda w: contact.pk)(None)

    response = client_for(owner).post(url, {"first_name": "Олег", "last_name": "Иванов", "version": contact.version,
                                            "company": secret.pk if posted == "secret" else posted})

    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["company"]
    assert "ООО Чужая Тайна" not in response.content.decode()
    assert (Contact.objects.count(), record_state(Contact, lambda w: contact.pk)(None)) == (1, before)


def test_edit_form_of_a_contact_linked_to_an_invisible_company_names_only_its_number(
        admin, head_a, owner, manager_b, make_company, make_contact):
    secret = make_company(manager_b, name="ООО Чужая Тайна")
    mine = make_company(owner, name="ООО Своя")
    linked = services.create_contact(actor=admin, data={"first_name": "Ольга", "owner": owner.pk, "company": secret.pk})
    own = make_contact(owner, first_name="Пётр", company=mine.pk)

    foreign_form = client_for(head_a).get(reverse("contacts:contact_edit", args=[linked.pk])).content.decode()
    own_form = client_for(owner).get(reverse("contacts:contact_edit", args=[own.pk])).content.decode()

    assert "ООО Чужая Тайна" not in foreign_form
    assert f'<option value="{secret.pk}" selected>#{secret.pk}</option>' in foreign_form
    assert f'<option value="{mine.pk}" selected>ООО Своя</option>' in own_form


# --- redirects stay on the site ------------------------------------------------------------------------------

HOSTILE_NEXT = ["https://evil.example/", "//evil.example/", "/\\evil.example/", "\\\\evil.example/",
                "/\\/evil.example/", "\t//evil.example/", " //evil.example/", "javascript:alert(1)",
                "http:evil.example", "https:/\\evil.example/"]


def is_local(location: str) -> bool:
    """Whether a browser would stay on this site: it strips leading blanks and reads backslashes as slashes."""
    seen = location.lstrip("".join(chr(c) for c in range(33))).replace("\\", "/")
    parts = urlsplit(seen)
    return not parts.scheme and not parts.netloc and not seen.startswith("//")


NEXT_ROUTES = {  # name → (who posts, the form without `next`)
    "accounts:set_language": ("owner", lambda w: {"language": "en"}),
    "set_language": ("owner", lambda w: {"language": "en"}),
    "contacts:company_bulk": ("owner", lambda w: {"pk": w.company.pk, "action": "tag", "tag": "x"}),
    "contacts:contact_bulk": ("owner", lambda w: {"pk": w.contact.pk, "action": "tag", "tag": "x"}),
    "deals:deal_bulk": ("owner", lambda w: {"pk": w.deal.pk, "action": "tag", "tag": "x"}),
    "products:demand_add": ("owner", lambda w: {"company": w.company.pk, "product_name": "Тиски"}),
    "accounts:login": ("anonymous", lambda w: {"username": "owner", "password": PASSWORD}),
}


@pytest.mark.parametrize("name", list(NEXT_ROUTES))
def test_a_next_parameter_never_sends_the_user_to_another_site(name, world):
    role, form = NEXT_ROUTES[name]
    problems = []
    for hostile in HOSTILE_NEXT:
        with transaction.atomic():
            response = client_for(world.users[role]).post(reverse(name), {**form(world), "next": hostile})
            transaction.set_rollback(True)
        if response.status_code != 302 or not is_local(response["Location"]):
            problems.append(f"next={hostile!r} → {response.status_code} {response.get('Location')!r}")

    assert problems == []


# --- mass assignment: protected fields never change --------------------------------------------------------

PROTECTED = ("owner", "created_by", "version", "deleted_at")
DEAL_PROTECTED = ("closed_at", "stage_entered_at")  # set by the stage actions only


@dataclass(frozen=True)
class Kind:
    """What the mass assignment tests need to know about an entity."""

    model: type
    path: str  # under /api/v1/
    record: Callable[[World], Any]
    change: dict[str, Any]  # a legitimate change to send alongside
    create: dict[str, Any]  # a minimal valid body to create one
    form: Callable[[World], dict[str, Any]]


KINDS = {
    "company": Kind(Company, "companies", lambda w: w.company, {"name": "ООО Попутная"}, {"name": "ООО Новая"},
                    company_form),
    "contact": Kind(Contact, "contacts", lambda w: w.contact, {"position": "Попутная"}, {"first_name": "Олег"},
                    contact_form),
    "deal": Kind(Deal, "deals", lambda w: w.deal, {"title": "Попутная"}, {"title": "Новая сделка"}, deal_form),
}
PROTECTED_CASES = [(e, n) for e in KINDS for n in PROTECTED] + [("deal", n) for n in DEAL_PROTECTED]


def protected_state(record: Any) -> dict[str, Any]:
    fresh = type(record).objects.get(pk=record.pk)
    return {"owner": fresh.owner_id, "created_by": fresh.created_by_id, "version": fresh.version,
            "deleted_at": fresh.deleted_at}


def forbidden_value(name: str, role: str, users: dict[str, Any]) -> Any:
    """A value the role may not give the field: another team's user, a far version, a date."""
    if name == "owner":
        return users["manager_b"].pk
    if name == "created_by":
        return users["head_b"].pk
    if name == "version":
        return 999
    return "2026-01-01T00:00:00Z"


@pytest.mark.parametrize(("entity", "name"), PROTECTED_CASES)
def test_api_patch_of_a_protected_field_changes_nothing(entity, name, world):
    """Sent alongside a legitimate change, by every role: the whole request is refused, nothing is written."""
    users, kind = world.users, KINDS[entity]
    record = kind.record(world)
    state = record_state(kind.model, lambda w: record.pk)
    before = state(world)
    # An administrator may hand a record to anyone: for them `owner` is not protected.
    roles = [r for r in AUTHED if not (name == "owner" and r == "admin")]
    clients = {role: api_client_for(users[role]) for role in roles}
    problems = []

    for role in roles:
        body = {**kind.change, name: forbidden_value(name, role, users)}
        response = clients[role].patch(f"/api/v1/{kind.path}/{record.pk}", json.dumps(body),
                                       content_type="application/json")
        if response.status_code not in (403, 404, 422) or state(world) != before:
            problems.append(f"{role}: {response.status_code}, {state(world)}")

    assert problems == []


@pytest.mark.parametrize(("entity", "name"), PROTECTED_CASES)
def test_api_create_cannot_set_a_protected_field(entity, name, world):
    kind = KINDS[entity]
    count = kind.model.objects.count()

    response = api_client_for(world.users["owner"]).post(
        f"/api/v1/{kind.path}", json.dumps({**kind.create, name: forbidden_value(name, "owner", world.users)}),
        content_type="application/json")

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [name]
    assert kind.model.objects.count() == count


@pytest.mark.parametrize("entity", list(KINDS))
def test_edit_form_ignores_protected_fields_smuggled_into_the_post(entity, world):
    users, kind = world.users, KINDS[entity]
    record = kind.record(world)
    app = "deals" if entity == "deal" else "contacts"
    problems = []
    for role in sorted(CHANGERS):
        with transaction.atomic():
            smuggled = {n: forbidden_value(n, role, users)
                        for n in ("created_by", "deleted_at", "search_text", "id", *DEAL_PROTECTED)}
            if role != "admin":
                smuggled["owner"] = users["manager_b"].pk  # out of a head's team; a manager has no such field
            before = protected_state(record)

            response = client_for(users[role]).post(reverse(f"{app}:{entity}_edit", args=[record.pk]),
                                                    {**kind.form(world), **smuggled})

            after = protected_state(record)
            extra = list(kind.model.objects.filter(pk=record.pk).values(*(DEAL_PROTECTED if entity == "deal" else ())))
            transaction.set_rollback(True)
        kept = {k: after[k] for k in ("owner", "created_by", "deleted_at")} == {
            k: before[k] for k in ("owner", "created_by", "deleted_at")}
        smuggled_dates = any(str(v).startswith("2026-01-01") for row in extra for v in row.values())
        if response.status_code not in (302, 422) or not kept or smuggled_dates \
                or after["version"] > before["version"] + 1:
            problems.append(f"{role}: {response.status_code}, {before} → {after} {extra}")

    assert problems == []


@pytest.mark.parametrize("entity", ["company", "contact"])
def test_edit_form_cannot_set_the_version(entity, world):
    record = world.company if entity == "company" else world.contact
    data = company_form(world) if entity == "company" else contact_form(world)
    before = record_state(type(record), lambda w: record.pk)(world)

    response = client_for(world.users["owner"]).post(reverse(f"contacts:{entity}_edit", args=[record.pk]),
                                                     {**data, "version": 999})

    assert response.status_code == 409  # a version that is not the current one is a conflict, never stored
    assert record_state(type(record), lambda w: record.pk)(world) == before


@pytest.mark.parametrize(("field_name", "cell_field"), [("owner", "name"), ("created_by", "name")])
def test_inline_cell_saves_only_its_own_field(field_name, cell_field, world):
    users = world.users
    before = protected_state(world.company)

    response = client_for(users["owner"]).post(
        reverse("contacts:company_cell", args=[world.company.pk, cell_field]),
        {cell_field: "ООО Ячейка", "version": before["version"], field_name: users["manager_b"].pk})

    assert response.status_code == 200
    after = protected_state(world.company)
    assert (after["owner"], after["created_by"]) == (before["owner"], before["created_by"])


@pytest.mark.parametrize("path", ["contacts:company_cell", "contacts:contact_cell"])
@pytest.mark.parametrize("field_name", ["owner", "created_by", "version", "deleted_at"])
def test_protected_field_is_not_a_cell(path, field_name, world):
    pk = world.company.pk if "company" in path else world.contact.pk

    response = client_for(world.users["admin"]).post(reverse(path, args=[pk, field_name]), {field_name: "1"})

    assert response.status_code == 404


def test_profile_forms_cannot_raise_the_users_role(world):
    owner = world.users["owner"]
    smuggled = {"role": "admin", "is_staff": "1", "is_superuser": "1", "can_export": "1", "team": "",
                "username": "root", "is_active": "1"}
    client = client_for(owner)

    client.post(reverse("accounts:set_language"), {"language": "ru", **smuggled})
    client.post(reverse("accounts:profile"), smuggled)
    client.post(reverse("accounts:token_create"), smuggled)

    fresh = User.objects.get(pk=owner.pk)
    assert (fresh.username, fresh.role, fresh.is_staff, fresh.is_superuser, fresh.can_export, fresh.team_id) == (
        "owner", "manager", False, False, False, owner.team_id)


def test_bulk_assign_by_a_role_that_may_not_reassign_changes_nothing(world):
    for role in ("owner", "viewer", "colleague"):
        before = protected_state(world.company)

        client_for(world.users[role]).post(reverse("contacts:company_bulk"), {
            "pk": world.company.pk, "action": "assign", "owner": world.users[role].pk})

        assert protected_state(world.company) == before, role
