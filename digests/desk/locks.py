"""Presence and edit locks on a digest's page (issue 10, point 4).

STUB, to be written: the heartbeat, the lock views and the checks below.
"""

from django.http import Http404


def desk_context(request, digest):
    """Who else has the page open, and who holds the lock (``{}`` for now)."""
    return {}


def check_save(digest, user):
    """Raise ``ValidationError`` when someone else holds the digest's edit lock.

    Called by ``DigestForm.clean`` on the locked row, before the save.
    """


def after_transition(digest, transition, user):
    """Called by ``workflow.perform`` inside its transaction, after the status changed."""


def heartbeat(model_admin, request, object_id):
    raise Http404


def lock(model_admin, request, object_id):
    raise Http404


def release(model_admin, request, object_id):
    raise Http404


def take_over(model_admin, request, object_id):
    raise Http404
