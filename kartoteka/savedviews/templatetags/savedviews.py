"""{% saved_views entity %}: the list's saved views (pinned first) and the form that saves the current one."""

from typing import Any

from django import template

from kartoteka.savedviews.services import views_for

register = template.Library()


@register.inclusion_tag("savedviews/_views.html", takes_context=True)
def saved_views(context: Any, entity: str) -> dict[str, Any]:
    request = context["request"]
    return {"views": views_for(request.user, entity), "request": request, "user": request.user,
            "csrf_token": context.get("csrf_token")}
