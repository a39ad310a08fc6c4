from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")
    RESTORE = "restore", _("restored")


class Source(models.TextChoices):
    UI = "ui", _("web interface")
    API = "api", _("API")
    ADMIN = "admin", _("admin site")
    CLI = "cli", _("command line")
    IMPORT = "import", _("import")
    SYSTEM = "system", _("system")
