"""The bell's pages: the list, mark read, and each user's notification settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kartoteka.notifications import services
from kartoteka.notifications.choices import Channel, NotificationKind
from kartoteka.notifications.models import Notification

PAGE_SIZE = 30


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    notices = Notification.objects.filter(recipient=request.user, in_app=True)
    if request.GET.get("unread"):
        notices = notices.filter(read_at__isnull=True)
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page, "unread_only": bool(request.GET.get("unread"))})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one read; then follow it when asked (the list's links go through here)."""
    notice = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_read(notice, actor=request.user)
    target = notice.url if request.POST.get("open") and notice.url else ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:notification_list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    services.mark_all_read(actor=request.user)
    return redirect("notifications:notification_list")


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Per kind: in the app and/or by e-mail; and how long before a deadline to remind."""
    kinds = [k for k in NotificationKind if k != NotificationKind.JOB_FAILED or request.user.is_admin]
    if request.method == "POST":
        channels = {k.value: request.POST.getlist(k.value) for k in kinds}
        minutes = request.POST.get("remind_minutes", "").strip()
        try:
            services.set_preferences(request.user, actor=request.user, channels=channels,
                                     remind_minutes=int(minutes) if minutes.isdigit() else None)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved."))
        return redirect("notifications:notification_settings")
    rows = [(k, [(c, c in services.channels_for(request.user, k)) for c in Channel]) for k in kinds]
    return render(request, "notifications/settings.html", {
        "rows": rows, "channels": list(Channel), "remind_minutes": services.reminder_minutes(request.user)})
