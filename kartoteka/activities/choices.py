from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    NOTE = "note", _("Note")
    STAGE_CHANGE = "stage_change", _("Stage change")
