"""The desk's records: the review thread, the activity log, notifications,
corrections shown to readers, and share links for previews."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReviewComment(models.Model):
    """A note in a digest's review thread; a request for changes is one too.

    A comment may be anchored to one item, to the analysis or to the trends, and
    is open until someone resolves it (it can be reopened). ``anchor_label`` keeps
    the item's heading as it was when the comment was written, so a comment on an
    item deleted since still says what it was about.
    """

    class Kind(models.TextChoices):
        COMMENT = "comment", _("comment")
        CHANGES = "changes", _("changes requested")

    class Anchor(models.TextChoices):
        DIGEST = "digest", _("the whole digest")
        ITEM = "item", _("an item")
        ANALYSIS = "analysis", _("the deep analysis")
        TRENDS = "trends", _("the trend summary")

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
    anchor = models.CharField(_("about"), max_length=20, choices=Anchor, default=Anchor.DIGEST)
    item = models.ForeignKey(
        "Item",
        verbose_name=_("item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_comments",
    )
    anchor_label = models.CharField(_("about (as written)"), max_length=300, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

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
        RESCHEDULE = "reschedule", _("rescheduled")
        LOCK = "lock", _("locked for editing")
        UNLOCK = "unlock", _("released the edit lock")
        TAKE_OVER = "take_over", _("took over the edit lock")

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


class WorkingCopy(models.Model):
    """One person's unsaved work on a digest's page, autosaved every few seconds.

    Not the digest: the form's fields as the browser holds them (``data``, a
    name → list of values map like a POST), the labels of chosen sections and
    sources (``labels``) and the version the form was opened at. It is offered
    back when that person opens the page again (after a crash, a closed tab or
    a refused save) and deleted when they save.
    """

    digest = models.ForeignKey(
        "Digest", verbose_name=_("digest"), on_delete=models.CASCADE, related_name="working_copies"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("editor"),
        on_delete=models.CASCADE,
        related_name="working_copies",
    )
    data = models.JSONField(_("form data"), default=dict)
    labels = models.JSONField(_("labels of chosen values"), default=dict, blank=True)
    base_version = models.PositiveIntegerField(_("opened at version"), default=0)
    saved_at = models.DateTimeField(_("autosaved"), default=timezone.now)

    class Meta:
        verbose_name = _("working copy")
        verbose_name_plural = _("working copies")
        constraints = [
            models.UniqueConstraint(fields=["digest", "user"], name="working_copy_per_user")
        ]

    def __str__(self):
        return f"{self.digest_id}/{self.user_id} ({self.saved_at:%Y-%m-%d %H:%M})"


class Presence(models.Model):
    """Who has a digest's page open: a heartbeat every few seconds from each open page."""

    digest = models.ForeignKey(
        "Digest", verbose_name=_("digest"), on_delete=models.CASCADE, related_name="presences"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    editing = models.BooleanField(
        _("has unsaved changes"),
        default=False,
        help_text=_("The open form differs from the saved digest."),
    )

    class Meta:
        verbose_name = _("presence")
        verbose_name_plural = _("presences")
        constraints = [
            models.UniqueConstraint(fields=["digest", "user"], name="presence_per_user")
        ]

    def __str__(self):
        return f"{self.digest_id}/{self.user_id}"


class EditLock(models.Model):
    """A digest held for editing by one person; others read it until it is released
    or a reviewer takes it over (with a note, in the activity log)."""

    digest = models.OneToOneField(
        "Digest",
        verbose_name=_("digest"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="edit_lock",
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("held by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    locked_at = models.DateTimeField(_("locked"), default=timezone.now)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("edit lock")
        verbose_name_plural = _("edit locks")

    def __str__(self):
        return f"{self.digest_id} ← {self.holder_id}"
