"""POST /f/<key>: the one page of Kartoteka open to the world. A website's form posts here (form-encoded or
JSON); the answer is JSON for scripts and a small thank-you (or error) page for plain HTML forms."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from kartoteka.audit.services import client_ip
from kartoteka.leads.models import WebForm
from kartoteka.leads.webforms import TooLarge, read_body, submit, throttled


def _wants_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json" or "application/json" in request.headers.get("Accept", "")


def _answer(request: HttpRequest, status: int, *, message: str = "", errors: dict[str, list[str]] | None = None,
            form: WebForm | None = None, headers: dict[str, str] | None = None) -> HttpResponse:
    if _wants_json(request):
        body: dict[str, Any] = {"detail": message} if message else {}
        if errors:
            body["errors"] = errors
        response: HttpResponse = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    else:
        labels = {f["name"]: f.get("label") or f["name"] for f in (form.fields if form else [])}
        response = render(request, "leads/webform_result.html", {
            "message": message, "errors": [(labels.get(k, ""), v) for k, v in (errors or {}).items()],
            "back": request.META.get("HTTP_REFERER", ""),
        }, status=status)
    response["Access-Control-Allow-Origin"] = "*"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@csrf_exempt
def webform_submit(request: HttpRequest, key: str) -> HttpResponse:
    if request.method == "OPTIONS":  # a cross-site fetch() asks first
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = "86400"
        return response
    if request.method != "POST":
        return _answer(request, 405, message=_("Send the form with POST."), headers={"Allow": "POST, OPTIONS"})
    form = WebForm.objects.filter(key=key, active=True).select_related("team", "responsible").first()
    if form is None:
        return _answer(request, 404, message=_("There is no such form."))
    try:
        data = read_body(request)
    except TooLarge:
        return _answer(request, 413, message=_("The form is too large."), form=form)
    except ValidationError as exc:
        return _answer(request, 400, message=" ".join(exc.messages), form=form)
    ip = client_ip(request) or "0.0.0.0"  # noqa: S104 - an unknown address shares one bucket
    retry_after = throttled(ip)
    if retry_after is not None:
        return _answer(request, 429, message=_("Too many submissions. Try again in a minute."), form=form,
                       headers={"Retry-After": str(retry_after)})
    try:
        submit(form, data, request, ip=ip)
    except ValidationError as exc:
        return _answer(request, 422, message=_("Please correct the form."), errors=exc.message_dict, form=form)
    return _answer(request, 200, message=form.success_message, form=form)
