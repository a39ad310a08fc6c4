"""`kartoteka worker`: the background job consumer with its periodic jobs (see docs/jobs.md).

A thin wrapper over huey's consumer (djhuey's run_huey): same options, our name. The storage is the one
settings.HUEY names: SQLite in KARTOTEKA_VAR_DIR by default, Redis when HUEY_REDIS_URL is set.
"""

from __future__ import annotations

from huey.contrib.djhuey.management.commands.run_huey import Command as RunHuey


class Command(RunHuey):
    help = "Run the background job consumer: e-mail notifications, task reminders, overdue notices, escalations."
