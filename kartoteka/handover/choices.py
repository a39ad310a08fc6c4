from django.db import models
from django.utils.translation import gettext_lazy as _


class HandoverStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    FAILED = "failed", _("Failed")
    DONE = "done", _("Done")
    REVERTED = "reverted", _("Reverted")


class SplitRule(models.TextChoices):
    """How a portfolio is divided among several receivers. A company's contacts, deals and leads always go to
    whoever receives the company, so one client never ends up with two managers."""

    EVEN = "even", _("Evenly, client by client")
    BY_STATUS = "by_status", _("By company status, in turn")
    BY_PIPELINE = "by_pipeline", _("By pipeline, in turn")
