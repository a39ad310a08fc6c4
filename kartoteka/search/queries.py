"""Global search and caller-ID lookup: read-only queries over what the user may see.

Every query starts from `Model.objects.visible_to(user)` and narrows with the trigram-indexed fragment
search (core/search.py), so an invisible record never shows and no query reads a whole table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from kartoteka.contacts.models import Company, Contact
from kartoteka.core.search import TRIGRAM_MIN, phone_digits, search_terms, term_filter
from kartoteka.core.validators import format_phone, normalize_phone
from kartoteka.deals.models import Deal
from kartoteka.leads.models import Lead

__all__ = ["CallerMatch", "Group", "Hit", "global_search", "lookup_phone", "searchable"]

PER_GROUP = 8
CALLER_LIMIT = 20


@dataclass(frozen=True)
class Hit:
    """One found record as the search shows it: a title, one line of detail and the responsible."""

    record: Any
    title: str
    detail: str

    @property
    def url(self) -> str:
        return self.record.get_absolute_url()

    @property
    def owner(self) -> Any:
        return self.record.owner


@dataclass(frozen=True)
class Group:
    kind: str
    label: str
    hits: list[Hit]
    more: bool  # there are more matches than shown


@dataclass(frozen=True)
class _Source:
    kind: str
    label: Any
    model: Any
    decorate: Callable[[QuerySet, Any], QuerySet]  # the joins and annotations the result line needs
    describe: Callable[[Any], tuple[str, str]]

    def queryset(self, user: Any) -> QuerySet:
        return self.decorate(self.model.objects.visible_to(user), user)


def _company(c: Company) -> tuple[str, str]:
    inn = "{} {}".format(_("INN"), c.inn) if c.inn else ""
    return c.name, " · ".join(p for p in (inn, *map(format_phone, c.phones[:1])) if p)


def _contact(c: Contact) -> tuple[str, str]:
    company = c.company.name if c.company_id and c.company_visible else ""
    return c.full_name, " · ".join(p for p in (c.position, company, *map(format_phone, c.phones[:1])) if p)


def _lead(lead: Lead) -> tuple[str, str]:
    title = lead.name or lead.company_name or lead.phone or lead.email
    return str(title), " · ".join(p for p in (lead.get_status_display(), format_phone(lead.phone) if lead.phone else "",
                                            lead.email) if p)


def _deal(d: Deal) -> tuple[str, str]:
    company = d.company.name if d.company_id and d.company_visible else ""
    return d.title, " · ".join(p for p in (d.stage.name, company) if p)


SOURCES = (
    _Source("company", _("Companies"), Company, lambda qs, u: qs.select_related("owner"), _company),
    _Source("contact", _("Contacts"), Contact,
            lambda qs, u: qs.with_company_visibility(u).select_related("owner", "company"), _contact),
    _Source("lead", _("Leads"), Lead, lambda qs, u: qs.select_related("owner"), _lead),
    _Source("deal", _("Deals"), Deal,
            lambda qs, u: qs.with_company_visibility(u).select_related("owner", "stage", "company"), _deal),
)


def searchable(query: str) -> bool:
    """A query the indexes can answer: at least one term of TRIGRAM_MIN+ characters."""
    return any(len(term) >= TRIGRAM_MIN for term in search_terms(query))


def global_search(user: Any, query: str, *, per_group: int = PER_GROUP) -> list[Group]:
    """Companies, contacts, leads and deals matching every term of `query`, by type; records whose text
    starts with the first term come first. Empty for a query the indexes cannot answer (see `searchable`)."""
    if not searchable(query):
        return []
    first = search_terms(query)[0]
    groups = []
    for source in SOURCES:
        model = source.model
        rank = Case(When(search_text__startswith=first, then=Value(0)), default=Value(1), output_field=IntegerField())
        order = ("_rank", *model._meta.ordering)
        # The page's ids first, from the table alone; the joins and the company-visibility check then run for those
        # few rows only (joined to every match, PostgreSQL hashed whole tables of companies).
        page = (model.objects.visible_to(user).search(query).annotate(_rank=rank).order_by(*order)
                .values("pk")[: per_group + 1])
        records = list(source.decorate(model.objects.filter(pk__in=page), user).annotate(_rank=rank).order_by(*order))
        if records:
            hits = [Hit(r, *source.describe(r)) for r in records[:per_group]]
            groups.append(Group(source.kind, str(source.label), hits, more=len(records) > per_group))
    return groups


@dataclass
class CallerMatch:
    """Who a phone number belongs to, among the records the user may see."""

    number: str = ""  # E.164, "" when the input is not a phone number
    contacts: list[Contact] = field(default_factory=list)
    companies: list[Company] = field(default_factory=list)
    leads: list[Lead] = field(default_factory=list)
    open_deals: list[Deal] = field(default_factory=list)


def _with_number(qs: QuerySet, e164: str, phones: Callable[[Any], list[str]]) -> list[Any]:
    digits = phone_digits(e164).split()[0]
    # The digits narrow through the trigram index; the exact comparison drops longer numbers containing them.
    candidates = qs.filter(term_filter(qs.model, digits, using=qs.db)).order_by("id")[: CALLER_LIMIT * 5]
    return [r for r in candidates if any(p.split(";")[0] == e164 for p in phones(r))][:CALLER_LIMIT]


def lookup_phone(user: Any, number: str) -> CallerMatch:
    """Caller ID: the contacts, companies and leads with this number (in any notation), and the open deals of
    those contacts and companies. An unknown or malformed number gives an empty match, never an error."""
    try:
        e164 = normalize_phone(number).split(";")[0]
    except ValidationError:
        return CallerMatch()
    contacts = _with_number(Contact.objects.visible_to(user).with_company_visibility(user)
                            .select_related("owner", "company"), e164, lambda c: c.phones)
    companies = _with_number(Company.objects.visible_to(user).select_related("owner"), e164, lambda c: c.phones)
    leads = _with_number(Lead.objects.visible_to(user).select_related("owner"), e164,
                         lambda lead: [lead.phone] if lead.phone else [])
    deals: list[Deal] = []
    if contacts or companies:
        linked = Q(company__in=[c.pk for c in companies]) | Q(deal_contacts__contact__in=[c.pk for c in contacts])
        deals = list(Deal.objects.visible_to(user).open().filter(linked).distinct()
                     .select_related("owner", "stage").order_by("-created_at", "-id")[:CALLER_LIMIT])
    return CallerMatch(number=e164, contacts=contacts, companies=companies, leads=leads, open_deals=deals)
