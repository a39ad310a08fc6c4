"""The import pipeline end to end without HTTP: rows written, duplicates per policy and key, failed rows, undo."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kartoteka.audit.choices import Action, SecurityEventKind, Source
from kartoteka.audit.models import ObjectChange, SecurityEvent
from kartoteka.contacts.models import Company, Contact
from kartoteka.core.errors import AccessDenied
from kartoteka.dataio.importing.jobs import configure_job, create_job, preview, run_import, start_job
from kartoteka.dataio.importing.undo import failed_rows_csv, undo_import
from kartoteka.dataio.models import ImportJob
from kartoteka.dataio.tests.conftest import AMOCRM_HEADER, csv_bytes

pytestmark = pytest.mark.django_db

ROWS = [
    AMOCRM_HEADER,
    ["101", "Иванов Иван Петрович", "ООО Ромашка", "+7 916 123-45-67", "", "ivan@romashka.ru", "Директор", "", "VIP"],
    ["102", "Петрова Анна", "ООО Ромашка", "8 (903) 555-66-77", "+7 903 555 66 78", "", "Бухгалтер", "", ""],
    ["103", "", "", "12345", "", "не почта", "", "", ""],
]


def test_amocrm_cp1251_contacts_are_created_with_their_company(import_file: Any, owner: Any) -> None:
    job = import_file(owner, "contact", ROWS)

    assert (job.status, job.position, job.total_rows) == ("done", 3, 3)
    assert (job.created_count, job.updated_count, job.skipped_count, job.failed_count) == (2, 0, 0, 1)
    ivan = Contact.objects.get(last_name="Иванов")
    assert (ivan.first_name, ivan.middle_name, ivan.position) == ("Иван", "Петрович", "Директор")
    assert (ivan.phones, ivan.emails, ivan.owner, ivan.source) == (["+79161234567"], ["ivan@romashka.ru"], owner,
                                                                  "import")
    assert [t.name for t in ivan.tags.all()] == ["VIP"]
    anna = Contact.objects.get(last_name="Петрова")
    assert anna.phones == ["+79035556677", "+79035556678"]
    assert ivan.company == anna.company and Company.objects.get().name == "ООО Ромашка"
    assert ivan.search_text and Contact.objects.search("55566").get() == anna  # the trigram index has the rows


def test_created_records_are_audited_as_an_import(import_file: Any, owner: Any) -> None:
    import_file(owner, "contact", ROWS)

    changes = ObjectChange.objects.filter(action=Action.CREATE, source=Source.IMPORT, actor=owner)
    assert changes.count() == 3  # two contacts and the company made for them
    ivan = Contact.objects.get(last_name="Иванов")
    entry = changes.get(object_id=ivan.pk, content_type__model="contact")
    assert entry.postchange["phones"] == ["+79161234567"] and entry.postchange["tags"] == ["VIP"]


def test_a_bad_row_is_reported_with_each_field_and_kept_in_the_failed_rows_file(import_file: Any,
                                                                                  owner: Any) -> None:
    job = import_file(owner, "contact", ROWS)

    failure = job.failures.get()
    assert failure.row_number == 3
    assert failure.reason == ("phones: “12345” is not a valid phone number.; "
                              "e-mails: “не почта” is not a valid e-mail address.; "
                              "first name: This field is required.")
    content = failed_rows_csv(job).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[0] == [*AMOCRM_HEADER, "Row", "Reason"]
    assert rows[1] == [*ROWS[3], "3", failure.reason]


def test_preview_shows_the_first_rows_with_their_errors(owner: Any) -> None:
    job = create_job(actor=owner, entity="contact", filename="a.csv", content=csv_bytes(ROWS))

    rows = preview(job)

    assert [r.ok for r in rows] == [True, True, False]
    assert rows[2].errors["phones"] == ["“12345” is not a valid phone number."]


def test_preview_names_a_wrong_inn_checksum(admin: Any) -> None:
    job = create_job(actor=admin, entity="company", filename="c.csv",
                     content=csv_bytes([["Название", "ИНН"], ["ООО Юг", "7707083893"], ["ООО Север", "7707083894"]]))

    rows = preview(job)

    assert rows[0].ok and rows[1].errors == {"INN": ["INN checksum is wrong: check the digits."]}


COMPANY_HEADER = ["ID", "Название", "ИНН", "Телефон", "Email", "Отрасль"]


@pytest.mark.parametrize(("key", "existing", "row"), [
    ("inn", {"inn": "7707083893"}, ["X1", "Юг", "7707083893", "", "", "Связь"]),
    ("phone", {"phones": ["+74951234567"]}, ["X1", "Юг", "", "8 495 123 45 67", "", "Связь"]),
    ("email", {"emails": ["info@yug.ru"]}, ["X1", "Юг", "", "", "INFO@yug.ru", "Связь"]),
])
@pytest.mark.parametrize("policy", ["skip", "update", "create"])
def test_duplicate_policy_by_key(import_file: Any, admin: Any, make_company: Any, key: str, existing: dict[str, Any],
                                 row: list[str], policy: str) -> None:
    company = make_company(admin, name="ООО Юг", **existing)

    job = import_file(admin, "company", [COMPANY_HEADER, row], policy=policy, match_by=[key])

    company.refresh_from_db()
    if policy == "skip":
        assert (job.skipped_count, Company.objects.count(), company.industry) == (1, 1, "")
    elif policy == "update":
        assert (job.updated_count, Company.objects.count(), company.industry) == (1, 1, "Связь")
        assert company.name == "Юг" and company.version == 2
    else:
        assert (job.created_count, Company.objects.count(), company.industry) == (1, 2, "")


def test_create_anyway_obeys_the_admins_block_policy_for_imports(import_file: Any, admin: Any,
                                                                 make_company: Any) -> None:
    from kartoteka.dedupe.services import set_policy

    make_company(admin, name="ООО Юг", inn="7707083893")
    set_policy("company", "block", actor=admin, source="ui")
    allowed = import_file(admin, "company", [COMPANY_HEADER, ["", "Юг", "7707083893", "", "", ""]], policy="create",
                          match_by=["inn"])
    set_policy("company", "block", actor=admin, source="import")
    refused = import_file(admin, "company", [COMPANY_HEADER, ["", "Юг-2", "7707083893", "", "", ""]],
                          policy="create", match_by=["inn"])

    assert (allowed.created_count, refused.created_count, refused.failed_count) == (1, 0, 1)
    assert Company.objects.filter(name="Юг-2").count() == 0


def test_a_key_not_chosen_for_matching_does_not_match(import_file: Any, admin: Any, make_company: Any) -> None:
    make_company(admin, name="ООО Юг", inn="7707083893")

    job = import_file(admin, "company", [COMPANY_HEADER, ["", "Юг", "7707083893", "", "", ""]], match_by=["email"])

    assert (job.created_count, Company.objects.count()) == (1, 2)


@pytest.mark.parametrize("policy", ["skip", "update", "create"])
def test_duplicate_policy_by_external_id_of_an_earlier_import(import_file: Any, admin: Any, policy: str) -> None:
    import_file(admin, "company", [COMPANY_HEADER, ["A-7", "Юг", "", "", "", "Связь"]])

    job = import_file(admin, "company", [COMPANY_HEADER, ["A-7", "Юг-2", "", "", "", "Энергетика"]], policy=policy,
                      match_by=["external_id"])

    names = sorted(Company.objects.values_list("name", flat=True))
    assert job.position == 1
    assert names == {"skip": ["Юг"], "update": ["Юг-2"], "create": ["Юг", "Юг-2"]}[policy]


def test_duplicates_inside_one_file_are_found_too(import_file: Any, admin: Any) -> None:
    rows = [COMPANY_HEADER, ["", "Юг", "7707083893", "", "", ""], ["", "Юг (копия)", "7707083893", "", "", "Связь"]]

    job = import_file(admin, "company", rows, policy="update", match_by=["inn"])

    company = Company.objects.get()
    assert (job.created_count, job.updated_count, company.name, company.industry) == (1, 1, "Юг (копия)", "Связь")


def test_a_resumed_job_starts_at_its_position(import_file: Any, admin: Any) -> None:
    rows = [COMPANY_HEADER] + [["", f"Компания {i}", "", "", "", ""] for i in range(7)]
    job = create_job(actor=admin, entity="company", filename="c.csv", content=csv_bytes(rows))
    configure_job(job, actor=admin, mapping=job.mapping, policy="create", match_by=[])
    ImportJob.objects.filter(pk=job.pk).update(position=4, status="running")  # as if 4 rows had been committed

    job = run_import(job, batch=2)

    assert job.position == 7 and Company.objects.count() == 3


def test_a_running_job_whose_worker_died_is_resumed_by_the_periodic_job(admin: Any) -> None:
    import datetime

    from django.utils import timezone

    from kartoteka.dataio.tasks import resume_stalled_imports

    rows = [COMPANY_HEADER] + [["", f"Компания {i}", "", "", "", ""] for i in range(3)]
    job = create_job(actor=admin, entity="company", filename="c.csv", content=csv_bytes(rows))
    configure_job(job, actor=admin, mapping=job.mapping, policy="create", match_by=[])
    fresh = create_job(actor=admin, entity="company", filename="d.csv", content=csv_bytes(rows))
    ImportJob.objects.filter(pk=job.pk).update(status="running", heartbeat_at=timezone.now() - datetime.timedelta(
        minutes=30))
    ImportJob.objects.filter(pk=fresh.pk).update(status="running", heartbeat_at=timezone.now())

    assert resume_stalled_imports.call_local() == 1

    assert ImportJob.objects.get(pk=job.pk).status == "done" and Company.objects.count() == 3
    assert ImportJob.objects.get(pk=fresh.pk).status == "running"  # alive: left to its worker


def test_undo_removes_created_records_and_reverts_updates(import_file: Any, admin: Any, make_company: Any) -> None:
    existing = make_company(admin, name="ООО Юг", inn="7707083893", industry="Связь")
    rows = [COMPANY_HEADER, ["", "Юг", "7707083893", "", "", "Энергетика"], ["", "Новая", "", "", "", ""]]
    job = import_file(admin, "company", rows, policy="update", match_by=["inn"])
    assert Company.objects.alive().count() == 2

    counts = undo_import(job, actor=admin)

    existing.refresh_from_db()
    assert (counts["removed"], counts["reverted"], counts["kept"]) == (1, 1, 0)
    assert (existing.name, existing.industry) == ("ООО Юг", "Связь")
    assert list(Company.objects.alive()) == [existing]
    assert ImportJob.objects.get(pk=job.pk).status == "undone"
    new = Company.objects.get(name="Новая")
    assert ObjectChange.objects.filter(object_id=new.pk, content_type__model="company", action=Action.DELETE).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.IMPORT, detail__undo=True).count() == 1


def test_undo_of_a_record_updated_by_several_batches_restores_its_first_values(import_file: Any, admin: Any,
                                                                                make_company: Any) -> None:
    existing = make_company(admin, name="ООО Юг", inn="7707083893", industry="Связь")
    rows = [COMPANY_HEADER, ["", "Юг-1", "7707083893", "", "", "Энергетика"], ["", "Юг-2", "7707083893", "", "", ""],
            ["", "Юг-3", "7707083893", "", "", "Нефть"]]
    job = import_file(admin, "company", rows, policy="update", match_by=["inn"], batch=2)
    existing.refresh_from_db()
    assert (existing.name, existing.industry, job.updated_count) == ("Юг-3", "Нефть", 3)

    counts = undo_import(job, actor=admin)

    existing.refresh_from_db()
    assert (counts["reverted"], existing.name, existing.industry) == (1, "ООО Юг", "Связь")


def test_undo_keeps_a_record_changed_since_the_import(import_file: Any, owner: Any) -> None:
    from kartoteka.contacts.services import update_contact

    job = import_file(owner, "contact", ROWS)
    ivan = Contact.objects.get(last_name="Иванов")
    update_contact(ivan, actor=owner, data={"position": "CEO"})

    counts = undo_import(job, actor=owner)

    assert counts["kept"] == 1 and Contact.objects.alive().get() == ivan


def test_a_mapped_responsible_must_be_assignable(import_file: Any, owner: Any, colleague: Any, head_a: Any) -> None:
    rows = [["Имя", "Ответственный"], ["Иван", "colleague"]]

    by_manager = import_file(owner, "contact", rows)
    by_head = import_file(head_a, "contact", rows)

    assert by_manager.failures.get().reason == "responsible: “colleague” is not a user you may make responsible."
    assert by_head.created_count == 1 and Contact.objects.get().owner == colleague


def test_viewers_cannot_import_and_managers_cannot_import_products(viewer: Any, owner: Any) -> None:
    with pytest.raises(AccessDenied):
        create_job(actor=viewer, entity="contact", filename="a.csv", content=b"a\n1\n")
    with pytest.raises(AccessDenied):
        create_job(actor=owner, entity="product", filename="a.csv", content=b"a\n1\n")


def test_start_is_audited_and_runs_in_the_background(owner: Any, django_capture_on_commit_callbacks: Any) -> None:
    job = create_job(actor=owner, entity="contact", filename="a.csv", content=csv_bytes(ROWS))

    with django_capture_on_commit_callbacks(execute=True):
        start_job(job, actor=owner)

    job.refresh_from_db()
    assert (job.status, job.created_count) == ("done", 2)
    event = SecurityEvent.objects.get(kind=SecurityEventKind.IMPORT)
    assert (event.actor, event.detail["rows"], event.detail["entity"]) == (owner, 3, "contact")
    with pytest.raises(ValidationError):
        start_job(job, actor=owner)


def test_deals_get_stage_by_name_and_company_by_inn(import_file: Any, admin: Any, make_company: Any) -> None:
    from kartoteka.deals.models import Deal, Pipeline, Stage

    pipeline = Pipeline.objects.create(name="Продажи")
    Stage.objects.create(pipeline=pipeline, name="Новая", position=1)
    Stage.objects.create(pipeline=pipeline, name="Переговоры", position=2, probability=40)
    company = make_company(admin, name="ООО Юг", inn="7707083893")
    rows = [["Название сделки", "Бюджет", "Этап сделки", "ИНН"],
            ["Поставка", "150 000,50", "Переговоры", "7707083893"], ["Монтаж", "", "Нет такого", ""]]

    job = import_file(admin, "deal", rows)

    deal = Deal.objects.get()
    assert (deal.title, str(deal.amount), deal.stage.name, deal.company, deal.probability) == (
        "Поставка", "150000.50", "Переговоры", company, 40)
    assert deal.stage_changes.count() == 1
    assert job.failures.get().reason == "stage: There is no stage “Нет такого” in the pipeline “Продажи”."


def test_products_match_by_sku(import_file: Any, admin: Any, make_product: Any) -> None:
    product = make_product(sku="A-1", name="Старое")
    rows = [["Артикул", "Название", "Цена"], ["A-1", "Новое", "100"], ["A-2", "Второе", "50,5"]]

    job = import_file(admin, "product", rows, policy="update")

    product.refresh_from_db()
    assert (job.created_count, job.updated_count, product.name) == (1, 1, "Новое")


def test_vcard_contacts_are_imported(import_file: Any, owner: Any) -> None:
    from kartoteka.dataio.tests.test_import_readers import VCARD

    job = import_file(owner, "contact", [], filename="phone.vcf", content=VCARD.encode())

    assert job.created_count == 2
    ivan = Contact.objects.get(last_name="Иванов")
    assert (ivan.first_name, ivan.position, ivan.company.name) == ("Иван", "Директор", "ООО Ромашка")


def test_custom_field_values_are_validated_and_stored(import_file: Any, admin: Any, make_custom_field: Any) -> None:
    make_custom_field("segment", "choice", choices=("A", "B"), label="Сегмент")
    rows = [["Название", "Сегмент"], ["Юг", "A"], ["Север", "Z"]]

    job = import_file(admin, "company", rows)

    assert Company.objects.get().custom_fields == {"segment": "A"}
    assert job.failures.get().reason == "Сегмент: “Z” is not one of the options."


def test_an_xlsx_file_is_imported(import_file: Any, admin: Any) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Название компании", "ИНН", "Телефон"])
    workbook.active.append(["ООО Юг", 7707083893, "+7 495 123-45-67"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    job = import_file(admin, "company", [], filename="companies.xlsx", content=buffer.getvalue())

    company = Company.objects.get()
    assert (job.created_count, company.inn, company.phones) == (1, "7707083893", ["+74951234567"])


def test_leads_are_imported_into_the_importers_team_and_matched_by_phone(import_file: Any, owner: Any) -> None:
    from kartoteka.leads.models import Lead

    rows = [["Имя", "Фамилия", "Рабочий телефон", "Название лида"], ["Иван", "Петров", "+7 916 000-11-22", "Окна"],
            ["Иван", "П.", "89160001122", "Повтор"]]

    job = import_file(owner, "lead", rows, match_by=["phone"])

    lead = Lead.objects.get()
    assert (job.created_count, job.skipped_count) == (1, 1)
    assert (lead.name, lead.phone, lead.message, lead.team, lead.owner, lead.status) == (
        "Иван Петров", "+79160001122", "Окна", owner.team, owner, "new")
