"""The newsletter: readers who asked for the briefing by e-mail, and what was sent to them.

A ``Subscriber`` is an address with its consent (when and where it was given) and
a random ``key`` that stands for the address in every link, so that no address
appears in a URL. A ``Mailing`` is one sending of a digest (the day's issue, a
correction notice, or a desk member's test); a ``Delivery`` is the ledger line of
one mailing to one subscriber. The ledger's unique constraints are what make
"each publication reaches each subscriber once" hold through crashed workers,
retried tasks and republished digests (``digests/newsletter/sending.py``).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class SubscriberQuerySet(models.QuerySet):
    def receiving(self):
        """Subscribers the next publication goes to: confirmed and not paused or stopped."""
        return self.filter(state=Subscriber.State.ACTIVE)

    def by_address(self, email):
        return self.filter(email__iexact=(email or "").strip())


class Subscriber(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("waiting for confirmation")
        ACTIVE = "active", _("subscribed")
        PAUSED = "paused", _("paused")
        UNSUBSCRIBED = "unsubscribed", _("unsubscribed")
        BOUNCED = "bounced", _("bounced")
        COMPLAINED = "complained", _("marked as spam")

    email = models.EmailField(_("e-mail address"), max_length=254)
    key = models.UUIDField(
        _("key"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("Stands for the address in the links of every mail (signed)."),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING, db_index=True
    )
    sections = models.ManyToManyField(
        "digests.Category",
        blank=True,
        related_name="subscribers",
        verbose_name=_("sections"),
        help_text=_("Only these sections in the mail; none means all."),
    )
    language = models.CharField(_("language"), max_length=16, default="zh-hans")
    created_at = models.DateTimeField(_("signed up"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)
    # Consent: when it was given (the confirmation) and where the form was.
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_source = models.CharField(
        _("consent source"),
        max_length=300,
        blank=True,
        help_text=_("The page whose form the reader used, or who added the address."),
    )
    # The per-address limit on confirmation mails (``NEWSROOM_NEWSLETTER_CONFIRMATIONS``).
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmations_sent = models.PositiveIntegerField(default=0, editable=False)
    note = models.CharField(
        _("note"),
        max_length=300,
        blank=True,
        help_text=_("The last bounce or complaint, as the provider reported it."),
    )

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="one_subscriber_per_address"),
        ]
        permissions = [("export_subscriber", "Can export subscribers")]

    def __str__(self):
        return self.email


class Mailing(models.Model):
    class Kind(models.TextChoices):
        ISSUE = "issue", _("the day's briefing")
        CORRECTION = "correction", _("correction notice")
        TEST = "test", _("test")

    digest = models.ForeignKey(
        "digests.Digest",
        on_delete=models.CASCADE,
        related_name="mailings",
        verbose_name=_("digest"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ISSUE)
    correction = models.ForeignKey(
        "digests.Correction",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="mailings",
        verbose_name=_("correction"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("stopped"), null=True, blank=True)

    class Meta:
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["digest"],
                condition=models.Q(kind="issue"),
                name="one_issue_mailing_per_digest",
            ),
        ]
        permissions = [("send_mailing", "Can send test mails and correction notices")]

    def __str__(self):
        return f"{self.digest} · {self.get_kind_display()}"


class Delivery(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        INTERRUPTED = "interrupted", _("interrupted (may have been sent)")
        BOUNCED = "bounced", _("bounced")
        COMPLAINED = "complained", _("marked as spam")
        CANCELLED = "cancelled", _("stopped")

    mailing = models.ForeignKey(
        Mailing, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("mailing")
    )
    # Copied from the mailing, for the ledger's constraint.
    digest = models.ForeignKey(
        "digests.Digest", on_delete=models.CASCADE, related_name="+", verbose_name=_("digest")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Mailing.Kind.choices)
    subscriber = models.ForeignKey(
        Subscriber,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("subscriber"),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    message_id = models.CharField(_("message ID"), max_length=300, blank=True, db_index=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "subscriber"], name="one_delivery_per_mailing_and_subscriber"
            ),
            models.UniqueConstraint(
                fields=["subscriber", "digest"],
                condition=models.Q(kind="issue"),
                name="one_issue_per_subscriber_and_digest",
            ),
        ]
        indexes = [models.Index(fields=["mailing", "state"], name="delivery_mailing_state")]

    def __str__(self):
        return f"{self.mailing} → {self.subscriber_id}: {self.state}"
