from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    CALL = "call", _("Call")
    EMAIL = "email", _("E-mail")
    MEETING = "meeting", _("Meeting")
    MESSAGE = "message", _("Message")
    NOTE = "note", _("Note")
    STAGE_CHANGE = "stage_change", _("Stage change")
    REQUEST = "request", _("Request")
    ASSIGNMENT = "assignment", _("Responsible changed")
    CONVERSION = "conversion", _("Lead converted")
    ESCALATION = "escalation", _("Escalation")
    MERGE = "merge", _("Records merged")


# What a person logs from the card (the others are written by the system).
LOGGABLE_KINDS = (ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.MEETING, ActivityKind.MESSAGE, ActivityKind.NOTE)


class CallDirection(models.TextChoices):
    OUTGOING = "out", _("Outgoing")
    INCOMING = "in", _("Incoming")


class MessageChannel(models.TextChoices):
    TELEGRAM = "telegram", _("Telegram")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")
    OTHER = "other", _("Other")
