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
    WEB_FORM = "web_form", _("web form")


class SecurityEventKind(models.TextChoices):
    """What a security event records. EXPORT, MERGE and PERMISSION_CHANGE are written by the features that
    do them, through audit.security.record_security_event()."""

    LOGIN = "login", _("logged in")
    LOGIN_FAILED = "login_failed", _("login failed")
    MFA_FAILED = "mfa_failed", _("second factor failed")
    LOCKED_OUT = "locked_out", _("locked out")
    LOGOUT = "logout", _("logged out")
    ACCESS_DENIED = "access_denied", _("access denied")
    EXPORT = "export", _("export")
    IMPORT = "import", _("import")
    MERGE = "merge", _("merge")
    PERMISSION_CHANGE = "permission_change", _("permission change")


class DenialReason(models.TextChoices):
    NOT_VISIBLE = "not_visible", _("record not visible to the user")
    NOT_ALLOWED = "not_allowed", _("action not allowed to the user")
