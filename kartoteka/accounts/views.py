from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from kartoteka.accounts import permissions, services, two_factor
from kartoteka.accounts.choices import TwoFactorStatus
from kartoteka.accounts.forms import CodeForm, LanguageForm, SecurityPolicyForm
from kartoteka.accounts.models import SecurityPolicy

# Recovery codes travel from the action that made them to the one page that shows them, once.
NEW_RECOVERY_CODES_KEY = "kartoteka_new_recovery_codes"


class LoginView(auth_views.LoginView):
    """The password step. When two-factor login applies, the session goes on to the code step (or enrolment)."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        url = super().get_success_url()
        return two_factor.step_url(self.request, url) or url


def _next_url(request: HttpRequest, default: str = settings.LOGIN_REDIRECT_URL) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return candidate
    return resolve_url(default)


def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second login step: a code from the authenticator app, or a recovery code."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    next_url = _next_url(request)
    if two_factor.status(request) != TwoFactorStatus.CODE_NEEDED:
        return redirect(two_factor.step_url(request, next_url) or next_url)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        try:
            device = services.verify_second_factor(request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            two_factor.mark_verified(request, device)
            if isinstance(device, StaticDevice):
                left = two_factor.recovery_codes_left(request.user)
                messages.warning(request, ngettext("You used a recovery code: %(n)s is left.",
                                                   "You used a recovery code: %(n)s are left.", left) % {"n": left})
            return redirect(next_url)
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url},
                  status=422 if form.errors else 200)


@login_required
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the secret), confirm with its first code."""
    next_url = _next_url(request, default="accounts:two_factor")
    if two_factor.authenticator_of(request.user) is not None:
        return redirect("accounts:two_factor")
    device = services.start_two_factor(request.user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        try:
            codes = services.confirm_two_factor(device, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            two_factor.mark_verified(request, device)
            request.session[NEW_RECOVERY_CODES_KEY] = codes
            messages.success(request, _("Two-factor login is on."))
            return redirect(f"{reverse('accounts:two_factor')}?{urlencode({'next': next_url})}")
    return render(request, "accounts/two_factor_enrol.html", {
        "form": form, "next": next_url, "qr_code": two_factor.qr_data_uri(device.config_url),
        "secret": two_factor.secret_for_display(device),
        "forced": two_factor.status(request) == TwoFactorStatus.ENROLMENT_NEEDED,
    }, status=422 if form.errors else 200)


def _two_factor_page(request: HttpRequest, status: int = 200, **forms: Any) -> HttpResponse:
    return render(request, "accounts/two_factor.html", {
        "authenticator": two_factor.authenticator_of(request.user),
        "required": SecurityPolicy.load().requires_two_factor(request.user),
        "codes_left": two_factor.recovery_codes_left(request.user),
        "new_codes": request.session.pop(NEW_RECOVERY_CODES_KEY, None),
        "next": _next_url(request, default="accounts:profile"),
        "recovery_form": forms.get("recovery_form") or CodeForm(auto_id="recovery_%s", autofocus=False),
        "disable_form": forms.get("disable_form") or CodeForm(auto_id="disable_%s", autofocus=False),
    }, status=status)


@login_required
def two_factor_settings(request: HttpRequest) -> HttpResponse:
    """Two-factor login in the profile: on or off, recovery codes left (new ones shown here once)."""
    return _two_factor_page(request)


@login_required
@require_POST
def regenerate_recovery_codes(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST, auto_id="recovery_%s", autofocus=False)
    if form.is_valid():
        try:
            request.session[NEW_RECOVERY_CODES_KEY] = services.regenerate_recovery_codes(
                request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            return redirect("accounts:two_factor")
    return _two_factor_page(request, status=422, recovery_form=form)


@login_required
@require_POST
def disable_two_factor(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST, auto_id="disable_%s", autofocus=False)
    if form.is_valid():
        try:
            services.disable_two_factor(request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            messages.success(request, _("Two-factor login is off."))
            return redirect("accounts:two_factor")
    return _two_factor_page(request, status=422, disable_form=form)


@login_required
def security_policy(request: HttpRequest) -> HttpResponse:
    """Admins choose who must use two-factor login."""
    if not permissions.can_manage_settings(request.user):
        raise Http404
    policy = SecurityPolicy.load()
    form = SecurityPolicyForm(request.POST or None, initial={
        "two_factor_roles": policy.two_factor_roles, "two_factor_for_exporters": policy.two_factor_for_exporters})
    if form.is_valid():
        try:
            services.update_security_policy(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Security settings saved."))
            return redirect("security:policy")
    return render(request, "accounts/security_policy.html", {
        "form": form, "policy": policy, "must_enrol": two_factor.users_who_must_enrol(policy),
    }, status=422 if form.errors else 200)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    tokens = request.user.api_tokens.filter(revoked_at__isnull=True)
    return render(request, "accounts/profile.html", {
        "language_form": LanguageForm(initial={"language": request.user.language}),
        "tokens": tokens,
        "new_token": request.session.pop("new_token", None),
        "two_factor_on": two_factor.authenticator_of(request.user) is not None,
        **own_discipline(request.user),
    })


def own_discipline(user: Any) -> dict[str, Any]:
    """The user's own task discipline this month (for those who own records: not viewers)."""
    if user.is_viewer:
        return {}
    from django.utils import timezone

    from kartoteka.reports.discipline import COLUMNS, with_total
    from kartoteka.reports.scope import Scope, period_bounds

    start, end = period_bounds("month", timezone.localdate())
    scope = Scope(user=user, start=start, end=end, period="month", owner=user)
    return {"discipline": with_total(scope), "discipline_columns": COLUMNS, "scope": scope,
            "can_export": user.can_export or user.is_admin}


@login_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    if form.is_valid():
        language = form.cleaned_data["language"]
        services.set_language(request.user, language)
        translation.activate(language or translation.get_language_from_request(request))
        messages.success(request, _("Language saved."))
    next_url = request.POST.get("next", "")
    if not next_url.startswith("/") or next_url.startswith("//"):
        next_url = "accounts:profile"
    return redirect(next_url)


@login_required
@require_POST
def create_token(request: HttpRequest) -> HttpResponse:
    request.session["new_token"] = services.issue_token(request.user)
    return redirect("accounts:profile")


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    services.revoke_token(request.user, pk)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:profile")
