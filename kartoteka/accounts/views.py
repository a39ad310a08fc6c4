from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kartoteka.accounts import services
from kartoteka.accounts.forms import LanguageForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    tokens = request.user.api_tokens.filter(revoked_at__isnull=True)
    return render(request, "accounts/profile.html", {
        "language_form": LanguageForm(initial={"language": request.user.language}),
        "tokens": tokens,
        "new_token": request.session.pop("new_token", None),
    })


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
