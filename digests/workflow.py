"""Status changes of a digest. Every caller (admin, commands, tasks) goes through here."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from digests.models import Digest


class TransitionError(Exception):
    """A status change that is not allowed from the digest's current state."""


def publish(digest, user=None):
    """Publish a draft or a digest in review now; refuse any other state."""
    with transaction.atomic():
        current = Digest.objects.select_for_update().get(pk=digest.pk)
        if current.status == Digest.Status.PUBLISHED:
            raise TransitionError(
                _("The digest of %(date)s is already published.") % {"date": current.date}
            )
        current.status = Digest.Status.PUBLISHED
        current.published_at = timezone.now()
        current.save(update_fields=["status", "published_at", "updated_at"])
    digest.status, digest.published_at = current.status, current.published_at
    return digest
