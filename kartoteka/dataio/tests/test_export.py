"""Export of a filtered list: what the user sees, neutralised, audited, within the daily quota."""

from __future__ import annotations

import csv
import io

import pytest
from django.core import mail
from openpyxl import load_workbook

from kartoteka.accounts.services import create_user
from kartoteka.audit.choices import SecurityEventKind
from kartoteka.audit.models import SecurityEvent
from kartoteka.conftest import PASSWORD, client_for
from kartoteka.dataio.export import neutralise

DANGEROUS = ["=1+1", "+7 cmd", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "=HYPERLINK(\"http://x\")"]


@pytest.fixture
def exporter(head_a, settings):
    settings.EXPORT_DAILY_ROWS = {**settings.EXPORT_DAILY_ROWS, "manager": 5}
    head_a.email = "head@example.com"
    head_a.save(update_fields=["email"])
    return create_user(username="exporter", role="manager", password=PASSWORD, teams=["Team A"], can_export=True,
                       check_password=False)


def export(user, fmt="csv", query="", path="/companies/", client=None):
    return (client or client_for(user)).post(f"/export/{query}", {"list": path, "format": fmt})


def read_csv(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


@pytest.mark.parametrize("value", DANGEROUS)
def test_cells_a_spreadsheet_would_evaluate_are_prefixed(value):
    assert neutralise(value) == "'" + value
    assert neutralise("Ромашка") == "Ромашка" and neutralise(5) == 5


def test_csv_holds_the_filtered_visible_rows_and_chosen_columns(exporter, owner, make_company):
    make_company(exporter, name="ООО Ромашка", inn="7707083893", phones=["+7 916 123-45-67"])
    make_company(exporter, name="Лютик")
    make_company(owner, name="Ромашка чужая")  # a colleague's: not visible to a manager

    response = export(exporter, query="?q=ромашка")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="company-')
    rows = read_csv(response)
    assert rows[0][:2] == ["Name", "INN"]
    assert [r[0] for r in rows[1:]] == ["ООО Ромашка"]
    assert "8 (916) 123-45-67" in rows[1]  # the phone as the list shows it, without HTML
    event = SecurityEvent.objects.get(kind=SecurityEventKind.EXPORT)
    assert (event.actor, event.detail["rows"], event.detail["filter"]) == (exporter, 1, {"q": ["ромашка"]})
    assert event.detail["columns"][:2] == ["name", "inn"] and len(event.detail["sha256"]) == 64


def test_xlsx_read_back_has_no_formula_cell(admin, make_contact):
    for value in DANGEROUS:
        make_contact(admin, last_name=value.strip() or "x", first_name="Иван", position=value)

    response = export(admin, fmt="xlsx", path="/contacts/")

    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [c for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert "'=1+1" in texts and "'@SUM(A1)" in texts


def test_no_permission_is_refused_and_audited(owner, make_company):
    make_company(owner, name="Ромашка")

    response = export(owner)

    assert response.status_code == 404
    event = SecurityEvent.objects.get(kind=SecurityEventKind.EXPORT)
    assert (event.actor, event.detail["refused"]) == (owner, "no_permission")


def test_over_the_daily_quota_is_refused_with_a_message_and_heads_are_mailed(exporter, admin, make_company):
    admin.email = "admin@example.com"
    admin.save(update_fields=["email"])
    for n in range(4):
        make_company(exporter, name=f"Компания {n}")
    client = client_for(exporter)
    assert export(exporter, client=client).status_code == 200  # 4 of 5 rows

    response = export(exporter, query="?sort=name", client=client)

    assert response.status_code == 302 and response.url == "/companies/?sort=name"
    page = client.get(response.url).content.decode()
    assert "Export refused: 4 rows would exceed your daily limit of 5 (4 already exported today)" in page
    refused = SecurityEvent.objects.filter(kind=SecurityEventKind.EXPORT).order_by("-id").first()
    assert refused.detail["refused"] == "quota"
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@example.com", "head@example.com"]
    assert "exporter tried to export 4 rows" in mail.outbox[0].body


def test_unknown_list_or_a_page_that_is_not_a_list_is_404(exporter):
    assert export(exporter, path="/nowhere/").status_code == 404
    assert export(exporter, path="/accounts/profile/").status_code == 404
    assert export(exporter, path="https://evil.example/").status_code == 404


@pytest.mark.parametrize("path", ["/companies/", "/contacts/", "/deals/", "/leads/"])
def test_every_list_exports(exporter, path, admin):
    assert export(admin, path=path, fmt="xlsx").status_code == 200
