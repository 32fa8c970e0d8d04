"""Login throttling with django-axes: who a login comes from, the two limits, the lock page.

Failures count per account and address (``AXES_FAILURE_LIMIT``, so an attacker
elsewhere cannot lock an editor out) and per address over all accounts
(``NEWSROOM_LOGIN_FAILURES_PER_ADDRESS``, so one address cannot guess across
the desk). A locked-out attempt is refused before any password is hashed
(``AxesStandaloneBackend`` comes first in ``AUTHENTICATION_BACKENDS``).
"""

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib import admin
from django.db.models import Sum
from django.shortcuts import render


def client_ip(request):
    """The address a login comes from: ``REMOTE_ADDR``, or the proxy's header when one is set.

    A proxy appends the address it saw to ``X-Forwarded-For``; entries before it
    are whatever the client claimed, so only the last one is trusted.
    """
    header = settings.NEWSROOM_CLIENT_IP_HEADER
    if header:
        claimed = request.META.get(header, "").split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(claimed))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR")


class LoginThrottle(AxesDatabaseHandler):
    """Axes' database handler, with a limit per address besides the one per account and address.

    ``AXES_LOCKOUT_PARAMETERS`` lists (username, address) first and the address
    second; Axes compares one count with ``AXES_FAILURE_LIMIT``, so the address's
    count is scaled to that limit: it reaches it exactly when the address reaches
    ``NEWSROOM_LOGIN_FAILURES_PER_ADDRESS``.
    """

    def get_failures(self, request, credentials=None):
        per_account, per_address = (
            attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        limit = settings.AXES_FAILURE_LIMIT
        return max(
            per_account, per_address * limit // settings.NEWSROOM_LOGIN_FAILURES_PER_ADDRESS
        )


def locked_out(request, original_response=None, credentials=None):
    """The page a locked-out login gets (429): why, for how long, and who can unlock it."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    # Rendered here: Axes' middleware swaps the response in after templates are rendered.
    context = {**admin.site.each_context(request), "minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)
