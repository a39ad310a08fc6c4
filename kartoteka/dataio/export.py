"""Export of a filtered list to CSV or XLSX: permission, daily row quota, formula neutralisation, audit.

The rows are the list's own table (django-tables2's `as_values()`, the cell text without HTML), so an export
holds what the user sees in the list — the same records (`visible_to`), filters, sort and chosen columns.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import html
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django_tables2 import CheckBoxColumn

from kartoteka.audit.choices import SecurityEventKind
from kartoteka.audit.models import SecurityEvent
from kartoteka.audit.services import record_security_event
from kartoteka.core.errors import AccessDenied
from kartoteka.dataio.notifications import notify_export_refused

__all__ = ["FORMULA_PREFIXES", "ExportFile", "daily_limit", "export_list", "neutralise", "rows_exported_today"]

# A spreadsheet reads a cell starting with one of these as a formula (ASVS 5.0 1.2.10, OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str
    rows: int


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe: shown, never evaluated."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _text(value: Any) -> Any:
    """A cell as plain text: columns that render links or badges give their text, entities decoded."""
    if isinstance(value, str):
        return html.unescape(strip_tags(value)).strip()
    return "" if value is None else value


def daily_limit(user: Any) -> int | None:
    """Rows the user may export per day; None: no limit (EXPORT_DAILY_ROWS, per role, 0 = unlimited)."""
    limit = settings.EXPORT_DAILY_ROWS.get(user.role, settings.EXPORT_DAILY_ROWS["manager"])
    return limit or None


def _today_start() -> datetime.datetime:
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def rows_exported_today(user: Any) -> int:
    """Rows of the user's completed exports since local midnight, from the security log (the audit is the ledger)."""
    events = SecurityEvent.objects.filter(kind=SecurityEventKind.EXPORT, actor=user, occurred_at__gte=_today_start())
    return sum(int(e.get("rows", 0)) for e in events.values_list("detail", flat=True) if not e.get("refused"))


def _csv(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    buffer = io.StringIO()
    # Semicolons and a BOM: what Excel in a Russian locale opens correctly with a double click.
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_list(*, actor: Any, entity: str, table: Any, row_count: int, fmt: str, filters: dict[str, Any],
                request: Any = None) -> ExportFile:
    """The table as a file, if the actor may export and the rows fit in what is left of their daily quota.

    Every outcome is a security event (EXPORT): done (rows, columns, filter, file SHA-256), refused for lack of
    permission (AccessDenied), or refused over the quota (ValidationError with the message to show; the
    user's heads and the administrators are told by notify_export_refused).
    """
    skipped = [c.name for c in table.columns.iterall() if isinstance(c.column, CheckBoxColumn)]
    columns = [c.name for c in table.columns.iterall() if c.name not in skipped and not c.column.exclude_from_export]
    detail = {"entity": entity, "format": fmt, "filter": filters, "columns": columns, "rows": row_count}
    if not actor.can_export:
        record_security_event(SecurityEventKind.EXPORT, request=request, actor=actor,
                              detail={**detail, "refused": "no_permission"})
        raise AccessDenied()
    if fmt not in CONTENT_TYPES:
        raise ValidationError({"format": _("Choose CSV or XLSX.")})
    limit = daily_limit(actor)
    used = rows_exported_today(actor) if limit is not None else 0
    if limit is not None and used + row_count > limit:
        record_security_event(SecurityEventKind.EXPORT, request=request, actor=actor,
                              detail={**detail, "refused": "quota", "used_today": used, "limit": limit})
        notify_export_refused(actor, entity=entity, rows=row_count, used=used, limit=limit)
        raise ValidationError(
            _("Export refused: %(rows)d rows would exceed your daily limit of %(limit)d (%(used)d already exported "
              "today). Narrow the filter or ask your head; they have been notified.")
            % {"rows": row_count, "limit": limit, "used": used})
    values = iter(table.as_values(exclude_columns=skipped))
    header = [str(h) for h in next(values)]
    rows = [[neutralise(_text(cell)) for cell in row] for row in values]
    content = _csv(header, rows) if fmt == "csv" else _xlsx(header, rows)
    record_security_event(SecurityEventKind.EXPORT, request=request, actor=actor,
                          detail={**detail, "rows": len(rows), "sha256": hashlib.sha256(content).hexdigest()})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return ExportFile(content=content, filename=f"{entity}-{stamp}.{fmt}", content_type=CONTENT_TYPES[fmt],
                      rows=len(rows))
