"""POST /f/<key> over HTTP: form-encoded and JSON, UTM capture, honeypot, per-field errors, size and rate limits,
and a known client's request attached to the existing contact."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from kartoteka.activities.models import Activity
from kartoteka.contacts.models import Contact
from kartoteka.leads.choices import LeadSource, LeadStatus
from kartoteka.leads.models import Lead

pytestmark = pytest.mark.django_db


def post(form: Any, data: dict[str, Any], *, ip: str = "203.0.113.7", as_json: bool = False, **extra: Any) -> Any:
    url = f"/f/{form.key}"
    if as_json:
        return Client().post(url, json.dumps(data), content_type="application/json", REMOTE_ADDR=ip, **extra)
    return Client().post(url, data, REMOTE_ADDR=ip, **extra)


def test_a_form_post_becomes_a_lead_with_its_channel_and_a_thank_you_page(web_form, owner):
    response = post(web_form, {
        "name": "Ольга", "phone": "+7 (916) 800-00-01", "message": "Сколько стоит?", "utm_source": "yandex",
        "utm_campaign": "весна"}, HTTP_REFERER="https://example.ru/price?utm_source=yandex")

    lead = Lead.objects.get()
    assert response.status_code == 200 and "Спасибо!" in response.content.decode()
    assert (lead.name, lead.phone, lead.message, lead.source) == ("Ольга", "+79168000001", "Сколько стоит?",
                                                                  LeadSource.WEB_FORM)
    assert (lead.utm_source, lead.utm_campaign, lead.referrer) == ("yandex", "весна",
                                                                   "https://example.ru/price?utm_source=yandex")
    assert lead.web_form == web_form and lead.team == owner.team and lead.status == LeadStatus.NEW
    assert lead.payload["fields"]["phone"] == "+7 (916) 800-00-01"


def test_a_json_post_gets_a_json_answer(web_form):
    response = post(web_form, {"name": "Олег", "phone": "89168000002"}, as_json=True)

    assert response.status_code == 200 and response.json() == {"detail": "Спасибо!"}
    assert response["Access-Control-Allow-Origin"] == "*"
    assert Lead.objects.get().phone == "+79168000002"


def test_errors_name_the_forms_own_fields(web_form):
    response = post(web_form, {"name": "", "phone": "12345", "email": "нет"}, as_json=True)

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"name", "phone", "email"}
    assert Lead.objects.count() == 0


def test_errors_come_in_the_visitors_language(web_form):
    response = post(web_form, {"name": "Ира", "phone": "12345"}, as_json=True, HTTP_ACCEPT_LANGUAGE="ru")

    assert "телефон" in " ".join(response.json()["errors"]["phone"]).lower()


def test_a_filled_honeypot_is_thanked_and_stored_nowhere(web_form):
    response = post(web_form, {"name": "Бот", "phone": "+7 916 800-00-03", "website_url": "http://spam.example"})

    assert response.status_code == 200 and "Спасибо!" in response.content.decode()
    assert Lead.objects.count() == 0 and Activity.objects.count() == 0


def test_a_body_over_the_limit_is_refused_with_413(web_form, settings):
    settings.WEBFORM_MAX_BODY_BYTES = 1024

    response = post(web_form, {"name": "Длинный", "phone": "+7 916 800-00-04", "message": "я" * 2000})

    assert response.status_code == 413 and Lead.objects.count() == 0


def test_the_eleventh_post_in_a_minute_from_one_address_gets_429_while_another_address_passes(web_form):
    statuses = [post(web_form, {"name": f"Н{i}", "phone": f"+7 916 801-00-{i:02d}"}, ip="198.51.100.1").status_code
                for i in range(11)]
    other = post(web_form, {"name": "Другой", "phone": "+7 916 802-00-01"}, ip="198.51.100.2")
    refused = post(web_form, {"name": "Ещё", "phone": "+7 916 802-00-02"}, ip="198.51.100.1")

    assert statuses == [200] * 10 + [429]
    assert int(refused["Retry-After"]) >= 1
    assert other.status_code == 200
    assert Lead.objects.count() == 11


def test_a_known_phone_attaches_the_request_to_the_existing_contact(web_form, colleague, make_contact):
    contact = make_contact(colleague, first_name="Постоянная", phones=["+7 916 803-00-01"])

    post(web_form, {"name": "Марина", "phone": "8 916 803 00 01", "message": "Ещё партию"})

    lead = Lead.objects.get()
    assert Contact.objects.count() == 1
    assert lead.contact == contact and lead.owner == colleague
    assert Activity.objects.filter(contact=contact, lead=lead, body__contains="Ещё партию").exists()


def test_unknown_or_inactive_forms_answer_404_and_get_is_not_allowed(web_form, admin):
    from kartoteka.leads.webforms import save_web_form

    assert Client().post("/f/no-such-key", {"phone": "+79168040001"}).status_code == 404
    assert Client().get(f"/f/{web_form.key}").status_code == 405
    save_web_form(web_form, actor=admin, data={"active": False})
    assert post(web_form, {"name": "Ира", "phone": "+7 916 804-00-01"}).status_code == 404
    assert Lead.objects.count() == 0


def test_a_cross_site_script_may_ask_first(web_form):
    response = Client().options(f"/f/{web_form.key}")

    assert response.status_code == 204 and "POST" in response["Access-Control-Allow-Methods"]
