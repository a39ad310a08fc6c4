from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kartoteka.dataio.importing.jobs import configure_job, create_job, run_import

# An amoCRM contacts export as a Russian-locale Excel saves it: Windows-1251, semicolons.
AMOCRM_HEADER = ["ID", "Полное имя", "Компания", "Рабочий телефон", "Мобильный телефон", "Рабочий email",
                 "Должность", "Ответственный", "Теги"]


def csv_bytes(rows: list[list[str]], *, encoding: str = "cp1251", delimiter: str = ";") -> bytes:
    text = "\r\n".join(delimiter.join(cells) for cells in rows) + "\r\n"
    return text.encode(encoding)


@pytest.fixture
def import_file() -> Callable[..., Any]:
    """Create, configure and run an import of `rows` (the first is the header) as `actor`."""

    def run(actor: Any, entity: str, rows: list[list[str]], *, policy: str = "skip", match_by: list[str] | None = None,
            filename: str = "data.csv", encoding: str = "cp1251", mapping: list[str] | None = None,
            create_companies: bool = True, batch: int = 500, content: bytes | None = None) -> Any:
        data = content if content is not None else csv_bytes(rows, encoding=encoding)
        job = create_job(actor=actor, entity=entity, filename=filename, content=data)
        configure_job(job, actor=actor, mapping=mapping or job.mapping, policy=policy,
                      match_by=match_by if match_by is not None else job.match_by, create_companies=create_companies)
        return run_import(job, batch=batch)

    return run
