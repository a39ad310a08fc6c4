from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    TASK_ASSIGNED = "task_assigned", _("A task was assigned to you")
    TASK_DUE = "task_due", _("A task is due soon")
    TASK_OVERDUE = "task_overdue", _("A task is overdue")
    TASK_ESCALATED = "task_escalated", _("A task of your team is overdue (escalation)")
    RECORD_SHARED = "record_shared", _("A record was shared with you")
    LEAD_ASSIGNED = "lead_assigned", _("A lead was assigned to you")
    DAILY_DIGEST = "daily_digest", _("Your day: overdue and today's tasks (every morning)")
    JOB_FAILED = "job_failed", _("A background job failed (administrators)")
    HANDOVER_RECEIVED = "handover_received", _("Records were handed over to you")


class Channel(models.TextChoices):
    APP = "app", _("In the app")
    EMAIL = "email", _("By e-mail")


# What each user gets until they change their preferences.
DEFAULT_CHANNELS: dict[str, tuple[str, ...]] = {
    NotificationKind.TASK_ASSIGNED: (Channel.APP, Channel.EMAIL),
    NotificationKind.TASK_DUE: (Channel.APP,),
    NotificationKind.TASK_OVERDUE: (Channel.APP, Channel.EMAIL),
    NotificationKind.TASK_ESCALATED: (Channel.APP, Channel.EMAIL),
    NotificationKind.RECORD_SHARED: (Channel.APP,),
    NotificationKind.LEAD_ASSIGNED: (Channel.APP, Channel.EMAIL),
    NotificationKind.DAILY_DIGEST: (Channel.EMAIL,),
    NotificationKind.JOB_FAILED: (Channel.APP,),
    NotificationKind.HANDOVER_RECEIVED: (Channel.APP, Channel.EMAIL),
}
