from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    HEAD = "head", _("Head of sales")
    MANAGER = "manager", _("Manager")
    VIEWER = "viewer", _("Viewer")
