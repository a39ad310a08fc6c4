from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "kartoteka.search"
    verbose_name = _("Search")

    def ready(self) -> None:
        # Infrastructure, not domain behaviour: SQLite's table rebuilds (any later AlterField) drop the
        # triggers that keep the FTS5 index in sync; re-create them after every migrate.
        post_migrate.connect(_ensure_index, sender=self, dispatch_uid="kartoteka.search.ensure_index")


def _ensure_index(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    from kartoteka.search.index import ensure_sqlite_index

    if connections[using].vendor == "sqlite":
        ensure_sqlite_index(connections[using])
