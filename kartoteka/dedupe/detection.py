"""Finding duplicates: exact matches by INN, normalised phone and e-mail (leads.matching.find_client, the same
rule lead conversion links by), and similar names with the legal form and quotes ignored."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from kartoteka.contacts.models import Company, Contact
from kartoteka.core.search import normalise_text
from kartoteka.core.validators import normalize_email, normalize_phone
from kartoteka.dedupe.choices import DuplicateEntity, Reason
from kartoteka.leads.matching import find_client

__all__ = ["Candidate", "Pair", "company_name_key", "duplicate_pairs", "duplicates_for", "find_duplicates",
           "person_name_key"]

NAME_CANDIDATES = 50
LEGAL_FORM_PHRASES = (
    "общество с ограниченной ответственностью", "публичное акционерное общество", "закрытое акционерное общество",
    "открытое акционерное общество", "непубличное акционерное общество", "акционерное общество",
    "индивидуальный предприниматель", "limited liability company",
)
LEGAL_FORMS = frozenset({
    "ооо", "оао", "зао", "пао", "ао", "нао", "ип", "нко", "ано", "тоо", "чп", "гуп", "муп", "фгуп",
    "llc", "ltd", "inc", "gmbh", "corp", "co", "plc", "ag", "sa",
})
_PUNCTUATION = re.compile(r"[«»\"'“”„`‘’.,;:()\[\]!?/\\&+\-–—]+")


def company_name_key(name: str) -> str:
    """ООО «Ромашка», Ромашка ООО and "РОМАШКА" all give "ромашка": legal form, quotes and word order ignored."""
    text = normalise_text(name)
    for phrase in LEGAL_FORM_PHRASES:
        text = text.replace(phrase, " ")
    words = [w for w in _PUNCTUATION.sub(" ", text).split() if w not in LEGAL_FORMS]
    return " ".join(sorted(words))


def person_name_key(last_name: str, first_name: str) -> str:
    """A person's last and first name, in any order and case; "" without a last name (too common to match)."""
    if not last_name.strip() or not first_name.strip():
        return ""
    return " ".join(sorted(normalise_text(f"{last_name} {first_name}").split()))


@dataclass
class Candidate:
    """An existing record that may be the one being entered, and why."""

    record: Any
    reasons: list[str] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        return any(r != Reason.NAME for r in self.reasons)


def _clean(normalise: Any, values: Iterable[Any]) -> list[str]:
    cleaned = []
    for value in values:
        try:
            cleaned.append(normalise(str(value)))
        except ValidationError:
            continue  # the form reports it; an invalid value matches nothing
    return cleaned


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        return [v for v in re.split(r"[\n,;]+", value) if v.strip()]
    return list(value or [])


def _similar(model: type[Company] | type[Contact], key: str) -> list[Any]:
    """Living records whose name key equals `key`, narrowed first by its longest word through the index."""
    words = sorted(key.split(), key=len, reverse=True)
    if not key or len(words[0]) < 3:
        return []
    found = model.objects.alive().search(words[0]).select_related("owner").order_by("id")[:NAME_CANDIDATES]
    if model is Company:
        return [c for c in found if company_name_key(c.name) == key]
    return [c for c in found if person_name_key(c.last_name, c.first_name) == key]


def find_duplicates(entity: str, data: dict[str, Any], *, exclude_pk: int | None = None) -> list[Candidate]:
    """Existing living records (of anyone: the point is that two managers do not call the same client) that
    match `data` — raw form or API input — exactly or by a similar name. Exact matches come first."""
    model: type[Company] | type[Contact] = Company if entity == DuplicateEntity.COMPANY else Contact
    found: dict[int, Candidate] = {}

    def add(record: Any, reason: str) -> None:
        if record is None or record.pk == exclude_pk:
            return
        candidate = found.setdefault(record.pk, Candidate(record))
        if reason not in candidate.reasons:
            candidate.reasons.append(reason)

    def pick(match: Any) -> Any:
        return match.company if model is Company else match.contact

    inn = str(data.get("inn") or "").strip()
    if model is Company and inn:
        add(pick(find_client(inn=inn)), Reason.INN)
    for phone in _clean(normalize_phone, _as_list(data.get("phones"))):
        add(pick(find_client(phone=phone)), Reason.PHONE)
    for email in _clean(normalize_email, _as_list(data.get("emails"))):
        add(pick(find_client(email=email)), Reason.EMAIL)
    if model is Company:
        key = company_name_key(str(data.get("name") or ""))
    else:
        key = person_name_key(str(data.get("last_name") or ""), str(data.get("first_name") or ""))
    for record in _similar(model, key):
        add(record, Reason.NAME)
    ids = list(found)
    owners = {r.pk: r for r in model.objects.filter(pk__in=ids).select_related("owner")}
    for pk, candidate in found.items():  # one query for every responsible, whatever matched
        candidate.record = owners[pk]
    return sorted(found.values(), key=lambda c: (not c.exact, c.record.pk))


def duplicates_for(user: Any, entity: str, data: dict[str, Any], *,
                   exclude_pk: int | None = None) -> list[tuple[Candidate, bool]]:
    """find_duplicates, each with whether `user` may see the record: one they may not is shown only as
    existing, with its responsible (the UI warning and the API say the same)."""
    model = Company if entity == DuplicateEntity.COMPANY else Contact
    candidates = find_duplicates(entity, data, exclude_pk=exclude_pk)
    visible = set(model.objects.visible_to(user).filter(pk__in=[c.record.pk for c in candidates])
                  .values_list("pk", flat=True))
    return [(c, c.record.pk in visible) for c in candidates]


@dataclass(frozen=True)
class Pair:
    first: Any
    second: Any
    reasons: tuple[str, ...]


def _keys(entity: str, row: dict[str, Any]) -> Iterable[tuple[str, str]]:
    if entity == DuplicateEntity.COMPANY:
        if row["inn"]:
            yield Reason.INN, row["inn"]
        yield Reason.NAME, company_name_key(row["name"])
    else:
        yield Reason.NAME, person_name_key(row["last_name"], row["first_name"])
    for phone in row["phones"]:
        yield Reason.PHONE, phone.split(";")[0]
    for email in row["emails"]:
        yield Reason.EMAIL, email.lower()


def duplicate_pairs(queryset: Any, entity: str, *, limit: int = 200) -> list[Pair]:
    """Pairs of records in `queryset` (the user's visible ones) sharing an INN, a phone, an e-mail or a name
    key. One pass over the rows' keys in memory: a report, not a per-request query."""
    fields = ["id", "phones", "emails", *(("name", "inn") if entity == DuplicateEntity.COMPANY
                                         else ("last_name", "first_name"))]
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in queryset.order_by().values(*fields).iterator(chunk_size=2000):
        for reason, key in _keys(entity, row):
            if key:
                groups[(reason, key)].append(row["id"])
    reasons: dict[tuple[int, int], list[str]] = defaultdict(list)
    for (reason, _key), ids in groups.items():
        ids = sorted(set(ids))
        for i, first in enumerate(ids[:20]):  # a key shared by hundreds is noise, not a duplicate
            for second in ids[i + 1:20]:
                if reason not in reasons[(first, second)]:
                    reasons[(first, second)].append(reason)
    chosen = sorted(reasons, key=lambda p: (reasons[p] == [Reason.NAME], p))[:limit]
    records = queryset.model.objects.select_related("owner").in_bulk({pk for pair in chosen for pk in pair})
    return [Pair(records[a], records[b], tuple(reasons[(a, b)])) for a, b in chosen]
