"""Every write to deals: create, edit, move between stages, win, lose, delete, restore.

Stage rules live here and nowhere else, so the edit form, the kanban drag, the API and imports all obey them:
- a stage's `required_fields` must be filled before a deal enters it;
- a lost stage requires a lost reason;
- entering a won or lost stage sets `closed_at`; leaving it clears `closed_at` (and the lost reason).
Each stage entry writes a StageChange (for reports) and a timeline activity linked to the deal and its company.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F as models_F
from django.utils import timezone
from django.utils.translation import gettext as _

from kartoteka.accounts import permissions
from kartoteka.activities.choices import ActivityKind
from kartoteka.activities.models import Activity
from kartoteka.audit.choices import Action
from kartoteka.audit.receivers import record_change
from kartoteka.contacts.models import Company, Contact
from kartoteka.core import records
from kartoteka.core.errors import AccessDenied
from kartoteka.core.validators import normalize_currency, parse_decimal
from kartoteka.customfields.choices import Entity
from kartoteka.customfields.values import fields_for
from kartoteka.deals.choices import REQUIRABLE_FIELDS, ContactRole, StageKind
from kartoteka.deals.errors import DealErrorCode
from kartoteka.deals.lines import lines_total
from kartoteka.deals.models import Deal, DealContact, LostReason, Pipeline, Stage, StageChange

__all__ = [
    "bulk_add_tag", "bulk_assign", "bulk_delete", "create_deal", "delete_deal", "lose_deal", "missing_fields",
    "move_deal", "restore_deal", "update_deal", "win_deal",
    "create_lost_reason", "create_pipeline", "create_stage", "delete_pipeline", "delete_stage", "reorder_pipelines",
    "reorder_stages", "update_lost_reason", "update_pipeline", "update_stage",
]

# Set only by the stage rules, never by a form or an API body.
SERVICE_ONLY = ("closed_at", "stage_entered_at")


def _normalizers(actor: Any) -> records.Normalizers:
    def visible_company(value: Any) -> int | None:
        company_id = getattr(value, "pk", value)
        if company_id in (None, ""):
            return None
        if not Company.objects.visible_to(actor).filter(pk=company_id).exists():
            raise ValidationError(_("There is no such company."), code="invalid")
        return int(company_id)

    def amount(value: Any) -> Decimal | None:
        number = parse_decimal(value)
        if number is not None and number < 0:
            raise ValidationError(_("The amount cannot be negative."), code="invalid")
        return number

    def lost_reason(value: Any) -> int | None:
        reason_id = getattr(value, "pk", value)
        if reason_id in (None, ""):
            return None
        if not LostReason.objects.filter(pk=reason_id).exists():
            raise ValidationError(_("There is no such lost reason."), code="invalid")
        return int(reason_id)

    return {"company": visible_company, "amount": amount, "currency": normalize_currency, "lost_reason": lost_reason}


def _field_label(name: str) -> str:
    try:
        return str(Deal._meta.get_field(name).verbose_name).capitalize()
    except Exception:  # noqa: BLE001 - a custom field key
        return next((cf.label for cf in fields_for(Entity.DEAL) if cf.key == name), name)


def missing_fields(deal: Deal, stage: Stage) -> list[str]:
    """The stage's required fields that the deal leaves empty (deal fields or custom field keys)."""
    missing = []
    concrete = {f.name for f in Deal._meta.get_fields()}
    for name in stage.required_fields or []:
        if name == "contacts":
            empty = deal.pk is None or not deal.deal_contacts.exists()
        elif name in concrete:
            empty = getattr(deal, name) in (None, "", [])
        else:
            empty = (deal.custom_fields or {}).get(name) in (None, "", [])
        if empty:
            missing.append(name)
    return missing


