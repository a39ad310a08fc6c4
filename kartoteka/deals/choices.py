from django.db import models
from django.utils.translation import gettext_lazy as _


class StageKind(models.TextChoices):
    """Where a stage leaves a deal: still in work, closed as won, or closed as lost."""

    OPEN = "open", _("In progress")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class DealStatus(models.TextChoices):
    """A deal's status is the kind of its stage (a filter, not a stored field)."""

    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class ContactRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    BUYER = "buyer", _("Buyer")
    USER = "user", _("User")
    OTHER = "other", _("Other")


# Deal fields a stage may require before a deal enters it (Stage.required_fields).
REQUIRABLE_FIELDS = ("amount", "expected_close_date", "company", "contacts", "probability", "source")
