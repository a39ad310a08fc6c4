"""Demo import: an amoCRM-style contacts export (Windows-1251, semicolons) with a duplicate and two bad rows,
imported once by a demo manager, so "Imports" shows a finished job with its failed-rows file. The same file is
committed as docs/samples/amocrm-contacts-cp1251.csv (`sample_csv()` writes it)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kartoteka.accounts.choices import Role
from kartoteka.accounts.models import User

SAMPLE_NAME = "amocrm-contacts-cp1251.csv"
HEADER = ["ID", "Полное имя", "Компания", "Рабочий телефон", "Мобильный телефон", "Рабочий email", "Должность",
          "Ответственный", "Теги"]
PEOPLE = [
    ("Орлов Андрей Викторович", "ООО «Северный ветер»", "Директор"), ("Смирнова Ольга", "ООО «Северный ветер»",
                                                                      "Главный бухгалтер"),
    ("Кузнецов Павел Игоревич", "АО «Техмаш»", "Начальник снабжения"), ("Волкова Мария", "АО «Техмаш»", "Инженер"),
    ("Лебедев Сергей", "ИП Лебедев С. А.", "Владелец"), ("Новикова Екатерина Павловна", "ООО «Бриз»", "Менеджер"),
    ("Морозов Дмитрий", "ООО «Бриз»", "Юрист"), ("Соколова Анна", "", "Частный клиент"),
]


def sample_rows() -> list[list[str]]:
    rows = [HEADER]
    for i, (name, company, position) in enumerate(PEOPLE, start=1):
        rows.append([f"amo-{1000 + i}", name, company, f"+7 (495) 700-10-{i:02d}", f"8 916 700-20-{i:02d}",
                     f"contact{i}@demo-import.ru", position, "", "импорт amoCRM"])
    rows.append(["amo-1101", "Орлов Андрей", "ООО «Северный ветер»", "", "", "contact1@demo-import.ru", "Директор",
                 "", ""])  # the same person again: skipped as a duplicate by e-mail
    rows.append(["amo-1102", "Белов Игорь", "", "12-34", "", "belov(at)mail", "", "", ""])  # bad phone and e-mail
    rows.append(["amo-1103", "", "ООО «Бриз»", "+7 495 700-10-99", "", "", "", "", ""])  # no name
    return rows


def sample_csv() -> bytes:
    return ("\r\n".join(";".join(cells) for cells in sample_rows()) + "\r\n").encode("cp1251")


def load_import_demo() -> int:
    """Import the sample once, as the first demo manager. Returns the rows imported (0 if already done)."""
    from kartoteka.dataio.importing.jobs import configure_job, create_job, run_import
    from kartoteka.dataio.models import ImportJob

    if ImportJob.objects.filter(original_name=SAMPLE_NAME).exists():
        return 0
    user: Any = User.objects.filter(role=Role.MANAGER, is_active=True).order_by("id").first()
    if user is None:
        return 0
    with transaction.atomic():
        job = create_job(actor=user, entity="contact", filename=SAMPLE_NAME, content=sample_csv())
        configure_job(job, actor=user, mapping=job.mapping, policy="skip", match_by=["external_id", "phone", "email"])
    return run_import(job).created_count