def _check_stage_rules(deal: Deal, stage: Stage) -> None:
    """ValidationError naming each field the stage needs, and the lost reason for a lost stage."""
    errors: dict[str, list[ValidationError]] = {}
    for name in missing_fields(deal, stage):
        errors[name] = [ValidationError(
            _("%(field)s is required to enter the stage “%(stage)s”.") % {"field": _field_label(name), "stage": stage.name},
            code=DealErrorCode.REQUIRED_FOR_STAGE.value,
        )]
    if stage.kind == StageKind.LOST and deal.lost_reason_id is None:
        errors["lost_reason"] = [ValidationError(_("Choose why the deal was lost."),
                                                 code=DealErrorCode.LOST_REASON_REQUIRED.value)]
    if errors:
        raise ValidationError(errors)


def _resolve_stage(value: Any, pipeline_value: Any = None) -> tuple[Pipeline, Stage]:
    """(pipeline, stage) from the input: a stage alone, a pipeline alone (its first stage), or neither."""
    stage_id = getattr(value, "pk", value)
    pipeline_id = getattr(pipeline_value, "pk", pipeline_value)
    if stage_id not in (None, ""):
        stage = Stage.objects.select_related("pipeline").filter(pk=_as_int(stage_id, "stage")).first()
        if stage is None:
            raise ValidationError({"stage": _("There is no such stage.")})
        if pipeline_id not in (None, "") and stage.pipeline_id != _as_int(pipeline_id, "pipeline"):
            raise ValidationError({"stage": _("The stage belongs to another pipeline.")})
        return stage.pipeline, stage
    pipelines = Pipeline.objects.filter(active=True)
    if pipeline_id not in (None, ""):
        pipelines = Pipeline.objects.filter(pk=_as_int(pipeline_id, "pipeline"))
    pipeline = pipelines.first()
    if pipeline is None:
        raise ValidationError({"pipeline": _("There is no such pipeline.")})
    stage = pipeline.stages.filter(kind=StageKind.OPEN).first() or pipeline.stages.first()
    if stage is None:
        raise ValidationError({"pipeline": _("The pipeline has no stages yet.")})
    return pipeline, stage


