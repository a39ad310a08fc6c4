"""{% unmet_demand record %}: the card section that lists what the client asked for and could not get, with the
form that logs another request (for who may change the record)."""

from typing import Any

from django import template

from kartoteka.accounts import permissions
from kartoteka.products.demand import demand_for

register = template.Library()


@register.inclusion_tag("products/_unmet_demand.html", takes_context=True)
def unmet_demand(context: Any, record: Any) -> dict[str, Any]:
    request = context["request"]
    kind = type(record)._meta.model_name
    # The card has already decided whether the user may change the record (deleted records: no).
    can_change = context["can_change"] if "can_change" in context else permissions.can_change(request.user, record)
    can_add = bool(can_change) and not getattr(record, "is_deleted", False)
    return {"entries": demand_for(record, request.user), "record": record, "kind": kind, "can_add": can_add,
            "csrf_token": context.get("csrf_token"), "next": request.get_full_path()}
