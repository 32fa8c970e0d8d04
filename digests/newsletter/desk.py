"""The newsletter on a digest's desk page: its mailings' counts, a test send, correction notices.

``desk_context`` adds the "Newsletter" panel to ``DigestAdmin.desk_context``: every
mailing of the digest (the day's issue, correction notices, tests) with its
deliveries counted by state, read in one grouped query when the panel is drawn
(not when a save redirects). ``test_send`` is the panel's button; ``notify_correction``
is what the correction form's "send a notice" box does once the correction commits.
"""

import logging
import smtplib
from functools import cached_property

from anymail.exceptions import AnymailError
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from digests.desk.views import _back, _digest, post_only
from digests.models import Delivery, DigestEvent, Mailing
from digests.newsletter import sending
from digests.newsletter.admin import counts_by_state, total

logger = logging.getLogger(__name__)

# The states in the panel's columns, in the order a mailing moves through them, with
# short column heads (the states' own labels are sentences in places).
STATES = list(Delivery.State)
COLUMN_HEADS = {
    Delivery.State.QUEUED: pgettext_lazy("newsletter count", "queued"),
    Delivery.State.SENDING: pgettext_lazy("newsletter count", "sending"),
    Delivery.State.SENT: pgettext_lazy("newsletter count", "sent"),
    Delivery.State.FAILED: pgettext_lazy("newsletter count", "failed"),
    Delivery.State.INTERRUPTED: pgettext_lazy("newsletter count", "interrupted"),
    Delivery.State.BOUNCED: pgettext_lazy("newsletter count", "bounced"),
    Delivery.State.COMPLAINED: pgettext_lazy("newsletter count", "spam"),
    Delivery.State.CANCELLED: pgettext_lazy("newsletter count", "stopped"),
}
# What a mail server (or provider) refusing or unreachable raises from ``send``.
MAIL_ERRORS = (smtplib.SMTPException, OSError, AnymailError)


class NewsletterPanel:
    """What the panel shows; the query runs only if the template reads ``mailings``."""

    def __init__(self, request, digest):
        self.digest = digest
        self.user = request.user
        self.can_send = request.user.has_perm("digests.send_mailing")
        self.can_see_deliveries = request.user.has_perm("digests.view_delivery")
        self.test_url = reverse("admin:digests_digest_newsletter_test", args=[digest.pk])

    @cached_property
    def mailings(self):
        if not getattr(self.digest, "has_mailings", True):
            return []  # known from the digest's own query (``has_mailings``): nothing to ask
        rows = list(
            counts_by_state(Mailing.objects.filter(digest=self.digest))
            .select_related("created_by")
            .order_by("created_at", "pk")
        )
        for mailing in rows:
            mailing.counts = [(state, getattr(mailing, f"n_{state}")) for state in STATES]
            mailing.n_total = total(mailing)
            if self.can_see_deliveries:
                mailing.deliveries_url = (
                    reverse("admin:digests_delivery_changelist")
                    + f"?mailing__id__exact={mailing.pk}"
                )
        return rows

    @property
    def states(self):
        return [(state, COLUMN_HEADS[state], state.label) for state in STATES]


def has_mailings():
    """An annotation for the digest's page query: whether the panel has rows to read."""
    return Exists(Mailing.objects.filter(digest=OuterRef("pk")))


def desk_context(request, digest):
    """The panel for members allowed to see mailings (``digests.view_mailing``)."""
    if not request.user.has_perm("digests.view_mailing"):
        return {"newsletter": None}
    return {"newsletter": NewsletterPanel(request, digest)}


@post_only
def test_send(model_admin, request, object_id):
    """The digest's mail, in whatever state it is, to the member who pressed the button."""
    digest = _digest(model_admin, request, object_id)
    if not request.user.has_perm("digests.send_mailing"):
        raise PermissionDenied
    address = request.user.email
    if not address:
        messages.error(
            request,
            _("Your account has no e-mail address: add one to your profile to send a test."),
        )
        return _back(digest, "#newsletter")
    try:
        with transaction.atomic():  # a mail that did not go leaves no test mailing behind
            sending.send_test(digest, request.user)
    except ValueError as error:  # refused by the sending code, e.g. an address it can't use
        messages.error(request, _("No test was sent: %(reason)s") % {"reason": error})
    except MAIL_ERRORS as error:
        logger.warning("test send of %s to user %s failed: %r", digest, request.user.pk, error)
        messages.error(
            request,
            _(
                "The mail server did not take the test mail (%(error)s). Nothing was sent; "
                "try again later."
            )
            % {"error": error.__class__.__name__},
        )
    else:
        messages.success(
            request,
            _("A test of this digest's mail is on its way to %(address)s.") % {"address": address},
        )
    return _back(digest, "#newsletter")


def notify_correction(request, correction):
    """Once the correction has committed: the notice to those who were sent the digest.

    The correction stands whatever happens here; a failure to start the notice is
    shown to the reviewer (who may send it later from a new correction), not hidden.
    """

    def start():
        try:
            mailing = sending.start_correction(correction, request.user)
        except (ValueError, PermissionDenied) as error:  # refused: the reason is for the desk
            messages.error(
                request,
                _("The correction is published, but no notice was sent: %(reason)s")
                % {"reason": error},
            )
            return
        except Exception as error:  # the correction is committed; say the notice was not
            logger.exception("correction notice for correction %s not started", correction.pk)
            messages.error(
                request,
                _(
                    "The correction is published, but the notice to subscribers could not "
                    "be started (%(error)s)."
                )
                % {"error": error.__class__.__name__},
            )
            return
        recipients = Delivery.objects.filter(mailing=mailing).count() if mailing else 0
        _note_in_activity_log(correction, request.user, recipients)
        messages.success(
            request,
            ngettext(
                "A correction notice is being sent to %(count)d subscriber.",
                "A correction notice is being sent to %(count)d subscribers.",
                recipients,
            )
            % {"count": recipients},
        )

    transaction.on_commit(start)


def _note_in_activity_log(correction, user, recipients):
    """Say on the correction's line of the activity log that a notice went out."""
    event = (
        DigestEvent.objects.filter(
            digest_id=correction.item.digest_id, action=DigestEvent.Action.CORRECT, actor=user
        )
        .order_by("-pk")
        .only("pk", "note")
        .first()
    )
    if event is None:
        return
    addition = ngettext(
        "correction notice sent to %(count)d subscriber",
        "correction notice sent to %(count)d subscribers",
        recipients,
    ) % {"count": recipients}
    DigestEvent.objects.filter(pk=event.pk).update(note=f"{event.note} ({addition})")
