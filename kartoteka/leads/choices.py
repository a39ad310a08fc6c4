from django.db import models
from django.utils.translation import gettext_lazy as _


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_WORK = "in_work", _("In work")
    QUALIFIED = "qualified", _("Converted")
    DISQUALIFIED = "disqualified", _("Disqualified")


OPEN_STATUSES = (LeadStatus.NEW, LeadStatus.IN_WORK)


class LeadSource(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    PHONE = "phone", _("Phone call")
    EMAIL = "email", _("E-mail")
    TELEGRAM = "telegram", _("Telegram")
    MANUAL = "manual", _("Entered by hand")
    IMPORT = "import", _("Import")
    REFERRAL = "referral", _("Referral")
    EVENT = "event", _("Event")
    OTHER = "other", _("Other")


# The client-base source a converted lead's contact, company and deal get.
CLIENT_SOURCE = {
    LeadSource.WEB_FORM: "website", LeadSource.PHONE: "phone", LeadSource.EMAIL: "email",
    LeadSource.TELEGRAM: "telegram", LeadSource.MANUAL: "other", LeadSource.IMPORT: "import",
    LeadSource.REFERRAL: "referral", LeadSource.EVENT: "event", LeadSource.OTHER: "other",
}


class AssignmentRule(models.TextChoices):
    """How a team's new leads get a responsible."""

    ROUND_ROBIN = "round_robin", _("Round-robin among available managers")
    POOL = "pool", _("Leave in the team's inbox: managers take them")


class AbsenceKind(models.TextChoices):
    VACATION = "vacation", _("Vacation")
    SICK = "sick", _("Sick leave")
    OTHER = "other", _("Other")


# Lead fields a web form field may fill (custom fields are addressed as "cf:<key>").
FORM_TARGETS = ("name", "company_name", "phone", "email", "inn", "message")
