"""Activities and call results under /api/v1.

No `from __future__ import annotations` here: ninja reads the endpoint annotations.
"""

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router, Status

from kartoteka.activities import schemas
from kartoteka.activities.models import Activity, CallResult
from kartoteka.activities.services import log_activity
from kartoteka.api.crud import BODY_ERRORS, READ_ERRORS
from kartoteka.api.errors import ErrorOut
from kartoteka.api.pagination import page_of, paginate
from kartoteka.api.schemas import Id
from kartoteka.contacts.models import Company, Contact
from kartoteka.deals.models import Deal

activities_router = Router(tags=["Activities"])
call_results_router = Router(tags=["Activities"])
ActivityPage = page_of(schemas.ActivityOut, "ActivityPage")


def visible_activities(user: Any) -> Any:
    """Activities on the timeline of at least one record the user may see."""
    return Activity.objects.filter(
        Q(company_id__in=Company.objects.visible_to(user).values("pk"))
        | Q(contact_id__in=Contact.objects.visible_to(user).values("pk"))
        | Q(deal_id__in=Deal.objects.visible_to(user).values("pk"))
    ).select_related("author", "result")


@activities_router.get("", response={200: ActivityPage, 401: ErrorOut, 422: ErrorOut}, operation_id="activity_list",
                       summary="List activities, newest first")
def activity_list(request: HttpRequest, filters: Query[schemas.ActivityFilters]) -> Any:
    """Filter by the record (`company` includes its contacts' and deals' activities) and by kind."""
    qs = visible_activities(request.user)
    for name in ("company", "contact", "deal"):
        if getattr(filters, name):
            qs = qs.filter(**{f"{name}_id": getattr(filters, name)})
    if filters.kind:
        qs = qs.filter(kind__in=filters.kind)
    page = paginate(qs.order_by("-occurred_at", "-id"), page=filters.page, page_size=filters.page_size)
    page["items"] = [schemas.activity_out(a) for a in page["items"]]
    return page


@activities_router.post("", response={201: schemas.ActivityOut, **BODY_ERRORS}, operation_id="activity_create",
                        summary="Log a call, e-mail, meeting, message or note")
def activity_create(request: HttpRequest, payload: schemas.ActivityIn) -> Any:
    """Links to any of `company`, `contact`, `deal` (records you may see; you must be allowed to change one).
    A `follow_up` creates the follow-up task in the same step; its field errors are named `follow_up_<field>`."""
    data = payload.model_dump(exclude={"kind", "follow_up"}, exclude_none=True)
    follow_up = payload.follow_up.model_dump() if payload.follow_up else None
    activity = log_activity(actor=request.user, kind=payload.kind, data=data, follow_up=follow_up)
    return Status(201, schemas.activity_out(activity))


@activities_router.get("/{pk}", response={200: schemas.ActivityOut, **READ_ERRORS}, operation_id="activity_read",
                       summary="Read an activity")
def activity_read(request: HttpRequest, pk: Id) -> Any:
    activity = visible_activities(request.user).filter(pk=pk).first()
    if activity is None:
        from kartoteka.core.errors import NotVisible

        raise NotVisible(Activity, pk)
    return schemas.activity_out(activity)


@call_results_router.get("", response={200: list[schemas.CallResultOut], 401: ErrorOut},
                         operation_id="call_result_list", summary="Call results (the managed list)")
def call_result_list(request: HttpRequest) -> Any:
    return [{f: getattr(r, f) for f in ("id", "name", "position", "active", "follow_up")}
            for r in CallResult.objects.all()]
