"""Web forms: what a site posts to /f/<key> becomes a lead. Parsing, field mapping, abuse control, the
embeddable snippet, and the administrators' writes to form definitions.

Abuse control, in the order applied: the body size limit (413), the per-address rate limit (429 with
Retry-After; every attempt counts, accepted or not), the honeypot (a filled hidden field is answered as a
success and stored nowhere), then per-field validation (422 naming each field).
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from kartoteka.accounts import permissions
from kartoteka.audit.choices import Action
from kartoteka.audit.receivers import record_change
from kartoteka.core.errors import AccessDenied
from kartoteka.customfields.choices import Entity
from kartoteka.customfields.values import clean_values, fields_for
from kartoteka.leads.choices import FORM_TARGETS, LeadSource
from kartoteka.leads.models import Lead, WebForm, WebFormHit
from kartoteka.leads.services import NORMALIZERS, intake_lead

HONEYPOT = "website_url"
CHANNEL_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "referrer", "landing_page")
CF_TARGET = "cf:"
HIT_RETENTION = datetime.timedelta(hours=1)


class TooLarge(Exception):
    pass


def read_body(request: HttpRequest) -> dict[str, Any]:
    """The submission as a flat dict, from JSON or form encoding. TooLarge past the size limit;
    ValidationError for a body that is not what its content type says."""
    limit = settings.WEBFORM_MAX_BODY_BYTES
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge
    if request.content_type == "multipart/form-data":  # a form with enctype="multipart/form-data"; files ignored
        try:
            return {k: request.POST.get(k) for k in request.POST}
        except MultiPartParserError:
            raise ValidationError({"__all__": [_("The form data could not be read.")]}) from None
    body = request.read(limit + 1)
    if len(body) > limit:
        raise TooLarge
    if request.content_type == "application/json":
        try:
            data = json.loads(body.decode("utf-8") or "{}")
        except (UnicodeDecodeError, ValueError):
            raise ValidationError({"__all__": [_("The body is not valid JSON.")]}) from None
        if not isinstance(data, dict):
            raise ValidationError({"__all__": [_("Send a JSON object of field names and values.")]})
        return {str(k): v if isinstance(v, str | int | float | bool) or v is None else json.dumps(v)
                for k, v in data.items()}
    try:
        query = QueryDict(body, encoding=request.encoding or "utf-8")
    except Exception:  # noqa: BLE001 - an undecodable body
        raise ValidationError({"__all__": [_("The form data could not be read.")]}) from None
    return {k: query.get(k) for k in query}


def throttled(ip: str) -> int | None:
    """Count this attempt; the seconds to wait if the address went past the limit in the last minute."""
    now = timezone.now()
    window_start = now - datetime.timedelta(seconds=60)
    with transaction.atomic():
        WebFormHit.objects.filter(ip=ip, at__lt=now - HIT_RETENTION).delete()
        recent = list(WebFormHit.objects.filter(ip=ip, at__gte=window_start).order_by("at").values_list("at", flat=True))
        WebFormHit.objects.create(ip=ip, at=now)
    if len(recent) < settings.WEBFORM_RATE_LIMIT_PER_MINUTE:
        return None
    oldest_counted = recent[-settings.WEBFORM_RATE_LIMIT_PER_MINUTE]
    return max(1, int((oldest_counted + datetime.timedelta(seconds=60) - now).total_seconds()) + 1)


def _channel(data: dict[str, Any], request: HttpRequest) -> dict[str, str]:
    channel = {name: str(data.get(name) or "").strip() for name in CHANNEL_FIELDS}
    channel["referrer"] = channel["referrer"] or request.META.get("HTTP_REFERER", "")
    channel["landing_page"] = channel["landing_page"] or str(data.get("page") or "") or request.META.get("HTTP_REFERER", "")
    return {k: v for k, v in channel.items() if v}


def submit(form: WebForm, data: dict[str, Any], request: HttpRequest, *, ip: str) -> Lead | None:
    """The lead made from a submission, or None for a bot caught by the honeypot.

    ValidationError is keyed by the form's own field names, as the visitor's page knows them.
    """
    if str(data.get(HONEYPOT) or "").strip():
        return None
    values: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    back_to_form_name: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for field in form.fields:
        name, target = field["name"], field["target"]
        raw = data.get(name)
        text = "" if raw is None else str(raw).strip()
        if field.get("required") and not text:
            errors[name] = [_("This field is required.")]
            continue
        if target.startswith(CF_TARGET):
            if text:
                custom[target[len(CF_TARGET):]] = text
            continue
        values[target] = text
        if text and target in NORMALIZERS:  # report every bad field at once, not after the missing ones
            try:
                NORMALIZERS[target](text)
            except ValidationError as exc:
                errors[name] = exc.messages
        back_to_form_name[target] = name
    if custom:
        try:
            values["custom_fields"] = clean_values(Entity.LEAD, custom, partial=True)
        except ValidationError as exc:
            names = {f["target"][len(CF_TARGET):]: f["name"] for f in form.fields if f["target"].startswith(CF_TARGET)}
            for key, messages in exc.message_dict.items():
                errors[names.get(key, key)] = messages
    if errors:
        raise ValidationError(errors)
    payload = {"fields": {k: v for k, v in data.items() if k != HONEYPOT}, "ip": ip,
               "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300]}
    try:
        return intake_lead(values=values, source=LeadSource.WEB_FORM, web_form=form, channel=_channel(data, request),
                           payload=payload)
    except ValidationError as exc:
        raise ValidationError({back_to_form_name.get(k, k): v for k, v in exc.message_dict.items()}) from None


def snippet(form: WebForm, action_url: str) -> str:
    """HTML to paste into a site: the form, the hidden honeypot, and a few lines that copy the page's UTM
    parameters and referrer into hidden fields."""
    rows = []
    for field in form.fields:
        required = " required" if field.get("required") else ""
        kind = {"phone": "tel", "email": "email"}.get(field["target"], "text")
        label = escape(field.get("label") or field["name"])
        name = escape(field["name"])
        if field["target"] == "message":
            control = f'<textarea name="{name}"{required}></textarea>'
        else:
            control = f'<input type="{kind}" name="{name}"{required}>'
        rows.append(f"  <label>{label}<br>{control}</label><br>")
    hidden = "\n".join(f'  <input type="hidden" name="{n}">' for n in CHANNEL_FIELDS)
    send = escape(_("Send"))  # outside the f-string: xgettext does not see calls inside f-strings
    return (
        f'<form action="{escape(action_url)}" method="post" accept-charset="utf-8" class="kartoteka-form">\n'
        + "\n".join(rows) + "\n"
        f'  <div style="position:absolute;left:-10000px" aria-hidden="true">'
        f'<input type="text" name="{HONEYPOT}" tabindex="-1" autocomplete="off"></div>\n'
        f"{hidden}\n"
        f'  <button type="submit">{send}</button>\n'
        "</form>\n"
        "<script>\n"
        "(function () {\n"
        "  var form = document.currentScript.previousElementSibling, params = new URLSearchParams(location.search);\n"
        "  ['utm_source','utm_medium','utm_campaign','utm_content','utm_term'].forEach(function (n) {\n"
        "    if (params.get(n)) form.elements[n].value = params.get(n);\n"
        "  });\n"
        "  form.elements.referrer.value = document.referrer; form.elements.landing_page.value = location.href;\n"
        "})();\n"
        "</script>\n"
    )


# --- Administrators' writes ---------------------------------------------------------------------------------

FORM_SETTINGS = ("name", "active", "team", "responsible", "pipeline", "success_message")


def targets() -> list[tuple[str, str]]:
    """(value, label) of what a form field may fill: lead fields and the leads' custom fields."""
    labels = {name: str(Lead._meta.get_field(name).verbose_name).capitalize() for name in FORM_TARGETS}
    return [(name, labels[name]) for name in FORM_TARGETS] + [
        (CF_TARGET + cf.key, cf.label) for cf in fields_for(Entity.LEAD)]


