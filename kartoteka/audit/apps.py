from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "kartoteka.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from kartoteka.audit import receivers  # noqa: F401  (the one signals module)
