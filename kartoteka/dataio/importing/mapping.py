"""Which column of the file feeds which field: guessed from the headers, or taken from a saved mapping."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kartoteka.dataio.importing.fields import JOINABLE_KINDS, ImportField, normalise_header

__all__ = ["apply_saved", "check_mapping", "guess_mapping", "matching_saved_mapping", "saved_columns"]


def guess_mapping(headers: list[str], fields: list[ImportField]) -> list[str]:
    """One field key (or "") per header. A header equal to a field's synonym or label (case, ё and
    punctuation ignored) maps to it; a single-valued field takes the first such column only."""
    by_name: dict[str, ImportField] = {}
    for f in fields:  # earlier fields win a shared synonym
        for name in (*f.synonyms, normalise_header(str(f.label)), f.key):
            by_name.setdefault(normalise_header(name), f)
    taken: set[str] = set()
    result = []
    for header in headers:
        f = by_name.get(normalise_header(header))
        if f is None or (f.key in taken and f.kind not in JOINABLE_KINDS - {"text"}
                         and not f.extra.get("multi_guess")):
            result.append("")
            continue
        taken.add(f.key)
        result.append(f.key)
    return result


def check_mapping(mapping: list[str], fields: list[ImportField]) -> None:
    """ValidationError naming what is wrong: an unknown field, a single-valued field fed by two columns, or a
    required field with no column."""
    known = {f.key: f for f in fields}
    errors: list[str] = []
    seen: dict[str, int] = {}
    for key in mapping:
        if not key:
            continue
        if key not in known:
            errors.append(_("“%(field)s” is not a field of this import.") % {"field": key})
            continue
        seen[key] = seen.get(key, 0) + 1
    for key, count in seen.items():
        if count > 1 and known[key].kind not in JOINABLE_KINDS:
            errors.append(_("“%(field)s” can take one column only.") % {"field": known[key].label})
    mapped = set(seen)
    for f in fields:
        if f.required and f.key not in mapped and not (f.key in ("first_name",) and "full_name" in mapped):
            errors.append(_("Choose a column for the required field “%(field)s”.") % {"field": f.label})
    if not mapped:
        errors.append(_("Map at least one column to a field."))
    if errors:
        raise ValidationError({"mapping": errors})


def saved_columns(headers: list[str], mapping: list[str]) -> dict[str, str]:
    """The mapping as stored in an ImportMapping: {normalised header: field}."""
    return {normalise_header(h): key for h, key in zip(headers, mapping, strict=False) if key}


def apply_saved(headers: list[str], columns: dict[str, str], fields: list[ImportField]) -> list[str]:
    known = {f.key for f in fields}
    return [columns.get(normalise_header(h), "") if columns.get(normalise_header(h), "") in known else ""
            for h in headers]


def matching_saved_mapping(user: Any, entity: str, headers: list[str]) -> Any:
    """The user's most recent saved mapping for this entity whose columns all appear in the file's header."""
    from kartoteka.dataio.models import ImportMapping

    names = {normalise_header(h) for h in headers}
    for saved in ImportMapping.objects.filter(owner=user, entity=entity).order_by("-created_at", "-id")[:50]:
        if saved.columns and set(saved.columns) <= names:
            return saved
    return None
