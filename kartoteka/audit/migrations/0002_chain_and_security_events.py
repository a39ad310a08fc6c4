"""Audit integrity: hash chain on ObjectChange, the SecurityEvent table, append-only triggers.

Existing ObjectChange rows are chained here, oldest first, before the triggers forbid updating them. The
hashed content is frozen below (it must not follow later edits of the model).
"""

import datetime
import hashlib
import json

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def _normalize(value):
    if isinstance(value, dict):
        return {str(k): _normalize(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalize(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _digest(content, prev_hash):
    data = json.dumps(_normalize({**content, "prev_hash": prev_hash}), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False).encode()
    return hashlib.sha256(data).hexdigest()


def row_content(row, content_type_keys):
    """What the hash of an ObjectChange row covers (the model's chain_content() when this was written)."""
    return {
        "changed_at": row.changed_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": row.actor_id, "actor_name": row.actor_name, "source": row.source, "request_id": row.request_id,
        "action": row.action, "content_type": content_type_keys[row.content_type_id], "object_id": row.object_id,
        "object_repr": row.object_repr, "prechange": row.prechange, "postchange": row.postchange,
    }


def chain_existing_changes(apps, schema_editor):
    from kartoteka.audit import guard

    guard.remove(schema_editor.connection, ("audit_objectchange",))  # if a post_migrate put them on already
    ObjectChange = apps.get_model("audit", "ObjectChange")
    ContentType = apps.get_model("contenttypes", "ContentType")
    alias = schema_editor.connection.alias
    keys = {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.using(alias)}
    manager = ObjectChange.objects.using(alias)
    prev, after = "", 0
    while True:
        batch = list(manager.filter(pk__gt=after).order_by("pk")[:2000])
        for row in batch:
            row.prev_hash, row.row_hash = prev, _digest(row_content(row, keys), prev)
            prev = row.row_hash
        manager.bulk_update(batch, ["prev_hash", "row_hash"])
        if len(batch) < 2000:
            return
        after = batch[-1].pk


def install_triggers(apps, schema_editor):
    from kartoteka.audit import guard

    guard.install(schema_editor.connection)


def remove_triggers(apps, schema_editor):
    from kartoteka.audit import guard

    guard.remove(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="objectchange",
            options={"base_manager_name": "objects", "ordering": ["-changed_at", "-id"], "verbose_name": "change",
                     "verbose_name_plural": "changes"},
        ),
        migrations.AddField(
            model_name="objectchange",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="objectchange",
            name="row_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="objectchange",
            name="actor",
            field=models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING,
                                    related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="actor"),
        ),
        migrations.AlterField(
            model_name="objectchange",
            name="changed_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="time"),
        ),
        migrations.CreateModel(
            name="SecurityEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("prev_hash", models.CharField(editable=False, max_length=64)),
                ("row_hash", models.CharField(editable=False, max_length=64)),
                ("occurred_at", models.DateTimeField(default=django.utils.timezone.now, editable=False,
                                                     verbose_name="time")),
                ("kind", models.CharField(choices=[
                    ("login", "logged in"), ("login_failed", "login failed"), ("mfa_failed", "second factor failed"),
                    ("locked_out", "locked out"), ("logout", "logged out"), ("access_denied", "access denied"),
                    ("export", "export"), ("merge", "merge"), ("permission_change", "permission change"),
                ], max_length=32, verbose_name="event")),
                ("username", models.CharField(blank=True, max_length=150, verbose_name="user name")),
                ("ip_address", models.CharField(blank=True, max_length=45, verbose_name="IP address")),
                ("source", models.CharField(choices=[
                    ("ui", "web interface"), ("api", "API"), ("admin", "admin site"), ("cli", "command line"),
                    ("import", "import"), ("system", "system"),
                ], max_length=16, verbose_name="source")),
                ("request_id", models.CharField(blank=True, max_length=32)),
                ("object_id", models.BigIntegerField(blank=True, null=True)),
                ("object_repr", models.CharField(blank=True, max_length=255, verbose_name="record")),
                ("detail", models.JSONField(blank=True, default=dict, verbose_name="details")),
                ("actor", models.ForeignKey(blank=True, db_constraint=False, null=True,
                                            on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                                            to=settings.AUTH_USER_MODEL, verbose_name="user")),
                ("content_type", models.ForeignKey(blank=True, null=True,
                                                   on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                                   to="contenttypes.contenttype")),
            ],
            options={
                "verbose_name": "security event",
                "verbose_name_plural": "security events",
                "ordering": ["-id"],
                "abstract": False,
                "base_manager_name": "objects",
                "indexes": [
                    models.Index(fields=["kind", "-occurred_at"], name="audit_securityevent_kind_time"),
                    models.Index(fields=["actor", "-occurred_at"], name="audit_securityevent_actor_time"),
                ],
            },
        ),
        migrations.RunPython(chain_existing_changes, migrations.RunPython.noop),
        migrations.RunPython(install_triggers, remove_triggers),
    ]
