"""One file row → the values of one record, or the reasons it cannot be imported (each naming the field).

`ImportContext` holds what every row needs and would otherwise cost a query per row: the users the importer
may assign, stages and pipelines, custom fields, tags. Reads only; nothing here writes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from kartoteka.core.validators import (
    normalize_currency,
    normalize_email,
    normalize_emails,
    normalize_phone,
    normalize_phones,
    parse_decimal,
    parse_whole,
    validate_inn,
    validate_kpp,
    validate_ogrn,
)
from kartoteka.customfields.values import clean_value
from kartoteka.dataio.choices import ImportEntity
from kartoteka.dataio.importing.fields import LIST_KINDS, ImportField, entity_fields

__all__ = ["ImportContext", "PreparedRow", "prepare_row"]

TRUE_WORDS = {"1", "true", "yes", "on", "да", "y", "д", "+"}
FALSE_WORDS = {"0", "false", "no", "off", "нет", "n", "н", "-"}


@dataclass
class PreparedRow:
    """A row ready to write (no errors) or to report (errors: {field label: [messages]})."""

    number: int  # 1-based data row number (the header is row 0)
    cells: list[str]
    values: dict[str, Any] = field(default_factory=dict)  # model attribute → value
    custom: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    owner_id: int | None = None
    external_id: str = ""
    company_name: str = ""
    company_inn: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def reason(self) -> str:
        return "; ".join(f"{label}: {' '.join(msgs)}" for label, msgs in self.errors.items())

    def add_error(self, label: Any, message: Any) -> None:
        self.errors.setdefault(str(label), []).append(str(message))


class ImportContext:
    """Everything prepare_row() looks up, loaded once per run."""

    def __init__(self, *, entity: str, actor: Any, mapping: list[str]) -> None:
        from kartoteka.accounts import permissions

        self.entity = entity
        self.actor = actor
        self.fields = entity_fields(entity)
        by_key = {f.key: f for f in self.fields}
        self.columns: list[tuple[int, ImportField]] = [(i, by_key[k]) for i, k in enumerate(mapping) if k in by_key]
        self.mapped = {f.key for _i, f in self.columns}
        self.owners: dict[str, int] = {}
        if entity != ImportEntity.PRODUCT:
            for user in permissions.assignable_users(actor).only("id", "username", "email", "first_name", "last_name"):
                for name in (user.username, user.email, f"{user.last_name} {user.first_name}",
                             f"{user.first_name} {user.last_name}", user.get_full_name()):
                    name = " ".join(str(name or "").lower().split())
                    if name:
                        self.owners.setdefault(name, user.pk)
        self.pipelines: dict[str, Any] = {}
        self.stages: dict[tuple[int, str], Any] = {}
        self.default_pipeline: Any = None
        if entity == ImportEntity.DEAL:
            from kartoteka.deals.models import Pipeline, Stage

            pipelines = list(Pipeline.objects.order_by("-active", "position", "id"))
            self.pipelines = {p.name.lower().strip(): p for p in reversed(pipelines)}
            self.default_pipeline = next((p for p in pipelines if p.active), None)
            self.stages_by_pipeline: dict[int, list[Any]] = {}
            for stage in Stage.objects.order_by("pipeline_id", "position", "id"):
                self.stages.setdefault((stage.pipeline_id, stage.name.lower().strip()), stage)
                self.stages_by_pipeline.setdefault(stage.pipeline_id, []).append(stage)

    def first_stage(self, pipeline: Any) -> Any:
        stages = self.stages_by_pipeline.get(pipeline.pk, []) if pipeline is not None else []
        return next((s for s in stages if s.kind == "open"), stages[0] if stages else None)


def _choice(f: ImportField, text: str) -> str:
    wanted = text.strip().lower()
    for value, label in f.choices.choices:
        if wanted in (str(value).lower(), str(label).lower()):
            return value
    raise ValidationError(_("“%(value)s” is not one of the options.") % {"value": text})


def _date(text: str) -> datetime.date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d.%m.%y", "%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M:%S",
                "%d.%m.%Y %H:%M", "%Y%m%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(_("Enter a date as YYYY-MM-DD or DD.MM.YYYY."))


def _text(f: ImportField, text: str) -> str:
    if f.max_length and len(text) > f.max_length:
        raise ValidationError(_("At most %(max)d characters.") % {"max": f.max_length})
    return text


def _split_full_name(text: str) -> tuple[str, str, str]:
    """'Иванов Иван Петрович' → (last, first, middle); a single word is the first name."""
    parts = text.split()
    if len(parts) == 1:
        return "", parts[0], ""
    if len(parts) == 2:
        return parts[0], parts[1], ""
    return parts[0], parts[1], " ".join(parts[2:])


def _convert(row: PreparedRow, f: ImportField, text: str, ctx: ImportContext) -> None:  # noqa: C901 - one branch per kind
    kind = f.kind
    if kind == "text":
        row.values[f.key] = _text(f, text)
    elif kind == "phones":
        row.values[f.key] = normalize_phones(text)
    elif kind == "emails":
        row.values[f.key] = normalize_emails(text)
    elif kind == "phone":
        row.values[f.key] = normalize_phone(text.replace(",", "\n").splitlines()[0])
    elif kind == "email":
        row.values[f.key] = normalize_email(text.replace(",", "\n").splitlines()[0])
    elif kind == "inn":
        row.values[f.key] = validate_inn(text)
    elif kind == "kpp":
        row.values[f.key] = validate_kpp(text)
    elif kind == "ogrn":
        row.values[f.key] = validate_ogrn(text)
    elif kind == "decimal":
        row.values[f.key] = parse_decimal(text, places=3 if f.key == "stock" else 2)
    elif kind == "int":
        number = parse_whole(text)
        if number is not None and not 0 <= number <= 100 and f.key in ("probability", "vat_rate"):
            raise ValidationError(_("Enter a number from 0 to 100."))
        row.values[f.key] = number
    elif kind == "currency":
        row.values[f.key] = normalize_currency(text)
    elif kind == "date":
        row.values[f.key] = _date(text)
    elif kind == "bool":
        word = text.strip().lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            raise ValidationError(_("Enter yes or no."))
        row.values[f.key] = word in TRUE_WORDS
    elif kind == "choice":
        row.values[f.key] = _choice(f, text)
    elif kind == "url":
        url = text if "://" in text else f"https://{text}"
        URLValidator(schemes=["http", "https"], message=_("Enter a valid http(s) link."))(url)
        row.values[f.key] = _text(f, url)
    elif kind == "owner":
        owner_id = ctx.owners.get(" ".join(text.lower().split()))
        if owner_id is None:
            raise ValidationError(_("“%(value)s” is not a user you may make responsible.") % {"value": text})
        row.owner_id = owner_id
    elif kind == "tags":
        names = [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]
        if any(len(n) > 50 for n in names):
            raise ValidationError(_("A tag is at most 50 characters."))
        row.tags = list(dict.fromkeys(names))
    elif kind == "company":
        row.company_name = text[:255]
    elif kind == "company_inn":
        row.company_inn = validate_inn(text)
    elif kind == "pipeline":
        pipeline = ctx.pipelines.get(text.lower().strip())
        if pipeline is None:
            raise ValidationError(_("There is no pipeline “%(value)s”.") % {"value": text})
        row.values["pipeline"] = pipeline
    elif kind == "stage":
        row.values["stage_name"] = text
    elif kind == "full_name":
        last, first, middle = _split_full_name(text)
        for key, value in (("last_name", last), ("first_name", first), ("middle_name", middle)):
            row.values.setdefault(key, value[:100])
    elif kind == "external_id":
        row.external_id = text[:255]
    elif kind == "custom":
        value = clean_value(f.custom, text)
        if value is not None:
            row.custom[f.custom.key] = value


def prepare_row(number: int, cells: list[str], ctx: ImportContext) -> PreparedRow:
    """Read the mapped cells of one row, normalised and validated; never raises for bad data."""
    row = PreparedRow(number=number, cells=cells)
    texts: dict[str, list[tuple[ImportField, str]]] = {}
    for index, f in ctx.columns:
        text = cells[index].strip() if index < len(cells) else ""
        if text:
            texts.setdefault(f.key, []).append((f, text))
    # Explicit last/first/middle columns win over a split full name: handle full_name last.
    ordered = sorted(texts.items(), key=lambda item: item[0] == "full_name")
    for _key, items in ordered:
        f = items[0][0]
        joined = (", " if f.kind in LIST_KINDS else " ").join(t for _f, t in items)
        try:
            _convert(row, f, joined, ctx)
        except ValidationError as exc:
            for message in exc.messages:
                row.add_error(f.label, message)
    for f in ctx.fields:
        if not f.required:
            continue
        if f.kind == "custom":
            if f.custom.key not in row.custom and f.key not in row.errors:
                row.add_error(f.label, _("This field is required."))
        elif row.values.get(f.key) in (None, "", []) and str(f.label) not in row.errors:
            row.add_error(f.label, _("This field is required."))
    if ctx.entity == ImportEntity.LEAD and not any(row.values.get(k) for k in ("name", "phone", "email", "company_name")):
        row.add_error(_("phone"), _("Give at least a name, a phone or an e-mail."))
    if ctx.entity == ImportEntity.DEAL and not row.errors:
        _resolve_stage(row, ctx)
    return row


def _resolve_stage(row: PreparedRow, ctx: ImportContext) -> None:
    pipeline = row.values.pop("pipeline", None) or ctx.default_pipeline
    stage_name = row.values.pop("stage_name", "")
    if pipeline is None:
        row.add_error(_("pipeline"), _("There is no such pipeline."))
        return
    if stage_name:
        stage = ctx.stages.get((pipeline.pk, stage_name.lower().strip()))
        if stage is None:
            row.add_error(_("stage"), _("There is no stage “%(value)s” in the pipeline “%(pipeline)s”.")
                          % {"value": stage_name, "pipeline": pipeline.name})
            return
    else:
        stage = ctx.first_stage(pipeline)
        if stage is None:
            row.add_error(_("pipeline"), _("The pipeline has no stages yet."))
            return
    row.values["pipeline"] = pipeline
    row.values["stage"] = stage