def clean_fields(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validate a form's field list: names unique and safe, targets known and used once, phone or e-mail present."""
    known = {value for value, _label in targets()}
    cleaned, names, used = [], set(), set()
    for item in items:
        name = str(item.get("name") or "").strip()
        target = str(item.get("target") or "").strip()
        if not name and not target:
            continue
        if not name.replace("_", "").replace("-", "").isalnum() or not name.isascii() or name == HONEYPOT:
            raise ValidationError({"fields": _("“%(name)s”: a field name is Latin letters, digits, - and _.")
                                   % {"name": name}})
        if target not in known:
            raise ValidationError({"fields": _("“%(name)s”: choose what the field fills.") % {"name": name}})
        if name in names or target in used:
            raise ValidationError({"fields": _("“%(name)s”: each name and each target only once.") % {"name": name}})
        names.add(name)
        used.add(target)
        cleaned.append({"name": name, "label": str(item.get("label") or "").strip()[:100] or name, "target": target,
                        "required": bool(item.get("required"))})
    if not used & {"phone", "email"}:
        raise ValidationError({"fields": _("A form needs a phone or an e-mail field, or nobody can reply.")})
    return cleaned


@transaction.atomic
def save_web_form(form: WebForm | None, *, actor: Any, data: dict[str, Any]) -> WebForm:
    """Create (form=None) or change a web form; audited like a record change."""
    if not permissions.can_manage_settings(actor):
        raise AccessDenied()
    unknown = set(data) - {*FORM_SETTINGS, "fields"}
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    instance = form or WebForm()
    before = _snapshot(instance) if instance.pk else None
    if "fields" in data:
        instance.fields = clean_fields(data["fields"])
    for name in FORM_SETTINGS:
        if name in data:
            value = data[name]
            setattr(instance, name if name in ("name", "active", "success_message") else f"{name}_id",
                    getattr(value, "pk", value) if name not in ("name", "active", "success_message") else value)
    instance.full_clean(exclude=["key"])
    instance.save()
    after = _snapshot(instance)
    if before != after:
        changed = {k for k in after if before is None or before.get(k) != after[k]}
        record_change(instance, Action.CREATE if before is None else Action.UPDATE,  # type: ignore[arg-type]
                      None if before is None else {k: before[k] for k in changed}, {k: after[k] for k in changed})
    return instance


def _snapshot(form: WebForm) -> dict[str, Any]:
    return {"name": form.name, "active": form.active, "fields": form.fields, "team": form.team_id,
            "responsible": form.responsible_id, "pipeline": form.pipeline_id, "success_message": form.success_message}
