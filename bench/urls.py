"""The bare-Django floor: JSON views that read the same rows as the app's pages with nothing else — no
templates, no permission subqueries, no middleware work beyond what every request pays. Mounted only by
bench/settings.py with KARTOTEKA_BENCH_FLOORS=true, next to the app's own routes."""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from kartoteka.activities.models import Activity
from kartoteka.contacts.models import Company, Contact
from kartoteka.deals.models import Deal

PAGE = 50
LIST_FIELDS = {
    "contact": ("id", "last_name", "first_name", "middle_name", "position", "company__name", "phones", "emails",
                "owner__username", "updated_at"),
    "company": ("id", "name", "inn", "status", "phones", "owner__username", "updated_at"),
}
MODELS = {"contact": Contact, "company": Company}


def _owners(request: HttpRequest) -> list[int]:
    return [int(x) for x in request.GET.get("owners", "").split(",") if x.isdigit()]


def floor_list(request: HttpRequest, entity: str) -> JsonResponse:
    """One page of a list: the records of these owners, optionally of one status, in one order."""
    model = MODELS[entity]
    qs = model.objects.filter(deleted_at__isnull=True)
    owners = _owners(request)
    if owners:
        qs = qs.filter(owner_id__in=owners)
    if request.GET.get("status"):
        qs = qs.filter(status=request.GET["status"])
    order = request.GET.get("order")
    qs = qs.order_by(*(order.split(",") if order else model._meta.ordering))
    rows = list(qs.values(*LIST_FIELDS[entity])[: PAGE + 1])
    return JsonResponse({"items": rows[:PAGE], "has_next": len(rows) > PAGE})


def floor_company(request: HttpRequest, pk: int) -> JsonResponse:
    """A company card's data: the record, its latest timeline page, deals and contacts."""
    company = Company.objects.filter(pk=pk).values().first()
    data = {"company": company}
    if request.GET.get("full"):
        data["timeline"] = list(Activity.objects.filter(company_id=pk).order_by("-occurred_at", "-id")
                                .values("id", "kind", "subject", "body", "occurred_at", "author__username")[:30])
        data["deals"] = list(Deal.objects.filter(company_id=pk, deleted_at__isnull=True).order_by("-created_at")
                             .values("id", "title", "amount", "stage__name")[:20])
        data["contacts"] = list(Contact.objects.filter(company_id=pk, deleted_at__isnull=True)
                                .values("id", "last_name", "first_name", "phones")[:20])
    return JsonResponse(data)


@csrf_exempt
def floor_create_contact(request: HttpRequest) -> JsonResponse:
    """One INSERT of a contact row from a JSON body (no validation, no audit, no permission check)."""
    body = json.loads(request.body)
    contact = Contact.objects.bulk_create([Contact(
        first_name=body["first_name"], last_name=body.get("last_name", ""), phones=body.get("phones", []),
        emails=body.get("emails", []), owner_id=int(body["owner"]), search_text=body.get("first_name", "").lower())])[0]
    return JsonResponse({"id": contact.pk}, status=201)


urlpatterns = [
    path("bench-floor/list/<str:entity>/", floor_list),
    path("bench-floor/company/<int:pk>/", floor_company),
    path("bench-floor/contacts/", csrf_exempt(floor_create_contact)),
    path("", include("kartoteka.urls")),
]
