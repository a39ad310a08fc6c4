"""The security log page: recent security events for administrators, newest first, read-only."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kartoteka.accounts import permissions
from kartoteka.audit.choices import DenialReason, SecurityEventKind
from kartoteka.audit.models import SecurityEvent
from kartoteka.audit.services import record_denial


@login_required
@require_GET
def security_log(request: HttpRequest) -> HttpResponse:
    """Paged by id (?before=<id>): each page is one indexed read, however long the log."""
    if not permissions.can_manage_settings(request.user):
        record_denial(request, None, None, reason=DenialReason.NOT_ALLOWED)
        raise Http404
    events = SecurityEvent.objects.select_related("content_type").order_by("-id")
    kind = request.GET.get("kind", "")
    if kind in SecurityEventKind.values:
        events = events.filter(kind=kind)
    before = request.GET.get("before", "")
    if before.isdigit():
        events = events.filter(id__lt=int(before))
    page = list(events[: settings.LIST_PAGE_SIZE + 1])
    more = len(page) > settings.LIST_PAGE_SIZE
    page = page[: settings.LIST_PAGE_SIZE]
    return render(request, "audit/security_log.html", {
        "events": page,
        "kinds": SecurityEventKind.choices,
        "kind": kind,
        "older": page[-1].pk if more else None,
        "first_page": not before,
    })
