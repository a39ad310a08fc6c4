"""What each entity can receive from a file: its fields (with a kind that says how a cell is read), the
headers they are guessed from (Russian and English, amoCRM and Bitrix24 exports), and its custom fields."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from kartoteka.dataio.choices import ImportEntity

__all__ = ["EXTERNAL_ID", "ImportField", "entity_fields", "normalise_header"]

EXTERNAL_ID = "external_id"
CUSTOM_PREFIX = "cf:"
# Kinds whose values several columns may feed (joined): lists by comma, text by a space.
LIST_KINDS = frozenset({"phones", "emails", "tags"})
JOINABLE_KINDS = LIST_KINDS | {"text"}


@dataclass(frozen=True)
class ImportField:
    key: str
    label: Any
    kind: str = "text"  # text, phones, emails, phone, email, inn, kpp, ogrn, decimal, int, date, choice, bool,
    # url, owner, tags, company, company_inn, stage, pipeline, full_name, external_id, custom
    required: bool = False
    synonyms: tuple[str, ...] = ()
    choices: Any = None  # TextChoices for kind "choice"
    custom: Any = None  # the CustomField for kind "custom"
    max_length: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_SPACES = re.compile(r"[^0-9a-zа-я#№]+")


def normalise_header(header: str) -> str:
    """'E-mail рабочий' → 'email рабочий', 'Рабочий  E-Mail' → 'рабочий email': case, ё, punctuation ignored."""
    text = str(header or "").lower().replace("ё", "е").replace("e-mail", "email").replace("е-mail", "email")
    return " ".join(_SPACES.sub(" ", text).split())


OWNER = ("ответственный", "ответственный менеджер", "менеджер", "responsible", "owner", "assigned to",
         "responsible user", "кем создан ответственный")
TAGS = ("теги", "тег", "метки", "tags", "tag", "labels")
EXTERNAL = ("id", "внешний id", "внешний идентификатор", "external id", "externalid", "uid", "код", "#", "№",
            "id контакта", "id компании", "id сделки", "id лида", "id товара")
PHONES = ("телефон", "телефоны", "рабочий телефон", "мобильный телефон", "домашний телефон", "другой телефон",
          "рабочий прямой телефон", "телефон для рассылок", "тел", "phone", "phones", "mobile", "mobile phone",
          "work phone", "home phone", "business phone", "tel", "телефон рабочий", "телефон мобильный")
EMAILS = ("email", "emails", "почта", "электронная почта", "рабочий email", "личный email", "другой email",
          "email рабочий", "email частный", "email домашний", "email другой", "email для рассылок", "work email",
          "e mail", "mail", "email address")
SOURCE = ("источник", "source", "канал", "lead source")
DESCRIPTION = ("примечание", "примечания", "комментарий", "описание", "заметка", "note", "notes", "comment",
               "comments", "description")
INN = ("инн", "inn", "tax id", "инн компании")


def _company_fields() -> list[ImportField]:
    from kartoteka.contacts.choices import CompanyStatus, LegalForm, Source
    from kartoteka.contacts.models import Company

    def text(key: str, label: Any, synonyms: tuple[str, ...], **kw: Any) -> ImportField:
        return ImportField(key, label, "text", synonyms=synonyms,
                           max_length=Company._meta.get_field(key).max_length, **kw)

    return [
        text("name", _("name"), ("название", "название компании", "наименование", "наименование компании",
                                 "компания", "организация", "company", "company name", "name", "title",
                                 "полное наименование", "краткое наименование"), required=True),
        ImportField("legal_form", _("legal form"), "choice", synonyms=("правовая форма", "опф", "форма собственности",
                                                                       "legal form"), choices=LegalForm),
        ImportField("inn", _("INN"), "inn", synonyms=INN),
        ImportField("kpp", _("KPP"), "kpp", synonyms=("кпп", "kpp")),
        ImportField("ogrn", _("OGRN"), "ogrn", synonyms=("огрн", "ogrn", "огрнип")),
        text("industry", _("industry"), ("отрасль", "сфера деятельности", "индустрия", "industry")),
        ImportField("website", _("website"), "url", synonyms=("сайт", "web", "веб сайт", "website", "url", "site",
                                                              "корпоративный сайт"), max_length=255),
        text("legal_address", _("legal address"), ("юридический адрес", "адрес", "legal address", "address")),
        text("postal_address", _("postal address"), ("почтовый адрес", "фактический адрес", "postal address")),
        ImportField("phones", _("phones"), "phones", synonyms=PHONES),
        ImportField("emails", _("e-mails"), "emails", synonyms=EMAILS),
        ImportField("status", _("status"), "choice", synonyms=("статус", "тип компании", "status"),
                    choices=CompanyStatus),
        ImportField("source", _("source"), "choice", synonyms=SOURCE, choices=Source),
        ImportField("description", _("description"), "text", synonyms=DESCRIPTION),
    ]


def _contact_fields() -> list[ImportField]:
    from kartoteka.contacts.choices import Source
    from kartoteka.contacts.models import Contact

    def text(key: str, label: Any, synonyms: tuple[str, ...], **kw: Any) -> ImportField:
        return ImportField(key, label, "text", synonyms=synonyms,
                           max_length=Contact._meta.get_field(key).max_length, **kw)

    return [
        ImportField("full_name", _("full name (last, first, middle)"), "full_name",
                    synonyms=("полное имя", "фио", "ф и о", "контакт", "имя контакта", "full name", "fn",
                              "contact name", "контактное лицо")),
        text("last_name", _("last name"), ("фамилия", "last name", "surname", "family name", "n last")),
        text("first_name", _("first name"), ("имя", "first name", "given name", "name", "n first"), required=True),
        text("middle_name", _("middle name"), ("отчество", "middle name", "patronymic", "n middle")),
        text("position", _("position"), ("должность", "position", "job title", "title")),
        ImportField("company", _("company (by name)"), "company",
                    synonyms=("компания", "название компании", "организация", "company", "org", "организация контакта",
                              "company name")),
        ImportField("company_inn", _("company INN"), "company_inn", synonyms=("инн", "инн компании", "inn",
                                                                               "company inn")),
        ImportField("phones", _("phones"), "phones", synonyms=PHONES),
        ImportField("emails", _("e-mails"), "emails", synonyms=EMAILS),
        text("telegram", _("Telegram"), ("telegram", "телеграм", "телеграмм")),
        ImportField("birthday", _("birthday"), "date", synonyms=("дата рождения", "день рождения", "birthday",
                                                                 "birth date", "bday")),
        ImportField("source", _("source"), "choice", synonyms=SOURCE, choices=Source),
        ImportField("description", _("description"), "text", synonyms=DESCRIPTION),
    ]


def _lead_fields() -> list[ImportField]:
    from kartoteka.leads.choices import LeadSource
    from kartoteka.leads.models import Lead

    def text(key: str, label: Any, synonyms: tuple[str, ...], **kw: Any) -> ImportField:
        return ImportField(key, label, "text", synonyms=synonyms,
                           max_length=Lead._meta.get_field(key).max_length, **kw)

    return [
        text("name", _("name"), ("имя", "фамилия", "отчество", "полное имя", "фио", "контакт", "контактное лицо",
                                 "name", "full name", "contact name", "first name", "last name"),
             extra={"multi_guess": True}),
        text("company_name", _("company name"), ("компания", "название компании", "организация", "company",
                                                 "company name")),
        ImportField("phone", _("phone"), "phone", synonyms=PHONES),
        ImportField("email", _("e-mail"), "email", synonyms=EMAILS),
        ImportField("inn", _("INN"), "inn", synonyms=INN),
        ImportField("message", _("message"), "text", synonyms=("сообщение", "название лида", "название", "запрос",
                                                               "комментарий", "примечание", "message", "title",
                                                               "lead name", "comment"), max_length=5000),
        ImportField("source", _("source"), "choice", synonyms=SOURCE, choices=LeadSource),
        text("utm_source", "utm_source", ("utm source",)),
        text("utm_medium", "utm_medium", ("utm medium",)),
        text("utm_campaign", "utm_campaign", ("utm campaign",)),
    ]


def _deal_fields() -> list[ImportField]:
    from kartoteka.contacts.choices import Source
    from kartoteka.deals.models import Deal

    return [
        ImportField("title", _("title"), "text", required=True, max_length=Deal._meta.get_field("title").max_length,
                    synonyms=("название сделки", "название", "сделка", "наименование", "deal", "deal name", "title",
                              "name")),
        ImportField("amount", _("amount"), "decimal", synonyms=("бюджет", "сумма", "сумма сделки", "amount",
                                                                "budget", "value", "deal value")),
        ImportField("currency", _("currency"), "currency", synonyms=("валюта", "currency")),
        ImportField("pipeline", _("pipeline"), "pipeline", synonyms=("воронка", "направление", "pipeline")),
        ImportField("stage", _("stage"), "stage", synonyms=("этап сделки", "этап", "стадия сделки", "стадия",
                                                            "статус", "stage", "deal stage", "status")),
        ImportField("company", _("company (by name)"), "company",
                    synonyms=("компания", "название компании", "организация", "company", "company name")),
        ImportField("company_inn", _("company INN"), "company_inn", synonyms=INN),
        ImportField("expected_close_date", _("expected close date"), "date",
                    synonyms=("дата закрытия", "предполагаемая дата закрытия", "планируемая дата закрытия",
                              "close date", "expected close date")),
        ImportField("probability", _("probability, %"), "int", synonyms=("вероятность", "probability")),
        ImportField("source", _("source"), "choice", synonyms=SOURCE, choices=Source),
        ImportField("description", _("description"), "text", synonyms=DESCRIPTION),
    ]


def _product_fields() -> list[ImportField]:
    from kartoteka.products.choices import Unit
    from kartoteka.products.models import Product

    return [
        ImportField("sku", _("SKU"), "text", required=True, max_length=Product._meta.get_field("sku").max_length,
                    synonyms=("артикул", "sku", "код товара", "article", "part number")),
        ImportField("name", _("name"), "text", required=True, max_length=255,
                    synonyms=("название", "наименование", "товар", "название товара", "product", "name",
                              "product name")),
        ImportField("description", _("description"), "text", synonyms=DESCRIPTION),
        ImportField("unit", _("unit"), "choice", choices=Unit, synonyms=("единица", "ед изм", "единица измерения",
                                                                         "unit")),
        ImportField("price", _("price"), "decimal", required=True, synonyms=("цена", "стоимость", "price",
                                                                             "цена продажи")),
        ImportField("currency", _("currency"), "currency", synonyms=("валюта", "currency")),
        ImportField("vat_rate", _("VAT, %"), "int", synonyms=("ндс", "ставка ндс", "vat", "vat rate")),
        ImportField("stock", _("stock on hand"), "decimal", synonyms=("остаток", "склад", "stock", "количество")),
        ImportField("active", _("active"), "bool", synonyms=("активен", "активный", "active")),
    ]


BUILDERS = {
    ImportEntity.COMPANY: _company_fields, ImportEntity.CONTACT: _contact_fields, ImportEntity.LEAD: _lead_fields,
    ImportEntity.DEAL: _deal_fields, ImportEntity.PRODUCT: _product_fields,
}
OWNED = frozenset({ImportEntity.COMPANY, ImportEntity.CONTACT, ImportEntity.LEAD, ImportEntity.DEAL})


def entity_fields(entity: str, *, custom_fields: list[Any] | None = None) -> list[ImportField]:
    """The fields a column can be mapped to, in the order the mapping screen lists them."""
    result = BUILDERS[ImportEntity(entity)]()
    if entity in OWNED:
        result += [ImportField("owner", _("responsible"), "owner", synonyms=OWNER),
                   ImportField("tags", _("tags"), "tags", synonyms=TAGS)]
    result.append(ImportField(EXTERNAL_ID, _("external ID (from the other system)"), "external_id",
                              synonyms=EXTERNAL))
    if entity in OWNED:
        if custom_fields is None:
            from kartoteka.customfields.values import fields_for

            custom_fields = fields_for(entity)
        for cf in custom_fields:
            result.append(ImportField(CUSTOM_PREFIX + cf.key, cf.label, "custom", required=cf.required, custom=cf,
                                      synonyms=(normalise_header(cf.label), normalise_header(cf.key))))
    return result
