from django.db import models
from django.utils.translation import gettext_lazy as _


class CompanyStatus(models.TextChoices):
    POTENTIAL = "potential", _("Potential")
    ACTIVE = "active", _("Active")
    FORMER = "former", _("Former")


class LegalForm(models.TextChoices):
    OOO = "ooo", _("LLC (OOO)")
    AO = "ao", _("JSC (AO)")
    PAO = "pao", _("PJSC (PAO)")
    IP = "ip", _("Sole proprietor (IP)")
    GOV = "gov", _("State body")
    NKO = "nko", _("Non-profit")
    FOREIGN = "foreign", _("Foreign company")
    OTHER = "other", _("Other")


class Source(models.TextChoices):
    WEBSITE = "website", _("Website")
    PHONE = "phone", _("Phone call")
    EMAIL = "email", _("E-mail")
    TELEGRAM = "telegram", _("Telegram")
    REFERRAL = "referral", _("Referral")
    EVENT = "event", _("Event")
    COLD = "cold", _("Cold outreach")
    IMPORT = "import", _("Import")
    OTHER = "other", _("Other")
