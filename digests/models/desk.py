"""The desk's records: the review thread, the activity log, notifications,
corrections shown to readers, and share links for previews."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReviewComment(models.Model):
    """A note in a digest's review thread; a request for changes is one too."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("comment")
        CHANGES = "changes", _("changes requested")

    digest = models.ForeignKey(
        "Digest", verbose_name=_("digest"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="review_comments",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.COMMENT)
    body = models.TextField(_("comment"), help_text=_("What the desk should know or change."))
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")

    def __str__(self):
        return self.body[:60]


class DigestEvent(models.Model):
    """One line of a digest's history: who did what, when, and who was told."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("submitted for review")
        REQUEST_CHANGES = "request_changes", _("requested changes")
        PUBLISH = "publish", _("approved and published")
        SCHEDULE = "schedule", _("approved and scheduled")
        UNSCHEDULE = "unschedule", _("cancelled the schedule")
        PUBLISH_SCHEDULED = "publish_scheduled", _("published on schedule")
        WITHDRAW = "withdraw", _("withdrew")
        REPUBLISH = "republish", _("republished")
        REOPEN = "reopen", _("reopened for editing")
        RESTORE = "restore", _("restored an earlier version")
        CORRECT = "correct", _("added a correction")
        IMPORT = "import", _("imported the text")
        REPLACE = "replace", _("replaced the draft with imported text")
        SAVE = "save", _("saved changes")

    digest = models.ForeignKey(
        "Digest", verbose_name=_("digest"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=30, choices=Action)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="digest_events",
        help_text=_("Empty when the system acted: the scheduler or a command."),
    )
    note = models.TextField(_("note"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history entries")
        indexes = [models.Index(fields=["digest", "created_at"], name="event_digest_time")]

    def __str__(self):
        return f"{self.get_action_display()} ({self.created_at:%Y-%m-%d %H:%M})"


class Notification(models.Model):
    """An e-mail sent (or attempted) because of a history entry."""

    event = models.ForeignKey(DigestEvent, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    email = models.EmailField(_("address"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.email


class Correction(models.Model):
    """A dated correction (更正) to a published item, shown to readers under it."""

    item = models.ForeignKey(
        "Item", verbose_name=_("item"), on_delete=models.CASCADE, related_name="corrections"
    )
    note = models.TextField(
        _("correction"), help_text=_("What was wrong and what is right, as readers will see it.")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self):
        return self.note[:60]


def new_token():
    return secrets.token_urlsafe(24)


class PreviewLink(models.Model):
    """A read-only link to a digest's preview for someone without an account."""

    digest = models.ForeignKey(
        "Digest", verbose_name=_("digest"), on_delete=models.CASCADE, related_name="preview_links"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("share link")
        verbose_name_plural = _("share links")

    def __str__(self):
        return f"{self.digest} → {self.expires_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self):
        return self.revoked_at is None and self.expires_at > timezone.now()