def _as_int(value: Any, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a whole number.")}) from None


def _parse_contacts(actor: Any, items: Iterable[Any]) -> list[tuple[int, str]]:
    """[(contact id, role)] from ids or {"contact": id, "role": ...}; only contacts the actor sees."""
    parsed: dict[int, str] = {}
    for item in items or []:
        if isinstance(item, dict):
            contact_id, role = item.get("contact"), item.get("role") or ContactRole.OTHER
        else:
            contact_id, role = getattr(item, "pk", item), ContactRole.OTHER
        if role not in ContactRole.values:
            raise ValidationError({"contacts": _("Unknown role: %(role)s") % {"role": role}})
        parsed[_as_int(contact_id, "contacts")] = str(role)
    visible = set(Contact.objects.visible_to(actor).filter(pk__in=parsed).values_list("pk", flat=True))
    if set(parsed) - visible:
        raise ValidationError({"contacts": _("There is no such contact.")})
    return list(parsed.items())


def _contacts_snapshot(deal: Deal) -> list[str]:
    return [str(link) for link in deal.deal_contacts.select_related("contact").order_by("contact_id")]


def _set_contacts(deal: Deal, wanted: list[tuple[int, str]]) -> bool:
    """Make the deal's people exactly `wanted`; audited as the field 'contacts'. True if anything changed."""
    current = dict(deal.deal_contacts.values_list("contact_id", "role"))
    if current == dict(wanted):
        return False
    before = _contacts_snapshot(deal)
    DealContact.objects.filter(deal=deal).exclude(contact_id__in=[c for c, _r in wanted]).delete()
    for contact_id, role in wanted:
        DealContact.objects.update_or_create(deal=deal, contact_id=contact_id, defaults={"role": role})
    record_change(deal, Action.UPDATE, {"contacts": before}, {"contacts": _contacts_snapshot(deal)})
    return True


def _enter_stage(deal: Deal, stage: Stage, *, actor: Any, at: Any, previous: Stage | None) -> None:
    """Write the history of a stage entry: the report row and the timeline line (deal and company)."""
    seconds = None
    if previous is not None and deal.stage_entered_at is not None:
        seconds = max(0, int((at - deal.stage_entered_at).total_seconds()))
    StageChange.objects.create(
        deal=deal, from_stage=previous, to_stage=stage, from_stage_name=previous.name if previous else "",
        to_stage_name=stage.name, actor=actor, at=at, seconds_in_previous=seconds,
    )
    if previous is not None:
        body = f"{deal.title}: {previous.name} → {stage.name}"
        if stage.kind == StageKind.LOST and deal.lost_reason_id:
            body += f" ({deal.lost_reason})"
        Activity.objects.create(kind=ActivityKind.STAGE_CHANGE, body=body, author=actor, occurred_at=at, deal=deal,
                                company_id=deal.company_id)


def _follow_lines(deal: Deal | None, data: dict[str, Any], actor: Any) -> None:
    """When the deal's amount follows its lines (already, or from this write on), set `data["amount"]` to the
    lines' total; an amount sent that differs from it is refused rather than silently dropped."""
    following = data.get("amount_from_lines", deal is not None and deal.amount_from_lines)
    if following is not True:
        return
    total = lines_total(deal) if deal is not None else None
    if "amount" in data:
        try:
            sent = _normalizers(actor)["amount"](data["amount"])
        except ValidationError:
            sent = data["amount"]
        if sent != total:
            raise ValidationError({"amount": ValidationError(
                _("The amount follows the deal's lines: change the lines, or stop the amount following them."),
                code=DealErrorCode.AMOUNT_FROM_LINES.value)})
    data["amount"] = total


def _closing_values(stage: Stage, current_closed_at: Any, at: Any) -> Any:
    if stage.kind == StageKind.OPEN:
        return None
    return current_closed_at or at


def create_deal(*, actor: Any, data: dict[str, Any]) -> Deal:
    """Create a deal in the given stage (or the first open stage of the given or first active pipeline).

    The stage's rules apply as for a move; the actor becomes responsible unless `owner` names someone they may assign.
    """
    data = {k: v for k, v in data.items() if k not in SERVICE_ONLY}
    if data.get("currency") in (None, ""):
        data.pop("currency", None)
    contacts = data.pop("contacts", None)
    pipeline, stage = _resolve_stage(data.pop("stage", None), data.pop("pipeline", None))
    now = timezone.now()
    data.update(pipeline=pipeline.pk, stage=stage.pk, stage_entered_at=now,
                closed_at=_closing_values(stage, None, now))
    if stage.kind != StageKind.LOST:
        data["lost_reason"] = None
    _follow_lines(None, data, actor)
    with records.acting_as(actor), transaction.atomic():
        parsed = _parse_contacts(actor, contacts) if contacts else []
        deal = records.create_record(Deal, actor=actor, data=data, entity=Entity.DEAL, normalizers=_normalizers(actor))
        if parsed:
            _set_contacts(deal, parsed)
        _check_stage_rules(deal, stage)
        _enter_stage(deal, stage, actor=actor, at=now, previous=None)
    return deal


def update_deal(deal: Deal, *, actor: Any, data: dict[str, Any], expected_version: int | None = None) -> Deal:
    """Change fields; a new stage (or pipeline) goes through the stage rules exactly like move_deal."""
    data = {k: v for k, v in data.items() if k not in SERVICE_ONLY}
    if "currency" in data and data["currency"] in (None, ""):
        data.pop("currency")
    contacts = data.pop("contacts", None)
    stage_value, pipeline_value = data.pop("stage", None), data.pop("pipeline", None)
    _follow_lines(deal, data, actor)
    with records.acting_as(actor), transaction.atomic():
        deal = records.update_record(deal, actor=actor, data=data, entity=Entity.DEAL, normalizers=_normalizers(actor),
                                     expected_version=expected_version)
        if contacts is not None and _set_contacts(deal, _parse_contacts(actor, contacts)):
            deal.version += 1
            deal.save(update_fields=["version"])
        target = None
        if stage_value not in (None, "") or (pipeline_value not in (None, "")
                                             and int(getattr(pipeline_value, "pk", pipeline_value)) != deal.pipeline_id):
            _pipeline, target = _resolve_stage(stage_value, pipeline_value)
        if target is not None and target.pk != deal.stage_id:
            deal = _move(deal, target, actor=actor)
        elif deal.stage.kind == StageKind.LOST and deal.lost_reason_id is None:
            _check_stage_rules(deal, deal.stage)
    return deal


def _move(deal: Deal, stage: Stage, *, actor: Any, lost_reason: Any = None, expected_version: int | None = None) -> Deal:
    """The move itself, inside the caller's transaction and after its permission check."""
    locked = records._lock(deal, expected_version)
    if locked.deleted_at is not None:
        raise ValidationError(_("The record is in the recycle bin: restore it first."))
    if locked.stage_id == stage.pk:
        if lost_reason is not None and stage.kind == StageKind.LOST and locked.lost_reason_id != lost_reason.pk:
            locked.lost_reason = lost_reason
            locked.version += 1
            locked.save(update_fields=["lost_reason", "version"])
        return locked
    previous = locked.stage
    if lost_reason is not None and stage.kind == StageKind.LOST:
        locked.lost_reason = lost_reason
    elif stage.kind != StageKind.LOST:
        locked.lost_reason = None
    _check_stage_rules(locked, stage)
    now = timezone.now()
    _enter_stage(locked, stage, actor=actor, at=now, previous=previous)
    locked.stage, locked.pipeline_id, locked.stage_entered_at = stage, stage.pipeline_id, now
    locked.closed_at = _closing_values(stage, locked.closed_at if previous.is_closed else None, now)
    locked.version += 1
    locked.save(update_fields=["stage", "pipeline", "lost_reason", "stage_entered_at", "closed_at", "version"])
    return locked


def move_deal(deal: Deal, *, actor: Any, stage: Stage | int, expected_version: int | None = None,
              lost_reason: LostReason | int | None = None) -> Deal:
    """Put the deal into `stage` (of any pipeline), enforcing the stage rules (see the module docstring).

    ValidationError names the fields the stage needs; ConflictError if `expected_version` is stale.
    """
    if not permissions.can_change(actor, deal):
        raise AccessDenied()
    target = stage if isinstance(stage, Stage) else Stage.objects.filter(pk=stage).first()
    if target is None:
        raise ValidationError({"stage": _("There is no such stage.")})
    reason = lost_reason
    if reason is not None and not isinstance(reason, LostReason):
        reason = LostReason.objects.filter(pk=_as_int(reason, "lost_reason")).first()
        if reason is None:
            raise ValidationError({"lost_reason": _("There is no such lost reason.")})
    with records.acting_as(actor), transaction.atomic():
        return _move(deal, target, actor=actor, lost_reason=reason, expected_version=expected_version)


def _closing_stage(deal: Deal, kind: str) -> Stage:
    stage = Stage.objects.filter(pipeline_id=deal.pipeline_id, kind=kind).first()
    if stage is None:
        raise ValidationError({"stage": ValidationError(
            _("The pipeline has no stage for this outcome; an administrator can add one."),
            code=DealErrorCode.NO_CLOSING_STAGE.value)})
    return stage


def win_deal(deal: Deal, *, actor: Any, expected_version: int | None = None) -> Deal:
    """Close the deal as won: into its pipeline's (first) won stage."""
    if not permissions.can_change(actor, deal):
        raise AccessDenied()
    return move_deal(deal, actor=actor, stage=_closing_stage(deal, StageKind.WON), expected_version=expected_version)


def lose_deal(deal: Deal, *, actor: Any, reason: LostReason | int | None,
              expected_version: int | None = None) -> Deal:
    """Close the deal as lost, with the reason: into its pipeline's (first) lost stage."""
    if not permissions.can_change(actor, deal):
        raise AccessDenied()
    if reason in (None, ""):
        raise ValidationError({"lost_reason": ValidationError(_("Choose why the deal was lost."),
                                                              code=DealErrorCode.LOST_REASON_REQUIRED.value)})
    return move_deal(deal, actor=actor, stage=_closing_stage(deal, StageKind.LOST), lost_reason=reason,
                     expected_version=expected_version)


def delete_deal(deal: Deal, *, actor: Any, expected_version: int | None = None) -> Deal:
    """Soft delete: the deal goes to the recycle bin with its history."""
    return records.soft_delete(deal, actor=actor, expected_version=expected_version)


def restore_deal(deal: Deal, *, actor: Any) -> Deal:
    return records.restore(deal, actor=actor)


# Bulk actions are the generic ones: all-or-nothing, one audited change per record.
bulk_assign = records.bulk_assign
bulk_add_tag = records.bulk_add_tag
bulk_delete = records.bulk_delete


# --- Pipelines, stages and lost reasons (administrators) -------------------------------------------------------

PIPELINE_FIELDS = ("name", "position", "active")
STAGE_FIELDS = ("name", "position", "probability", "kind", "rotting_days", "required_fields", "checklist")
LOST_REASON_FIELDS = ("name", "position", "active")


def _require_admin(actor: Any) -> None:
    if not permissions.can_manage_settings(actor):
        raise AccessDenied()


def _save_setting(obj: Any, data: dict[str, Any], allowed: tuple[str, ...]) -> Any:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    for name, value in data.items():
        setattr(obj, name, value.strip() if isinstance(value, str) else value)
    obj.full_clean()
    if obj.pk:
        obj.save(update_fields=list(data))  # a stale copy must not undo a concurrent reorder
    else:
        obj.save()
    return obj


def _clean_required_fields(value: Any) -> list[str]:
    names = [str(v).strip() for v in (value or []) if str(v).strip()]
    known = set(REQUIRABLE_FIELDS) | {cf.key for cf in fields_for(Entity.DEAL)}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValidationError({"required_fields": _("Unknown deal field: %(names)s") % {"names": ", ".join(unknown)}})
    return list(dict.fromkeys(names))


@transaction.atomic
def create_pipeline(*, actor: Any, data: dict[str, Any]) -> Pipeline:
    """A new pipeline, last in the list, with the three stages every pipeline needs to close a deal."""
    _require_admin(actor)
    data = dict(data)
    data.setdefault("position", (Pipeline.objects.order_by("-position").values_list("position", flat=True).first() or 0) + 10)
    pipeline = _save_setting(Pipeline(), data, PIPELINE_FIELDS)
    Stage.objects.bulk_create([
        Stage(pipeline=pipeline, name=_("New"), position=10, probability=10),
        Stage(pipeline=pipeline, name=_("Won"), position=20, probability=100, kind=StageKind.WON),
        Stage(pipeline=pipeline, name=_("Lost"), position=30, probability=0, kind=StageKind.LOST),
    ])
    return pipeline


@transaction.atomic
def update_pipeline(pipeline: Pipeline, *, actor: Any, data: dict[str, Any]) -> Pipeline:
    _require_admin(actor)
    return _save_setting(pipeline, data, PIPELINE_FIELDS)


@transaction.atomic
def delete_pipeline(pipeline: Pipeline, *, actor: Any) -> None:
    """Delete an empty pipeline. One that has deals (even in the recycle bin) can only be deactivated."""
    _require_admin(actor)
    if Deal.objects.filter(pipeline=pipeline).exists():
        raise ValidationError(ValidationError(_("The pipeline has deals: move them or deactivate the pipeline."),
                                              code=DealErrorCode.PIPELINE_NOT_EMPTY.value))
    pipeline.delete()


@transaction.atomic
def reorder_pipelines(*, actor: Any, order: list[int]) -> None:
    _require_admin(actor)
    for position, pk in enumerate(order, start=1):
        Pipeline.objects.filter(pk=pk).update(position=position * 10)


@transaction.atomic
def create_stage(pipeline: Pipeline, *, actor: Any, data: dict[str, Any]) -> Stage:
    """A new stage; without a position it goes after the last open stage (before won and lost)."""
    _require_admin(actor)
    data = dict(data)
    if "required_fields" in data:
        data["required_fields"] = _clean_required_fields(data["required_fields"])
    if "position" not in data:
        last_open = pipeline.stages.filter(kind=StageKind.OPEN).order_by("-position").first()
        data["position"] = (last_open.position if last_open else 0) + 1
        pipeline.stages.filter(position__gte=data["position"]).exclude(kind=StageKind.OPEN).update(
            position=models_F("position") + 10)
    return _save_setting(Stage(pipeline=pipeline), data, STAGE_FIELDS)


@transaction.atomic
def update_stage(stage: Stage, *, actor: Any, data: dict[str, Any]) -> Stage:
    _require_admin(actor)
    data = dict(data)
    if "required_fields" in data:
        data["required_fields"] = _clean_required_fields(data["required_fields"])
    return _save_setting(stage, data, STAGE_FIELDS)


@transaction.atomic
def reorder_stages(pipeline: Pipeline, *, actor: Any, order: list[int]) -> None:
    """Positions 10, 20, ... in the given order of stage ids (ids of other pipelines are ignored)."""
    _require_admin(actor)
    for position, pk in enumerate(order, start=1):
        Stage.objects.filter(pk=pk, pipeline=pipeline).update(position=position * 10)


@transaction.atomic
def delete_stage(stage: Stage, *, actor: Any, move_to: Stage | int | None = None) -> int:
    """Delete a stage. Its deals (recycle bin included) first move to `move_to`, a stage of the same pipeline:
    deals are never lost. The move is recorded like any other (history, timeline, audit) but skips the target's
    required-field rules, which an administrator's restructuring must not be blocked by. Returns the deals moved.
    """
    _require_admin(actor)
    if stage.pipeline.stages.count() <= 1:
        raise ValidationError(ValidationError(_("A pipeline needs at least one stage."),
                                              code=DealErrorCode.LAST_STAGE.value))
    deals = list(Deal.objects.filter(stage=stage).select_related("stage", "lost_reason"))
    if deals:
        target_id = getattr(move_to, "pk", move_to)
        target = Stage.objects.filter(pk=target_id, pipeline_id=stage.pipeline_id).exclude(pk=stage.pk).first() \
            if target_id not in (None, "") else None
        if target is None:
            raise ValidationError({"move_to": ValidationError(
                _("The stage has deals: choose another stage of the pipeline to move them to."),
                code=DealErrorCode.STAGE_NOT_EMPTY.value)})
        now = timezone.now()
        with records.acting_as(actor):
            for deal in deals:
                _enter_stage(deal, target, actor=actor, at=now, previous=stage)
                deal.stage, deal.stage_entered_at = target, now
                deal.closed_at = _closing_values(target, deal.closed_at if stage.is_closed else None, now)
                if target.kind != StageKind.LOST:
                    deal.lost_reason = None
                deal.version += 1
                deal.save(update_fields=["stage", "stage_entered_at", "closed_at", "lost_reason", "version"])
    stage.delete()
    return len(deals)


@transaction.atomic
def create_lost_reason(*, actor: Any, data: dict[str, Any]) -> LostReason:
    _require_admin(actor)
    return _save_setting(LostReason(), data, LOST_REASON_FIELDS)


@transaction.atomic
def update_lost_reason(reason: LostReason, *, actor: Any, data: dict[str, Any]) -> LostReason:
    """Rename, reorder or (active=False) retire a reason; retired reasons stay on the deals that have them."""
    _require_admin(actor)
    return _save_setting(reason, data, LOST_REASON_FIELDS)
