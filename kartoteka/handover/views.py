"""People a head or an administrator manages: their portfolio, handover (preview, apply, revert), temporary
cover and deactivation."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kartoteka.accounts import permissions
from kartoteka.accounts.choices import Role
from kartoteka.accounts.models import User
from kartoteka.core.errors import AccessDenied
from kartoteka.core.views.htmx import is_partial
from kartoteka.handover import services
from kartoteka.handover.choices import HandoverStatus
from kartoteka.handover.forms import CoverForm, ReceiversForm
from kartoteka.handover.models import Cover, Handover


def managed_users(actor: Any) -> Any:
    """Users the actor manages: everyone but themselves for admins; their teams' members for heads."""
    if actor.is_admin:
        return User.objects.exclude(pk=actor.pk)
    if actor.role == Role.HEAD:
        return User.objects.filter(team__heads=actor).exclude(pk=actor.pk)
    return User.objects.none()


def _managed(request: HttpRequest, user_id: int) -> User:
    user = managed_users(request.user).filter(pk=user_id).first()
    if user is None:
        raise Http404
    return user


def _receivers(request: HttpRequest, user: User) -> Any:
    return permissions.assignable_users(request.user).exclude(pk=user.pk)


@login_required
@require_GET
def people(request: HttpRequest) -> HttpResponse:
    users = list(managed_users(request.user).select_related("team").order_by("-is_active", "last_name", "username"))
    if not users and not request.user.is_admin and request.user.role != Role.HEAD:
        raise Http404
    from kartoteka.contacts.models import Company
    from kartoteka.deals.models import Deal

    ids = [u.pk for u in users]
    companies = dict(Company.objects.alive().filter(owner__in=ids).order_by().values("owner")
                     .annotate(n=Count("id")).values_list("owner", "n"))
    deals = dict(Deal.objects.alive().filter(owner__in=ids, stage__kind="open").order_by().values("owner")
                 .annotate(n=Count("id")).values_list("owner", "n"))
    covers = {c.user_id: c for c in Cover.objects.active().filter(user__in=ids).select_related("substitute")}
    return render(request, "handover/people.html", {
        "rows": [(u, companies.get(u.pk, 0), deals.get(u.pk, 0), covers.get(u.pk)) for u in users],
        "handovers": Handover.objects.filter(Q(from_user__in=ids) | Q(created_by=request.user))
        .select_related("from_user", "created_by").distinct()[:20],
    })


@login_required
def person(request: HttpRequest, user_id: int) -> HttpResponse:
    """The user's portfolio with the handover form (preview, then apply), the cover form and deactivation."""
    user = _managed(request, user_id)
    receivers = _receivers(request, user)
    form = ReceiversForm(request.POST or None, users=receivers)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("action") == "apply":
                handover = services.create_handover(actor=request.user, from_user=user, receivers=list(data["receivers"]),
                                                    rule=data["rule"], reason=data["reason"])
                services.start_handover(handover)
                messages.success(request, _("The handover has started: this page shows its progress."))
                return redirect(handover.get_absolute_url())
            preview = services.preview(actor=request.user, from_user=user, receivers=list(data["receivers"]),
                                       rule=data["rule"])
        except AccessDenied:
            raise Http404 from None
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return render(request, "handover/person.html", {
        "person": user, "portfolio": services.portfolio(user), "form": form, "preview": preview,
        "cover_form": CoverForm(users=receivers.exclude(role=Role.VIEWER)),
        "covers": Cover.objects.filter(user=user).select_related("substitute")[:10],
        "deactivate_form": ReceiversForm(users=receivers, required=False, prefix="d"),
        "open_work": services.open_work(user),
    })


def _visible_handover(request: HttpRequest, pk: int) -> Handover:
    handover = get_object_or_404(Handover.objects.select_related("from_user", "created_by"), pk=pk)
    if not (services.may_manage(request.user, handover.from_user) or handover.created_by_id == request.user.pk):
        raise Http404
    return handover


@login_required
@require_GET
def handover_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The handover's progress and result per receiver and kind. While it runs, the progress part asks the page
    again every few seconds (HTMX) and is replaced; a reload shows the same state, which lives in the database."""
    handover = _visible_handover(request, pk)
    per_receiver = [
        {**row, "kind": apps.get_model(row["content_type__app_label"], row["content_type__model"])._meta.verbose_name_plural}
        for row in handover.items.order_by().values("to_user__username", "to_user__first_name", "to_user__last_name",
                                                    "content_type__app_label", "content_type__model")
        .annotate(total=Count("id"), moved=Count("id", filter=Q(moved_at__isnull=False, skipped=False)),
                  reverted=Count("id", filter=Q(reverted=True)))]
    progress = handover.items.aggregate(total=Count("id"), done=Count("id", filter=Q(moved_at__isnull=False)))
    progress["percent"] = round(100 * progress["done"] / progress["total"]) if progress["total"] else 100
    manages = services.may_manage(request.user, handover.from_user)
    context = {"handover": handover, "rows": per_receiver, "progress": progress, "can_revert": manages,
               "can_resume": manages and services.may_resume(handover),
               "polling": handover.status in (HandoverStatus.PLANNED, HandoverStatus.RUNNING)}
    template = "handover/partials/_progress.html" if is_partial(request) else "handover/detail.html"
    return render(request, template, context)


@login_required
@require_POST
def handover_resume(request: HttpRequest, pk: int) -> HttpResponse:
    handover = _visible_handover(request, pk)
    try:
        services.resume_handover(handover, actor=request.user)
    except AccessDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The handover has been resumed."))
    return redirect(handover.get_absolute_url())


@login_required
@require_POST
def handover_revert(request: HttpRequest, pk: int) -> HttpResponse:
    handover = get_object_or_404(Handover, pk=pk)
    try:
        back, kept = services.revert_handover(handover, actor=request.user)
    except AccessDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Given back: %(back)d. Kept by the receivers (changed since): %(kept)d.")
                         % {"back": back, "kept": kept})
    return redirect(handover.get_absolute_url())


@login_required
@require_POST
def cover_set(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _managed(request, user_id)
    form = CoverForm(request.POST, users=_receivers(request, user))
    if form.is_valid():
        try:
            services.set_cover(actor=request.user, user=user, **form.cleaned_data)
        except AccessDenied:
            raise Http404 from None
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Cover set."))
    else:
        messages.error(request, " ".join(" ".join(v) for v in form.errors.values()))
    return redirect("handover:person", user_id=user.pk)


@login_required
@require_POST
def cover_end(request: HttpRequest, pk: int) -> HttpResponse:
    cover = get_object_or_404(Cover, pk=pk)
    try:
        services.end_cover(cover, actor=request.user)
    except AccessDenied:
        raise Http404 from None
    messages.success(request, _("Cover ended."))
    return redirect("handover:person", user_id=cover.user_id)


@login_required
@require_POST
def deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _managed(request, user_id)
    form = ReceiversForm(request.POST, users=_receivers(request, user), required=False, prefix="d")
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(v) for v in form.errors.values()))
        return redirect("handover:person", user_id=user.pk)
    try:
        handover = services.deactivate_user(actor=request.user, user=user, receivers=list(form.cleaned_data["receivers"]),
                                 rule=form.cleaned_data["rule"])
    except AccessDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("handover:person", user_id=user.pk)
    messages.success(request, _("%(user)s is deactivated; every record and all history stay.") % {"user": user})
    return redirect(handover.get_absolute_url() if handover else "handover:people")
